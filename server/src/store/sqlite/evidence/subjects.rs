//! What the writer needs to know of an attachment's subject: for a patrol or finding who recorded
//! it, its zone, and for the evidence checks the finding's location and the patrol's span; for a
//! tip or case its township (from the office index). Read in the open batch.

use rusqlite::OptionalExtension;
use sync_protocol::admit::SubjectFacts;
use sync_protocol::body::{Body, FindingReported, Subject, SubjectKind};
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, UnitId, UserId, ZoneId};

use crate::store::StoreError;
use crate::store::sqlite::reference::{IngestView, parse};

/// A stored subject: its author and zone, and what the evidence checks compare a photo with.
#[derive(Debug, Clone)]
pub struct SubjectRecord {
    pub author: UserId,
    pub zone: ZoneId,
    /// The patrol the subject is or belongs to.
    pub patrol: EventId,
    /// A finding's location.
    pub location: Option<sync_protocol::values::Coord>,
}

impl IngestView<'_> {
    /// The accepted `patrol.recorded` or `finding.reported` a subject names (`None` for tips and
    /// cases, which have no zone).
    pub fn subject_record(&self, subject: &Subject) -> Result<Option<SubjectRecord>, StoreError> {
        Ok(match subject.kind {
            SubjectKind::Patrol => {
                self.patrol_row(&subject.id)?.map(|(author, zone)| SubjectRecord { author, zone, patrol: subject.id, location: None })
            }
            SubjectKind::Finding => self.finding(&subject.id)?.map(|(author, f)| SubjectRecord {
                author,
                zone: f.zone,
                patrol: f.patrol,
                location: Some(f.location),
            }),
            SubjectKind::Tip | SubjectKind::Case => None,
        })
    }

    /// The township of a stored tip (where it is assigned now) or case.
    pub fn office_township(&self, subject: &Subject) -> Option<UnitId> {
        match subject.kind {
            SubjectKind::Tip => self.reference.offices.tip_township(&subject.id),
            SubjectKind::Case => self.reference.offices.case_township(&subject.id),
            SubjectKind::Patrol | SubjectKind::Finding => None,
        }
    }

    /// [`SubjectFacts`] for admission: the author and the township of the subject's zone, or the
    /// township of a tip or case.
    pub fn subject_facts(&self, subject: &Subject) -> Result<Option<SubjectFacts>, StoreError> {
        if matches!(subject.kind, SubjectKind::Tip | SubjectKind::Case) {
            return Ok(self.office_township(subject).map(|t| SubjectFacts { author: None, township: Some(t) }));
        }
        Ok(self.subject_record(subject)?.map(|record| {
            let township = self.reference.village_of_zone(&record.zone).and_then(|v| self.reference.parent_of(v)).cloned();
            SubjectFacts { author: Some(record.author), township }
        }))
    }

    /// Whether `inspector` is an enabled township inspector answering for `township`.
    pub fn is_inspector_of(&self, inspector: &UserId, township: &UnitId) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM users u, json_each(u.units) j
                            WHERE u.id = ?1 AND u.role = 'township_inspector' AND u.disabled = 0 AND j.value = ?2)",
        )?;
        Ok(stmt.query_row([inspector.as_str(), township.as_str()], |r| r.get(0))?)
    }

    /// A stored patrol's author and zone.
    pub fn patrol_row(&self, patrol: &EventId) -> Result<Option<(UserId, ZoneId)>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT author, zone FROM patrols WHERE id = ?1")?;
        let row: Option<(String, String)> = stmt.query_row([patrol.0.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        row.map(|(author, zone)| Ok((parse(&author)?, parse(&zone)?))).transpose()
    }

    /// An accepted finding's author and body, read from the log (the store keeps no finding table).
    pub fn finding(&self, finding: &EventId) -> Result<Option<(UserId, FindingReported)>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT raw FROM events WHERE id = ?1 AND kind = 'finding.reported' AND accepted = 1")?;
        let Some(raw) = stmt.query_row([finding.0.as_bytes()], |r| r.get::<_, String>(0)).optional()? else { return Ok(None) };
        let corrupt = |e: String| StoreError::corrupt("events", format!("finding {finding}: {e}"));
        let event: Event = serde_json::from_str(&raw).map_err(|e| corrupt(e.to_string()))?;
        match Body::parse(&event.kind, &event.body).map_err(|e| corrupt(e.to_string()))? {
            Body::FindingReported(f) => Ok(Some((event.author, f))),
            other => Err(corrupt(format!("stored as {}", other.kind()))),
        }
    }

    /// A stored patrol's start and end, Unix ms.
    pub fn patrol_span(&self, patrol: &EventId) -> Option<(i64, i64)> {
        self.conn
            .prepare_cached("SELECT started_at, ended_at FROM patrol_checks WHERE patrol = ?1")
            .and_then(|mut s| s.query_row([patrol.0.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .ok()
            .flatten()
    }
}
