//! Fuzzes one pushed event as ingest prepares it (`patrolsync_server::service::ingest::prepare`): the
//! envelope read strictly, the canonical hash recomputed, the body parsed for its kind
//! (`Body::parse`) and the signature checked. The form the server stores of an event that can take
//! a place in a chain must read back as the same event with the same verdicts: one text, one
//! reading.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patrolsync_server::service::ingest::prepare;
use patrolsync_server::store::{CheckSnapshot, Pushed};
use serde_json::value::RawValue;
use sync_protocol::body::Body;
use sync_protocol::crypto::DeviceKey;
use sync_protocol::event::{Event, IntegrityError};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(raw) = serde_json::from_str::<Box<RawValue>>(text) else { return };
    let key = DeviceKey::from_secret([3; 32]).public();
    // An empty reference: the checks computed ahead find no zone, which the writer would redo.
    let pushed = prepare(&[raw], &key, &CheckSnapshot::default());
    // Events whose body has no canonical encoding (a float, a number past 2^53, nesting past 32)
    // are quarantined, never chained: serde_json may write a float back one digit apart.
    if let [Pushed::Parsed { event, raw: stored, checked, .. }] = pushed.as_slice()
        && !matches!(checked.integrity, Err(IntegrityError::Invalid(_)))
    {
        let again: Event = serde_json::from_str(stored).expect("the stored form parses");
        assert_eq!(&again, event.as_ref(), "the stored form reads back as another event");
        assert_eq!(again.check_hash().is_ok(), event.check_hash().is_ok(), "the stored form changes the hash verdict");
        assert_eq!(Body::parse(&again.kind, &again.body).is_ok(), checked.body.is_ok());
    }
});
