//! CPU time by kind of thread (the server's single writer, work pool and HTTP workers; the bench's
//! own threads), read from Linux's `/proc/<pid>/task/*/schedstat`: where a phase's time went.

use std::collections::BTreeMap;

/// CPU nanoseconds so far per kind of thread, over the given server processes; `None` where
/// `/proc` cannot be read (another system, or a process that has gone).
pub fn cpu_ns(pids: &[u32]) -> Option<BTreeMap<&'static str, u64>> {
    let mut by_kind = BTreeMap::new();
    for pid in pids {
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()?.flatten() {
            let path = task.path();
            // A thread that ended between the listing and the read counts no more.
            let (Ok(comm), Ok(stat)) = (std::fs::read_to_string(path.join("comm")), std::fs::read_to_string(path.join("schedstat"))) else {
                continue;
            };
            let on_cpu: u64 = stat.split_whitespace().next().and_then(|ns| ns.parse().ok()).unwrap_or(0);
            *by_kind.entry(kind(comm.trim())).or_insert(0) += on_cpu;
        }
    }
    Some(by_kind)
}

/// The kind of a server thread by its name (`server::pool` names its threads `work-N`, actix
/// names its workers `actix-rt|system:…`).
fn kind(name: &str) -> &'static str {
    match name {
        "store-writer" => "writer",
        n if n.starts_with("work-") => "work pool",
        n if n.starts_with("actix") => "HTTP",
        _ => "other",
    }
}

/// What each kind of thread spent between two readings, in seconds, for printing.
pub fn spent(before: &BTreeMap<&'static str, u64>, after: &BTreeMap<&'static str, u64>) -> String {
    let mut parts = Vec::new();
    for (kind, ns) in after {
        let was = before.get(kind).copied().unwrap_or(0);
        parts.push(format!("{kind} {:.2} s", ns.saturating_sub(was) as f64 / 1e9));
    }
    parts.join(", ")
}

/// All the CPU spent between two readings, in seconds.
pub fn total_s(before: &BTreeMap<&'static str, u64>, after: &BTreeMap<&'static str, u64>) -> f64 {
    let sum = |m: &BTreeMap<&'static str, u64>| m.values().sum::<u64>();
    sum(after).saturating_sub(sum(before)) as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_are_told_apart_by_name() {
        assert_eq!(kind("store-writer"), "writer");
        assert_eq!(kind("work-3"), "work pool");
        assert_eq!(kind("actix-rt|system"), "HTTP");
        assert_eq!(kind("log-witness"), "other");
    }

    #[test]
    fn the_time_spent_is_the_difference_per_kind() {
        let before = BTreeMap::from([("writer", 1_000_000_000), ("HTTP", 0)]);
        let after = BTreeMap::from([("writer", 2_500_000_000), ("HTTP", 250_000_000), ("work pool", 10_000_000)]);
        assert_eq!(spent(&before, &after), "HTTP 0.25 s, work pool 0.01 s, writer 1.50 s");
        assert!((total_s(&before, &after) - 1.76).abs() < 1e-9);
    }

    #[test]
    fn this_process_can_be_read() {
        let own = cpu_ns(&[std::process::id()]);
        assert!(own.is_some_and(|k| !k.is_empty()), "this test's own threads are read from /proc");
    }
}
