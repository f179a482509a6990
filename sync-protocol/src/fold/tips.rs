//! Tips in the projection: received, assigned, linked to cases, answered; open until answered.
//! Informants are kept apart from tips, so a view without them is one field away.

use serde::{Deserialize, Serialize};

use super::Projection;
use crate::body::{TipAnswered, TipAssigned, TipChannel, TipInformant, TipReceived};
use crate::event::Event;
use crate::ids::{EventId, UnitId, UserId};
use crate::values::Coord;

/// A tip as this replica knows it. A village replica holds only the assignment that asks its
/// officer to check the tip: then the fields from `tip.received` are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tip {
    pub id: EventId,
    pub channel: Option<TipChannel>,
    pub content: Option<String>,
    pub location: Option<Coord>,
    pub received_at: Option<i64>,
    pub recorded_by: Option<UserId>,
    /// The township it is assigned to now: the latest assignment's, else the one it was received for.
    pub township: UnitId,
    pub assignments: Vec<TipAssignment>,
    /// Cases opened on this tip.
    pub cases: Vec<EventId>,
    pub answer: Option<TipAnswer>,
}

impl Tip {
    /// Tips are counted until answered.
    pub fn is_open(&self) -> bool {
        self.answer.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipAssignment {
    pub event: EventId,
    pub by: UserId,
    pub at_ms: i64,
    pub township: UnitId,
    pub village: Option<UnitId>,
    pub brief: String,
    pub location: Option<Coord>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipAnswer {
    pub event: EventId,
    pub by: UserId,
    pub at_ms: i64,
    pub patrol: Option<EventId>,
    pub case: Option<EventId>,
    pub answer: String,
}

/// Who gave a tip: held only by replicas of the assigned township and the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Informant {
    pub event: EventId,
    pub tip: EventId,
    pub township: UnitId,
    pub name: String,
    pub contact: String,
    pub recorded_by: UserId,
}

fn ms(event: &Event) -> i64 {
    i64::try_from(event.hlc.ms).unwrap_or(i64::MAX)
}

impl Projection {
    fn tip_entry(&mut self, tip: EventId, township: &UnitId) -> &mut Tip {
        self.tips.entry(tip).or_insert_with(|| Tip {
            id: tip,
            channel: None,
            content: None,
            location: None,
            received_at: None,
            recorded_by: None,
            township: township.clone(),
            assignments: Vec::new(),
            cases: Vec::new(),
            answer: None,
        })
    }

    pub(super) fn receive_tip(&mut self, event: &Event, t: TipReceived) {
        let cases: Vec<EventId> =
            self.cases.values().filter(|c| c.source == crate::body::CaseSource::Tip(event.id)).map(|c| c.id).collect();
        let tip = self.tip_entry(event.id, &t.township);
        if tip.recorded_by.is_some() {
            return;
        }
        (tip.channel, tip.content, tip.location) = (Some(t.channel), Some(t.content), t.location);
        (tip.received_at, tip.recorded_by) = (Some(t.received_at), Some(event.author.clone()));
        if tip.assignments.is_empty() {
            tip.township = t.township;
        }
        for case in cases {
            if !tip.cases.contains(&case) {
                tip.cases.push(case);
            }
        }
    }

    pub(super) fn assign_tip(&mut self, event: &Event, a: TipAssigned) {
        let tip = self.tip_entry(a.tip, &a.township);
        if tip.assignments.iter().any(|x| x.event == event.id) {
            return;
        }
        tip.township = a.township.clone();
        tip.assignments.push(TipAssignment {
            event: event.id,
            by: event.author.clone(),
            at_ms: ms(event),
            township: a.township,
            village: a.village,
            brief: a.brief,
            location: a.location,
            note: a.note,
        });
    }

    pub(super) fn answer_tip(&mut self, event: &Event, a: TipAnswered) {
        let tip = self.tip_entry(a.tip, &a.township);
        match &tip.answer {
            Some(first) if first.event == event.id => {}
            Some(first) => {
                let problem = format!("tip {} was answered before (event {})", a.tip, first.event);
                self.conflict(event, problem);
            }
            None => {
                let answer = TipAnswer {
                    event: event.id,
                    by: event.author.clone(),
                    at_ms: ms(event),
                    patrol: a.patrol,
                    case: a.case,
                    answer: a.answer,
                };
                tip.answer = Some(answer);
            }
        }
    }

    /// The latest `tip.informant` in fold order stands (a corrected contact replaces the old one).
    pub(super) fn record_informant(&mut self, event: &Event, i: TipInformant) {
        let informant = Informant {
            event: event.id,
            tip: i.tip,
            township: i.township,
            name: i.name,
            contact: i.contact,
            recorded_by: event.author.clone(),
        };
        self.informants.insert(i.tip, informant);
    }

    pub(super) fn link_tip_case(&mut self, tip: EventId, case: EventId) {
        if let Some(t) = self.tips.get_mut(&tip)
            && !t.cases.contains(&case)
        {
            t.cases.push(case);
        }
    }

    /// Tips not yet answered, by id.
    pub fn open_tips(&self) -> impl Iterator<Item = &Tip> {
        self.tips.values().filter(|t| t.is_open())
    }

    /// The projection without any informant: what an export or a commissioner may see.
    pub fn without_informants(&self) -> Projection {
        let mut p = self.clone();
        p.informants.clear();
        p
    }
}
