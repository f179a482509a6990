//! Binding a device identity to a user and enrolling its public key, on login. A device id is
//! bound to the first user who logs in with it and to the key it enrolled, for good.

use sync_protocol::crypto::Hash;
use sync_protocol::ids::UserId;
use sync_protocol::wire::DeviceEnrolment;

use super::WriteCtx;
use super::{Conflict, StoreError};
use crate::args;
use crate::store::principal;

impl WriteCtx<'_> {
    /// Enrols `device` for `user` if it is new; returns the seq the server expects next from it.
    pub fn enrol(&mut self, user: &UserId, device: &DeviceEnrolment) -> Result<u64, StoreError> {
        match principal::device(self.conn, device.device_id)? {
            Some(known) if &known.user != user => Err(StoreError::Conflict(Conflict::DeviceTaken)),
            Some(known) if known.key != device.public_key => Err(StoreError::Conflict(Conflict::DeviceKeyMismatch)),
            Some(known) if known.revoked => Err(StoreError::Conflict(Conflict::DeviceRevoked)),
            Some(_) => Ok(self.head(device.device_id)?.expected_seq()),
            None => {
                self.conn.run(
                    "INSERT INTO devices (id, user_id, public_key, label, enrolled_at, head_seq, head_hash) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
                    args![device.device_id.0.as_bytes(), user.as_str(), device.public_key.0.as_bytes(), device.label.as_str(), self.now_ms, &Hash::ZERO.0],
                )?;
                Ok(1)
            }
        }
    }
}
