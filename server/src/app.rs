//! Building the application: the clock, each county's store and services (one county unless
//! `[[counties]]` lists more), the listener (port 0 in tests), then running the HTTP server and the background tasks it owns until it is stopped.

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;

use crate::clock::SharedClock;
use crate::config::{Config, CountyConfig, StoreKind};
use crate::http::AppState;
use crate::metrics::Metrics;
use crate::pool::Blocking;
use crate::service::Services;
use crate::service::auth::Auth;
use crate::service::counties::{Counties, CountyName};
use crate::service::officials::Officials;
use crate::store::sqlite::{Settings, SqliteStore};
use crate::store::{Ingest, Store};

/// Threads for the store's reads and the short CPU-bound work of requests (checking pushes),
/// shared so that a storm of devices queues for the cores.
const WORK_THREADS: usize = 4;

pub struct Application {
    port: u16,
    server: Server,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    counties: Counties,
    /// With `--demo`: the demo password, and whether this start loaded the demo county.
    pub demo: Option<crate::tools::seed::DemoStart>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the store")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot listen on {0}")]
    Bind(String, #[source] std::io::Error),
    #[error("cannot open the blob folder {0}")]
    Blobs(String, #[source] std::io::Error),
    #[error("cannot start the work threads")]
    Threads(#[source] std::io::Error),
    #[error("cannot set up authentication")]
    Auth(#[from] crate::service::auth::AuthSetupError),
    #[error("invalid settings")]
    Config(#[from] crate::config::ConfigError),
    #[error("cannot set up HTTPS")]
    Tls(#[from] crate::tls::TlsError),
    #[error("cannot load the demo county")]
    Demo(#[source] crate::tools::seed::SeedError),
    #[error("the store's engine cannot serve yet: {0}")]
    EngineNotReady(&'static str),
}

impl Application {
    /// The application of `config` on the system clock, with its SQLite store at `config.db`.
    pub async fn build(config: Config) -> Result<Application, StartError> {
        Application::build_with(config, crate::clock::system(), None).await
    }

    /// The application of `config` reading the time from `clock`, on `store` if one is given
    /// (else the SQLite store at `config.db`, opened with `clock`).
    pub async fn build_with(config: Config, clock: SharedClock, store: Option<Arc<dyn Store>>) -> Result<Application, StartError> {
        let cpu = Blocking::new("work", WORK_THREADS).map_err(StartError::Threads)?;
        let metrics = Arc::new(Metrics::new());
        let auth =
            Arc::new(Auth::new(&config.auth, config.token_key_file(), config.token_ttl_s, config.password_concurrency, clock.now_s())?);
        let shared = Shared { clock: clock.clone(), auth: auth.clone(), cpu, metrics: metrics.clone() };
        let counties = config.counties();
        let tagged = counties.len() > 1;
        let (mut given, mut all, mut demo) = (store, Vec::new(), None::<crate::tools::seed::DemoStart>);
        for (i, county) in counties.into_iter().enumerate() {
            let store = match given.take() {
                Some(store) => store,
                None => open_store(&county.config, &shared)?,
            };
            if config.demo {
                let started = match &demo {
                    None => crate::tools::seed::load_demo(&*store, &county.config.db).await,
                    Some(first) => crate::tools::seed::load_demo_county(&*store, &first.password, i).await.map(|()| first.clone()),
                };
                demo = Some(started.map_err(StartError::Demo)?);
            }
            all.push(Arc::new(county_services(&config, county, store, tagged, &shared)?));
        }
        let counties = Counties::new(all).ok_or(StartError::Config(crate::config::ConfigError::Range {
            name: "counties",
            why: "a deployment holds at least one county".into(),
        }))?;
        let mut officials = config.officials.clone();
        if let Some(password) = demo.as_ref().map(|d| d.password.as_str()).filter(|_| counties.iter().count() > 1) {
            let codes: Vec<String> = counties.iter().map(|c| c.county.code.clone()).collect();
            officials.extend(crate::tools::seed::demo_officials(password, &codes).await.map_err(StartError::Demo)?);
        }
        let state = web::Data::new(AppState {
            counties: counties.clone(),
            officials: Officials::new(officials),
            auth,
            clock,
            metrics,
            max_body_bytes: config.max_body_bytes,
            body_timeout: std::time::Duration::from_secs(config.client_body_timeout_s.max(1)),
            syncs: Arc::new(tokio::sync::Semaphore::new(4)),
            console: crate::http::console::Console::new(&config.console).map_err(StartError::Config)?,
            log_requests: config.log.requests,
            metrics_on_loopback: config.metrics.loopback,
        });
        let mut tasks: Vec<_> = counties.iter().map(|c| flag_overdue_cases(c.store.clone(), config.overdue_check_s)).collect();
        tasks.push(reload_token_keys(state.clone(), config.auth.key_reload_s));
        let listener = listen(&config.bind).map_err(|e| StartError::Bind(config.bind.clone(), e))?;
        let port = listener.local_addr().map_err(|e| StartError::Bind(config.bind.clone(), e))?.port();
        let server = http_server(state, &config, listener)?;
        Ok(Application { port, server, tasks, counties, demo })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The store of the application's first county (its only one, unless `[[counties]]` lists more).
    pub fn store(&self) -> Arc<dyn Store> {
        self.counties.first().store.clone()
    }

    /// The store of the county `code`, if the deployment holds it.
    pub fn county_store(&self, code: &str) -> Option<Arc<dyn Store>> {
        self.counties.get(code).ok().map(|c| c.store.clone())
    }

    /// A handle that stops the server (gracefully, or not).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (a signal, or [`Application::handle`]); then ends the
    /// background tasks.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let outcome = self.server.await;
        for task in self.tasks {
            task.abort();
        }
        outcome
    }

    /// Serves until `shutdown` completes, then stops gracefully and ends the background tasks.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let handle = self.server.handle();
        let stop = async move {
            shutdown.await;
            handle.stop(true).await;
        };
        let (outcome, ()) = tokio::join!(self.run_until_stopped(), stop);
        outcome
    }
}

/// What the counties of a deployment share: the clock, authentication, the work threads, metrics.
struct Shared {
    clock: SharedClock,
    auth: Arc<Auth>,
    cpu: Blocking,
    metrics: Arc<Metrics>,
}

/// The services of one county: its own store and blob folder, the deployment's shared parts.
fn county_services(
    config: &Config,
    county: CountyConfig,
    store: Arc<dyn Store>,
    tagged: bool,
    shared: &Shared,
) -> Result<Services, StartError> {
    let blob_dir = county.config.blob_dir();
    let local = crate::store::blobs::LocalFs::open(&blob_dir).map_err(|e| StartError::Blobs(blob_dir.display().to_string(), e))?;
    let max_blob_bytes = config.max_blob_bytes.min(sync_protocol::body::MAX_ATTACHMENT_BYTES);
    Ok(Services {
        county: CountyName { code: county.code, name: county.name, tagged },
        store,
        clock: shared.clock.clone(),
        auth: shared.auth.clone(),
        cpu: shared.cpu.clone(),
        blobs: crate::store::blobs::upload::Blobs::new(Arc::new(local), max_blob_bytes),
        reports: crate::service::reports::ReportSettings { compliance: config.compliance, reconciliation: config.reconciliation },
        metrics: shared.metrics.clone(),
    })
}

/// The store of one county (`config.db` is the county's file; on PostgreSQL `config.store.schema`
/// its schema).
fn open_store(config: &Config, shared: &Shared) -> Result<Arc<dyn Store>, StartError> {
    let settings = Settings {
        checks: config.checks,
        clock: shared.clock.clone(),
        metrics: shared.metrics.clone(),
        witness_file: Some(config.witness_file()),
    };
    if config.store.kind == StoreKind::Postgres {
        let url = config.store.url.as_deref().unwrap_or_default();
        return crate::store::open_postgres((url, config.store.schema.as_deref()), settings, shared.cpu.clone())?
            .ok_or(StartError::EngineNotReady(crate::store::POSTGRES_NOT_BUILT));
    }
    if let Some(dir) = config.db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StartError::Bind(dir.display().to_string(), e))?;
    }
    Ok(Arc::new(SqliteStore::open_with(&config.db, settings, shared.cpu.clone())?))
}

fn http_server(state: web::Data<AppState>, config: &Config, listener: TcpListener) -> Result<Server, StartError> {
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(actix_web::middleware::from_fn(crate::http::request_log::observe))
            .configure(crate::http::routes::configure)
            .default_service(web::to(not_found))
    })
    // Small replies written in pieces (compressed, chunked) must not wait for delayed ACKs.
    .on_connect(|conn, _| {
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
            let _ = tcp.set_nodelay(true);
        }
    })
    // A phone on a weak link, or one of thousands arriving at once, may take a while to send
    // its head; a client that takes longer than this is cut off (slowloris).
    .client_request_timeout(std::time::Duration::from_secs(config.client_request_timeout_s.max(1)))
    .shutdown_timeout(5);
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    let server = match config.tls.server_config()? {
        Some(tls) => server.listen_rustls_0_23(listener, tls),
        None => server.listen(listener),
    };
    Ok(server.map_err(|e| StartError::Bind(config.bind.clone(), e))?.run())
}

/// Settles the `case_overdue` flags now and then every `every_s` seconds, for as long as the
/// server runs (a failed round is logged and tried again at the next tick).
fn flag_overdue_cases(store: Arc<dyn Store>, every_s: u64) -> tokio::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every_s.max(1)));
        loop {
            tick.tick().await;
            if let Err(e) = Ingest::settle_overdue_cases(&*store).await {
                tracing::warn!(error = %e, "could not flag overdue cases");
            }
        }
    })
}

/// Re-reads the token key file every `every_s` seconds, so a key rotated by `patrolsync-server
/// rotate-token-key` signs new tokens without a restart.
fn reload_token_keys(state: web::Data<AppState>, every_s: u64) -> tokio::task::JoinHandle<()> {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every_s.max(1)));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = state.auth.tokens.reload(state.clock.now_s()) {
                tracing::warn!(error = %e, "could not re-read the token key file; keeping the keys in use");
            }
        }
    })
}

/// How many connections may wait to be accepted. The standard library's 128 overflows when
/// thousands of phones connect at once, and each dropped connection waits a second to retry.
const LISTEN_BACKLOG: i32 = 4096;

fn listen(bind: &str) -> std::io::Result<TcpListener> {
    use std::net::ToSocketAddrs;
    let addr = bind.to_socket_addrs()?.next().ok_or_else(|| std::io::Error::other("the address resolves to nothing"))?;
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}

async fn not_found() -> Result<actix_web::HttpResponse, crate::http::error::ApiError> {
    Err(crate::http::error::ApiError::NotFound)
}
