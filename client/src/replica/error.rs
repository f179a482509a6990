//! The replica layer's one error type: what can go wrong opening, reading or writing the phone's
//! SQLite file, or recording an event. Messages are meant for the officer; causes are chained.

use std::path::PathBuf;

use sync_protocol::ValidationError;
use sync_protocol::ids::EventId;

#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error("could not open the replica at {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("could not bring the replica's schema up to date")]
    Migrate(#[source] schema::MigrationError),
    #[error("replica database error")]
    Db(#[from] rusqlite::Error),
    #[error("stored JSON could not be read or written")]
    Json(#[from] serde_json::Error),
    #[error("the replica holds a value it cannot read ({what})")]
    Corrupt {
        what: &'static str,
        #[source]
        source: ValidationError,
    },
    #[error("no officer is logged in on this phone (未登录): run `patrol-device login` first")]
    NoIdentity,
    #[error("no officer {0:?} has logged in on this phone")]
    UnknownUser(String),
    #[error("the {what} is not valid")]
    Invalid {
        what: &'static str,
        #[source]
        source: ValidationError,
    },
    #[error("no patrol {0} in this replica (巡查记录不存在)")]
    UnknownPatrol(EventId),
    #[error("no finding {0} in this replica (发现记录不存在)")]
    UnknownFinding(EventId),
    #[error(
        "{user} is a {role}: a week's patrol quota and zero report are a village officer's (仅限动态巡查信息员); `report compliance` shows the officers'"
    )]
    NoQuota { user: String, role: &'static str },
    #[error("{0} (本角色不能记录): nothing recorded")]
    NotForRole(String),
    #[error("no zone is assigned to {0} at that time (无责任片区): sync first, or name the zone")]
    NoZone(String),
    #[error("no zone was assigned to {officer} in {week} (该周无责任片区): a zero report speaks for the zone one was responsible for")]
    NoZoneInWeek { officer: String, week: String },
    #[error("{week} has not begun (it is {now} now; 该周尚未开始): a zero report speaks for a week under way or past")]
    WeekNotBegun { week: String, now: String },
    #[error("no {0} in this replica")]
    UnknownSubject(String),
    #[error("could not store the evidence file {path}")]
    Evidence {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} is not evidence this system takes (JPEG, PNG, HEIC, PDF or MP4, judged by its content)")]
    UnsupportedMedia(String),
    #[error("the evidence file is empty or larger than {} bytes", sync_protocol::body::MAX_ATTACHMENT_BYTES)]
    EvidenceSize,
    #[error("the bytes received do not hash to {0}: not stored")]
    BlobMismatch(String),
}

impl ReplicaError {
    pub(crate) fn corrupt(what: &'static str) -> impl FnOnce(ValidationError) -> ReplicaError {
        move |source| ReplicaError::Corrupt { what, source }
    }

    pub(crate) fn invalid(what: &'static str) -> impl FnOnce(ValidationError) -> ReplicaError {
        move |source| ReplicaError::Invalid { what, source }
    }
}
