//! The writer's in-memory copy of the reference data that routing, authorisation and the checks
//! consult for every event (units, zones, assignments, zone boundaries in event time). The writer
//! is the only writer, so the copy is exact; it is loaded on start and after any rolled-back batch.
//! What the checks read is shared, copy on write, with the snapshots the writer publishes for the
//! parallel prepare step (`checks::ahead`), under a version that every change renews.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use sync_protocol::admit::{Authority, SubjectFacts};
use sync_protocol::body::{AssignmentSet, Body, Subject, kind};
use sync_protocol::checks::licence_history::LicenceHistory;
use sync_protocol::checks::recheck::CheckConfig;
use sync_protocol::checks::zone_history::{ChangedPeriod, ZoneHistory};
use sync_protocol::fold::StepStage;
use sync_protocol::ids::{EventId, LicenceId, UnitId, UserId, ZoneId};
use sync_protocol::scope::RoutingIndex;
use sync_protocol::zones::ZoneVersions;

use super::StoreError;
use super::office::OfficeIndex;
use crate::args;
use crate::store::admission;
use crate::store::checks::CheckSnapshot;
use crate::store::sql::Sql;

#[derive(Debug, Default)]
pub struct Reference {
    parents: HashMap<UnitId, UnitId>,
    /// Per officer, `(from, zone)` in time order.
    assignments: HashMap<UserId, Vec<(i64, Option<ZoneId>)>>,
    /// Every zone boundary version and assignment in event time, prepared for the geofence.
    pub history: Arc<ZoneHistory>,
    /// Every licence's terms in event time, areas prepared, for the licence checks of findings.
    pub licences: Arc<LicenceHistory>,
    /// Renewed (`checks::next_version`) whenever `history` or `licences` changes, and on load.
    pub version: u64,
    /// Stored patrols by track fingerprint value, for copied tracks.
    pub fingerprints: sync_protocol::checks::plausibility::FingerprintIndex,
    /// The stored cases and tips, for admitting and routing their later steps.
    pub offices: OfficeIndex,
    /// Every zone's versions, placing the read model's patrols and findings.
    pub places: ZoneVersions,
}

impl Reference {
    pub fn load(conn: &dyn Sql) -> Result<Reference, StoreError> {
        Reference::load_keeping(conn, crate::store::checks::load_fingerprints(conn)?)
    }

    /// Reads everything again but the fingerprint index, which is kept as `fingerprints`: what a
    /// writer that catches up with another process's reference events reads (the index, the
    /// largest part, is caught up row by row instead).
    pub fn load_keeping(
        conn: &dyn Sql,
        fingerprints: sync_protocol::checks::plausibility::FingerprintIndex,
    ) -> Result<Reference, StoreError> {
        let mut r = Reference { fingerprints, ..Reference::default() };
        for row in conn.all("SELECT id, parent FROM units WHERE parent IS NOT NULL", args![])? {
            r.parents.insert(parse(&row.get::<String>(0)?)?, parse(&row.get::<String>(1)?)?);
        }
        for row in conn.all("SELECT officer, zone, valid_from FROM assignments ORDER BY valid_from, server_seq", args![])? {
            let zone = row.get::<Option<String>>(1)?.map(|z| parse(&z)).transpose()?;
            r.assignments.entry(parse(&row.get::<String>(0)?)?).or_default().push((row.get(2)?, zone));
        }
        let (history, licences) = crate::store::checks::load_histories(conn)?;
        (r.history, r.licences, r.version) = (Arc::new(history), Arc::new(licences), crate::store::checks::next_version());
        r.offices = OfficeIndex::load(conn)?;
        r.places = crate::store::read_model::zones(conn)?;
        Ok(r)
    }

    /// Whether an accepted event of `kind` changes this copy ([`Reference::apply`], and the zones'
    /// versions a `zone.defined` moves): what a writer looks for among another process's commits
    /// before it reads the copy again.
    pub fn changed_by(kind: &str) -> bool {
        matches!(
            kind,
            kind::UNIT_DEFINED
                | kind::ZONE_DEFINED
                | kind::ASSIGNMENT_SET
                | kind::LICENCE_GRANTED
                | kind::LICENCE_EXTENDED
                | kind::LICENCE_CHANGED
                | kind::LICENCE_TRANSFERRED
                | kind::LICENCE_CANCELLED
        )
    }

    /// Writes a reference body into the read-model tables and into this copy; returns the period
    /// whose geofence answers a zone or assignment change may have altered.
    pub fn apply(&mut self, conn: &dyn Sql, body: &Body, server_seq: i64) -> Result<Option<ChangedPeriod>, StoreError> {
        let mut changed = None;
        if matches!(body, Body::LicenceGranted(_)) || body.licence_change().is_some() {
            Arc::make_mut(&mut self.licences).apply(body);
            self.version = crate::store::checks::next_version();
        }
        match body {
            Body::UnitDefined(u) => {
                conn.run(
                    "INSERT INTO units (id, level, parent) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE SET level = excluded.level, parent = excluded.parent",
                    args![u.unit.as_str(), format!("{:?}", u.level).to_lowercase(), u.parent.as_ref().map(|p| p.as_str())],
                )?;
                if let Some(p) = &u.parent {
                    self.parents.insert(u.unit.clone(), p.clone());
                }
            }
            // Its versions (and so its current one) are the read model's `places`, set before this.
            Body::ZoneDefined(z) => {
                changed = Some(Arc::make_mut(&mut self.history).define_zone(z));
                self.version = crate::store::checks::next_version();
            }
            Body::AssignmentSet(a) => {
                let AssignmentSet { officer, zone, from, .. } = a;
                conn.run(
                    "INSERT INTO assignments (officer, zone, valid_from, server_seq) VALUES (?1, ?2, ?3, ?4)",
                    args![officer.as_str(), zone.as_ref().map(|z| z.as_str()), *from, server_seq],
                )?;
                let list = self.assignments.entry(officer.clone()).or_default();
                list.push((*from, zone.clone()));
                list.sort_by_key(|(from, _)| *from);
                changed = Some(Arc::make_mut(&mut self.history).set_assignment(a));
                self.version = crate::store::checks::next_version();
            }
            _ => {}
        }
        Ok(changed)
    }

    /// What the checks read, as of now, for the prepare step.
    pub fn snapshot(&self, config: &CheckConfig) -> CheckSnapshot {
        CheckSnapshot { version: self.version, zones: self.history.clone(), licences: self.licences.clone(), config: *config }
    }

    /// The `(from, to, zone)` periods of an officer's assignments; `to` is exclusive.
    fn periods(&self, officer: &UserId) -> impl Iterator<Item = (i64, i64, Option<&ZoneId>)> {
        let list = self.assignments.get(officer).map(Vec::as_slice).unwrap_or(&[]);
        list.iter().enumerate().map(move |(i, (from, zone))| {
            let to = list.get(i + 1).map_or(i64::MAX, |(next, _)| *next);
            (*from, to, zone.as_ref())
        })
    }

    /// The zone assigned to `officer` at `at_ms`.
    pub fn zone_at(&self, officer: &UserId, at_ms: i64) -> Option<&ZoneId> {
        self.periods(officer).filter(|(from, to, _)| *from <= at_ms && at_ms < *to).find_map(|(_, _, z)| z)
    }

    /// The village of `zone`'s current version (`sync_protocol::zones`).
    pub fn village_of_zone(&self, zone: &ZoneId) -> Option<&UnitId> {
        self.places.current(zone).map(|z| &z.village)
    }

    pub fn parent_of(&self, unit: &UnitId) -> Option<&UnitId> {
        self.parents.get(unit)
    }
}

/// The reference copy together with the writer's transaction, for lookups of stored patrols.
pub struct IngestView<'a> {
    pub reference: &'a Reference,
    pub conn: &'a dyn Sql,
}

impl Authority for IngestView<'_> {
    type Error = StoreError;

    fn was_assigned(&self, officer: &UserId, zone: &ZoneId, from_ms: i64, to_ms: i64) -> Result<bool, StoreError> {
        Ok(self.reference.periods(officer).any(|(from, to, z)| z == Some(zone) && from <= to_ms && from_ms < to))
    }

    fn had_any_zone(&self, officer: &UserId, from_ms: i64, to_ms: i64) -> Result<bool, StoreError> {
        Ok(self.reference.periods(officer).any(|(from, to, z)| z.is_some() && from <= to_ms && from_ms < to))
    }

    fn patrol_author(&self, patrol: &EventId) -> Result<Option<UserId>, StoreError> {
        Ok(self.patrol_row(patrol)?.map(|(author, _)| author))
    }

    fn subject(&self, subject: &Subject) -> Result<Option<SubjectFacts>, StoreError> {
        self.subject_facts(subject)
    }

    fn inspects(&self, inspector: &UserId, township: &UnitId) -> Result<bool, StoreError> {
        self.is_inspector_of(inspector, township)
    }

    fn case_township(&self, case: &EventId) -> Result<Option<UnitId>, StoreError> {
        Ok(self.reference.offices.case_township(case))
    }

    fn case_stage_after(&self, case: &EventId, step: &EventId) -> Result<StepStage, StoreError> {
        Ok(self.reference.offices.case_stage_after(case, step))
    }
}

impl RoutingIndex for IngestView<'_> {
    type Error = StoreError;

    fn zone_village(&self, zone: &ZoneId) -> Result<Option<UnitId>, StoreError> {
        Ok(self.reference.village_of_zone(zone).cloned())
    }

    fn parent(&self, unit: &UnitId) -> Result<Option<UnitId>, StoreError> {
        Ok(self.reference.parents.get(unit).cloned())
    }

    fn patrol_zone(&self, patrol: &EventId) -> Result<Option<ZoneId>, StoreError> {
        Ok(self.patrol_row(patrol)?.map(|(_, zone)| zone))
    }

    fn officer_zone(&self, officer: &UserId) -> Result<Option<ZoneId>, StoreError> {
        Ok(self.reference.periods(officer).last().and_then(|(_, _, z)| z.cloned()))
    }

    fn tip_township(&self, tip: &EventId) -> Result<Option<UnitId>, StoreError> {
        Ok(self.reference.offices.tip_township(tip))
    }

    fn case_township(&self, case: &EventId) -> Result<Option<UnitId>, StoreError> {
        Ok(self.reference.offices.case_township(case))
    }

    /// Read from the log: lifecycle events are rare, and the read model has no licence table.
    fn licence_villages(&self, licence: &LicenceId) -> Result<BTreeSet<UnitId>, StoreError> {
        admission::licence_villages(self.conn, licence)
    }

    fn finding_zone(&self, finding: &EventId) -> Result<Option<ZoneId>, StoreError> {
        Ok(self.finding(finding)?.map(|(_, f)| f.zone))
    }
}

pub(super) use crate::store::admission::parse;

#[cfg(test)]
mod tests {
    use super::*;
    use sync_protocol::body::ZoneDefined;
    use sync_protocol::values::Polygon;

    /// Every licence kind of the kind table changes the copy (a kind added to the table and not
    /// named in `changed_by` would leave another process's copy stale).
    #[test]
    fn every_licence_kind_changes_the_copy() {
        let licences: Vec<&str> = sync_protocol::body::KINDS.iter().map(|k| k.name).filter(|n| n.starts_with("licence.")).collect();
        assert_eq!(licences.len(), 5, "{licences:?}");
        assert!(licences.iter().all(|k| Reference::changed_by(k)), "{licences:?}");
        assert!(!Reference::changed_by(kind::PATROL_RECORDED));
    }

    #[test]
    fn each_change_the_checks_read_takes_a_new_version_and_published_snapshots_keep_theirs() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let conn = crate::store::sqlite::open_writer(&dir.path().join("central.db"))?;
        let mut reference = Reference::load(&conn)?;
        let before = reference.snapshot(&CheckConfig::default());
        assert_eq!(before.version, reference.version);
        let (lon, lat) = (1_145_000_000, 255_000_000);
        let zone = ZoneDefined {
            zone: ZoneId::new("Z1")?,
            village: UnitId::new("V1")?,
            township: UnitId::new("T1")?,
            name: "Z1".into(),
            boundary: Polygon(vec![vec![[lon, lat], [lon + 1_000, lat], [lon + 1_000, lat + 1_000], [lon, lat]]]),
            valid_from: 0,
        };
        reference.apply(&conn, &Body::ZoneDefined(zone), 1)?;
        let after_zone = reference.version;
        assert_ne!(after_zone, before.version);
        let officer = UserId::new("o1")?;
        let assignment = AssignmentSet { officer: officer.clone(), zone: Some(ZoneId::new("Z1")?), from: 0, by: None };
        reference.apply(&conn, &Body::AssignmentSet(assignment), 2)?;
        assert_ne!(reference.version, after_zone);
        assert!(reference.history.zone_at(&officer, 5).is_some());
        assert!(before.zones.zone_at(&officer, 5).is_none(), "a published snapshot is not changed by later writes");
        assert_ne!(Reference::load(&conn)?.version, reference.version, "a reload is a new version too");
        Ok(())
    }

    /// Before, the writer kept a zone's village in the order definitions arrived: a correction of
    /// an old version, arriving last, moved routing and flags to the old village.
    #[test]
    fn the_current_version_of_a_zone_is_the_latest_to_start_whatever_order_it_arrived_in() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let conn = crate::store::sqlite::open_writer(&dir.path().join("central.db"))?;
        let mut reference = Reference::load(&conn)?;
        let zone = ZoneId::new("Z1")?;
        for (seq, (valid_from, village)) in [(1_000, "V2"), (0, "V1")].into_iter().enumerate() {
            let z = ZoneDefined {
                zone: zone.clone(),
                village: UnitId::new(village)?,
                township: UnitId::new("T1")?,
                name: village.into(),
                boundary: Polygon(vec![]),
                valid_from,
            };
            // As the writer accepts it: the read model's versions, then the reference.
            crate::store::read_model::rows::define_zone(&conn, &mut reference.places, &z)?;
            reference.apply(&conn, &Body::ZoneDefined(z), seq as i64 + 1)?;
        }
        let v2 = UnitId::new("V2")?;
        assert_eq!(reference.village_of_zone(&zone), Some(&v2));
        assert_eq!(Reference::load(&conn)?.village_of_zone(&zone), Some(&v2), "as loaded again");
        let view = IngestView { reference: &reference, conn: &conn };
        assert_eq!(RoutingIndex::zone_village(&view, &zone)?, Some(v2.clone()), "routing");
        let stored: String = conn.query_row("SELECT village FROM zones WHERE id = 'Z1'", [], |r| r.get(0))?;
        assert_eq!(stored, "V2", "the store's zones, which assignments and scopes read");
        Ok(())
    }

    /// Before reads returned `Result`, a query that failed here read as "no such patrol": the
    /// amendment was refused for good and routed to the county only.
    #[test]
    fn a_failed_read_of_the_store_is_an_error_of_admission_and_routing_not_a_decision() -> Result<(), Box<dyn std::error::Error>> {
        use sync_protocol::admit::{Caller, ChainHead, Checked, admit};
        use sync_protocol::body::{PatrolAmended, Role};
        use sync_protocol::crypto::{DeviceKey, Hash};
        use sync_protocol::event::EventDraft;
        use sync_protocol::ids::DeviceId;
        use sync_protocol::scope::route;

        let dir = tempfile::tempdir()?;
        let conn = crate::store::sqlite::open_writer(&dir.path().join("central.db"))?;
        let reference = Reference::load(&conn)?;
        conn.execute_batch("ALTER TABLE patrols RENAME TO patrols_unreadable")?;
        let view = IngestView { reference: &reference, conn: &conn };
        let amended = Body::PatrolAmended(PatrolAmended {
            patrol: "0192f0c1-7a3b-7c00-8000-00000000000a".parse()?,
            summary: Some("更正：河道与采石场".into()),
            result: None,
            reason: "漏报采石场".into(),
        });
        assert!(matches!(route(EventId(uuid::Uuid::nil()), &amended, &view), Err(StoreError::Engine(_))));

        let key = DeviceKey::from_secret([4; 32]);
        let caller = Caller {
            user: UserId::new("vo-t01-v01")?,
            device: DeviceId("0192f0c1-0000-7000-8000-0000000000bb".parse()?),
            role: Role::VillageOfficer,
        };
        let event = EventDraft {
            id: "0192f0c1-7a3b-7c00-8000-00000000000b".parse()?,
            device_id: caller.device,
            seq: 1,
            hlc: sync_protocol::hlc::Hlc::new(1_764_131_257_000, 0),
            author: caller.user.clone(),
            kind: amended.kind().into(),
            body: amended.to_value(),
            prev: Hash::ZERO,
        }
        .seal(&key)?;
        let got = admit(&caller, ChainHead::EMPTY, &event, Checked::of(&event, &key.public()), None, None, &view);
        assert!(matches!(got, Err(StoreError::Engine(_))), "{got:?}");
        Ok(())
    }
}
