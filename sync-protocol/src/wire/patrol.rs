//! `GET /v1/patrols/{id}`: a patrol's recording event as stored, the events that amend it
//! (`patrol.amended`, in the order the server stored them; the original is never changed), and the
//! enrolled public key of each device that signed one of them, so that a reader (the console's
//! patrol page) checks every hash and signature itself: the server vouches for nothing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::crypto::PublicKey;
use crate::event::Event;
use crate::ids::DeviceId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolRecord {
    /// The `patrol.recorded` event.
    pub event: Event,
    /// Its accepted `patrol.amended` events, oldest first.
    pub amendments: Vec<Event>,
    /// The key each device of these events enrolled (a device enrols one key, for good).
    pub keys: BTreeMap<DeviceId, PublicKey>,
}

impl PatrolRecord {
    /// Every event of the record: the recording first, then its amendments.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        std::iter::once(&self.event).chain(&self.amendments)
    }
}
