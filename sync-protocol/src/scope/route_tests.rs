//! Every kind routed by its row of the kind table, from its sample body; and a read of the index
//! that fails is an error of `route`, never a route.

use std::collections::BTreeSet;

use super::memory_index::{FailingIndex, MemoryIndex, ReadFailed, unit, zone};
use super::{Routes, route};
use crate::body::{Body, samples};
use crate::ids::{EventId, LicenceId, UserId};

fn id(s: &str) -> EventId {
    s.parse().expect("id")
}

/// What the samples name: patrol and finding in zone Z-T01-V01 (the officer's zone now), licence
/// C3600002009 stored for T01-V03, the tip assigned to T02 before, the case of T01.
fn knowing() -> MemoryIndex {
    MemoryIndex {
        records: [(id(samples::PATROL), zone("Z-T01-V01")), (id(samples::FINDING), zone("Z-T01-V01"))].into(),
        officers: [(UserId::new("vo-t01-v01").expect("user"), zone("Z-T01-V01"))].into(),
        licences: [(LicenceId::new("C3600002009").expect("licence"), BTreeSet::from([unit("T01-V03")]))].into(),
        tips: [(id(samples::TIP), unit("T02"))].into(),
        cases: [(id(samples::CASE), unit("T01"))].into(),
        ..MemoryIndex::with_zones(&["T01-V01"])
    }
}

fn names(r: &Routes) -> Vec<String> {
    r.buckets().iter().map(ToString::to_string).collect()
}

/// The buckets (besides the county) each kind's sample goes to.
fn expected(kind: &str) -> Vec<String> {
    let buckets: &[&str] = match kind {
        "user.disabled" | "user.enabled" | "device.revoked" | "password.changed" | "password.reset" => &[],
        "licence.extended" | "licence.transferred" | "licence.cancelled" => &["village:T01-V03", "township:T01"],
        "licence.changed" => &["village:T01-V01", "village:T01-V02", "village:T01-V03", "township:T01"],
        "tip.assigned" => &["village:T01-V01", "township:T01", "township:T02"],
        // The samples are routed as if each were the event `samples::TIP`: a tip is its
        // `tip.received` event, and the informant's sample names that tip.
        "tip.received" | "tip.informant" => return vec![format!("tip:{}", samples::TIP)],
        k if k.starts_with("case.") || k.starts_with("tip.") => &["township:T01"],
        _ => &["village:T01-V01", "township:T01"],
    };
    buckets.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_kind_goes_where_its_row_says() {
    for (kind, json) in samples::all() {
        let body = Body::parse(kind, &json).expect("a sample parses");
        let Ok(routes) = route(id(samples::TIP), &body, &knowing());
        assert_eq!(names(&routes), expected(kind), "{kind}");
    }
}

#[test]
fn a_failed_read_is_an_error_never_a_route() {
    let mut failed = BTreeSet::new();
    for (kind, json) in samples::all() {
        let body = Body::parse(kind, &json).expect("a sample parses");
        match route(id(samples::TIP), &body, &FailingIndex) {
            Err(ReadFailed) => {
                failed.insert(kind);
            }
            // Routed without reading: the same answer whatever the index knows.
            Ok(routes) => {
                let Ok(knowing) = route(id(samples::TIP), &body, &knowing());
                let Ok(ignorant) = route(id(samples::TIP), &body, &MemoryIndex::default());
                assert_eq!((&routes, &routes), (&knowing, &ignorant), "{kind}");
            }
        }
    }
    let reads = [
        "patrol.recorded",
        "patrol.amended",
        "finding.reported",
        "zero_report.filed",
        "attachment.added",
        "unit.defined",
        "user.enrolled",
        "user.changed",
        "assignment.set",
        "licence.granted",
        "licence.extended",
        "licence.changed",
        "licence.transferred",
        "licence.cancelled",
        "tip.assigned",
        "flag.reviewed",
    ];
    assert_eq!(failed, BTreeSet::from(reads));
}
