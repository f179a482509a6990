//! An accepted `attachment.added`, stored with its place in the event's transaction and checked
//! against its finding and patrol (photo far away, or taken outside the patrol: flagged, kept).

use sync_protocol::body::{AttachmentAdded, BlobHash, MediaType};
use sync_protocol::checks::evidence::{EvidenceTarget, check_attachment};
use sync_protocol::event::Event;
use sync_protocol::ids::UserId;

use crate::args;
use crate::store::checks::Place;
use crate::store::jobs::reference::IngestView;
use crate::store::{StoreError, jobs::WriteCtx};

impl WriteCtx<'_> {
    /// Stores an accepted attachment and raises its evidence flags.
    pub fn record_attachment(&mut self, event: &Event, a: &AttachmentAdded, server_seq: i64) -> Result<(), StoreError> {
        let view = IngestView { reference: self.reference, conn: self.conn };
        // Admission made sure the subject is stored; without it the attachment has no place.
        let subject = view.subject_record(&a.subject)?;
        let target = subject.as_ref().map(|s| EvidenceTarget { location: s.location, patrol_span: view.patrol_span(&s.patrol) });
        // The week of the patrol the evidence belongs to, as the patrol's own flags carry.
        let at = target.and_then(|t| t.patrol_span).map_or(self.now_ms, |(start, _)| start);
        let place = match &subject {
            Some(s) => Place::of_zone(self.reference, &s.author, &s.zone, at),
            None => Place { township: view.office_township(&a.subject), ..Place::default() },
        };
        self.conn.write(
            "INSERT INTO attachments (server_seq, event_id, sha256, size, media_type, subject_kind, subject_id, officer,
                                      village, township, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            args![
                server_seq,
                event.id.0.as_bytes(),
                a.sha256.to_hex(),
                a.size,
                a.media_type.as_str(),
                a.subject.kind.as_str(),
                a.subject.id.0.as_bytes(),
                event.author.as_str(),
                place.village.as_ref().map(|v| v.as_str()),
                place.township.as_ref().map(|t| t.as_str()),
                self.now_ms,
            ],
        )?;
        crate::store::evidence_rows::attachment_stored(self.conn, server_seq)?;
        let Some(target) = target else { return Ok(()) };
        for flag in check_attachment(a, &target, &self.checks.evidence) {
            self.raise(Some(event.id), Some(event.device_id), flag.kind(), &flag.detail(), &place)?;
        }
        Ok(())
    }

    /// Makes a verified blob visible and logs it, once (`store::evidence_rows`).
    pub fn record_blob(&mut self, hash: &BlobHash, size: u64, media_type: MediaType, holder: &UserId) -> Result<(), StoreError> {
        crate::store::evidence_rows::record_blob(self.conn, self.log, (hash, size, media_type), holder, self.now_ms)
    }
}
