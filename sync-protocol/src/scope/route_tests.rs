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

fn names(r: &Routes) -> (Vec<String>, Vec<String>) {
    (r.villages.iter().map(ToString::to_string).collect(), r.townships.iter().map(ToString::to_string).collect())
}

/// The villages and townships (besides the county) each kind's sample goes to.
fn expected(kind: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        "user.disabled" | "user.enabled" | "device.revoked" | "password.changed" | "password.reset" => (&[], &[]),
        "licence.extended" | "licence.transferred" | "licence.cancelled" => (&["T01-V03"], &["T01"]),
        "licence.changed" => (&["T01-V01", "T01-V02", "T01-V03"], &["T01"]),
        "tip.assigned" => (&["T01-V01"], &["T01", "T02"]),
        k if k.starts_with("case.") || k.starts_with("tip.") => (&[], &["T01"]),
        _ => (&["T01-V01"], &["T01"]),
    }
}

#[test]
fn every_kind_goes_where_its_row_says() {
    for (kind, json) in samples::all() {
        let body = Body::parse(kind, &json).expect("a sample parses");
        let Ok(routes) = route(&body, &knowing());
        let (villages, townships) = expected(kind);
        assert_eq!(
            names(&routes),
            (villages.iter().map(|s| s.to_string()).collect(), townships.iter().map(|s| s.to_string()).collect()),
            "{kind}"
        );
    }
}

#[test]
fn a_failed_read_is_an_error_never_a_route() {
    let mut failed = BTreeSet::new();
    for (kind, json) in samples::all() {
        let body = Body::parse(kind, &json).expect("a sample parses");
        match route(&body, &FailingIndex) {
            Err(ReadFailed) => {
                failed.insert(kind);
            }
            // Routed without reading: the same answer whatever the index knows.
            Ok(routes) => {
                let Ok(knowing) = route(&body, &knowing());
                let Ok(ignorant) = route(&body, &MemoryIndex::default());
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
    ];
    assert_eq!(failed, BTreeSet::from(reads));
}
