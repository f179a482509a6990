//! Tests of the fingerprint index: the candidates whose timing and positions line up, the packed
//! passes, the stored form, the few compared in full, and what a patrol added does to them.

use super::*;
use crate::checks::plausibility::fingerprint::{Probe, reach_e7};
use proptest::prelude::*;

fn id(n: u128) -> EventId {
    EventId(uuid::Uuid::from_u128(n))
}

/// Probes of fixes `(seconds into the track, value)`, fix by fix, each fix in the middle of
/// the cell it probes (450, 450 into cell (0, 0)), voting within 3 s and 5 m.
fn probes(fixes: &[(u32, u64)]) -> TrackProbes {
    TrackProbes {
        probes: fixes.iter().enumerate().map(|(i, (_, v))| Probe { fix: i as u32, value: *v, cell: (0, 0) }).collect(),
        seconds: fixes.iter().map(|(s, _)| *s).collect(),
        positions: vec![(450, 450); fixes.len()],
        reach: vec![reach_e7(450, 5.0); fixes.len()],
        window_s: 3,
        distance_m: 5.0,
    }
}

/// Passes `(value, seconds)` whose first fix lies `(east, north)` into its cell.
fn passes(cells: &[(u64, u32)], (east, north): (u16, u16)) -> Vec<KeptPass> {
    cells.iter().map(|&(value, at_s)| KeptPass { value, at_s, east, north }).collect()
}

#[test]
fn candidates_are_the_patrols_whose_timing_lines_up() {
    let mut index = FingerprintIndex::default();
    let middle = (450, 450);
    // Patrol 1 crosses cells 1..=4 ten seconds apart; patrol 2 crosses 3, 4, 5 at its own pace.
    index.insert(id(1), &passes(&[(1, 0), (2, 10), (3, 20), (4, 30)], middle));
    index.insert(id(2), &passes(&[(3, 0), (4, 40), (5, 45)], middle));
    index.insert(id(3), &passes(&[(9, 0)], middle));
    let copy_of_1 = probes(&[(0, 1), (10, 2), (21, 3), (30, 4)]);
    assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1)], "4 fixes at offset 0 ± 1 s; patrol 2 scatters");
    assert_eq!(index.candidates(&copy_of_1, 5, 8), Vec::<EventId>::new(), "fewer than 5 fixes");
    let stretch_of_1 = probes(&[(0, 2), (10, 3), (20, 4)]);
    assert_eq!(index.candidates(&stretch_of_1, 3, 8), vec![id(1)], "a stretch votes for one offset too (−10 s)");
    let late = probes(&[(0, 1), (30, 2), (60, 3), (90, 4)]);
    assert!(index.candidates(&late, 2, 8).is_empty(), "the same cells at another pace");
    index.insert(id(4), &passes(&[(1, 100), (2, 110), (3, 120), (4, 130)], middle));
    assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1), id(4)], "a shared cell's patrols each vote");
    assert_eq!(index.candidates(&copy_of_1, 3, 1), vec![id(1)]);
    // The same cells and times, each first fix 7 m from the probing fixes (at the cells'
    // corner): farther than a copied fix lies from its source, so no vote.
    index.insert(id(5), &passes(&[(1, 0), (2, 10), (3, 20), (4, 30)], (0, 0)));
    assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1), id(4)], "patrol 5's fixes are too far to vote");
    index.insert(id(6), &passes(&[(1, 0), (2, 10), (3, 20), (4, 30)], (250, 650)));
    assert_eq!(index.candidates(&copy_of_1, 3, 8), vec![id(1), id(4), id(6)], "3 m away: near enough");
    let cells = vec![
        KeptPass { value: 0, at_s: 0, east: 0, north: 0 },
        KeptPass { value: 1, at_s: 7, east: 899, north: 3 },
        KeptPass { value: u64::MAX >> 1, at_s: u32::MAX, east: 450, north: 899 },
    ];
    assert_eq!(from_stored(&to_stored(&cells)).expect("blob"), cells);
    assert!(from_stored(&[1, 2, 3]).is_none());
    assert!(from_stored(&[0; 12]).is_none(), "a pass of the earlier definition (no position)");
}

#[test]
fn a_held_pass_keeps_its_fields_in_eight_bytes() {
    assert_eq!(std::mem::size_of::<Held>(), 8);
    for (patrol, at_s, east, north) in [(0, 0, 0, 0), (MAX_PATROLS - 1, MAX_AT_S, 899, 899), (12_345, 86_399, 1, 898)] {
        let held = Held::new(patrol, at_s, east, north);
        assert_eq!((held.patrol(), held.at_s(), held.east(), held.north()), (patrol, at_s, east, north));
        assert_eq!(held.slot(), None, "a pass is no marker");
    }
    let late = Held::new(7, 10 * 86_400, 3, 4);
    assert_eq!((late.patrol(), late.at_s(), late.east(), late.north()), (7, MAX_AT_S, 3, 4), "held at six days");
    for slot in [0, 1, (1 << LOW_BITS) - 1] {
        assert_eq!(Held::shared(slot).slot(), Some(slot as usize));
    }
}

#[test]
fn the_patrols_compared_leave_the_track_itself_out() {
    let mut index = FingerprintIndex::default();
    let middle = (450, 450);
    let cells = [(1, 0), (2, 10), (3, 20), (4, 30)];
    for n in 1..=12 {
        index.insert(id(n), &passes(&cells, middle));
    }
    let copy = probes(&[(0, 1), (10, 2), (21, 3), (30, 4)]);
    let all: Vec<EventId> = (1..=12).map(id).collect();
    assert_eq!(index.compared(&copy, None), all[..COMPARED].to_vec(), "the most votes, ties by id");
    assert_eq!(index.compared(&copy, Some(id(3))), [&all[..2], &all[3..=COMPARED]].concat(), "the next one takes its place");
    assert_eq!(index.compared(&copy, Some(id(12))), all[..COMPARED].to_vec());
}

/// Passes from a small alphabet of cells and times, so that patrols share cells and offsets.
fn random_passes() -> impl Strategy<Value = Vec<(u64, u32)>> {
    proptest::collection::vec((0..6_u64, (0..8_u32).prop_map(|t| t * 10)), 1..6)
}

proptest! {
    /// A patrol added to the index can only take the place of others among the patrols a track
    /// is compared with: those already held keep their order, and none comes in. What the writer
    /// relies on when it reads a push's candidates before storing its patrols (`read_ahead`).
    #[test]
    fn a_patrol_added_only_displaces_the_patrols_compared(
        held in proptest::collection::vec(random_passes(), 0..24),
        added in proptest::collection::vec(random_passes(), 1..6),
        fixes in proptest::collection::vec((0..6_u64, (0..8_u32).prop_map(|t| t * 10)), 1..8),
    ) {
        let mut index = FingerprintIndex::default();
        for (n, cells) in held.iter().enumerate() {
            index.insert(id(n as u128 + 1), &passes(cells, (450, 450)));
        }
        let fixes: Vec<(u32, u64)> = fixes.iter().map(|&(value, at_s)| (at_s, value)).collect();
        let track = probes(&fixes);
        let before = index.compared(&track, None);
        for (n, cells) in added.iter().enumerate() {
            index.insert(id(1_000 + n as u128), &passes(cells, (450, 450)));
        }
        let after = index.compared(&track, None);
        let still: Vec<EventId> = after.iter().filter(|p| p.0.as_u128() < 1_000).copied().collect();
        prop_assert_eq!(&still[..], &before[..still.len()]);
    }
}
