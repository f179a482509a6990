//! Where evidence goes: an attachment follows its subject, a patrol's or finding's to the zone's
//! village and township, a tip's or case's to that record's township only (never a village).

use super::memory_index::{MemoryIndex, unit, zone};
use super::route;
use crate::body::{AttachmentAdded, BlobHash, Body, MediaType, Subject, SubjectKind};
use crate::ids::{EventId, UnitId};
use std::collections::BTreeSet;

fn id(n: u8) -> EventId {
    format!("019ac0de-0000-7000-8000-0000000000{n:02}").parse().expect("id")
}

/// Patrol 1 and finding 2 in zone Z-T01-V01; tip 3 assigned to T02; case 4 of T03; 9 unknown.
fn index() -> MemoryIndex {
    MemoryIndex {
        records: [(id(1), zone("Z-T01-V01")), (id(2), zone("Z-T01-V01"))].into(),
        tips: [(id(3), unit("T02"))].into(),
        cases: [(id(4), unit("T03"))].into(),
        ..MemoryIndex::with_zones(&["T01-V01"])
    }
}

fn attachment(kind: SubjectKind, subject: EventId) -> Body {
    Body::AttachmentAdded(AttachmentAdded {
        subject: Subject { kind, id: subject },
        sha256: BlobHash([1; 32]),
        size: 1,
        media_type: MediaType::Pdf,
        file_name: None,
        captured_at: None,
        captured_place: None,
    })
}

#[test]
fn an_attachment_goes_where_its_subject_went() {
    let table: [(SubjectKind, u8, &[&str], &[&str]); 8] = [
        (SubjectKind::Patrol, 1, &["T01-V01"], &["T01"]),
        (SubjectKind::Finding, 2, &["T01-V01"], &["T01"]),
        (SubjectKind::Tip, 3, &[], &["T02"]),
        (SubjectKind::Case, 4, &[], &["T03"]),
        // The kind decides which record is looked up: a case's id named as a tip is unknown.
        (SubjectKind::Tip, 4, &[], &[]),
        (SubjectKind::Case, 3, &[], &[]),
        (SubjectKind::Tip, 9, &[], &[]),
        (SubjectKind::Case, 9, &[], &[]),
    ];
    for (kind, n, villages, townships) in table {
        let Ok(r) = route(&attachment(kind, id(n)), &index());
        let names = |s: &BTreeSet<UnitId>| s.iter().map(UnitId::to_string).collect::<Vec<_>>();
        let owned = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!((names(&r.villages), names(&r.townships)), (owned(villages), owned(townships)), "{kind:?} {n}");
    }
}
