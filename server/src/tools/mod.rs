//! What runs beside the server rather than in it: the command line, the log's audit commands, the
//! demo county and its loading, and reference data as GeoJSON (import, export).
//!
//! # Layout
//! - [`cli`]: `patrolsync-server` and its commands; [`log`]: `audit checkpoint|consistency|verify`.
//! - [`reference`]: the GeoJSON reference file, checked purely and imported through the store.
//! - [`roster_cli`]: the county's roster (CSV or XLSX) in and out of a store (`service::roster`).
//! - [`demo`]: the demo county; [`seed`]: loading it into an empty store; [`init`]: a county
//!   without the demo, founded in an empty store.

#[cfg(feature = "http")]
pub mod cli;
pub mod demo;
pub mod init;
pub mod log;
pub mod reference;
#[cfg(feature = "http")]
pub mod roster_cli;
pub mod seed;
