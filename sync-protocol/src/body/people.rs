//! People administration, authored by the server when an admin (or the user) acts: a user's record
//! changed, a password changed by its user, a password reset by an admin. Password events never
//! carry a password, a hash or any other secret: they say who and when.

use serde::{Deserialize, Serialize};

use super::reference::{Role, check_phone};
use crate::error::ValidationError;
use crate::ids::{UnitId, UserId};
use crate::values::check_text;

/// `user.changed` v1: `user`'s record from now on (name, role, units, phone), as a whole, changed
/// by the admin `by`. Routed like `user.enrolled`, to the units it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserChanged {
    pub user: UserId,
    pub display_name: String,
    pub role: Role,
    pub units: Vec<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub by: UserId,
}

/// `password.changed` v1: `user` chose a new password (their own change, or the one asked for at
/// the first login after a reset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChanged {
    pub user: UserId,
}

/// `password.reset` v1: someone other than `user` set their password: the admin `by` issuing a
/// one-time password (`one_time`: it must be changed at the next login), or, with no `by`, the
/// server's operator on its command line (`patrolsync-server set-password`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub user: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserId>,
    pub one_time: bool,
}

impl UserChanged {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("display_name", &self.display_name, 200)?;
        check_phone(self.phone.as_deref())
    }
}

impl PasswordChanged {
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

impl PasswordReset {
    pub fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::body::{Authorship, Body, kind};
    use serde_json::json;

    #[test]
    fn people_records_round_trip_carry_no_secret_and_only_the_server_authors_them() {
        let table = [
            (
                kind::USER_CHANGED,
                json!({"v": 1, "user": "ti-t01-1", "display_name": "何红梅", "role": "township_inspector", "units": ["T01", "T14"],
                       "phone": "0797-1234567", "by": "admin"}),
            ),
            (kind::PASSWORD_CHANGED, json!({"v": 1, "user": "vo-t01-v01"})),
            (kind::PASSWORD_RESET, json!({"v": 1, "user": "vo-t01-v01", "by": "admin", "one_time": true})),
            (kind::PASSWORD_RESET, json!({"v": 1, "user": "vo-t01-v01", "one_time": false})),
        ];
        for (k, value) in table {
            let body = Body::parse(k, &value).unwrap_or_else(|e| panic!("{k}: {e}"));
            assert_eq!((body.kind(), body.to_value()), (k, value.clone()));
            assert_eq!(body.authorship(), Authorship::Server, "{k}");
            for secret in ["password", "hash", "password_hash", "one_time_password"] {
                let mut extra = value.clone();
                extra[secret] = json!("hunter22");
                assert!(Body::parse(k, &extra).is_err(), "{k} refuses a {secret} field");
            }
        }
    }

    #[test]
    fn a_phone_holds_digits_and_separators_only() {
        for bad in ["", "call me", "1390000000０", &"1".repeat(33), "+86\u{7}139"] {
            let body = json!({"v": 1, "user": "u", "display_name": "x", "role": "admin", "units": [], "phone": bad, "by": "admin"});
            assert!(Body::parse(kind::USER_CHANGED, &body).is_err(), "{bad:?}");
        }
        let good = json!({"v": 2, "user": "u", "display_name": "x", "role": "admin", "units": [], "phone": "+86 (797) 123-4567"});
        assert!(Body::parse(kind::USER_ENROLLED, &good).is_ok());
    }
}
