//! `patrolsync-server`: run the sync server. The process's allocator and logging are set here;
//! the commands are the library's `tools::cli`.

use std::process::ExitCode;

use patrolsync_server::tools::cli::Cli;

/// Sync requests allocate and free many large buffers; glibc's allocator hands each back to the
/// kernel and pays for zeroed pages again on the next request. mimalloc keeps them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::from_args();
    cli.logging().init();
    cli.run()
}
