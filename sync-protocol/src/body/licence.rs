//! A mine licence's lifecycle after its grant (延续、变更、转让、注销): server-authored reference
//! events, each effective from a time on, and [`LicenceChange`], their one type for the fold and the checks.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use super::{Mineral, RightKind};
use crate::error::ValidationError;
use crate::ids::{LicenceId, UnitId};
use crate::values::{Polygon, check_text, check_time};

/// `licence.extended` v1 (延续): from `effective_from` on, the licence runs to a new `valid_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceExtended {
    pub licence: LicenceId,
    /// The new last day of validity, as [`super::LicenceGranted::valid_to`] (start of day, Asia/Shanghai).
    pub valid_to: i64,
    /// Unix milliseconds from which the extension holds.
    pub effective_from: i64,
    pub reason: String,
}

/// `licence.changed` v1 (变更): from `effective_from` on, the terms given replace the licence's.
/// At least one term is given; `top_m` and `bottom_m` come together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceChanged {
    pub licence: LicenceId,
    pub effective_from: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<Polygon>,
    /// New licensed levels, elevations in metres above sea level (as in `licence.granted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_m: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom_m: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mineral: Option<Mineral>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<RightKind>,
    /// The villages whose zones the licence touches after the change (replaces the list). The
    /// event is routed to these and to every village the licence was routed to before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub villages: Option<Vec<UnitId>>,
}

/// `licence.transferred` v1 (转让): from `effective_from` on, `holder` holds the licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceTransferred {
    pub licence: LicenceId,
    pub holder: String,
    pub effective_from: i64,
}

/// `licence.cancelled` v1 (注销): from `effective_from` on, the licence is not in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceCancelled {
    pub licence: LicenceId,
    pub effective_from: i64,
    pub reason: String,
}

impl LicenceExtended {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("valid_to", self.valid_to)?;
        check_time("effective_from", self.effective_from)?;
        if self.valid_to < self.effective_from {
            return Err(ValidationError::field("valid_to", "is before effective_from"));
        }
        check_reason(&self.reason)
    }
}

impl LicenceChanged {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("effective_from", self.effective_from)?;
        if self.fields() == 0 {
            return Err(ValidationError::field("licence.changed", "changes no term"));
        }
        match (self.top_m, self.bottom_m) {
            (Some(top), Some(bottom)) if bottom > top => return Err(ValidationError::field("bottom_m", "is above top_m")),
            (Some(_), None) | (None, Some(_)) => return Err(ValidationError::field("top_m", "and bottom_m are changed together")),
            _ => {}
        }
        if let Some(area) = &self.area {
            area.validate()?;
        }
        Ok(())
    }

    fn fields(&self) -> u8 {
        let mut f = 0;
        for (given, bit) in [
            (self.area.is_some(), term::AREA),
            (self.top_m.is_some() || self.bottom_m.is_some(), term::LEVELS),
            (self.mineral.is_some(), term::MINERAL),
            (self.right.is_some(), term::RIGHT),
            (self.villages.is_some(), term::VILLAGES),
        ] {
            if given {
                f |= bit;
            }
        }
        f
    }
}

impl LicenceTransferred {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("effective_from", self.effective_from)?;
        check_text("holder", &self.holder, 200)?;
        if self.holder.trim().is_empty() {
            return Err(ValidationError::field("holder", "is empty"));
        }
        Ok(())
    }
}

impl LicenceCancelled {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_time("effective_from", self.effective_from)?;
        check_reason(&self.reason)
    }
}

fn check_reason(reason: &str) -> Result<(), ValidationError> {
    check_text("reason", reason, 1_000)?;
    if reason.trim().is_empty() {
        return Err(ValidationError::field("reason", "is empty"));
    }
    Ok(())
}

/// The terms a lifecycle event sets, as bits (cancellation sets none: it ends the licence).
pub mod term {
    pub const HOLDER: u8 = 1;
    pub const VALID_TO: u8 = 1 << 1;
    pub const AREA: u8 = 1 << 2;
    pub const LEVELS: u8 = 1 << 3;
    pub const MINERAL: u8 = 1 << 4;
    pub const RIGHT: u8 = 1 << 5;
    pub const VILLAGES: u8 = 1 << 6;
}

/// One lifecycle event of a licence, in the order the licence's history applies them.
///
/// # Order
/// By `effective_from`; at the same time by kind (changed, transferred, extended, cancelled);
/// then by the body's JSON text. Different kinds set different terms, so only two events of one
/// kind at one time (which the server should never author) meet the last rule: it makes the
/// answer independent of the order they arrived in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceChange {
    Changed(LicenceChanged),
    Transferred(LicenceTransferred),
    Extended(LicenceExtended),
    Cancelled(LicenceCancelled),
}

impl LicenceChange {
    pub fn licence(&self) -> &LicenceId {
        match self {
            LicenceChange::Changed(c) => &c.licence,
            LicenceChange::Transferred(t) => &t.licence,
            LicenceChange::Extended(e) => &e.licence,
            LicenceChange::Cancelled(c) => &c.licence,
        }
    }

    pub fn effective_from(&self) -> i64 {
        match self {
            LicenceChange::Changed(c) => c.effective_from,
            LicenceChange::Transferred(t) => t.effective_from,
            LicenceChange::Extended(e) => e.effective_from,
            LicenceChange::Cancelled(c) => c.effective_from,
        }
    }

    /// The terms it sets, as [`term`] bits.
    pub fn fields(&self) -> u8 {
        match self {
            LicenceChange::Changed(c) => c.fields(),
            LicenceChange::Transferred(_) => term::HOLDER,
            LicenceChange::Extended(_) => term::VALID_TO,
            LicenceChange::Cancelled(_) => 0,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            LicenceChange::Changed(_) => 0,
            LicenceChange::Transferred(_) => 1,
            LicenceChange::Extended(_) => 2,
            LicenceChange::Cancelled(_) => 3,
        }
    }

    fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Ord for LicenceChange {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.effective_from(), self.rank())
            .cmp(&(other.effective_from(), other.rank()))
            .then_with(|| if self == other { Ordering::Equal } else { self.text().cmp(&other.text()) })
    }
}

impl PartialOrd for LicenceChange {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> LicenceId {
        LicenceId::new("YS-C-0012").expect("licence")
    }

    const T: i64 = 1_767_196_800_000;

    fn changed() -> LicenceChanged {
        LicenceChanged {
            licence: id(),
            effective_from: T,
            area: None,
            top_m: None,
            bottom_m: None,
            mineral: None,
            right: None,
            villages: None,
        }
    }

    #[test]
    fn each_lifecycle_body_checks_its_rules() {
        let extended = LicenceExtended { licence: id(), valid_to: T + 1, effective_from: T, reason: "延续".into() };
        assert!(extended.validate().is_ok());
        assert!(LicenceExtended { valid_to: T - 1, ..extended.clone() }.validate().is_err());
        assert!(LicenceExtended { reason: " ".into(), ..extended.clone() }.validate().is_err());
        assert!(LicenceExtended { effective_from: 5, ..extended }.validate().is_err());

        assert!(changed().validate().is_err(), "changes nothing");
        assert!(LicenceChanged { mineral: Some(Mineral::Tin), ..changed() }.validate().is_ok());
        assert!(LicenceChanged { top_m: Some(300), ..changed() }.validate().is_err(), "top without bottom");
        assert!(LicenceChanged { top_m: Some(300), bottom_m: Some(301), ..changed() }.validate().is_err());
        assert!(LicenceChanged { top_m: Some(300), bottom_m: Some(300), ..changed() }.validate().is_ok());
        assert!(LicenceChanged { area: Some(Polygon(vec![vec![[0, 0], [1, 1]]])), ..changed() }.validate().is_err());
        assert!(LicenceChanged { villages: Some(vec![]), ..changed() }.validate().is_ok());

        let transferred = LicenceTransferred { licence: id(), holder: "新公司".into(), effective_from: T };
        assert!(transferred.validate().is_ok());
        assert!(LicenceTransferred { holder: String::new(), ..transferred }.validate().is_err());

        let cancelled = LicenceCancelled { licence: id(), effective_from: T, reason: "注销".into() };
        assert!(cancelled.validate().is_ok());
        assert!(LicenceCancelled { reason: String::new(), ..cancelled }.validate().is_err());
    }

    #[test]
    fn changes_order_by_time_then_kind_then_text() {
        let cancel = LicenceChange::Cancelled(LicenceCancelled { licence: id(), effective_from: T, reason: "x".into() });
        let early = LicenceChange::Extended(LicenceExtended { licence: id(), valid_to: T + 9, effective_from: T - 1, reason: "x".into() });
        let tin = LicenceChange::Changed(LicenceChanged { mineral: Some(Mineral::Tin), ..changed() });
        let gold = LicenceChange::Changed(LicenceChanged { mineral: Some(Mineral::Gold), ..changed() });
        let mut list = vec![cancel.clone(), tin.clone(), early.clone(), gold.clone()];
        list.sort();
        assert_eq!(list, vec![early, gold.clone(), tin.clone(), cancel]);
        assert_eq!(gold.cmp(&gold.clone()), Ordering::Equal);
        assert_eq!(tin.fields(), term::MINERAL);
    }

    #[test]
    fn lifecycle_bodies_parse_and_write_their_json() {
        use crate::body::{Body, kind};
        use serde_json::json;
        let cases = [
            (kind::LICENCE_EXTENDED, json!({"v": 1, "licence": "YS-C-0012", "valid_to": T + 9, "effective_from": T, "reason": "延续"})),
            (
                kind::LICENCE_CHANGED,
                json!({"v": 1, "licence": "YS-C-0012", "effective_from": T, "top_m": 900, "bottom_m": 600, "villages": ["T01-V02"]}),
            ),
            (kind::LICENCE_TRANSFERRED, json!({"v": 1, "licence": "YS-C-0012", "holder": "乙公司", "effective_from": T})),
            (kind::LICENCE_CANCELLED, json!({"v": 1, "licence": "YS-C-0012", "effective_from": T, "reason": "注销"})),
        ];
        for (k, value) in cases {
            let body = Body::parse(k, &value).expect(k);
            assert_eq!((body.kind(), body.to_value()), (k, value.clone()));
            assert_eq!(body.licence_change().map(|c| c.licence().clone()), Some(id()));
            let mut extra = value.clone();
            extra["x"] = json!(1);
            assert!(Body::parse(k, &extra).is_err(), "{k}: unknown field");
            assert!(matches!(Body::parse(k, &json!({"v": 2})), Err(ValidationError::UnsupportedVersion { .. })));
        }
    }
}
