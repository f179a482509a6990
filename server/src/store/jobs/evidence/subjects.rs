//! What the writer needs to know of an attachment's subject: for a patrol or finding who recorded
//! it, its zone, and for the evidence checks the finding's location and the patrol's span; for a
//! tip or case its township (from the office index). Read in the open batch.

use sync_protocol::admit::SubjectFacts;
use sync_protocol::body::{FindingReported, Subject, SubjectKind};
use sync_protocol::ids::{EventId, UnitId, UserId, ZoneId};

use crate::args;
use crate::store::StoreError;
use crate::store::admission;
use crate::store::jobs::reference::IngestView;

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
        admission::inspects(self.conn, inspector, township)
    }

    /// A stored patrol's author and zone.
    pub fn patrol_row(&self, patrol: &EventId) -> Result<Option<(UserId, ZoneId)>, StoreError> {
        admission::patrol_row(self.conn, patrol)
    }

    /// An accepted finding's author and body, read from the log.
    pub fn finding(&self, finding: &EventId) -> Result<Option<(UserId, FindingReported)>, StoreError> {
        admission::finding(self.conn, finding)
    }

    /// A stored patrol's start and end, Unix ms.
    pub fn patrol_span(&self, patrol: &EventId) -> Option<(i64, i64)> {
        self.conn
            .optional("SELECT started_at, ended_at FROM patrol_checks WHERE patrol = ?1", args![patrol.0.as_bytes()])
            .ok()
            .flatten()
            .and_then(|r| Some((r.get(0).ok()?, r.get(1).ok()?)))
    }
}
