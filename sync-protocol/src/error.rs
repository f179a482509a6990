//! The one error type of the protocol crate: why an input is not a valid event, body or request.
//! Every variant is a permanent problem of the input, never of the environment.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    #[error("{what} is not a valid id: {value:?}")]
    BadId { what: &'static str, value: String },
    #[error("{field}: {problem}")]
    Field { field: &'static str, problem: String },
    #[error("coordinate out of range: lon {lon_e7}, lat {lat_e7} (units of 1e-7 degree)")]
    CoordinateOutOfRange { lon_e7: i64, lat_e7: i64 },
    #[error("unknown event kind {0:?}")]
    UnknownKind(String),
    #[error("kind {kind} has no body version {version}")]
    UnsupportedVersion { kind: String, version: u64 },
    #[error("body does not match kind {kind}: {problem}")]
    Body { kind: String, problem: String },
    #[error("not a valid HLC: {0:?}")]
    BadHlc(String),
    #[error("not a valid hash: {0:?}")]
    BadHash(String),
    #[error("not a valid signature encoding")]
    BadSignatureEncoding,
    #[error("not a valid public key")]
    BadPublicKey,
    #[error("number is not an integer in the canonical range: {0}")]
    NonCanonicalNumber(String),
    #[error("JSON nested deeper than {0} levels")]
    TooDeep(usize),
}

impl ValidationError {
    pub(crate) fn field(field: &'static str, problem: impl Into<String>) -> Self {
        ValidationError::Field { field, problem: problem.into() }
    }
}
