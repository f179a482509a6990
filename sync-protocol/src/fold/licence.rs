//! A licence in the projection: its terms after every lifecycle event folded so far, whatever
//! their effective time. For the terms in force at a given time, see `checks::licence_history`.

use serde::{Deserialize, Serialize};

use crate::body::{IssuingLevel, LicenceChange, LicenceGranted, Mineral, RightKind, term};
use crate::ids::{LicenceId, UnitId};
use crate::values::Polygon;

/// A licence's latest terms. The fields up to `villages` are those of `licence.granted`, so a
/// snapshot written before lifecycle events existed reads as a licence with no lifecycle.
///
/// Each term holds the value of the last lifecycle event (in [`LicenceChange`] order) that sets
/// it, else the grant's; so the state does not depend on the order the events arrived in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceState {
    pub licence: LicenceId,
    pub holder: String,
    pub mineral: Mineral,
    pub right: RightKind,
    pub issuer: IssuingLevel,
    pub valid_from: i64,
    pub valid_to: i64,
    pub area: Polygon,
    pub top_m: i32,
    pub bottom_m: i32,
    pub villages: Vec<UnitId>,
    /// The earliest effective time of a cancellation, if the licence is cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_from: Option<i64>,
    /// Its lifecycle events in [`LicenceChange`] order, each once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycle: Vec<LicenceChange>,
}

impl From<LicenceGranted> for LicenceState {
    fn from(g: LicenceGranted) -> Self {
        LicenceState {
            licence: g.licence,
            holder: g.holder,
            mineral: g.mineral,
            right: g.right,
            issuer: g.issuer,
            valid_from: g.valid_from,
            valid_to: g.valid_to,
            area: g.area,
            top_m: g.top_m,
            bottom_m: g.bottom_m,
            villages: g.villages,
            cancelled_from: None,
            lifecycle: Vec::new(),
        }
    }
}

impl LicenceState {
    /// The licence's latest terms in the form of a grant (without its cancellation and lifecycle).
    pub fn terms(&self) -> LicenceGranted {
        LicenceGranted {
            licence: self.licence.clone(),
            holder: self.holder.clone(),
            mineral: self.mineral,
            right: self.right,
            issuer: self.issuer,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            area: self.area.clone(),
            top_m: self.top_m,
            bottom_m: self.bottom_m,
            villages: self.villages.clone(),
        }
    }

    /// A new grant of the same licence: its terms, then the lifecycle events known, re-applied.
    pub fn regrant(&mut self, g: LicenceGranted) {
        let lifecycle = std::mem::take(&mut self.lifecycle);
        *self = LicenceState::from(g);
        for change in lifecycle {
            self.record(change);
        }
    }

    /// Records one lifecycle event; one already recorded changes nothing.
    pub fn record(&mut self, change: LicenceChange) {
        let Err(at) = self.lifecycle.binary_search(&change) else { return };
        let later = self.lifecycle[at..].iter().fold(0, |bits, c| bits | c.fields());
        set_terms(self, &change, change.fields() & !later);
        if let LicenceChange::Cancelled(c) = &change {
            self.cancelled_from = Some(self.cancelled_from.map_or(c.effective_from, |t| t.min(c.effective_from)));
        }
        self.lifecycle.insert(at, change);
    }
}

/// Sets the terms of `change` named in `bits` (the others are set by a later change).
fn set_terms(s: &mut LicenceState, change: &LicenceChange, bits: u8) {
    let has = |bit: u8| bits & bit != 0;
    match change {
        LicenceChange::Transferred(t) if has(term::HOLDER) => s.holder = t.holder.clone(),
        LicenceChange::Extended(e) if has(term::VALID_TO) => s.valid_to = e.valid_to,
        LicenceChange::Changed(c) => {
            if let Some(area) = c.area.as_ref().filter(|_| has(term::AREA)) {
                s.area = area.clone();
            }
            if let (Some(top), Some(bottom), true) = (c.top_m, c.bottom_m, has(term::LEVELS)) {
                (s.top_m, s.bottom_m) = (top, bottom);
            }
            if let Some(m) = c.mineral.filter(|_| has(term::MINERAL)) {
                s.mineral = m;
            }
            if let Some(r) = c.right.filter(|_| has(term::RIGHT)) {
                s.right = r;
            }
            if let Some(v) = c.villages.as_ref().filter(|_| has(term::VILLAGES)) {
                s.villages = v.clone();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{LicenceCancelled, LicenceChanged, LicenceExtended, LicenceTransferred};
    use proptest::prelude::*;

    const DAY: i64 = 86_400_000;
    const T: i64 = 1_767_196_800_000;

    fn id() -> LicenceId {
        LicenceId::new("YS-C-0012").expect("licence")
    }

    fn granted() -> LicenceGranted {
        LicenceGranted {
            licence: id(),
            holder: "甲公司".into(),
            mineral: Mineral::Tungsten,
            right: RightKind::Exploration,
            issuer: IssuingLevel::County,
            valid_from: T,
            valid_to: T + 100 * DAY,
            area: Polygon(vec![vec![[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]),
            top_m: 850,
            bottom_m: 620,
            villages: vec![UnitId::new("T01-V01").expect("unit")],
        }
    }

    /// A lifecycle event from a small alphabet, so that several set the same term.
    fn change() -> impl Strategy<Value = LicenceChange> {
        (0..4u8, 0..4i64, 0..3i32).prop_map(|(kind, day, n)| {
            let effective_from = T + day * DAY;
            match kind {
                0 => LicenceChange::Transferred(LicenceTransferred { licence: id(), holder: format!("holder {n}"), effective_from }),
                1 => LicenceChange::Extended(LicenceExtended {
                    licence: id(),
                    valid_to: T + (200 + i64::from(n)) * DAY,
                    effective_from,
                    reason: "延续".into(),
                }),
                2 => LicenceChange::Changed(LicenceChanged {
                    licence: id(),
                    effective_from,
                    area: None,
                    top_m: Some(800 - n),
                    bottom_m: Some(600),
                    mineral: (n == 1).then_some(Mineral::Tin),
                    right: (n == 2).then_some(RightKind::Mining),
                    villages: None,
                }),
                _ => LicenceChange::Cancelled(LicenceCancelled { licence: id(), effective_from, reason: "注销".into() }),
            }
        })
    }

    /// The terms by the plain rule: the grant, then every change in order, each setting its terms.
    fn applied_in_order(changes: &[LicenceChange]) -> LicenceState {
        let mut sorted = changes.to_vec();
        sorted.sort();
        sorted.dedup();
        let mut s = LicenceState::from(granted());
        for c in &sorted {
            set_terms(&mut s, c, c.fields());
        }
        s.cancelled_from = sorted.iter().filter_map(|c| matches!(c, LicenceChange::Cancelled(_)).then_some(c.effective_from())).min();
        s.lifecycle = sorted;
        s
    }

    proptest! {
        #[test]
        fn any_arrival_order_gives_the_terms_of_effective_order(
            (changes, shuffled) in prop::collection::vec(change(), 0..8).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            let mut s = LicenceState::from(granted());
            for c in shuffled.iter().chain(&changes) {
                s.record(c.clone());
            }
            prop_assert_eq!(s, applied_in_order(&changes));
        }
    }

    #[test]
    fn a_regrant_keeps_the_lifecycle_and_an_old_snapshot_reads() {
        let mut s = LicenceState::from(granted());
        s.record(LicenceChange::Transferred(LicenceTransferred { licence: id(), holder: "乙公司".into(), effective_from: T + DAY }));
        s.regrant(LicenceGranted { holder: "丙公司".into(), top_m: 900, ..granted() });
        assert_eq!((s.holder.as_str(), s.top_m, s.lifecycle.len()), ("乙公司", 900, 1));

        let old = serde_json::to_value(granted()).expect("json");
        let read: LicenceState = serde_json::from_value(old.clone()).expect("a granted-shaped snapshot reads");
        assert_eq!(read, LicenceState::from(granted()));
        assert_eq!(serde_json::to_value(&read).expect("json"), old, "no lifecycle, no new keys");
    }

    /// Folds server-authored bodies as events of one chain, in the order given.
    fn fold(bodies: Vec<crate::body::Body>) -> crate::fold::Projection {
        let key = crate::crypto::DeviceKey::from_secret([5; 32]);
        let events: Vec<crate::event::Event> = bodies
            .into_iter()
            .zip(1u64..)
            .map(|(body, seq)| {
                let draft = crate::event::EventDraft {
                    id: crate::ids::EventId(uuid::Uuid::from_u128(u128::from(seq))),
                    device_id: crate::ids::DeviceId(uuid::Uuid::from_u128(7)),
                    seq,
                    hlc: crate::hlc::Hlc::new(1_764_131_257_000 + seq, 0),
                    author: crate::ids::UserId::new("system").expect("user"),
                    kind: body.kind().into(),
                    body: body.to_value(),
                    prev: crate::crypto::Hash::ZERO,
                };
                draft.seal(&key).expect("seal")
            })
            .collect();
        crate::fold::Projection::fold(&events)
    }

    #[test]
    fn the_projection_holds_each_licence_latest_terms() {
        use crate::body::Body;
        let extension = LicenceExtended { licence: id(), valid_to: T + 900 * DAY, effective_from: T + 90 * DAY, reason: "延续".into() };
        let p = fold(vec![
            Body::LicenceExtended(extension.clone()),
            Body::LicenceGranted(granted()),
            Body::LicenceTransferred(LicenceTransferred { licence: id(), holder: "乙公司".into(), effective_from: T + 10 * DAY }),
            Body::LicenceExtended(extension),
            Body::LicenceCancelled(LicenceCancelled { licence: id(), effective_from: T + 500 * DAY, reason: "注销".into() }),
        ]);
        assert_eq!(p.conflicts.len(), 1, "the extension before the grant: {:?}", p.conflicts);
        assert!(p.conflicts[0].problem.contains("not granted before it"));
        let l = &p.licences[&id()];
        assert_eq!((l.holder.as_str(), l.valid_to, l.cancelled_from), ("乙公司", T + 900 * DAY, Some(T + 500 * DAY)));
        assert_eq!(l.lifecycle.len(), 3, "the repeated extension is kept once");
    }
}
