//! The device CLI the end-to-end tests run: the same code as `patrol-device`, built with this
//! package so that `cargo test -p patrolsync-tests` never runs a stale one.

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PATROLSYNC_LOG"))
        .with_writer(std::io::stderr)
        .init();
    patrolsync_client::cli::main()
}
