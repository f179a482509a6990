//! What an import authors for one licence: `licence.granted` for a new one, lifecycle events
//! (变更、转让、延续、注销) that take a stored licence's latest terms to the file's, nothing when
//! they agree. Pure, like the rest of the plan.
//!
//! A file states a licence's current terms, not when they changed, so a change takes effect at the
//! import's time (`now_ms`; an extension no later than its new last day); a cancellation takes
//! effect on the file's `cancelled_from` day. A licence's number, issuer and first day never
//! change (a new grant is a new licence), nor can a cancellation be undone.

use sync_protocol::body::{Body, LicenceCancelled, LicenceChanged, LicenceExtended, LicenceGranted, LicenceTransferred};
use sync_protocol::fold::LicenceState;

use super::format::LicenceEntry;
use super::problem::Problem;

/// The reason written into lifecycle events an import authors.
const REASON: &str = "reference data import";

/// The events that take `stored` (if any) to the file's `entry`, in the order the history applies
/// them at one time: changed, transferred, extended, cancelled.
pub fn licence_change(stored: Option<&LicenceState>, entry: &LicenceEntry, now_ms: i64) -> Result<Vec<Body>, Problem> {
    let file = &entry.terms;
    let cancel =
        |effective_from| Body::LicenceCancelled(LicenceCancelled { licence: file.licence.clone(), effective_from, reason: REASON.into() });
    let Some(old) = stored else {
        let mut bodies = vec![Body::LicenceGranted(file.clone())];
        bodies.extend(entry.cancelled_from.map(cancel));
        return Ok(bodies);
    };
    let unchangeable = |what| Problem::LicenceUnchangeable { licence: file.licence.to_string(), what };
    if old.issuer != file.issuer {
        return Err(unchangeable("the issuer"));
    }
    if old.valid_from != file.valid_from {
        return Err(unchangeable("the first valid day"));
    }
    if old.cancelled_from.is_some() && entry.cancelled_from != old.cancelled_from {
        return Err(unchangeable("a cancellation"));
    }
    let mut bodies = Vec::new();
    bodies.extend(changed(old, file, now_ms).map(Body::LicenceChanged));
    if old.holder != file.holder {
        bodies.push(Body::LicenceTransferred(LicenceTransferred {
            licence: file.licence.clone(),
            holder: file.holder.clone(),
            effective_from: now_ms,
        }));
    }
    if old.valid_to != file.valid_to {
        let effective_from = now_ms.min(file.valid_to);
        bodies.push(Body::LicenceExtended(LicenceExtended {
            licence: file.licence.clone(),
            valid_to: file.valid_to,
            effective_from,
            reason: REASON.into(),
        }));
    }
    if old.cancelled_from.is_none() {
        bodies.extend(entry.cancelled_from.map(cancel));
    }
    Ok(bodies)
}

/// A `licence.changed` with the terms that differ, if any do.
fn changed(old: &LicenceState, file: &LicenceGranted, now_ms: i64) -> Option<LicenceChanged> {
    let differs = |same: bool| !same;
    let levels = differs(old.top_m == file.top_m && old.bottom_m == file.bottom_m);
    let change = LicenceChanged {
        licence: file.licence.clone(),
        effective_from: now_ms,
        area: differs(old.area == file.area).then(|| file.area.clone()),
        top_m: levels.then_some(file.top_m),
        bottom_m: levels.then_some(file.bottom_m),
        mineral: differs(old.mineral == file.mineral).then_some(file.mineral),
        right: differs(old.right == file.right).then_some(file.right),
        villages: differs(old.villages == file.villages).then(|| file.villages.clone()),
    };
    let any = change.area.is_some() || levels || change.mineral.is_some() || change.right.is_some() || change.villages.is_some();
    any.then_some(change)
}

/// The entry a stored licence is exported as: its latest terms and its cancellation.
pub fn entry_of(state: &LicenceState) -> LicenceEntry {
    LicenceEntry { terms: state.terms(), cancelled_from: state.cancelled_from }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::body::{IssuingLevel, Mineral, RightKind};
    use sync_protocol::ids::{LicenceId, UnitId};
    use sync_protocol::values::Polygon;

    const NOW: i64 = 1_790_000_000_000;

    fn granted() -> LicenceGranted {
        LicenceGranted {
            licence: LicenceId::new("YS-C-0001").expect("id"),
            holder: "Holder A".into(),
            mineral: Mineral::Kaolin,
            right: RightKind::Mining,
            issuer: IssuingLevel::County,
            valid_from: 1_700_000_000_000,
            valid_to: 1_800_000_000_000,
            area: Polygon(vec![vec![[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]),
            top_m: 800,
            bottom_m: 600,
            villages: vec![UnitId::new("T01-V01").expect("id")],
        }
    }

    /// The stored state after applying `bodies` to the grant, as the store folds them.
    fn after(bodies: &[Body]) -> LicenceState {
        let mut state = LicenceState::from(granted());
        for b in bodies {
            if let Some(change) = b.licence_change() {
                state.record(change);
            }
        }
        state
    }

    #[test]
    fn each_difference_becomes_its_lifecycle_event_and_applying_them_reaches_the_file() {
        type Edit = fn(&mut LicenceEntry);
        let table: [(&str, Edit, &[&str]); 6] = [
            ("identical", |_| {}, &[]),
            ("new holder", |e| e.terms.holder = "Holder B".into(), &["licence.transferred"]),
            ("later end", |e| e.terms.valid_to += 365 * 86_400_000, &["licence.extended"]),
            (
                "levels and villages",
                |e| {
                    e.terms.bottom_m = 500;
                    e.terms.villages.push(UnitId::new("T01-V02").expect("id"));
                },
                &["licence.changed"],
            ),
            ("cancelled", |e| e.cancelled_from = Some(NOW - 86_400_000), &["licence.cancelled"]),
            (
                "all at once",
                |e| {
                    e.terms.holder = "Holder C".into();
                    e.terms.right = RightKind::Exploration;
                    e.terms.valid_to += 1;
                    e.cancelled_from = Some(NOW);
                },
                &["licence.changed", "licence.transferred", "licence.extended", "licence.cancelled"],
            ),
        ];
        for (case, edit, kinds) in table {
            let mut file = LicenceEntry::from(granted());
            edit(&mut file);
            let bodies = licence_change(Some(&LicenceState::from(granted())), &file, NOW).expect(case);
            assert_eq!(bodies.iter().map(Body::kind).collect::<Vec<_>>(), kinds, "{case}");
            assert_eq!(entry_of(&after(&bodies)), file, "{case}: the stored licence reaches the file's terms");
            assert!(licence_change(Some(&after(&bodies)), &file, NOW).expect(case).is_empty(), "{case}: a second import authors nothing");
        }
    }

    #[test]
    fn what_no_lifecycle_event_can_express_is_refused() {
        let cancelled =
            after(&[Body::LicenceCancelled(LicenceCancelled { licence: granted().licence, effective_from: NOW, reason: "x".into() })]);
        let mut issuer = LicenceEntry::from(granted());
        issuer.terms.issuer = IssuingLevel::City;
        let mut start = LicenceEntry::from(granted());
        start.terms.valid_from -= 1;
        let cases =
            [(LicenceState::from(granted()), issuer), (LicenceState::from(granted()), start), (cancelled, LicenceEntry::from(granted()))];
        for (stored, file) in cases {
            let err = licence_change(Some(&stored), &file, NOW).expect_err("refused");
            assert_eq!(err.rule(), "licence_unchangeable");
        }
    }

    #[test]
    fn a_new_licence_is_granted_and_cancelled_if_the_file_says_so() {
        let mut file = LicenceEntry::from(granted());
        assert_eq!(licence_change(None, &file, NOW).expect("new").iter().map(Body::kind).collect::<Vec<_>>(), ["licence.granted"]);
        file.cancelled_from = Some(NOW);
        let kinds: Vec<_> = licence_change(None, &file, NOW).expect("new").iter().map(Body::kind).collect();
        assert_eq!(kinds, ["licence.granted", "licence.cancelled"]);
    }
}
