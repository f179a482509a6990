//! What runs beside the server rather than in it: the command line, the log's audit commands, the
//! demo county and its loading, and reference data as GeoJSON (import, export).
//!
//! # Layout
//! - [`cli`]: `patrolsync-server` and its commands; [`log`]: `audit checkpoint|consistency|verify`.
//! - [`backup`]: `backup --to DIR` (online, with a manifest of hashes and the log's checkpoint) and
//!   `restore --from DIR --to NEWDIR` (verified, into an empty folder, a new store epoch);
//!   [`backup_cli`]: those two commands.
//! - [`reference`]: the GeoJSON reference file, checked purely and imported through the store.
//! - [`roster_cli`]: the county's roster (CSV or XLSX) in and out of a store (`service::roster`).
//! - [`demo`]: the demo county; [`seed`]: loading it into an empty store; [`init`]: a county
//!   without the demo, founded in an empty store.

pub mod backup;
#[cfg(feature = "http")]
pub mod backup_cli;
#[cfg(feature = "http")]
pub mod cli;
pub mod demo;
pub mod init;
pub mod log;
pub mod reference;
#[cfg(feature = "http")]
pub mod roster_cli;
pub mod seed;
