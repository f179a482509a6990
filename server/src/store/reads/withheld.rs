//! Stored events that no longer match their hash, noticed when they are served: the page leaves
//! them out with a marker (`Withheld`), and each gets one `tampering:stored_event_changed` flag.
//! One changed row then stops nobody: every phone gets the rest of its pages and its acks.

use sync_protocol::event::Event;
use sync_protocol::ids::EventId;
use sync_protocol::wire::flag_kind::FlagKind;
use sync_protocol::wire::witness::Withheld;

use super::{StoreError, WriteCtx};
use crate::args;

/// The flag a changed stored event raises.
const FLAG: FlagKind = FlagKind::StoredEventChanged;

/// Why the stored row (`raw`, with the hash column `hash`) is not the event that was stored, if it
/// is not: its text does not parse, or does not hash to the hash it claims and the row holds.
pub fn problem(raw: &str, hash: &[u8]) -> Option<String> {
    let event: Event = match serde_json::from_str(raw) {
        Ok(event) => event,
        Err(e) => return Some(format!("the stored text is not an event: {e}")),
    };
    match event.content_hash() {
        Ok(h) if h == event.hash && h.0[..] == hash[..] => None,
        Ok(h) if h == event.hash => Some("the stored text hashes to another hash than its row holds".into()),
        Ok(_) => Some("the stored text does not hash to its hash".into()),
        Err(e) => Some(format!("the stored text cannot be hashed: {e}")),
    }
}

/// The marker of the changed row at `server_seq` with id column `id`.
pub fn marker(server_seq: u64, id: &[u8], problem: String) -> Withheld {
    let id = uuid::Uuid::from_slice(id).ok().map(EventId);
    Withheld { server_seq, id, problem }
}

impl WriteCtx<'_> {
    /// Raises the flag of each changed event not flagged before; logs each.
    pub fn flag_withheld(&mut self, withheld: &[Withheld]) -> Result<(), StoreError> {
        for w in withheld {
            let seen = self.conn.optional(
                "SELECT id FROM flags WHERE kind = ?1 AND detail LIKE ?2",
                args![FLAG.as_str(), format!("server_seq {} %", w.server_seq)],
            )?;
            if seen.is_none() {
                tracing::error!(server_seq = w.server_seq, event = ?w.id, problem = %w.problem, "a stored event was changed: withheld from pulls");
                let detail = format!("server_seq {} : {} (withheld from pulls; run audit verify)", w.server_seq, w.problem);
                self.flag(w.id, None, FLAG, &detail)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_good_only_if_its_text_hashes_to_both_hashes() {
        let key = sync_protocol::crypto::DeviceKey::from_secret([3; 32]);
        let raw = r#"{"id":"01a21630-4f76-79a4-87b4-c39121dd27f5","device_id":"01a21700-0000-7000-8000-000000000005","seq":1,"hlc":"1795668594550-00001","author":"vo-t02-v01","kind":"zero_report.filed","body":{"v":2,"officer":"vo-t02-v01","week":"2026-W48","zone":"Z-T02-V01","note":""},"prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"0000000000000000000000000000000000000000000000000000000000000000","sig":"SIG"}"#.replace("SIG", &"A".repeat(86));
        let mut event: serde_json::Value = serde_json::from_str(&raw).expect("json");
        let parsed: Event = serde_json::from_value(event.clone()).expect("event");
        let hash = parsed.content_hash().expect("hash");
        event["hash"] = hash.to_hex().into();
        event["sig"] = serde_json::to_value(key.sign(&hash)).expect("sig");
        let good = event.to_string();
        assert_eq!(problem(&good, &hash.0), None);
        assert!(problem(&good, &[0; 32]).is_some(), "the hash column changed");
        let edited = good.replace("\"note\":\"\"", "\"note\":\"edited\"");
        assert_ne!(edited, good);
        assert!(problem(&edited, &hash.0).expect("changed").contains("does not hash"));
        assert!(problem("{not json", &hash.0).expect("unreadable").contains("not an event"));
    }
}
