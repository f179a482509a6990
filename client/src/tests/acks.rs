//! Acks applied through the same function sync uses: sent, rejected with a visible reason, and
//! resends when the server is missing events; the request pushes the active identity's pending
//! events in seq order.

use sync_protocol::wire::{Ack, RejectReason};

use super::fixture::{Fixture, reply};
use crate::replica::OutboxState;
use crate::sync::request;

fn zone() -> Option<sync_protocol::ids::ZoneId> {
    Some(sync_protocol::ids::ZoneId::new("Z-T01-V01").expect("zone"))
}

fn record(f: &mut Fixture, n: usize) -> Vec<sync_protocol::ids::EventId> {
    (0..n)
        .map(|i| {
            let new = crate::replica::NewPatrol {
                track: super::fixture::track(super::fixture::T0, 2),
                zone: zone(),
                summary: format!("p{i}"),
                ..Default::default()
            };
            f.replica.record_patrol(new).expect("record")
        })
        .collect()
}

fn states(f: &Fixture, ids: &[sync_protocol::ids::EventId]) -> Vec<OutboxState> {
    ids.iter().map(|id| f.replica.outbox_state(*id).expect("state").expect("own event")).collect()
}

#[test]
fn a_request_carries_pending_events_in_seq_order_with_the_cursors() {
    let mut f = Fixture::new();
    let ids = record(&mut f, 3);
    f.pull(super::fixture::village(), vec![], 41).expect("cursor");
    let out = request::prepare(&mut f.replica).expect("prepare");
    assert_eq!(out.pushed, ids);
    let seqs: Vec<u64> =
        out.request.events.iter().map(|raw| serde_json::from_str::<sync_protocol::event::Event>(raw.get()).expect("event").seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!(out.request.cursors.get(&super::fixture::village()), Some(&41));
    assert!(out.request.hlc > f.own_events()[2].hlc);
    assert_eq!(out.token, "token-of-vo-t01-v01");
}

#[test]
fn acks_mark_events_sent_or_rejected_with_their_reason() {
    let mut f = Fixture::new();
    let ids = record(&mut f, 4);
    let me = f.me();
    let acks = vec![
        Ack::accepted(ids[0], 1),
        Ack::rejected(Some(ids[1]), Some(2), RejectReason::NotAllowed, "zone Z-T01-V01 was not assigned"),
        Ack::duplicate(ids[2], 3),
        Ack::rejected(Some(ids[3]), Some(4), RejectReason::BadSignature, "signature does not verify"),
    ];
    let applied = f.replica.apply_reply(me.device_id, &ids, &reply(acks, vec![], 4)).expect("apply");
    assert_eq!((applied.accepted, applied.duplicates, applied.rejected), (1, 1, 2));
    assert_eq!(states(&f, &ids), [OutboxState::Sent, OutboxState::Rejected, OutboxState::Sent, OutboxState::Rejected]);
    let status = f.replica.status().expect("status");
    assert_eq!((status.pending, status.sent), (0, 2));
    assert!(status.last_sync_at.is_some());
    let reasons: Vec<_> = status.rejected.iter().map(|r| (r.seq, r.reason.as_str())).collect();
    assert_eq!(reasons, [(2, "not_allowed"), (4, "bad_signature")]);
    assert!(status.rejected[0].message.contains("not assigned"));
    assert!(f.me().hlc > me.hlc, "the server's clock is merged");
    let ledger = f.replica.ledger().expect("ledger");
    assert!(ledger.patrols.iter().any(|p| p.sync == "rejected"), "a rejected patrol stays visible in the ledger");
}

#[test]
fn a_gap_ack_sends_the_events_from_the_expected_seq_again() {
    let mut f = Fixture::new();
    let ids = record(&mut f, 3);
    let owner = f.me().device_id;
    let all_ok: Vec<Ack> = ids.iter().zip(1..).map(|(id, seq)| Ack::accepted(*id, seq)).collect();
    f.replica.apply_reply(owner, &ids, &reply(all_ok, vec![], 4)).expect("apply");
    let more = record(&mut f, 1);
    // The server lost seq 2 and 3 (restored from a backup): it asks for them again.
    let gap = Ack::rejected(Some(more[0]), Some(4), RejectReason::Gap, "expected seq 2, got 4").with_expected_seq(2);
    let applied = f.replica.apply_reply(owner, &more, &reply(vec![gap], vec![], 2)).expect("apply");
    assert_eq!((applied.resend_from, applied.resent), (Some(2), 2));
    assert_eq!(states(&f, &ids), [OutboxState::Sent, OutboxState::Pending, OutboxState::Pending]);
    assert_eq!(states(&f, &more), [OutboxState::Pending]);
    let out = request::prepare(&mut f.replica).expect("prepare");
    assert_eq!(out.pushed, vec![ids[1], ids[2], more[0]], "the next round resends from seq 2");
}

#[test]
fn a_lower_next_seq_in_the_reply_or_at_login_means_resend() {
    let mut f = Fixture::new();
    let ids = record(&mut f, 3);
    let owner = f.me().device_id;
    let all_ok: Vec<Ack> = ids.iter().zip(1..).map(|(id, seq)| Ack::accepted(*id, seq)).collect();
    f.replica.apply_reply(owner, &ids, &reply(all_ok, vec![], 4)).expect("apply");
    f.replica.apply_reply(owner, &[], &reply(vec![], vec![], 3)).expect("apply");
    assert_eq!(states(&f, &ids), [OutboxState::Sent, OutboxState::Sent, OutboxState::Pending]);
    f.login("vo-t01-v01", 1);
    assert_eq!(states(&f, &ids), [OutboxState::Pending; 3]);
}

#[test]
fn tampering_rejections_are_not_resent_and_a_stuck_chain_is_reported() {
    let mut f = Fixture::new();
    let ids = record(&mut f, 2);
    let owner = f.me().device_id;
    let acks = vec![
        Ack::rejected(Some(ids[0]), Some(1), RejectReason::SeqConflict, "seq 1 is taken"),
        Ack::rejected(Some(ids[1]), Some(2), RejectReason::Gap, "expected seq 1, got 2").with_expected_seq(1),
    ];
    f.replica.apply_reply(owner, &ids, &reply(acks, vec![], 1)).expect("apply");
    assert_eq!(states(&f, &ids), [OutboxState::Rejected, OutboxState::Pending]);
    // The same again makes no progress: sync must stop rather than spin.
    let acks = vec![Ack::rejected(Some(ids[1]), Some(2), RejectReason::Gap, "expected seq 1, got 2").with_expected_seq(1)];
    let applied = f.replica.apply_reply(owner, &ids[1..], &reply(acks, vec![], 1)).expect("apply");
    assert_eq!((applied.accepted + applied.rejected + applied.resent), 0);
}

#[test]
fn a_duplicate_of_an_event_rejected_before_stays_rejected() {
    let mut f = Fixture::new();
    let ids = record(&mut f, 1);
    let owner = f.me().device_id;
    let no = Ack::rejected(Some(ids[0]), Some(1), RejectReason::NotAllowed, "not assigned");
    f.replica.apply_reply(owner, &ids, &reply(vec![no], vec![], 2)).expect("apply");
    f.replica.apply_reply(owner, &[], &reply(vec![], vec![], 1)).expect("server lost it");
    assert_eq!(states(&f, &ids), [OutboxState::Pending]);
    f.replica.apply_reply(owner, &ids, &reply(vec![Ack::duplicate(ids[0], 1)], vec![], 2)).expect("apply");
    assert_eq!(states(&f, &ids), [OutboxState::Rejected]);
    assert_eq!(f.replica.rejected().expect("rejected")[0].reason, "not_allowed");
}
