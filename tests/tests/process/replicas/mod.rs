//! End to end with real device replicas against the real server process, killed, frozen and
//! restarted under them: durability in a sync storm and in a device killed mid-sync, and offline
//! life while the server is away. The replicas' other tests run in-process (`api/replicas/`).

mod durability;
mod offline;

use sync_protocol::ids::ZoneId;

fn zone(id: &str) -> ZoneId {
    ZoneId::new(id).expect("zone id")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}
