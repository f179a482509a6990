//! Device replicas for end-to-end tests: the `patrol-device` CLI as a child process over a
//! replica file, the replica library in-process (the same code the CLI runs), GPX tracks written
//! the way a phone's logger would, and the server's own projection of a user's scope.

use anyhow::{Context, Result, bail, ensure};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use patrolsync_client::replica::{NewPatrol, Replica};
use patrolsync_client::sync;
use patrolsync_server::args;
use patrolsync_server::store::sql::Sql;
use sync_protocol::fold::Projection;
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::values::TrackPoint;

use crate::server::built_binary;

/// Where cargo put `patrol-device` (beside the server), unless `PATROLSYNC_DEVICE_BIN` says otherwise.
pub fn device_binary() -> PathBuf {
    built_binary("e2e-device", "PATROLSYNC_DEVICE_BIN")
}

/// The `patrol-device` CLI over one replica file (one phone).
#[derive(Debug, Clone)]
pub struct DeviceCli {
    pub replica: PathBuf,
}

impl DeviceCli {
    pub fn new(replica: impl Into<PathBuf>) -> DeviceCli {
        DeviceCli { replica: replica.into() }
    }

    /// The command `patrol-device --replica <file> <args…>`, output captured.
    pub fn command(&self, args: &[&str]) -> Result<Command> {
        let bin = device_binary();
        ensure!(bin.exists(), "{} is missing: build the workspace first (cargo test --workspace builds it)", bin.display());
        let mut cmd = Command::new(bin);
        cmd.arg("--replica").arg(&self.replica).args(args).env("PATROLSYNC_LOG", "warn").stdin(Stdio::null());
        Ok(cmd)
    }

    /// Runs a command to its end, whatever its exit code.
    pub fn output(&self, args: &[&str]) -> Result<Output> {
        Ok(self.command(args)?.output()?)
    }

    /// Runs a command with `input` on its standard input, to its end, whatever its exit code.
    pub fn output_with_input(&self, args: &[&str], input: &str) -> Result<Output> {
        use std::io::Write;
        let mut child = self.command(args)?.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        child.stdin.take().context("stdin")?.write_all(input.as_bytes())?;
        Ok(child.wait_with_output()?)
    }

    /// Runs a command that must succeed; returns its standard output.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        let out = self.output(args)?;
        if !out.status.success() {
            bail!(
                "patrol-device {} failed ({}):\n{}{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// Starts a command in the background (its output discarded).
    pub fn spawn(&self, args: &[&str]) -> Result<Child> {
        Ok(self.command(args)?.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?)
    }

    pub fn login(&self, url: &str, user: &str, password: &str) -> Result<String> {
        self.run(&["login", "--server", url, "--user", user, "--password", password])
    }

    /// Records a patrol from a track file; returns the new patrol's id.
    pub fn record_patrol(&self, track: &Path, extra: &[&str]) -> Result<EventId> {
        let path = track.to_str().context("utf-8 path")?;
        let mut args = vec!["record-patrol", "--track", path];
        args.extend_from_slice(extra);
        let id = self.run(&args)?;
        id.trim().parse().map_err(|e| anyhow::anyhow!("record-patrol printed {id:?}: {e}"))
    }

    /// `report-finding` of `kind` on `patrol` at `(lon, lat)` in degrees; returns the finding's id.
    pub fn report_finding(&self, patrol: &str, kind: &str, (lon, lat): (f64, f64), description: &str) -> Result<EventId> {
        let (lon, lat) = (lon.to_string(), lat.to_string());
        let args = ["report-finding", "--patrol", patrol, "--kind", kind, "--lon", &lon, "--lat", &lat, "--description", description];
        let id = self.run(&args)?;
        id.trim().parse().map_err(|e| anyhow::anyhow!("report-finding printed {id:?}: {e}"))
    }

    /// `tip receive` by hotline with the informant's name and contact; returns the tip's id.
    pub fn receive_tip(&self, content: &str, township: &str, name: &str, contact: &str) -> Result<EventId> {
        let args = ["tip", "receive", "--channel", "hotline", "--content", content, "--township", township];
        let id = self.run(&[&args[..], &["--informant-name", name, "--informant-contact", contact]].concat())?;
        id.trim().parse().map_err(|e| anyhow::anyhow!("tip receive printed {id:?}: {e}"))
    }

    /// Logs in and syncs; with one-second tokens the sync can miss the token's life, so it tries
    /// again, with a fresh token, up to five times.
    pub fn login_and_sync(&self, url: &str, user: &str) -> Result<String> {
        for _ in 0..5 {
            self.login(url, user, crate::DEMO_PASSWORD)?;
            let out = self.output(&["sync"])?;
            if out.status.success() {
                return Ok(String::from_utf8(out.stdout)?);
            }
            let err = String::from_utf8_lossy(&out.stderr);
            ensure!(err.contains("log in again"), "sync failed: {err}");
        }
        bail!("no sync within five fresh tokens")
    }

    /// Runs a command that must succeed and prints JSON (`--json`); returns what it printed.
    pub fn json(&self, args: &[&str]) -> Result<serde_json::Value> {
        Ok(serde_json::from_str(&self.run(args)?)?)
    }

    /// `status --json`.
    pub fn status(&self) -> Result<serde_json::Value> {
        self.json(&["status", "--json"])
    }

    /// `ledger --json`.
    pub fn ledger(&self) -> Result<serde_json::Value> {
        self.json(&["ledger", "--json"])
    }
}

/// A GPX 1.1 file of one track: `(lon, lat)` in degrees and times in Unix ms.
pub fn gpx(points: &[(f64, f64, i64)]) -> String {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"patrolsync-tests\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk><name>patrol</name><trkseg>\n",
    );
    for (lon, lat, t) in points {
        let time = chrono::DateTime::from_timestamp_millis(*t).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S%.3fZ");
        text.push_str(&format!("<trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\"><time>{time}</time><hdop>1.2</hdop></trkpt>\n"));
    }
    text.push_str("</trkseg></trk>\n</gpx>\n");
    text
}

/// `n` fixes a minute apart from `start_ms`, within about 200 m of `zone`'s centre.
pub fn walk(zone: &ZoneId, start_ms: i64, n: usize, seed: u64) -> Vec<TrackPoint> {
    let c = crate::tracks::zone_centre(zone);
    (0..n)
        .map(|i| {
            let wobble = ((seed as i64 * 7919 + i as i64 * 104_729) % 15_000) as i32;
            TrackPoint { t: start_ms + i as i64 * 60_000, lon: c.lon + wobble, lat: c.lat + i as i32 * 1_000, acc: Some(5) }
        })
        .collect()
}

/// Writes a GPX file of [`walk`] into `dir`; returns its path.
pub fn write_walk(dir: &Path, name: &str, zone: &ZoneId, start_ms: i64, n: usize, seed: u64) -> Result<PathBuf> {
    write_track(dir, name, &walk(zone, start_ms, n, seed))
}

/// Writes a GPX file of `track` into `dir`; returns its path.
pub fn write_track(dir: &Path, name: &str, track: &[TrackPoint]) -> Result<PathBuf> {
    let points: Vec<(f64, f64, i64)> = track.iter().map(|p| (f64::from(p.lon) / 1e7, f64::from(p.lat) / 1e7, p.t)).collect();
    let path = dir.join(name);
    std::fs::write(&path, gpx(&points))?;
    Ok(path)
}

/// A patrol of `zone` (or the assigned one) for the replica library.
pub fn new_patrol(zone: Option<&ZoneId>, track: Vec<TrackPoint>, summary: &str) -> NewPatrol {
    NewPatrol { track, zone: zone.cloned(), summary: summary.to_owned(), ..NewPatrol::default() }
}

/// Opens (creating) a replica file and logs `user` in with the demo password.
pub async fn phone(path: &Path, url: &str, user: &str) -> Result<Replica> {
    let mut replica = Replica::open(path)?;
    sync::login(&mut replica, url, user, crate::DEMO_PASSWORD).await?;
    Ok(replica)
}

/// The server's projection of the scope of `replica`'s active user (`GET /v1/projection`, with
/// the replica's own token).
pub async fn server_projection(replica: &Replica, url: &str) -> Result<Projection> {
    let me = replica.require_active()?;
    let token = me.token.context("no token")?.secret;
    let response = reqwest::Client::new().get(format!("{url}/v1/projection")).bearer_auth(token).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    ensure!(status.is_success(), "projection answered {status}: {}", String::from_utf8_lossy(&body));
    Ok(serde_json::from_slice(&body)?)
}

/// The replica's projection, comparable with the server's (the fold key is local bookkeeping).
pub fn local_projection(replica: &Replica) -> Result<Projection> {
    let mut p = replica.projection()?;
    p.last_key = None;
    Ok(p)
}

/// Polls `check` until it holds or `timeout` passes (then an error naming `what`).
pub fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if check()? {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `signal` (e.g. `STOP`, `CONT`, `KILL`) to process `pid` with kill(1).
pub fn signal(pid: u32, signal: &str) -> Result<()> {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status()?;
    ensure!(status.success(), "kill -{signal} {pid} failed");
    Ok(())
}

/// Read-only queries on a replica file, under the library (as a second process would look).
pub fn replica_ids(path: &Path, sql: &str) -> Result<Vec<String>> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The ids of the events in the outbox of the replica file at `path` in `state` (`pending`,
/// `sent`, `rejected`).
pub fn outbox(path: &Path, state: &str) -> Result<BTreeSet<String>> {
    Ok(replica_ids(path, &format!("SELECT event_id FROM outbox WHERE state = '{state}'"))?.into_iter().collect())
}

/// How many times each id is stored in the central store, as accepted data, by `device`.
pub fn stored_by_device(store: &dyn Sql, device: &str) -> Result<BTreeMap<String, i64>> {
    let device = uuid::Uuid::parse_str(device)?;
    let rows =
        store.all("SELECT id, count(*) FROM events WHERE device_id = ?1 AND accepted = TRUE GROUP BY id", args![device.as_bytes()])?;
    rows.iter().map(|r| Ok((uuid_text(r.bytes(0)?), r.get(1)?))).collect()
}

/// The ids (text) and authors of the events the central store holds as accepted data.
pub fn stored_events(store: &dyn Sql) -> Result<Vec<(String, String, String)>> {
    let rows = store.all("SELECT id, author, kind FROM events WHERE accepted = TRUE", &[])?;
    rows.iter().map(|r| Ok((uuid_text(r.bytes(0)?), r.get(1)?, r.get(2)?))).collect()
}

/// A 16-byte UUID column as hyphenated text.
pub fn uuid_text(bytes: &[u8]) -> String {
    uuid::Uuid::from_slice(bytes).map(|u| u.to_string()).unwrap_or_default()
}
