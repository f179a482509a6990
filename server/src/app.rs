//! Building the application: open the store, load the demo county if asked, bind the listener
//! (port 0 in tests) and run the HTTP server until it is stopped.

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use std::net::TcpListener;

use crate::auth::Auth;
use crate::config::Config;
use crate::store::Store;

/// What every handler can reach.
pub struct AppState {
    pub store: Store,
    /// Tokens, passwords, login throttling and session settings.
    pub auth: Auth,
    pub max_body_bytes: usize,
    /// How long a JSON request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// Bounds how many sync requests are read and processed at once, and so the memory they
    /// hold; the rest wait their turn (the single writer serialises them anyway).
    pub syncs: std::sync::Arc<tokio::sync::Semaphore>,
    /// Evidence bytes and their limits.
    pub blobs: crate::blobs::upload::Blobs,
    /// Settings of the reports (compliance rules, reconciliation thresholds).
    pub reports: crate::reports::ReportSettings,
}

pub struct Application {
    port: u16,
    server: Server,
    pub demo_password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the store")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot listen on {0}")]
    Bind(String, #[source] std::io::Error),
    #[error("cannot open the blob folder {0}")]
    Blobs(String, #[source] std::io::Error),
    #[error("cannot set up authentication")]
    Auth(#[from] crate::auth::AuthSetupError),
    #[error("cannot load the demo county")]
    Demo(#[source] crate::seed::SeedError),
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartError> {
        if let Some(dir) = config.db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StartError::Bind(dir.display().to_string(), e))?;
        }
        let store = Store::open_with(&config.db, config.checks)?;
        let demo_password =
            if config.demo { Some(crate::seed::load_demo(&store, &config.db).await.map_err(StartError::Demo)?) } else { None };
        let blob_dir = config.blob_dir();
        let local = crate::blobs::LocalFs::open(&blob_dir).map_err(|e| StartError::Blobs(blob_dir.display().to_string(), e))?;
        let max_blob_bytes = config.max_blob_bytes.min(sync_protocol::body::MAX_ATTACHMENT_BYTES);
        let state = web::Data::new(AppState {
            blobs: crate::blobs::upload::Blobs::new(std::sync::Arc::new(local), max_blob_bytes),
            auth: Auth::new(&config.auth, config.token_key_file(), config.token_ttl_s, config.password_concurrency)?,
            store,
            max_body_bytes: config.max_body_bytes,
            body_timeout: std::time::Duration::from_secs(config.client_body_timeout_s.max(1)),
            syncs: std::sync::Arc::new(tokio::sync::Semaphore::new(4)),
            reports: crate::reports::ReportSettings { compliance: config.compliance, reconciliation: config.reconciliation },
        });
        flag_overdue_cases(state.store.clone(), config.overdue_check_s);
        reload_token_keys(state.clone(), config.auth.key_reload_s);
        let listener = listen(&config.bind).map_err(|e| StartError::Bind(config.bind.clone(), e))?;
        let port = listener.local_addr().map_err(|e| StartError::Bind(config.bind.clone(), e))?.port();
        let mut server = HttpServer::new(move || {
            App::new().app_data(state.clone()).configure(crate::routes::configure).default_service(web::to(not_found))
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
        let server = server.listen(listener).map_err(|e| StartError::Bind(config.bind.clone(), e))?.run();
        Ok(Application { port, server, demo_password })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Settles the `case_overdue` flags now and then every `every_s` seconds, for as long as the
/// server runs (a failed round is logged and tried again at the next tick).
fn flag_overdue_cases(store: Store, every_s: u64) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every_s.max(1)));
        loop {
            tick.tick().await;
            if let Err(e) = store.writer().run(|ctx| ctx.settle_overdue_cases()).await {
                tracing::warn!(error = %e, "could not flag overdue cases");
            }
        }
    });
}

/// Re-reads the token key file every `every_s` seconds, so a key rotated by `patrolsync-server
/// keys rotate` signs new tokens without a restart.
fn reload_token_keys(state: web::Data<AppState>, every_s: u64) {
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every_s.max(1)));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = state.auth.tokens.reload() {
                tracing::warn!(error = %e, "could not re-read the token key file; keeping the keys in use");
            }
        }
    });
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

async fn not_found() -> Result<actix_web::HttpResponse, crate::error::ApiError> {
    Err(crate::error::ApiError::NotFound)
}
