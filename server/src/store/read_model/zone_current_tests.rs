//! "The current version of a zone" is decided once: the store's `zones` view (migration 0015) and
//! `sync_protocol::zones::ZoneVersions::current` name the same version for any definitions, in any
//! order, restarts at one `valid_from` included.

use proptest::prelude::*;
use rusqlite::{Connection, params};
use sync_protocol::ids::{UnitId, ZoneId};
use sync_protocol::zones::{ZonePlace, ZoneVersions};

proptest! {
    #[test]
    fn the_stores_current_zone_is_the_protocols(
        definitions in proptest::collection::vec((0u8..3, 0i64..4, 0u8..5), 1..24)
    ) {
        let mut conn = Connection::open_in_memory().expect("an in-memory store");
        schema::migrate(&mut conn, schema::CENTRAL).expect("the central schema");
        let mut versions = ZoneVersions::default();
        for (zone, valid_from, village) in &definitions {
            let (zone, village) = (format!("Z-{zone}"), format!("T01-V{village}"));
            // As the read model writes a definition (`rows::define_zone`): one row per start.
            conn.execute(
                "INSERT INTO zone_versions (zone, valid_from, village, township) VALUES (?1, ?2, ?3, 'T01')
                 ON CONFLICT (zone, valid_from) DO UPDATE SET village = excluded.village, township = excluded.township",
                params![zone, valid_from, village],
            )
            .expect("a version");
            let place = ZonePlace { valid_from: *valid_from, village: UnitId::new(&village).expect("unit"), township: UnitId::new("T01").expect("unit") };
            versions.insert(ZoneId::new(&zone).expect("zone"), place);
        }
        let mut stmt = conn.prepare("SELECT id, village, township FROM zones ORDER BY id").expect("the view");
        let stored: Vec<(String, String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("rows").map(|r| r.expect("a row")).collect();
        let protocol: Vec<(String, String, String)> = versions
            .iter()
            .filter_map(|(zone, _)| versions.current(zone).map(|p| (zone.to_string(), p.village.to_string(), p.township.to_string())))
            .collect();
        prop_assert_eq!(stored, protocol);
    }
}
