//! Authentication: argon2id passwords, pinned-algorithm JWT access tokens, and the extractor that
//! turns a bearer token into a [`Principal`] read fresh from the store on every request.

pub mod password;
mod principal;
pub mod token;

pub use principal::Principal;
