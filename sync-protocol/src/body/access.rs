//! Access records, authored by the server when an admin acts: a user disabled or enabled again, a
//! device identity revoked (a lost phone). The server's `users` and `devices` tables hold the
//! state that every request checks; these events are its audit trail in the signed log, and tell
//! county replicas what happened. They route to the county bucket only.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{DeviceId, UserId};

/// `user.disabled` v1: `user` may no longer log in or use a token, from this event on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDisabled {
    pub user: UserId,
    /// The admin who disabled the account.
    pub by: UserId,
}

/// `user.enabled` v1: a disabled `user` may log in again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEnabled {
    pub user: UserId,
    /// The admin who enabled the account.
    pub by: UserId,
}

/// `device.revoked` v1: the device identity `device` of `user` is refused from this event on, for
/// good; its tokens stop working and it cannot log in again. Its events already stored stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRevoked {
    pub device: DeviceId,
    /// The user the device identity is bound to.
    pub user: UserId,
    /// The admin who revoked it.
    pub by: UserId,
}

impl UserDisabled {
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

impl UserEnabled {
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

impl DeviceRevoked {
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::body::{Authorship, Body, kind};
    use serde_json::json;

    #[test]
    fn access_records_round_trip_and_only_the_server_authors_them() {
        let device = "0192f0c1-0000-7000-8000-0000000000aa";
        let table = [
            (kind::USER_DISABLED, json!({"v": 1, "user": "vo-t01-v01", "by": "admin"})),
            (kind::USER_ENABLED, json!({"v": 1, "user": "vo-t01-v01", "by": "admin"})),
            (kind::DEVICE_REVOKED, json!({"v": 1, "device": device, "user": "vo-t01-v01", "by": "admin"})),
        ];
        for (k, value) in table {
            let body = Body::parse(k, &value).unwrap_or_else(|e| panic!("{k}: {e}"));
            assert_eq!((body.kind(), body.to_value()), (k, value.clone()));
            assert_eq!(body.authorship(), Authorship::Server, "{k}");
            assert!(Body::known_kind(k));
            let mut extra = value.clone();
            extra["disabled"] = json!(false);
            assert!(Body::parse(k, &extra).is_err(), "{k} refuses unknown fields");
        }
    }
}
