//! What runs beside the server rather than in it: the command line, the log's audit commands, the
//! demo county and its loading, and reference data as GeoJSON (import, export).
//!
//! # Layout
//! - [`cli`]: `patrolsync-server` and its commands, a file per command or group of them;
//!   [`log`]: `audit checkpoint|consistency|verify`.
//! - [`backup`]: `backup --to DIR` (online, with a manifest of hashes and the log's checkpoint) and
//!   `restore --from DIR --to NEWDIR` (verified, into an empty folder, a new store epoch).
//! - [`reference`]: the GeoJSON reference file, checked purely and imported through the store.
//! - [`demo`]: the demo county; [`seed`]: loading it into an empty store; [`init`]: a county
//!   without the demo, founded in an empty store.

pub mod backup;
#[cfg(feature = "http")]
pub mod cli;
pub mod demo;
pub mod init;
pub mod log;
pub mod reference;
pub mod seed;
