//! What a township inspector or the county section records on a phone: the steps of a case and
//! the records of a tip (`docs/cases.md`), appended offline like every other own event.

use sync_protocol::body::Body;
use sync_protocol::ids::EventId;

use super::{Replica, ReplicaError};

impl Replica {
    /// Records a case or tip body (`case.*`, `tip.*`) as the active identity's next event and
    /// returns its id. Whether the author may record it is the server's decision, at sync.
    pub fn record_office(&mut self, body: &Body) -> Result<EventId, ReplicaError> {
        if !body.is_office_record() {
            return Err(ReplicaError::Invalid {
                what: "case or tip record",
                source: sync_protocol::ValidationError::Field {
                    field: "kind",
                    problem: format!("{} is not a case or tip kind", body.kind()),
                },
            });
        }
        Ok(self.append_own("case or tip record", body)?.id)
    }
}
