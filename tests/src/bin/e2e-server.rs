//! The server binary the end-to-end tests start: the same code as `patrolsync-server`, built
//! with this package so that `cargo test -p patrolsync-tests` never runs a stale server.

fn main() -> std::process::ExitCode {
    patrolsync_server::cli::main()
}
