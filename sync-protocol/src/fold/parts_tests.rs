//! Folding by parts is the fold: over random events of every kind, and over any subset of them
//! placed with joins learnt from more events than are folded (a replica never forgets a join).

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::super::samples::{SampleSpec, sample_drafts};
use super::{FoldedPart, PartKey, place_event};
use crate::crypto::{Hash, Sig};
use crate::event::Event;
use crate::fold::Projection;

fn events(specs: &[SampleSpec]) -> Vec<Event> {
    sample_drafts(specs)
        .into_iter()
        .map(|d| Event {
            id: d.id,
            device_id: d.device_id,
            seq: d.seq,
            hlc: d.hlc,
            author: d.author,
            kind: d.kind,
            body: d.body,
            prev: d.prev,
            hash: Hash::ZERO,
            sig: Sig([0; 64]),
        })
        .collect()
}

fn specs() -> impl Strategy<Value = Vec<SampleSpec>> {
    let spec =
        (any::<u8>(), 0u8..6, 0u8..6, 0u8..3, 0u16..40).prop_map(|(kind, a, b, device, at_s)| SampleSpec { kind, a, b, device, at_s });
    prop::collection::vec(spec, 1..60)
}

/// The folds of `folded`'s parts, placed with the joins of every event in `known`.
fn by_parts(known: &[Event], folded: &[&Event]) -> Projection {
    let joins: BTreeMap<PartKey, PartKey> = known.iter().filter_map(|e| place_event(e).joins).collect();
    let mut parts: BTreeMap<PartKey, Vec<&Event>> = BTreeMap::new();
    for e in folded {
        let anchor = place_event(e).anchor;
        let part = joins.get(&anchor).cloned().unwrap_or(anchor);
        parts.entry(part).or_default().push(e);
    }
    Projection::from_parts(parts.into_values().map(FoldedPart::fold))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_parts_fold_to_the_whole_fold(specs in specs()) {
        let all = events(&specs);
        let refs: Vec<&Event> = all.iter().collect();
        prop_assert_eq!(by_parts(&all, &refs), Projection::fold(&all));
    }

    #[test]
    fn any_subset_folds_by_parts_with_joins_learnt_from_more(specs in specs(), keep in prop::collection::vec(any::<bool>(), 60)) {
        let all = events(&specs);
        let subset: Vec<&Event> = all.iter().zip(keep.iter().cycle()).filter(|(_, k)| **k).map(|(e, _)| e).collect();
        prop_assert_eq!(by_parts(&all, &subset), Projection::fold(subset.iter().copied()));
    }
}
