//! The event a push operation sends: its kind from the op, its target from the row's datum (a
//! place's zone, patrol and finding; a township's case and tip), its author the calling principal.
//! Times lie a few hours back, apart from the setup's, so a push never collides with the setup's
//! records.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use sync_protocol::body::{
    Body, FindingKind, FlagReviewed, FlagVerdict, PatrolAmended, Subject, SubjectKind, TipAssigned, TipInformant, UserEnabled,
};
use sync_protocol::ids::{EventId, UnitId, UserId, ZoneId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::FlagKind;

use super::setup::World;
use crate::{office, photo, tracks};

/// What a push needs: the datum's parameters, the township key the op names, the caller.
pub struct Target<'a> {
    pub params: &'a BTreeMap<String, String>,
    pub township_key: &'a str,
    pub caller: &'a UserId,
    /// Makes this push's times and photo bytes its own.
    pub serial: u64,
}

impl Target<'_> {
    fn get(&self, key: &str) -> Result<&str> {
        self.params.get(key).map(String::as_str).with_context(|| format!("the datum has no {key}"))
    }

    fn township(&self) -> Result<&str> {
        self.get(self.township_key)
    }

    fn zone(&self) -> Result<ZoneId> {
        Ok(ZoneId::new(self.get("zone")?)?)
    }
}

fn subject_kind(event_kind: Option<&str>) -> Result<SubjectKind> {
    Ok(match event_kind {
        Some("patrol.recorded") => SubjectKind::Patrol,
        Some("finding.reported") => SubjectKind::Finding,
        Some("case.opened") => SubjectKind::Case,
        Some("tip.received") => SubjectKind::Tip,
        other => bail!("nothing is attached to {other:?}"),
    })
}

/// A step of `kind` on `case` of `township`, made on its opening (a resolution joins the opening
/// and a step no event has, which the server therefore does not hold).
fn case_step(kind: &str, case: EventId, township: &str, now: i64) -> Result<Body> {
    Ok(match kind {
        "case.verified" => office::verify(case, township, case),
        "case.stopped" => office::stop(case, township, case),
        "case.action_taken" => office::rectify(case, township, case, now + 7 * 86_400_000),
        "case.referred" => office::refer(case, township, case),
        "case.marked_major" => office::mark_major(case, township, case, now + 30 * 86_400_000),
        "case.closed" => office::close(case, township, case),
        "case.conflict_resolved" => office::resolve(case, township, &[case, EventId(uuid::Uuid::from_u128(0xbad))], case),
        other => bail!("{other} is not a case step"),
    })
}

/// The body of a push of `kind` at `target`.
pub fn body(world: &World, kind: &str, target: &Target<'_>) -> Result<Body> {
    let now = crate::raw::now_ms() as i64;
    let at = now - 6 * 3_600_000 + target.serial as i64 * 60_000;
    let event = |key: &str| world.object(target.get(key)?)?.event_id();
    Ok(match kind {
        "patrol.recorded" => tracks::patrol(&target.zone()?, at, 30, 1_000 + target.serial),
        "patrol.amended" => Body::PatrolAmended(PatrolAmended {
            patrol: event("patrol")?,
            summary: Some("补记 amended by the matrix".into()),
            result: None,
            reason: "matrix".into(),
        }),
        "finding.reported" => tracks::finding(&target.zone()?, event("patrol")?, at, FindingKind::Other, None),
        "zero_report.filed" => tracks::zero_report(target.caller, &target.zone()?, IsoWeek::of_ms(now - 28 * 86_400_000)),
        // A place's datum names a finding; a township's, a tip.
        "case.opened" if target.params.contains_key("finding") => office::open_on_finding(event("finding")?, target.township()?),
        "case.opened" => office::open_on_tip(event("tip")?, target.township()?),
        "case.verified"
        | "case.stopped"
        | "case.action_taken"
        | "case.referred"
        | "case.marked_major"
        | "case.closed"
        | "case.conflict_resolved" => case_step(kind, event("case")?, target.township()?, now)?,
        "flag.reviewed" => Body::FlagReviewed(FlagReviewed {
            subject: Subject { kind: SubjectKind::Patrol, id: event("patrol")? },
            flag: FlagKind::NotCounted,
            township: UnitId::new(target.township()?)?,
            verdict: FlagVerdict::Confirmed,
            note: "核查属实 reviewed by the matrix".into(),
        }),
        "tip.received" => office::tip_received(target.township()?, at),
        "tip.assigned" => Body::TipAssigned(TipAssigned {
            tip: event("tip")?,
            township: UnitId::new(target.township()?)?,
            village: None,
            brief: "请核查 passed on by the matrix".into(),
            location: None,
            note: String::new(),
        }),
        "tip.answered" => office::answer_tip(event("tip")?, target.township()?, None),
        "tip.informant" => Body::TipInformant(TipInformant {
            tip: event("tip")?,
            township: UnitId::new(target.township()?)?,
            name: "matrix informant".into(),
            contact: String::new(),
        }),
        "attachment.added" => {
            let subject = world.object(target.get("attach_to")?)?;
            let bytes = photo::jpeg(None, 800, 5_000 + target.serial);
            photo::jpeg_attachment(subject_kind(subject.kind.as_deref())?, subject.event_id()?, &bytes)
        }
        "user.enabled" => Body::UserEnabled(UserEnabled { user: target.caller.clone(), by: target.caller.clone() }),
        other => bail!("the matrix does not push {other}"),
    })
}
