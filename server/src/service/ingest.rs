//! The costly, parallel half of ingest, done before the single writer: parse each pushed event,
//! recompute its canonical hash, verify signatures in a batch, and compute the half of its checks
//! that reads the reference alone (geofence, fingerprint, licence verdict: `store::CheckSnapshot`)
//! on the writer's last published snapshot. The writer then only decides and writes.

use serde_json::value::RawValue;
use sync_protocol::admit::Checked;
use sync_protocol::body::Body;
use sync_protocol::crypto::{PublicKey, verify_batch};
use sync_protocol::event::{Event, IntegrityError};
use sync_protocol::wire::MAX_EVENT_BYTES;

use crate::store::{CheckSnapshot, Pushed};

/// How much of a malformed event is kept as evidence.
const MAX_QUARANTINED_BYTES: usize = 16 * 1024;

/// Parses and checks a push signed by the device key `key`, computing its checks at ingest on
/// `snapshot`. Pure CPU: run it off the async workers.
pub fn prepare(raws: &[Box<RawValue>], key: &PublicKey, snapshot: &CheckSnapshot) -> Vec<Pushed> {
    let mut out: Vec<Pushed> = raws.iter().map(|raw| parse_one(raw.get())).collect();
    let to_verify: Vec<usize> = out
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p, Pushed::Parsed { checked, .. } if checked.integrity.is_ok()))
        .map(|(i, _)| i)
        .collect();
    let triples: Vec<_> = to_verify
        .iter()
        .filter_map(|&i| match &out[i] {
            Pushed::Parsed { event, .. } => Some((*key, event.hash, event.sig)),
            Pushed::Malformed { .. } => None,
        })
        .collect();
    if !verify_batch(&triples) {
        // At least one is bad: find which, one by one.
        for i in to_verify {
            if let Pushed::Parsed { event, checked, .. } = &mut out[i]
                && !key.verify(&event.hash, &event.sig)
            {
                checked.integrity = Err(IntegrityError::BadSignature);
            }
        }
    }
    for pushed in &mut out {
        if let Pushed::Parsed { event, checked, ahead, .. } = pushed
            && checked.integrity.is_ok()
            && let Ok(body) = &checked.body
        {
            *ahead = snapshot.precheck(event, body).map(Box::new);
        }
    }
    out
}

fn parse_one(raw: &str) -> Pushed {
    if raw.len() > MAX_EVENT_BYTES {
        return malformed(raw, format!("the event takes {} bytes, more than {MAX_EVENT_BYTES}", raw.len()));
    }
    match serde_json::from_str::<Event>(raw) {
        Ok(event) => {
            // The signature is checked afterwards, for the whole push at once.
            let checked = Checked { integrity: event.check_hash(), body: Body::parse(&event.kind, &event.body) };
            match serde_json::to_string(&event) {
                Ok(compact) => Pushed::Parsed { event: Box::new(event), raw: compact, checked: Box::new(checked), ahead: None },
                Err(e) => malformed(raw, e.to_string()),
            }
        }
        Err(e) => malformed(raw, e.to_string()),
    }
}

/// The `id` and `seq` of an element that is not a valid envelope, read without building any other
/// value: serde_json skips the rest without recursing, however deep or odd it is.
#[derive(serde::Deserialize)]
struct Loose {
    #[serde(default)]
    id: Option<Box<RawValue>>,
    #[serde(default)]
    seq: Option<Box<RawValue>>,
}

fn malformed(raw: &str, problem: String) -> Pushed {
    let loose: Option<Loose> = serde_json::from_str(raw).ok();
    let id = loose.as_ref().and_then(|l| serde_json::from_str(l.id.as_ref()?.get()).ok());
    let seq = loose.as_ref().and_then(|l| serde_json::from_str(l.seq.as_ref()?.get()).ok());
    let mut end = raw.len().min(MAX_QUARANTINED_BYTES);
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    Pushed::Malformed { id, seq, raw: raw[..end].to_string(), problem: format!("not a valid event envelope: {problem}") }
}
