//! `sync` (one sync, as many rounds as it takes) and `sync --watch` (the upload loop until
//! Ctrl-C, retrying with backoff after failures).

use super::format;
use crate::replica::Replica;
use crate::sync::{self, LoopConfig, SyncLoop, SyncReport, error_chain};

pub async fn run(replica: &mut Replica, watch: bool) -> anyhow::Result<()> {
    if !watch {
        let report = sync::sync(replica).await?;
        print_report(&report);
        return Ok(());
    }
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let sync_loop = SyncLoop::new(LoopConfig::default());
    let exit = sync_loop
        .run(replica, ctrl_c, |(result, wait)| {
            match result {
                Ok(report) => print_report(report),
                Err(e) => eprintln!("sync failed (同步失败): {}", error_chain(e)),
            }
            if let Some(wait) = wait {
                eprintln!("next sync in {}", format::duration(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)));
            }
        })
        .await?;
    eprintln!("stopped after {} attempts ({} successful)", exit.attempts, exit.successes);
    Ok(())
}

fn print_report(r: &SyncReport) {
    println!(
        "synced (已同步): {} accepted, {} duplicate, {} rejected (被退回), {} pulled, {} purged; {} still pending (待上传)",
        r.accepted, r.duplicates, r.rejected, r.pulled, r.purged, r.pending
    );
    if r.restored {
        println!("the server was restored from a backup (服务器已从备份恢复): {} own events sent again; see `problems`", r.resent);
    }
    if r.aside > 0 {
        println!("{} pulled events failed their checks and were kept aside (已隔离): see `problems`", r.aside);
    }
    let e = &r.evidence;
    println!(
        "evidence (证据): {} uploaded, {} already on the server, {} refused; {} bytes sent",
        e.uploaded, e.already_there, e.refused, e.bytes
    );
}
