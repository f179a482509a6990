//! `attachment.added`: a photo or document attached to a patrol, a finding, a tip or a case, named by the SHA-256
//! of its bytes. The bytes travel separately (`/v1/blobs/{sha256}`), never inside the event.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::error::ValidationError;
use crate::ids::EventId;
use crate::values::{Coord, check_text, check_time};

/// The largest attachment an event may declare, in bytes (25 MiB: a 48-megapixel HEIC or a
/// minute of 1080p MP4 from a phone fits; a server may set a lower limit for its uploads).
pub const MAX_ATTACHMENT_BYTES: u64 = 25 * 1024 * 1024;

/// The SHA-256 of a blob's bytes: exactly 64 lowercase hex digits, so it is safe as a file name
/// and a path segment (no traversal shape can parse).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobHash(pub [u8; 32]);

impl BlobHash {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl FromStr for BlobHash {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower_hex = s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let bytes = if lower_hex { hex::decode(s).ok() } else { None };
        match bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()) {
            Some(b) => Ok(BlobHash(b)),
            None => Err(ValidationError::field("sha256", format!("{:?} is not 64 lowercase hex digits", crate::ids::truncate(s)))),
        }
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobHash({})", self.to_hex())
    }
}

impl Serialize for BlobHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BlobHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The media types evidence may have (the allow-list). Servers check them on the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MediaType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/heic")]
    Heic,
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "video/mp4")]
    Mp4,
}

impl MediaType {
    pub const ALL: [MediaType; 5] = [MediaType::Jpeg, MediaType::Png, MediaType::Heic, MediaType::Pdf, MediaType::Mp4];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Heic => "image/heic",
            MediaType::Pdf => "application/pdf",
            MediaType::Mp4 => "video/mp4",
        }
    }

    pub fn parse(s: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether EXIF capture time and place may be read from it (photos).
    pub fn is_photo(self) -> bool {
        matches!(self, MediaType::Jpeg | MediaType::Png | MediaType::Heic)
    }
}

/// What an attachment is evidence for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Patrol,
    Finding,
    /// A `tip.received`, by its id.
    Tip,
    /// A case, by the id of its `case.opened`.
    Case,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [SubjectKind::Patrol, SubjectKind::Finding, SubjectKind::Tip, SubjectKind::Case];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Patrol => "patrol",
            SubjectKind::Finding => "finding",
            SubjectKind::Tip => "tip",
            SubjectKind::Case => "case",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The event an attachment belongs to: a `patrol.recorded`, a `finding.reported`, a
/// `tip.received` or a `case.opened`, by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: EventId,
}

/// `attachment.added` v1. The attachment's id is the id of the event that adds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentAdded {
    pub subject: Subject,
    pub sha256: BlobHash,
    /// Bytes, 1 to [`MAX_ATTACHMENT_BYTES`].
    pub size: u64,
    pub media_type: MediaType,
    /// The file's name on the phone, for people; never used as a path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// When the photo was taken (EXIF DateTimeOriginal), Unix milliseconds, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<i64>,
    /// Where the photo was taken (EXIF GPS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_place: Option<Coord>,
}

impl AttachmentAdded {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.size == 0 || self.size > MAX_ATTACHMENT_BYTES {
            return Err(ValidationError::field("size", format!("must be between 1 and {MAX_ATTACHMENT_BYTES} bytes")));
        }
        if let Some(at) = self.captured_at {
            check_time("captured_at", at)?;
        }
        if let Some(name) = &self.file_name {
            if name.is_empty() {
                return Err(ValidationError::field("file_name", "is empty"));
            }
            check_text("file_name", name, 255)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{Body, kind};
    use serde_json::{Value, json};

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn attachment() -> Value {
        json!({
            "v": 1, "subject": {"kind": "finding", "id": "019ac0de-0000-7000-8000-000000000001"},
            "sha256": HASH, "size": 1234, "media_type": "image/jpeg", "file_name": "pit.jpg",
            "captured_at": 1_764_131_257_000_i64, "captured_place": {"lon": 1_145_000_000, "lat": 255_000_000}
        })
    }

    #[test]
    fn an_attachment_round_trips_through_its_json() {
        let body = Body::parse(kind::ATTACHMENT_ADDED, &attachment()).expect("valid attachment");
        assert_eq!(body.to_value(), attachment());
    }

    #[test]
    fn tips_and_cases_are_subjects_too() {
        for k in SubjectKind::ALL {
            let mut a = attachment();
            a["subject"]["kind"] = json!(k.as_str());
            assert!(Body::parse(kind::ATTACHMENT_ADDED, &a).is_ok(), "{k:?}");
            assert_eq!(SubjectKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn bad_attachments_are_refused() {
        let with = |key: &str, value: Value| {
            let mut a = attachment();
            a[key] = value;
            a
        };
        let cases = [
            with("sha256", json!(HASH.to_uppercase())),
            with("sha256", json!(&HASH[..63])),
            with("sha256", json!("../../../../etc/passwd")),
            with("size", json!(0)),
            with("size", json!(MAX_ATTACHMENT_BYTES + 1)),
            with("size", json!(-5)),
            with("media_type", json!("image/gif")),
            with("media_type", json!("text/html")),
            with("subject", json!({"kind": "licence", "id": "019ac0de-0000-7000-8000-000000000001"})),
            with("subject", json!({"kind": "finding"})),
            with("file_name", json!("")),
            with("file_name", json!("a\u{0}b")),
            with("captured_at", json!(5)),
            with("captured_place", json!({"lon": 1_145_000_000, "lat": 950_000_000})),
            with("extra", json!(1)),
        ];
        for body in cases {
            assert!(Body::parse(kind::ATTACHMENT_ADDED, &body).is_err(), "{body} must be refused");
        }
    }

    #[test]
    fn blob_hashes_are_exactly_lowercase_hex() {
        let cases: [(&str, bool); 7] = [
            (HASH, true),
            ("", false),
            ("..", false),
            ("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", false),
            ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", false),
            ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g", false),
            ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/", false),
        ];
        for (text, ok) in cases {
            assert_eq!(text.parse::<BlobHash>().is_ok(), ok, "{text}");
        }
        assert_eq!(HASH.parse::<BlobHash>().expect("hash").to_string(), HASH);
    }

    #[test]
    fn media_types_have_their_mime_names() {
        for m in MediaType::ALL {
            assert_eq!(MediaType::parse(m.as_str()), Some(m));
            assert_eq!(serde_json::to_value(m).expect("json"), json!(m.as_str()));
        }
        assert_eq!(MediaType::parse("image/gif"), None);
    }
}
