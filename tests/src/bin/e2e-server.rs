//! The server binary the end-to-end tests and the load bench start: the same code as
//! `patrolsync-server` (its allocator, its logging, the library's command line), built with this
//! package so that `cargo test -p patrolsync-tests` never runs a stale server.

use std::process::ExitCode;

use patrolsync_server::tools::cli::Cli;

/// As in `patrolsync-server`: mimalloc keeps the large buffers of sync requests.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::from_args();
    cli.logging().init();
    cli.run()
}
