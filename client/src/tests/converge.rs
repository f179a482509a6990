//! The projection folds what the server would: pulled events and the identity's own pending or
//! sent events, never its own rejected ones (the server keeps those as evidence, not as data).
//! Rejected events stay visible in status, `rejected` and the ledger, read from the outbox.

use sync_protocol::event::Event;
use sync_protocol::fold::Projection;
use sync_protocol::ids::EventId;
use sync_protocol::wire::{Ack, RejectReason};

use super::fixture::{Chain, DAY, Fixture, T0, reply, village};
use crate::replica::OutboxState;

/// The projection as stored, compared with the fold of `expected` (the fold key is bookkeeping).
fn assert_folds_exactly(f: &Fixture, expected: &[&Event]) {
    let stored = f.replica.projection().expect("projection");
    let mut want = Projection::fold(expected.iter().copied());
    want.last_key = stored.last_key;
    assert_eq!(stored, want);
}

#[test]
fn own_rejected_events_leave_the_fold_and_stay_visible_from_the_outbox() {
    let mut f = Fixture::new();
    let mut server = Chain::new("server", T0 - 40 * DAY);
    f.assign_zone(&mut server);
    let ids: Vec<EventId> = ["kept", "refused", "also kept"].into_iter().map(|s| f.patrol(s)).collect();
    let own = f.own_events();
    let reference: Vec<Event> = crate::replica::events::all(&f.replica.conn, f.me().device_id)
        .expect("events")
        .into_iter()
        .filter(|e| e.device_id != f.me().device_id)
        .collect();
    let owner = f.me().device_id;
    let acks = vec![
        Ack::accepted(ids[0], 1),
        Ack::rejected(Some(ids[1]), Some(2), RejectReason::NotAllowed, "zone Z-T01-V01 was not assigned to vo-t01-v01 at that time"),
        Ack::accepted(ids[2], 3),
    ];
    // The server leaves the caller's own events out of its pages: the reply pulls only another
    // officer's patrol, with a clock far behind ours, so the projection is folded again.
    let mut other = Chain::new("vo-t01-v02", T0 - 10 * DAY);
    let theirs = other.patrol("neighbour");
    let page =
        sync_protocol::wire::BucketPage { bucket: village(), events: vec![theirs.clone()], cursor: 9, more: false, withheld: vec![] };
    f.replica.apply_reply(owner, &ids, &reply(acks, vec![page], 4)).expect("apply");

    // What the server folds for this scope: reference data, the two accepted patrols, the neighbour's.
    let server_view: Vec<&Event> = reference.iter().chain([&own[0], &own[2], &theirs]).collect();
    assert_folds_exactly(&f, &server_view);
    let p = f.replica.projection().expect("projection");
    assert!(!p.patrols.contains_key(&ids[1]), "a rejected event is not part of the projection");
    assert!(p.patrols.contains_key(&ids[0]) && p.patrols.contains_key(&ids[2]), "own sent events stay, never pulled back");

    // Still visible to the officer, with the reason.
    let status = f.replica.status().expect("status");
    assert_eq!(
        status.rejected.iter().map(|r| (r.event_id.clone(), r.reason.as_str())).collect::<Vec<_>>(),
        [(ids[1].to_string(), "not_allowed")]
    );
    let ledger = f.replica.ledger().expect("ledger");
    let shown: Vec<(String, String)> = ledger.patrols.iter().map(|p| (p.row.patrol.clone(), p.sync.clone())).collect();
    assert!(shown.contains(&(ids[1].to_string(), "rejected".into())), "{shown:?}");
    assert!(shown.contains(&(ids[0].to_string(), "sent".into())), "{shown:?}");
    assert_eq!(shown.len(), 4);

    // Recording on top applies incrementally and keeps it out.
    let fourth = f.patrol("after the refusal");
    let own = f.own_events();
    let with_fourth: Vec<&Event> = server_view.iter().copied().chain([&own[3]]).collect();
    assert_folds_exactly(&f, &with_fourth);

    // The server lost everything from seq 2: the kept-rejected event goes again (pending, so it is
    // folded again, as the device cannot know yet) and its duplicate ack makes it rejected again.
    let applied = f.replica.apply_reply(owner, &[], &reply(vec![], vec![], 2)).expect("apply");
    assert_eq!(applied.resent, 2, "the rejected seq 2 and the sent seq 3");
    assert_eq!(f.replica.outbox_state(ids[1]).expect("state"), Some(OutboxState::Pending));
    assert!(f.replica.projection().expect("projection").patrols.contains_key(&ids[1]));
    let acks = vec![Ack::duplicate(ids[1], 2), Ack::duplicate(ids[2], 3), Ack::accepted(fourth, 4)];
    f.replica.apply_reply(owner, &[ids[1], ids[2], fourth], &reply(acks, vec![], 5)).expect("apply");
    assert_eq!(f.replica.outbox_state(ids[1]).expect("state"), Some(OutboxState::Rejected));
    assert_folds_exactly(&f, &with_fourth);
    assert_eq!(f.replica.status().expect("status").pending, 0);
}
