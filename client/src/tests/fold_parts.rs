//! The projection kept in parts is the whole fold: events of every kind pulled in random arrival
//! orders and pages, from two buckets, with purges (and the purged events pulled again later),
//! and the identity's own events accepted or rejected; after every reply the stored parts merge
//! into exactly `Projection::fold` of the events the identity folds, and a rebuild from the log
//! changes neither the projection nor the ledger.

use proptest::prelude::*;
use sync_protocol::crypto::DeviceKey;
use sync_protocol::event::Event;
use sync_protocol::fold::Projection;
use sync_protocol::fold::samples::{SampleSpec, sample_drafts};
use sync_protocol::ids::UnitId;
use sync_protocol::scope::Bucket;
use sync_protocol::wire::{Ack, BucketPage, RejectReason};

use super::fixture::{Chain, DAY, Fixture, T0, reply, village};
use crate::replica::events::LEFT_OUT;

/// One reply: the next `take` events of the arrival order in one page of bucket A or B, or a
/// purge of bucket A or B (its events then wait to be pulled again).
#[derive(Debug, Clone)]
enum Step {
    Page { take: usize, second: bool },
    Purge { second: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (1usize..9, any::<bool>()).prop_map(|(take, second)| Step::Page { take, second }),
        1 => any::<bool>().prop_map(|second| Step::Purge { second }),
    ]
}

fn specs() -> impl Strategy<Value = Vec<SampleSpec>> {
    let spec =
        (any::<u8>(), 0u8..5, 0u8..5, 0u8..3, 0u16..40).prop_map(|(kind, a, b, device, at_s)| SampleSpec { kind, a, b, device, at_s });
    prop::collection::vec(spec, 1..40)
}

fn buckets() -> [Bucket; 2] {
    [village(), Bucket::Village(UnitId::new("T01-V02").expect("unit"))]
}

/// Sample events sealed by their devices' keys (a pulled event's hash is checked).
fn sealed(specs: &[SampleSpec]) -> Vec<Event> {
    sample_drafts(specs)
        .into_iter()
        .map(|d| {
            let key = DeviceKey::from_secret([d.device_id.0.as_bytes()[15]; 32]);
            d.seal(&key).expect("sample bodies are canonical")
        })
        .collect()
}

/// `Projection::fold` of every event the identity folds, read straight from the log.
fn whole_fold(f: &Fixture) -> Projection {
    let sql = format!(
        "SELECT e.raw FROM events e WHERE e.owner = ?1 \
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.owner = e.owner AND o.event_id = e.id AND {LEFT_OUT})"
    );
    let mut stmt = f.replica.conn.prepare(&sql).expect("query");
    let raws = stmt.query_map([f.me().device_id.to_string()], |r| r.get::<_, String>(0)).expect("rows");
    let events: Vec<Event> = raws.map(|raw| serde_json::from_str(&raw.expect("raw")).expect("event")).collect();
    Projection::fold(&events)
}

/// Records one own patrol per outcome, then acks them all: pending (no ack), accepted into bucket
/// A or B, or rejected.
fn own_events(f: &mut Fixture, outcomes: &[u8]) {
    let ids: Vec<_> = outcomes.iter().map(|o| f.patrol(&format!("own {o}"))).collect();
    let buckets = buckets();
    let acks: Vec<Ack> = ids
        .iter()
        .zip(outcomes)
        .enumerate()
        .filter(|(_, (_, o))| **o != 0)
        .map(|(i, (id, o))| match o {
            3 => Ack::rejected(Some(*id), Some(i as u64 + 1), RejectReason::NotAllowed, "not assigned"),
            _ => Ack { buckets: vec![buckets[usize::from(*o == 2)].clone()], ..Ack::accepted(*id, i as u64 + 1) },
        })
        .collect();
    let pushed: Vec<_> = acks.iter().filter_map(|a| a.id).collect();
    let me = f.me();
    f.replica.apply_reply(me.device_id, &pushed, &reply(acks, vec![], me.next_seq)).expect("acks");
}

fn run(specs: &[SampleSpec], arrival: &[u16], outcomes: &[u8], steps: &[Step]) -> Result<(), TestCaseError> {
    let mut f = Fixture::new();
    f.assign_zone(&mut Chain::new("server", T0 - 40 * DAY));
    own_events(&mut f, outcomes);
    let mut queue: Vec<(u16, Event)> = arrival.iter().copied().zip(sealed(specs)).collect();
    queue.sort_by_key(|(k, _)| *k);
    let mut queue: std::collections::VecDeque<Event> = queue.into_iter().map(|(_, e)| e).collect();
    let mut delivered: [Vec<Event>; 2] = [Vec::new(), Vec::new()];
    let mut cursor = 100;
    for step in steps.iter().cycle().take(steps.len() * 4) {
        let me = f.me();
        let mut r = reply(vec![], vec![], me.next_seq);
        match step {
            Step::Page { take, second } => {
                let events: Vec<Event> = (0..*take).filter_map(|_| queue.pop_front()).collect();
                delivered[usize::from(*second)].extend(events.iter().cloned());
                cursor += 1;
                r.pages =
                    vec![BucketPage { bucket: buckets()[usize::from(*second)].clone(), events, cursor, more: false, withheld: vec![] }];
            }
            Step::Purge { second } => {
                r.purge = vec![buckets()[usize::from(*second)].clone()];
                queue.extend(std::mem::take(&mut delivered[usize::from(*second)]));
            }
        }
        f.replica.apply_reply(me.device_id, &[], &r).expect("apply");
        prop_assert_eq!(f.replica.projection().expect("projection"), whole_fold(&f), "after {:?}", step);
    }
    let (projection, ledger) = (f.replica.projection().expect("projection"), serde_json::to_value(f.replica.ledger().expect("ledger")));
    let owner = f.me().device_id;
    let tx = f.replica.conn.transaction().expect("tx");
    crate::replica::rebuild::rebuild(&tx, owner).expect("rebuild");
    tx.commit().expect("commit");
    prop_assert_eq!(f.replica.projection().expect("projection"), projection, "a rebuild changes nothing");
    prop_assert_eq!(serde_json::to_value(f.replica.ledger().expect("ledger")).expect("json"), ledger.expect("json"));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_stored_parts_are_the_whole_fold_whatever_the_arrival(
        specs in specs(),
        arrival in prop::collection::vec(any::<u16>(), 40),
        outcomes in prop::collection::vec(0u8..4, 0..4),
        steps in prop::collection::vec(step(), 1..8),
    ) {
        run(&specs, &arrival, &outcomes, &steps)?;
    }
}
