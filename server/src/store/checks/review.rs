//! A `flag.reviewed`, applied in the accepting transaction: the open flags of that kind on the
//! patrol or finding are stamped reviewed (they leave the open list), and a held patrol's check is
//! decided again with the review (`sync_protocol::checks::hold_review`).

use sync_protocol::body::{FlagReviewed, SubjectKind};
use sync_protocol::checks::hold_review::HoldReview;
use sync_protocol::checks::recheck::PatrolCheck;
use sync_protocol::event::Event;
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::flags::FlagReview;

use super::flags::stored_patrol_place;
use crate::args;
use crate::store::{StoreError, jobs::WriteCtx};

impl WriteCtx<'_> {
    /// Applies an accepted flag review.
    pub fn review_flag(&mut self, event: &Event, review: &FlagReviewed) -> Result<(), StoreError> {
        let record = FlagReview { verdict: review.verdict, by: event.author.clone(), note: review.note.clone(), review: event.id };
        let text = serde_json::to_string(&record).map_err(|e| StoreError::encode("a flag review", e))?;
        self.conn.write(
            "UPDATE flags SET reviewed_at = ?3, review = ?4
             WHERE event_id = ?1 AND kind = ?2 AND cleared_at IS NULL AND reviewed_at IS NULL",
            args![review.subject.id.0.as_bytes(), review.flag.as_str(), self.now_ms, text],
        )?;
        if review.subject.kind == SubjectKind::Patrol {
            self.review_patrol_check(event, review)?;
        }
        Ok(())
    }

    /// Keeps the review with the patrol's check; when the decision changes, stores it and settles
    /// the patrol's quota flags.
    fn review_patrol_check(&mut self, event: &Event, review: &FlagReviewed) -> Result<(), StoreError> {
        let patrol = review.subject.id;
        let row: Option<(String, String)> = self
            .conn
            .optional("SELECT zone, report FROM patrol_checks WHERE patrol = ?1", args![patrol.0.as_bytes()])?
            .map(|r| Ok::<_, StoreError>((r.get(0)?, r.get(1)?)))
            .transpose()?;
        let (Some((zone, report)), Some((device, place))) = (row, stored_patrol_place(self.conn, patrol)?) else { return Ok(()) };
        let corrupt = |what: &str| StoreError::corrupt("patrol_checks", format!("{patrol}: bad {what}"));
        let zone: ZoneId = zone.parse().map_err(|_| corrupt("zone"))?;
        let old: PatrolCheck = serde_json::from_str(&report).map_err(|_| corrupt("report"))?;
        let hold = HoldReview { flag: review.flag, verdict: review.verdict, by: event.author.clone() };
        let new = old.clone().reviewed(hold, &self.checks.rules);
        if new != old {
            self.update_patrol_check(patrol, &new)?;
            if new.decision.counts {
                self.settle_quota_flags(patrol, device, &zone, &new, &place)?;
            }
        }
        Ok(())
    }
}
