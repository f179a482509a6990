//! Where evidence goes: an attachment follows its subject, a patrol's or finding's to the zone's
//! village and township, a case's to its township only, a tip's to the tip's bucket (never a
//! village). A flag review goes where the flagged record went, and to the township it names.

use super::memory_index::{MemoryIndex, unit, zone};
use super::route;
use crate::body::{AttachmentAdded, BlobHash, Body, FlagReviewed, FlagVerdict, MediaType, Subject, SubjectKind};
use crate::ids::EventId;

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
    let tip = |n: u8| format!("tip:{}", id(n));
    let table: [(SubjectKind, u8, Vec<String>); 8] = [
        (SubjectKind::Patrol, 1, vec!["village:T01-V01".into(), "township:T01".into()]),
        (SubjectKind::Finding, 2, vec!["village:T01-V01".into(), "township:T01".into()]),
        // A tip's evidence goes to the tip's bucket, whichever township holds the tip now.
        (SubjectKind::Tip, 3, vec![tip(3)]),
        (SubjectKind::Case, 4, vec!["township:T03".into()]),
        // The kind decides which record is looked up: a tip's id named as a case is unknown.
        (SubjectKind::Case, 3, vec![]),
        (SubjectKind::Tip, 9, vec![tip(9)]),
        (SubjectKind::Case, 9, vec![]),
        (SubjectKind::Patrol, 9, vec![]),
    ];
    for (kind, n, buckets) in table {
        let Ok(r) = route(id(50), &attachment(kind, id(n)), &index());
        assert_eq!(r.buckets().iter().map(ToString::to_string).collect::<Vec<_>>(), buckets, "{kind:?} {n}");
    }
}

#[test]
fn a_flag_review_goes_where_the_flagged_record_went() {
    let review = |kind, n, township: &str| {
        Body::FlagReviewed(FlagReviewed {
            subject: Subject { kind, id: id(n) },
            flag: crate::wire::FlagKind::ImpossibleSpeed,
            township: unit(township),
            verdict: FlagVerdict::Confirmed,
            note: "checked on site".into(),
        })
    };
    let table: [(Body, &[&str]); 3] = [
        (review(SubjectKind::Patrol, 1, "T01"), &["village:T01-V01", "township:T01"]),
        (review(SubjectKind::Finding, 2, "T01"), &["village:T01-V01", "township:T01"]),
        // A record the store does not hold: its named township only (admission checks the rest).
        (review(SubjectKind::Patrol, 9, "T02"), &["township:T02"]),
    ];
    for (body, buckets) in table {
        let Ok(r) = route(id(50), &body, &index());
        assert_eq!(r.buckets().iter().map(ToString::to_string).collect::<Vec<_>>(), *buckets);
    }
}
