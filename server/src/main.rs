//! `patrolsync-server`: run the sync server. All the work is in the library's `cli` module.

fn main() -> std::process::ExitCode {
    patrolsync_server::cli::main()
}
