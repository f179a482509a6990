//! What admission and routing read of stored rows (`store::admission`) on both engines, the reads
//! whose SQL differs by engine among them (JSON in the log's text and in a user's units): the
//! villages a licence's accepted events named, whether a user inspects a township now, a stored
//! patrol's author and zone.

use anyhow::{Result, ensure};
use patrolsync_server::args;
use patrolsync_server::store::admission;
use patrolsync_server::store::events;
use patrolsync_server::store::sql::Sql;
use std::collections::BTreeSet;
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::EventDraft;
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, UnitId, UserId, ZoneId};
use sync_protocol::wire::RejectReason;

/// What the scenario read back from an engine.
#[derive(Debug, PartialEq)]
struct Seen {
    villages: Vec<BTreeSet<UnitId>>,
    inspects: Vec<bool>,
    patrols: Vec<Option<(UserId, ZoneId)>>,
}

fn scenario(sql: &dyn Sql) -> Result<Seen> {
    let users = [
        ("insp", "township_inspector", r#"["t1", "t2"]"#, false),
        ("gone", "township_inspector", r#"["t1"]"#, true),
        ("off", "village_officer", r#"["t1"]"#, false),
    ];
    for (id, role, units, disabled) in users {
        sql.run(
            "INSERT INTO users (id, display_name, role, units, password_hash, disabled) VALUES (?1, ?1, ?2, ?3, '', ?4)",
            args![id, role, units, disabled],
        )?;
    }
    // Licence events as the server authors them: accepted, and one kept as rejected.
    let key = DeviceKey::from_secret([3; 32]);
    let lifecycle = [
        ("licence.granted", "L1", "[\"v1\", \"v2\"]", None),
        ("licence.changed", "L1", "[\"v3\"]", None),
        ("licence.granted", "L2", "[\"v2\"]", None),
        ("licence.changed", "L1", "[\"v9\"]", Some(RejectReason::NotAllowed)),
    ];
    for (seq, (kind, licence, villages, rejected)) in (1u64..).zip(lifecycle) {
        let body = serde_json::json!({ "licence": licence, "villages": serde_json::from_str::<serde_json::Value>(villages)? });
        let draft = EventDraft {
            id: EventId(uuid::Uuid::from_u128(u128::from(seq))),
            device_id: DeviceId(uuid::Uuid::from_u128(0xa)),
            seq,
            hlc: Hlc::new(1_700_000_000_000 + seq, 0),
            author: UserId::new("admin")?,
            kind: kind.into(),
            body,
            prev: Hash::ZERO,
        };
        let event = draft.seal(&key)?;
        events::insert_event(sql, &mut None, &event, &serde_json::to_string(&event)?, rejected.is_none(), rejected, 1)?;
    }
    let patrol = EventId(uuid::Uuid::from_u128(0xf0));
    sql.run("INSERT INTO patrols (id, author, zone, started_at) VALUES (?1, 'off', 'z1', 5)", args![patrol.0.as_bytes()])?;

    let mut seen = Seen { villages: Vec::new(), inspects: Vec::new(), patrols: Vec::new() };
    for licence in ["L1", "L2", "L3"] {
        seen.villages.push(admission::licence_villages(sql, &licence.parse()?)?);
    }
    for (user, township) in [("insp", "t2"), ("insp", "t3"), ("gone", "t1"), ("off", "t1"), ("nobody", "t1")] {
        seen.inspects.push(admission::inspects(sql, &UserId::new(user)?, &township.parse()?)?);
    }
    for id in [patrol, EventId(uuid::Uuid::from_u128(0xb))] {
        seen.patrols.push(admission::patrol_row(sql, &id)?);
    }
    ensure!(admission::finding(sql, &patrol)?.is_none(), "a patrol is no finding");
    Ok(seen)
}

#[test]
fn admissions_reads_answer_the_same_on_both_engines() -> Result<()> {
    let (on_sqlite, on_postgres) = super::on_both(scenario)?;

    let units = |list: &[&str]| list.iter().map(|u| u.parse()).collect::<Result<BTreeSet<UnitId>, _>>();
    ensure!(on_sqlite.villages == [units(&["v1", "v2", "v3"])?, units(&["v2"])?, BTreeSet::new()], "{on_sqlite:?}");
    ensure!(on_sqlite.inspects == [true, false, false, false, false], "{on_sqlite:?}");
    ensure!(on_sqlite.patrols == [Some((UserId::new("off")?, "z1".parse()?)), None], "{on_sqlite:?}");
    ensure!(on_sqlite == on_postgres, "SQLite saw {on_sqlite:?}\nPostgreSQL saw {on_postgres:?}");
    Ok(())
}
