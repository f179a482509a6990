//! The bench binaries run end to end at a small size, each starting its own server process: a
//! bench that no longer runs (a step the product now refuses, a phase that fails) fails here, not
//! at the next measurement. Their figures are not checked: a timed test would only flake.

use std::process::Command;

/// Runs the bench `exe` with `args`; its standard output, after checking it exited 0.
fn run(exe: &str, args: &[&str]) -> String {
    let out = Command::new(exe).args(args).output().unwrap_or_else(|e| panic!("{exe}: {e}"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{exe} {args:?} failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

/// `patrolsync-phonebench`: the auditor's first sync, a verdict on its replica, and a patrol
/// recorded and checked on an officer's phone (a county auditor records no patrol).
#[test]
fn the_phone_bench_runs_from_first_sync_to_a_recorded_patrol() {
    let out = run(env!("CARGO_BIN_EXE_patrolsync-phonebench"), &["--sizes", "300", "--devices", "3"]);
    for line in [
        "first sync: ",
        "print the verdict of the newest patrol on the auditor's phone: ",
        "record a patrol on the officer's phone: ",
        "print the verdict of it: ",
    ] {
        assert!(out.contains(line), "no {line:?} in:\n{out}");
    }
}

/// `patrolsync-load` with every phase: a push with findings, photos never uploaded and patrols
/// astray, the casework on them, the reports (the lists of cases, flags and missing evidence
/// among them), the pull, the delta and a small storm.
#[test]
fn the_load_bench_runs_every_phase() {
    let args = [
        "--devices",
        "4",
        "--events-per-device",
        "40",
        "--patrols-per-week",
        "16",
        "--finding-every",
        "10",
        "--astray-every",
        "10",
        "--storm-devices",
        "6",
        "--storm-events",
        "2",
        "--reports",
        "1",
    ];
    let out = run(env!("CARGO_BIN_EXE_patrolsync-load"), &args);
    for line in [
        "and 16 findings",
        "push: 192 events",
        "casework: 16 cases opened",
        "cases, county, first page: ",
        "missing evidence, county, first page: ",
        "office records, county",
        "flags, county, outside zone: ",
        "pull: ",
        "delta: ",
        "storm: 6 devices syncing at once",
        "server peak memory",
    ] {
        assert!(out.contains(line), "no {line:?} in:\n{out}");
    }
}
