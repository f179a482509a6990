//! The office console (docs/console.md): its pages and scripts, embedded in the binary and served
//! at `/` with a strict Content-Security-Policy, and its browser sessions (a refresh cookie).
//!
//! The console is a client like a phone: it reads the JSON reports and writes signed events
//! through `POST /v1/sync` with a key that only the browser holds; these routes serve its files
//! and keep its session across a reload, nothing else.

pub mod assets;
pub mod session;

pub use assets::Console;
