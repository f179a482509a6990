//! `patrol-device`: the device CLI over one replica file.
//! All the work is in the library's `cli` module; this only sets up logging and the exit code.

use std::process::ExitCode;

/// A first sync parses, hashes and folds every pulled event, each in many small allocations that
/// live for one page; glibc's allocator spends a third of that time in malloc and free
/// (docs/benchmarks.md, the phone's first sync). mimalloc keeps them cheap.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PATROLSYNC_LOG"))
        .with_writer(std::io::stderr)
        .init();
    patrolsync_client::cli::main()
}
