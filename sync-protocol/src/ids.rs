//! Identifier newtypes: events, devices, users, units, zones and licences.
//! Parsing validates the form once, at the edge; the rest of the code trusts the type.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::error::ValidationError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The UUID as its lower-case hyphenated text.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map($name)
                    .map_err(|_| ValidationError::BadId { what: stringify!($name), value: truncate(s) })
            }
        }
    };
}

uuid_id!(
    /// An event's id: a UUIDv7 made on the device that authored it.
    EventId
);
uuid_id!(
    /// A device identity: one phone and one officer (a shared phone holds one per officer).
    DeviceId
);

macro_rules! slug_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// Checks the slug form: 1 to 64 characters of `a-z`, `A-Z`, `0-9`, `-`, `_`, `.`.
            pub fn new(s: impl Into<String>) -> Result<Self, ValidationError> {
                let s = s.into();
                if is_slug(&s) {
                    Ok($name(s))
                } else {
                    Err(ValidationError::BadId { what: stringify!($name), value: truncate(&s) })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::new(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

slug_id!(
    /// A user's login name, e.g. `vo-t03-v02` (stable, never reused).
    UserId
);
slug_id!(
    /// An administrative unit: the county, a township-level unit or a village, e.g. `T03-V02`.
    UnitId
);
slug_id!(
    /// A patrol zone, e.g. `Z-T03-V02`.
    ZoneId
);
slug_id!(
    /// A mine licence number (采矿许可证号 or 勘查许可证号).
    LicenceId
);

fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Keeps error messages short when the input was hostile.
pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_the_documented_alphabet_only() {
        assert!(UserId::new("vo-t03-v02").is_ok());
        assert!(UserId::new("a.b_c-9").is_ok());
        for bad in ["", "has space", "../etc", "名字", &"x".repeat(65)] {
            assert!(UserId::new(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn uuid_ids_round_trip_through_text() {
        let id: EventId = "0192f0c1-7a3b-7c00-8000-000000000001".parse().expect("valid uuid");
        assert_eq!(id.to_string(), "0192f0c1-7a3b-7c00-8000-000000000001");
        assert!("not-a-uuid".parse::<EventId>().is_err());
    }
}
