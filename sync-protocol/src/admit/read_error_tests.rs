//! A read of the store that fails is an error of `admit`, never a decision: for every kind's
//! sample and every role, admission either fails with the read's error, or decides what it would
//! decide whatever the store holds (it read nothing).

use std::collections::BTreeSet;
use std::convert::Infallible;

use super::*;
use crate::body::samples;
use crate::crypto::DeviceKey;
use crate::event::EventDraft;
use crate::hlc::Hlc;
use crate::scope::memory_index::ReadFailed;

/// A store whose every read fails.
struct Failing;

impl Authority for Failing {
    type Error = ReadFailed;
    fn was_assigned(&self, _: &UserId, _: &ZoneId, _: i64, _: i64) -> Result<bool, ReadFailed> {
        Err(ReadFailed)
    }
    fn had_any_zone(&self, _: &UserId, _: i64, _: i64) -> Result<bool, ReadFailed> {
        Err(ReadFailed)
    }
    fn patrol_author(&self, _: &EventId) -> Result<Option<UserId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn case_township(&self, _: &EventId) -> Result<Option<UnitId>, ReadFailed> {
        Err(ReadFailed)
    }
    fn case_stage_after(&self, _: &EventId, _: &EventId) -> Result<StepStage, ReadFailed> {
        Err(ReadFailed)
    }
    fn subject(&self, _: &Subject) -> Result<Option<SubjectFacts>, ReadFailed> {
        Err(ReadFailed)
    }
    fn inspects(&self, _: &UserId, _: &UnitId) -> Result<bool, ReadFailed> {
        Err(ReadFailed)
    }
}

/// A store that answers every question yes (`true`: the caller's zone, patrol and township) or no.
struct Answers(bool);

impl Authority for Answers {
    type Error = Infallible;
    fn was_assigned(&self, _: &UserId, _: &ZoneId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(self.0)
    }
    fn had_any_zone(&self, _: &UserId, _: i64, _: i64) -> Result<bool, Infallible> {
        Ok(self.0)
    }
    fn patrol_author(&self, _: &EventId) -> Result<Option<UserId>, Infallible> {
        Ok(self.0.then(me))
    }
    fn case_township(&self, _: &EventId) -> Result<Option<UnitId>, Infallible> {
        Ok(self.0.then(t01))
    }
    fn case_stage_after(&self, _: &EventId, _: &EventId) -> Result<StepStage, Infallible> {
        Ok(if self.0 { StepStage::At(crate::fold::Stage::Referred) } else { StepStage::NotHeld })
    }
    fn subject(&self, _: &Subject) -> Result<Option<SubjectFacts>, Infallible> {
        Ok(self.0.then(|| SubjectFacts { author: Some(me()), township: Some(t01()) }))
    }
    fn inspects(&self, _: &UserId, _: &UnitId) -> Result<bool, Infallible> {
        Ok(self.0)
    }
}

fn me() -> UserId {
    UserId::new("vo-t01-v01").expect("user")
}

fn t01() -> UnitId {
    UnitId::new("T01").expect("unit")
}

/// The sample sealed as the first event of the caller's device.
fn sealed(caller: &Caller, kind: &str, body: serde_json::Value) -> (Event, Checked) {
    let key = DeviceKey::from_secret([5; 32]);
    let draft = EventDraft {
        id: "0192f0c1-7a3b-7c00-8000-0000000000e1".parse().expect("id"),
        device_id: caller.device,
        seq: 1,
        hlc: Hlc::new(1_764_131_257_000, 0),
        author: caller.user.clone(),
        kind: kind.into(),
        body,
        prev: Hash::ZERO,
    };
    let event = draft.seal(&key).expect("seal");
    let checked = Checked::of(&event, &key.public());
    (event, checked)
}

#[test]
fn a_failed_read_is_an_error_never_a_decision() {
    let roles = [Role::VillageOfficer, Role::TownshipInspector, Role::CountyAuditor, Role::Commissioner, Role::Admin];
    let mut failed = BTreeSet::new();
    for (kind, json) in samples::all() {
        for role in roles {
            let caller = Caller { user: me(), device: DeviceId("0192f0c1-0000-7000-8000-0000000000bb".parse().expect("id")), role };
            let (event, checked) = sealed(&caller, kind, json.clone());
            match admit(&caller, ChainHead::EMPTY, &event, checked.clone(), None, None, &Failing) {
                Err(ReadFailed) => {
                    failed.insert((kind, role.as_str()));
                }
                Ok(decision) => {
                    let Ok(yes) = admit(&caller, ChainHead::EMPTY, &event, checked.clone(), None, None, &Answers(true));
                    let Ok(no) = admit(&caller, ChainHead::EMPTY, &event, checked.clone(), None, None, &Answers(false));
                    assert_eq!((&decision, &decision), (&yes, &no), "{kind} by a {role:?} was decided without reading");
                }
            }
        }
    }
    // What each role's admission must read, and so cannot decide when reads fail.
    for must_read in [
        ("patrol.recorded", "village_officer"),
        ("patrol.amended", "village_officer"),
        ("zero_report.filed", "village_officer"),
        ("attachment.added", "village_officer"),
        ("attachment.added", "township_inspector"),
        ("case.opened", "township_inspector"),
        ("case.opened", "county_auditor"),
        ("case.closed", "county_auditor"),
        ("tip.assigned", "township_inspector"),
    ] {
        assert!(failed.contains(&must_read), "{must_read:?} was decided although every read failed");
    }
}
