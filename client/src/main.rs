//! `patrol-device`: the device CLI over one replica file.
//! All the work is in the library's `cli` module; this only sets up logging and the exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PATROLSYNC_LOG"))
        .with_writer(std::io::stderr)
        .init();
    patrolsync_client::cli::main()
}
