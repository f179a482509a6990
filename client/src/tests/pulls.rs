//! Pulled pages and purges: events join the log once, one's own event coming back is a no-op,
//! a bad hash fails the whole reply, a purge never drops the identity's own events, and own sent
//! events in no held bucket (per their acks) leave the fold.

use std::collections::BTreeSet;

use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::{Ack, BucketPage};

use crate::replica::OutboxState;

use super::fixture::{Chain, DAY, Fixture, T0, reply, village};

#[test]
fn pulled_events_join_once_and_own_events_coming_back_are_a_no_op() {
    let mut f = Fixture::new();
    let mut server = Chain::new("server", T0 - 40 * DAY);
    f.assign_zone(&mut server);
    let mine = f.patrol("mine");
    let own = f.own_events();
    let count = f.replica.event_count().expect("count");
    let applied = f.pull(village(), own.clone(), 10).expect("own event comes back");
    assert_eq!(applied.pulled, 0);
    assert_eq!(f.replica.event_count().expect("count"), count);
    assert_eq!(f.replica.projection().expect("projection").patrols.len(), 1);
    assert_eq!(f.replica.outbox_state(mine).expect("state"), Some(crate::replica::OutboxState::Pending), "pulling is no ack");

    let mut other = Chain::new("vo-t01-v02", T0);
    let theirs = other.patrol("theirs");
    let applied = f.pull(village(), vec![theirs.clone(), theirs.clone()], 11).expect("pull");
    assert_eq!(applied.pulled, 1);
    assert_eq!(f.replica.cursors().expect("cursors").get(&village()), Some(&11));
    assert!(f.replica.projection().expect("projection").patrols.contains_key(&theirs.id));
}

#[test]
fn a_pulled_event_with_a_bad_hash_is_kept_aside_and_the_rest_of_the_reply_applies() {
    let mut f = Fixture::new();
    let mut server = Chain::new("server", T0 - 40 * DAY);
    f.assign_zone(&mut server);
    let mine = f.patrol("mine");
    let me = f.me();
    let mut other = Chain::new("vo-t01-v02", T0);
    let good = other.patrol("good");
    let mut bad = other.patrol("bad");
    bad.body["summary"] = serde_json::json!("edited in transit");
    let page = BucketPage { bucket: village(), events: vec![bad.clone(), good.clone()], cursor: 5, more: false, withheld: vec![] };
    let ack = sync_protocol::wire::Ack::accepted(mine, 1);
    let applied = f.replica.apply_reply(me.device_id, &[mine], &reply(vec![ack], vec![page], 2)).expect("the good part applies");
    assert_eq!((applied.accepted, applied.pulled, applied.aside), (1, 1, 1));
    assert_eq!(f.replica.outbox_state(mine).expect("state"), Some(crate::replica::OutboxState::Sent), "its own ack is applied");
    assert_eq!(f.replica.cursors().expect("cursors").get(&village()), Some(&5), "the cursor moves past the bad event");
    let projection = f.replica.projection().expect("projection");
    assert!(projection.patrols.contains_key(&good.id) && !projection.patrols.contains_key(&bad.id));
    let aside = f.replica.aside_events().expect("aside");
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].event_id.as_deref(), Some(bad.id.to_string().as_str()));
    assert!(aside[0].raw.contains("edited in transit"), "kept as the server sent it");
}

#[test]
fn a_purge_drops_what_came_only_from_that_bucket_and_never_own_events() {
    let mut f = Fixture::new();
    let mut server = Chain::new("server", T0 - 40 * DAY);
    f.assign_zone(&mut server);
    let mine = f.patrol("mine");
    let township = Bucket::Township(sync_protocol::ids::UnitId::new("T01").expect("unit"));
    let mut other = Chain::new("vo-t01-v02", T0);
    let only_village = other.patrol("only in the village bucket");
    let in_both = other.patrol("in both buckets");
    let own = f.own_events();
    f.pull(village(), vec![only_village.clone(), in_both.clone(), own[0].clone()], 20).expect("pull village");
    f.pull(township.clone(), vec![in_both.clone()], 7).expect("pull township");

    let me = f.me();
    let mut purge = reply(vec![], vec![], me.next_seq);
    purge.purge = vec![village()];
    let applied = f.replica.apply_reply(me.device_id, &[], &purge).expect("purge");
    assert_eq!(applied.purged, 3, "the zone, the assignment and the village-only patrol");
    let p = f.replica.projection().expect("projection");
    assert!(p.patrols.contains_key(&mine), "own events are never purged");
    assert!(p.patrols.contains_key(&in_both.id), "still in the township bucket");
    assert!(!p.patrols.contains_key(&only_village.id));
    assert_eq!(f.replica.cursors().expect("cursors").into_iter().collect::<Vec<_>>(), vec![(township, 7)]);
    assert_eq!(f.replica.ledger().expect("ledger").patrols.len(), 2);
}

#[test]
fn more_pages_are_reported() {
    let mut f = Fixture::new();
    let me = f.me();
    let page = BucketPage { bucket: village(), events: vec![], cursor: 3, more: true, withheld: vec![] };
    let applied = f.replica.apply_reply(me.device_id, &[], &reply(vec![], vec![page], 1)).expect("apply");
    assert!(applied.more);
}

#[test]
fn a_purge_leaves_out_of_the_fold_own_sent_events_in_no_held_bucket_and_keeps_pending_ones() {
    let mut f = Fixture::new();
    let mut server = Chain::new("server", T0 - 40 * DAY);
    f.assign_zone(&mut server);
    let (old, new) = (village(), Bucket::Village(UnitId::new("T01-V02").expect("unit")));
    let township = Bucket::Township(UnitId::new("T01").expect("unit"));
    f.pull(new.clone(), vec![], 0).expect("hold a second village");
    let in_old = f.patrol("sent, routed to the old village only");
    let in_new = f.patrol("sent, routed to the new village");
    let unlisted = f.patrol("sent, acked without buckets");
    let ids = [in_old, in_new, unlisted];
    let me = f.me();
    let acks = vec![
        Ack::accepted(in_old, 1).with_buckets(vec![old.clone(), township.clone()]),
        Ack::accepted(in_new, 2).with_buckets(vec![new.clone(), township.clone()]),
        Ack::accepted(unlisted, 3),
    ];
    f.replica.apply_reply(me.device_id, &ids, &reply(acks, vec![], 4)).expect("acks");
    let pending = f.patrol("pending, never pushed");
    assert_eq!(patrols(&f), BTreeSet::from([in_old, in_new, unlisted, pending]), "everything is in scope still");
    let count = f.replica.event_count().expect("count");

    // Reassigned: the old village is purged.
    let moved = |purge: &Bucket, page: &Bucket, cursor| {
        let mut r = reply(vec![], vec![BucketPage { bucket: page.clone(), events: vec![], cursor, more: false, withheld: vec![] }], 5);
        r.purge = vec![purge.clone()];
        r
    };
    f.replica.apply_reply(me.device_id, &[], &moved(&old, &new, 9)).expect("purge");
    assert_eq!(patrols(&f), BTreeSet::from([in_new, unlisted, pending]), "the old village's own sent patrol left the fold");
    assert_eq!(f.replica.event_count().expect("count"), count - 2, "the zone and the assignment were dropped, own events kept");
    assert_eq!(f.replica.outbox_state(in_old).expect("state"), Some(OutboxState::Sent), "still in the outbox as sent");
    assert_eq!(f.replica.outbox_state(pending).expect("state"), Some(OutboxState::Pending));
    assert!(f.replica.ledger().expect("ledger").patrols.iter().all(|p| p.row.patrol != in_old.to_string()));

    // Pending ones are still pushed; one the server routes to the old village leaves the fold too.
    let applied = f
        .replica
        .apply_reply(me.device_id, &[pending], &reply(vec![Ack::accepted(pending, 4).with_buckets(vec![old.clone(), township])], vec![], 5))
        .expect("ack");
    assert_eq!(applied.accepted, 1);
    assert_eq!(patrols(&f), BTreeSet::from([in_new, unlisted]));

    // Reassigned back: the old village's own events return to the fold, the new one's leave it.
    f.replica.apply_reply(me.device_id, &[], &moved(&new, &old, 0)).expect("back");
    assert_eq!(patrols(&f), BTreeSet::from([in_old, unlisted, pending]));
}

fn patrols(f: &Fixture) -> BTreeSet<EventId> {
    f.replica.projection().expect("projection").patrols.into_keys().collect()
}
