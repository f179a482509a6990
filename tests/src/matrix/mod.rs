//! The access matrix: `tests/access-matrix.toml` lists principals (who calls), operations (every
//! route of the server, and the distinct operations of `POST /v1/sync`) and the data they touch;
//! each cell is the expected status and, for lists and pulls, the exact set of objects the answer
//! reveals. The test `access_matrix` is generated from the file: it creates the objects through the
//! real routes, then calls every cell as its principal and compares.
//!
//! # Layout
//! - [`spec`]: the file's format, and its completeness (every row has every principal).
//! - [`cell`]: one cell's expectation, `"200 {patrol_v1 finding_v1}"`.
//! - [`coverage`]: the matrix against the server's route table (`patrolsync_server::http::routes::ROUTES`).
//! - [`setup`]: the principals logged in, the objects created, the disabled and revoked principals.
//! - [`call`]: one operation carried out as one principal; [`push`]: the bodies pushes send.
//! - [`run`]: every cell called and checked, with every mismatch reported at once.

pub mod call;
pub mod cell;
pub mod coverage;
pub mod push;
pub mod run;
pub mod setup;
pub mod spec;

/// The matrix file, beside this package's `Cargo.toml`.
pub fn path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("access-matrix.toml")
}
