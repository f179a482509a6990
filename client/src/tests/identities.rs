//! Identities on a shared phone: a re-login continues the same identity (device id, key, chain,
//! outbox); a second officer gets their own and neither sees nor loses the first one's events.

use super::fixture::{DAY, Fixture, NOWHERE};
use crate::replica::Replica;
use crate::sync;

#[tokio::test]
async fn an_ended_session_fails_sync_with_needs_login_and_leaves_the_outbox_alone() {
    let mut f = Fixture::new();
    let ids = [f.patrol_in_zone("a"), f.patrol_in_zone("b")];
    // Past the access token and the session's refresh token (30 days): only a login helps.
    f.clock.advance(31 * DAY);
    let err = sync::sync(&mut f.replica).await.expect_err("token expired");
    assert!(err.needs_login() && err.is_permanent(), "{err}");
    let status = f.replica.status().expect("status");
    assert_eq!(status.pending, 2);
    assert!(status.last_error.as_deref().is_some_and(|e| e.contains("log in again")), "{:?}", status.last_error);
    assert!(status.last_sync_at.is_none());

    let before = f.me();
    let again = f.login("vo-t01-v01", 1);
    assert_eq!((again.device_id, again.key.public()), (before.device_id, before.key.public()));
    assert!(again.has_valid_token(f.clock_now()));
    let third = f.patrol_in_zone("c");
    let own = f.own_events();
    assert_eq!(own.iter().map(|e| e.id).collect::<Vec<_>>(), vec![ids[0], ids[1], third]);
    assert!(own.iter().all(|e| e.author == before.user && e.device_id == before.device_id));
    assert_eq!(own[2].prev, own[1].hash, "the chain continues across the re-login");
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_first_and_an_unreachable_server_is_transient() {
    let mut f = Fixture::new();
    f.patrol_in_zone("a");
    f.clock.advance(4 * DAY);
    let err = sync::sync(&mut f.replica).await.expect_err("nothing listens");
    assert!(!err.needs_login() && !err.is_permanent(), "the refresh token is still good: {err}");
    assert_eq!(f.replica.status().expect("status").pending, 1);
}

#[tokio::test]
async fn a_transient_failure_is_recorded_and_changes_nothing_else() {
    let mut f = Fixture::new();
    f.patrol_in_zone("a");
    let err = sync::sync(&mut f.replica).await.expect_err("nothing listens");
    assert!(!err.is_permanent(), "{err}");
    let status = f.replica.status().expect("status");
    assert_eq!(status.pending, 1);
    assert!(status.last_error.is_some());
}

#[test]
fn a_second_officer_on_the_same_phone_has_their_own_identity() {
    let mut f = Fixture::new();
    let first = f.me();
    let theirs = f.patrol_in_zone("first officer's patrol");
    let second = f.login("vo-t01-v02", 1);
    assert_ne!(second.device_id, first.device_id);
    assert_ne!(second.key.public(), first.key.public());
    assert_eq!(f.replica.identities().expect("identities").len(), 2);

    let status = f.replica.status().expect("status");
    assert_eq!((status.username.as_str(), status.pending), ("vo-t01-v02", 0));
    assert_eq!(status.others.iter().map(|o| (o.username.as_str(), o.pending)).collect::<Vec<_>>(), vec![("vo-t01-v01", 1)]);
    assert!(f.replica.ledger().expect("ledger").patrols.is_empty(), "the first officer's ledger is not shown");
    assert_eq!(f.replica.outbox_state(theirs).expect("state"), None);
    let mine = f.patrol_in_zone("second officer's patrol");
    assert_eq!(f.own_events().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1], "a chain of their own");

    f.replica.switch_to("vo-t01-v01").expect("switch");
    assert_eq!(f.replica.status().expect("status").pending, 1);
    assert_eq!(f.replica.outbox_state(mine).expect("state"), None);
    assert!(f.replica.switch_to("nobody").is_err());
}

#[test]
fn identities_survive_reopening_the_file() {
    let mut f = Fixture::new();
    let me = f.me();
    f.patrol_in_zone("a");
    let reopened = Replica::open(f.path()).expect("reopen");
    let again = reopened.require_active().expect("active");
    assert_eq!(
        (again.device_id, again.key.secret(), again.next_seq, again.head),
        (me.device_id, me.key.secret(), 2, f.own_events()[0].hash)
    );
    let journal: String = reopened.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma");
    let sync_mode: i64 = reopened.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("pragma");
    assert_eq!((journal.as_str(), sync_mode), ("wal", 2));
    assert!(format!("{:?}", again.token).contains("redacted"));
    let _ = NOWHERE;
}

impl Fixture {
    pub fn patrol_in_zone(&mut self, summary: &str) -> sync_protocol::ids::EventId {
        let new = crate::replica::NewPatrol {
            track: super::fixture::track(super::fixture::T0, 3),
            zone: Some(sync_protocol::ids::ZoneId::new("Z-T01-V01").expect("zone")),
            summary: summary.into(),
            ..Default::default()
        };
        self.replica.record_patrol(new).expect("record")
    }
}
