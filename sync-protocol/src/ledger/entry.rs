//! What the events say of one patrol for its ledger row: the patrol as amended, its findings, its
//! attachments and its findings', and its evidence hashes. Everything here comes from the events of
//! the patrol's own group (`crate::read_model`), so the server's read model keeps it per patrol and
//! recomputes it when one of those events arrives. Where its zone lay and the cases on its findings
//! change apart from these events: they are read beside it ([`super::LedgerFacts`]).

use serde::{Deserialize, Serialize};

use crate::body::{FindingKind, Mineral, PatrolRecorded, PatrolResult};
use crate::event::Event;
use crate::fold::{Projection, track_length_m};
use crate::ids::{EventId, UserId, ZoneId};

use super::snake;

/// One patrol as its ledger row shows it, without the checks' answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatrolEntry {
    pub patrol: EventId,
    pub officer: UserId,
    pub zone: ZoneId,
    pub started_at: i64,
    pub ended_at: i64,
    pub distance_m: u64,
    /// As recorded, after amendments.
    pub result: PatrolResult,
    pub summary: String,
    /// Its findings, in the order folded.
    pub findings: Vec<FindingEntry>,
    /// The hash of the patrol's event, then of each finding's, hex.
    pub evidence: Vec<String>,
    /// The SHA-256 of each attachment of the patrol, then of each finding's in finding order.
    pub attachments: Vec<String>,
}

/// A finding as the ledger describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingEntry {
    pub id: EventId,
    pub kind: FindingKind,
    pub mineral: Option<Mineral>,
    pub stopped_on_spot: bool,
    /// By its own mineral; the licence check's verdict, once stored, decides instead.
    pub high_priority: bool,
}

impl FindingEntry {
    /// `kind/mineral`, then `stopped_on_spot` and `high_priority` when they hold (`high`: as the
    /// licence check says, or by its own mineral while it has not been checked).
    pub fn describe(&self, high: bool) -> String {
        let mut s = snake(&self.kind);
        if let Some(m) = self.mineral {
            s = format!("{s}/{}", snake(&m));
        }
        for (holds, tag) in [(self.stopped_on_spot, "stopped_on_spot"), (high, "high_priority")] {
            if holds {
                s.push_str(&format!(" {tag}"));
            }
        }
        s
    }
}

impl PatrolEntry {
    /// The entry of `patrol` in `p`; `hash_of` gives a finding event's hash (hex). `None` when `p`
    /// holds no such patrol.
    pub fn of(p: &Projection, patrol: &EventId, hash_of: impl Fn(&EventId) -> Option<String>) -> Option<PatrolEntry> {
        let x = p.patrols.get(patrol)?;
        let findings: Vec<_> = x.findings.iter().filter_map(|f| p.findings.get(f)).collect();
        let attachments = std::iter::once(&x.id).chain(&x.findings).flat_map(|s| p.attachments_of(s)).map(|a| a.sha256.to_hex());
        Some(PatrolEntry {
            patrol: x.id,
            officer: x.officer.clone(),
            zone: x.zone.clone(),
            started_at: x.started_at,
            ended_at: x.ended_at,
            distance_m: x.distance_m,
            result: x.result,
            summary: x.summary.clone(),
            findings: findings
                .iter()
                .map(|f| FindingEntry {
                    id: f.id,
                    kind: f.kind,
                    mineral: f.mineral,
                    stopped_on_spot: f.stopped_on_spot,
                    high_priority: f.high_priority,
                })
                .collect(),
            evidence: std::iter::once(x.evidence.clone()).chain(findings.iter().filter_map(|f| hash_of(&f.id))).collect(),
            attachments: attachments.collect(),
        })
    }

    /// The entry of a patrol whose group holds only its `patrol.recorded` (`event`, with its body
    /// `p` already read): what [`PatrolEntry::of`] gives for the fold of that one event, without
    /// reading the body again (the store's path for every new patrol).
    pub fn recorded(event: &Event, p: &PatrolRecorded) -> PatrolEntry {
        PatrolEntry {
            patrol: event.id,
            officer: event.author.clone(),
            zone: p.zone.clone(),
            started_at: p.started_at,
            ended_at: p.ended_at,
            distance_m: track_length_m(&p.track),
            result: p.result,
            summary: p.summary.clone(),
            findings: Vec::new(),
            evidence: vec![event.hash.to_hex()],
            attachments: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Body;
    use crate::fold::case_tests::event;
    use serde_json::json;

    #[test]
    fn a_recorded_patrol_alone_has_the_entry_of_its_fold() -> Result<(), Box<dyn std::error::Error>> {
        let track = json!([[1_764_131_257_000_i64, 1_145_000_000, 255_000_000, 5], [60_000, 900, 700, 5], [60_000, 900, 700, 6]]);
        let body = json!({"v": 1, "zone": "Z1", "started_at": 1_764_131_257_000_i64, "ended_at": 1_764_131_377_000_i64, "track": track,
            "summary": "river", "result": "nothing_found"});
        let mut e = event(7, 1, 1_764_131_400_000, "vo-1", "patrol.recorded", body);
        e.hash = crate::crypto::Hash([7; 32]);
        let Body::PatrolRecorded(p) = Body::parse(&e.kind, &e.body)? else { panic!("not a patrol") };
        let folded = PatrolEntry::of(&Projection::fold([&e]), &e.id, |_| None);
        assert_eq!(Some(PatrolEntry::recorded(&e, &p)), folded);
        assert!(folded.is_some_and(|f| f.distance_m > 0));
        Ok(())
    }
}
