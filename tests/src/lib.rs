//! Test fixtures for end-to-end tests and the load bench: the real application in-process or the
//! real server as a child process, on a free loopback port with a temporary store, and a raw
//! protocol device that speaks the wire format directly (a second, minimal client, independent of
//! the device replica).
//!
//! # Layout
//! - [`app`]: [`app::spawn_app`], the application in-process with an injected clock: the API tests.
//! - [`server`]: [`server::TestServer`], the server binary as a child process: start, kill
//!   (SIGKILL), restart on the same store, its output; for the tests that need a process.
//! - [`site`]: what both give a test: the URL, the store, a logged-in device, the token key;
//!   [`store_sql`]: a test's own connection to the store on either engine, to look under the API.
//! - [`raw`]: [`raw::RawDevice`], sealing events and calling login and sync by hand.
//! - [`api`]: the test client: one method of [`raw::RawDevice`] per route of the server.
//! - [`photo`]: test JPEGs with known EXIF position and capture time.
//! - [`tracks`]: generated patrol tracks and bodies inside a demo zone.
//! - [`fill`]: officers' devices pushing offline histories at once, to fill a store for a bench.
//! - [`evidence`]: an officer with a finding, attachments, blob uploads whole or cut off.
//! - [`office`]: case and tip bodies, as an inspector or the county records them.
//! - [`matrix`]: the access matrix (`tests/access-matrix.toml`): its format, setup and runner.
//! - [`pg_cluster`]: a throwaway PostgreSQL cluster per test binary, a database per test;
//!   [`group`]: several server processes on one of its databases, and phones pushing through them;
//!   [`engines`]: a SQLite store's rows copied into PostgreSQL, and every table read to compare.
//! - [`snapshot`]: every table of a store, counted and digested, to see what a request wrote.
//! - [`raw_http`]: HTTP/1.1 written and read byte for byte over a socket.
//! - [`county`]: a county founded without the demo (`init`, its roster and reference files) and
//!   server commands run to their end; [`pki`]: a county CA and server certificate for HTTPS.
//! - [`device`]: device replicas: the `patrol-device` CLI as a process, the replica library,
//!   GPX files, the server's projection of a user's scope, polling with a deadline.

pub mod api;
pub mod app;
pub mod browser;
pub mod county;
pub mod device;
pub mod engines;
pub mod evidence;
pub mod fill;
pub mod group;
pub mod matrix;
pub mod office;
pub mod pg_cluster;
pub mod photo;
pub mod pki;
pub mod raw;
pub mod raw_http;
pub mod real_parts;
pub mod server;
pub mod site;
pub mod snapshot;
pub mod store_sql;
pub mod tracks;

/// The password every demo user gets in tests (the server takes it from the environment).
pub const DEMO_PASSWORD: &str = "demo-password-for-tests";
