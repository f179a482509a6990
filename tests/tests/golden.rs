//! Golden wire files: one sealed example event of every kind the protocol has (fixed keys, ids and
//! HLCs), rebuilt from code and compared byte for byte with `tests/golden/`: the event as
//! `serde_json` writes it (`<name>.json`), the canonical bytes that are hashed
//! (`<name>.canonical`), and every hash and signature (`hashes.txt`). Any change to the wire
//! format, the canonical encoding or the hash fails this test.
//!
//! A deliberate change of the format regenerates the files (then review the diff and bump the
//! protocol version if old devices are affected):
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p patrolsync-tests --test golden -- --test-threads=1
//! ```

use anyhow::{Context, Result};
use serde_json::json;
use std::path::PathBuf;
use sync_protocol::body::{
    AssignmentSet, Body, FindingKind, FindingReported, IssuingLevel, LicenceGranted, Mineral, PatrolAmended, PatrolRecorded, PatrolResult,
    RightKind, Role, UnitDefined, UnitLevel, UserEnrolled, ZeroReportFiled, ZoneDefined,
};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, LicenceId, UnitId, UserId, ZoneId};
use sync_protocol::values::{Coord, IsoWeek, Polygon, TrackPoint};

const T: i64 = 1_764_131_257_000;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden")
}

fn id(n: u32) -> EventId {
    EventId(uuid::Uuid::parse_str(&format!("0192f0c1-7a3b-7c00-8000-{n:012x}")).expect("uuid"))
}

fn square(lon: i32, lat: i32, d: i32) -> Polygon {
    Polygon(vec![vec![[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]])
}

/// A chain of sealed events of one device, with a fixed key and fixed ids and clocks.
struct Chain {
    key: DeviceKey,
    device: DeviceId,
    author: UserId,
    seq: u64,
    prev: Hash,
}

impl Chain {
    fn new(seed: u8, device: &str, author: &str) -> Chain {
        Chain {
            key: DeviceKey::from_secret([seed; 32]),
            device: DeviceId(uuid::Uuid::parse_str(device).expect("uuid")),
            author: UserId::new(author).expect("user"),
            seq: 0,
            prev: Hash::ZERO,
        }
    }

    fn seal(&mut self, n: u32, kind: &str, body: serde_json::Value) -> (Event, Vec<u8>, DeviceKey) {
        self.seq += 1;
        let draft = EventDraft {
            id: id(n),
            device_id: self.device,
            seq: self.seq,
            hlc: Hlc::new(T as u64 + u64::from(n) * 1_000, n as u16),
            author: self.author.clone(),
            kind: kind.to_owned(),
            body,
            prev: self.prev,
        };
        let canonical = draft.canonical_bytes().expect("canonical");
        let event = draft.seal(&self.key).expect("seal");
        self.prev = event.hash;
        (event, canonical, self.key.clone())
    }

    fn body(&mut self, n: u32, body: Body) -> (Event, Vec<u8>, DeviceKey) {
        self.seal(n, body.kind(), body.to_value())
    }
}

/// Every golden example: (file name, event, canonical bytes, the key that signed it).
fn examples() -> Vec<(String, Event, Vec<u8>, DeviceKey)> {
    let mut out = Vec::new();
    let mut push = |name: &str, (event, canonical, key): (Event, Vec<u8>, DeviceKey)| {
        out.push((name.to_owned(), event, canonical, key));
    };

    // The worked example of docs/protocol.md §4.1 (a version 1 zero report), verbatim.
    let doc = Chain::new(3, "0192f0c1-0000-7000-8000-0000000000aa", "vo-t01-v01");
    let draft = EventDraft {
        id: id(1),
        device_id: doc.device,
        seq: 1,
        hlc: Hlc::new(1_764_131_257_000, 0),
        author: doc.author.clone(),
        kind: "zero_report.filed".into(),
        body: json!({"v": 1, "officer": "vo-t01-v01", "week": "2026-W48"}),
        prev: Hash::ZERO,
    };
    let canonical = draft.canonical_bytes().expect("canonical");
    let event = draft.seal(&doc.key).expect("seal");
    push("00-zero_report.filed-v1-protocol-doc", (event, canonical, doc.key.clone()));

    let (zone, officer) = (ZoneId::new("Z-T01-V01").expect("zone"), UserId::new("vo-t01-v01").expect("user"));
    let (village, township) = (UnitId::new("T01-V01").expect("unit"), UnitId::new("T01").expect("unit"));
    let (lon, lat) = (1_145_000_000, 255_000_000);

    let mut phone = Chain::new(7, "0192f0c1-0000-7000-8000-0000000000bb", "vo-t01-v01");
    let track =
        (0..3).map(|i| TrackPoint { t: T + i * 60_000, lon: lon + i as i32 * 900, lat: lat + i as i32 * 700, acc: Some(5) }).collect();
    let patrol = Body::PatrolRecorded(PatrolRecorded {
        zone: zone.clone(),
        started_at: T,
        ended_at: T + 120_000,
        track,
        summary: "巡查河道 \"river\" bank\twith a tab, a / and a \\ backslash\r\nsecond line".into(),
        result: PatrolResult::NothingFound,
        mock_fixes: 0,
    });
    let recorded = phone.body(10, patrol);
    let patrol_id = recorded.0.id;
    push("01-patrol.recorded", recorded);
    let amended = Body::PatrolAmended(PatrolAmended {
        patrol: patrol_id,
        summary: Some("更正: 河道与采石场".into()),
        result: Some(PatrolResult::Findings),
        reason: "forgot the quarry".into(),
    });
    push("02-patrol.amended", phone.body(11, amended));
    let finding = Body::FindingReported(FindingReported {
        patrol: patrol_id,
        zone: zone.clone(),
        kind: FindingKind::UnlicensedMining,
        location: Coord { lon: lon + 500, lat: lat - 500 },
        depth_m: Some(12),
        surface_elevation_m: None,
        licence: None,
        mineral: Some(Mineral::RareEarth),
        description: "露天开挖 open pit".into(),
        stopped_on_spot: true,
        observed_at: T + 60_000,
    });
    push("03-finding.reported", phone.body(12, finding));
    let zero = Body::ZeroReportFiled(ZeroReportFiled {
        officer: officer.clone(),
        week: IsoWeek::new(2026, 48).expect("week"),
        zone: Some(zone.clone()),
        note: "走访两处旧矿口，未发现异常".into(),
    });
    push("04-zero_report.filed", phone.body(13, zero));

    let mut server = Chain::new(9, "0192f0c1-0000-7000-8000-0000000000cc", "system");
    let unit = Body::UnitDefined(UnitDefined {
        unit: village.clone(),
        level: UnitLevel::Village,
        name: "Village one".into(),
        name_zh: "一村".into(),
        parent: Some(township.clone()),
        land_office: false,
        boundary: square(lon, lat, 100_000),
    });
    push("05-unit.defined", server.body(20, unit));
    let zone_defined = Body::ZoneDefined(ZoneDefined {
        zone: zone.clone(),
        village: village.clone(),
        township: township.clone(),
        name: "Village one zone".into(),
        boundary: square(lon, lat, 90_000),
        valid_from: T - 86_400_000,
    });
    push("06-zone.defined", server.body(21, zone_defined));
    let user = Body::UserEnrolled(UserEnrolled {
        user: officer.clone(),
        display_name: "Qiu Haiyan 邱海燕".into(),
        role: Role::VillageOfficer,
        units: vec![village.clone()],
    });
    push("07-user.enrolled", server.body(22, user));
    let assignment = Body::AssignmentSet(AssignmentSet { officer, zone: Some(zone), from: T - 86_400_000 });
    push("08-assignment.set", server.body(23, assignment));
    let licence = Body::LicenceGranted(LicenceGranted {
        licence: LicenceId::new("C3600002009").expect("licence"),
        holder: "县稀土矿业有限公司".into(),
        mineral: Mineral::RareEarth,
        right: RightKind::Mining,
        issuer: IssuingLevel::County,
        valid_from: 1_735_660_800_000,
        valid_to: 1_830_268_800_000,
        area: square(lon + 20_000, lat + 20_000, 5_000),
        top_m: 420,
        bottom_m: 180,
        villages: vec![village],
    });
    push("09-licence.granted", server.body(24, licence));
    out
}

/// The signature in its wire form (unpadded base64url).
fn sig(e: &Event) -> String {
    serde_json::to_value(e.sig).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn wire(event: &Event) -> Vec<u8> {
    let mut text = serde_json::to_vec(event).expect("json");
    text.push(b'\n');
    text
}

fn hashes(examples: &[(String, Event, Vec<u8>, DeviceKey)]) -> Vec<u8> {
    let mut text = String::from("# name hash sig public-key (see tests/tests/golden.rs; UPDATE_GOLDEN=1 regenerates)\n");
    for (name, e, _, key) in examples {
        text.push_str(&format!("{name} {} {} {}\n", e.hash.to_hex(), sig(e), key.public().to_base64()));
    }
    text.into_bytes()
}

#[test]
fn golden_events_are_rebuilt_byte_for_byte() -> Result<()> {
    let examples = examples();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, event, canonical, _) in &examples {
        files.push((format!("{name}.json"), wire(event)));
        files.push((format!("{name}.canonical"), canonical.clone()));
    }
    files.push(("hashes.txt".into(), hashes(&examples)));

    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(dir())?;
        for (name, bytes) in &files {
            std::fs::write(dir().join(name), bytes)?;
        }
        eprintln!("golden files written to {}", dir().display());
    }
    let mut differ = Vec::new();
    for (name, bytes) in &files {
        let golden = std::fs::read(dir().join(name)).with_context(|| format!("tests/golden/{name} is missing"))?;
        if &golden != bytes {
            differ.push(name.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "the wire format or the hash changed for {differ:?}; if that is intended, run \
         `UPDATE_GOLDEN=1 cargo test -p patrolsync-tests --test golden -- --test-threads=1` and review the diff"
    );
    Ok(())
}

#[test]
fn golden_files_are_valid_sealed_events_of_every_kind() -> Result<()> {
    let examples = examples();
    let mut kinds = std::collections::BTreeSet::new();
    for (name, _, canonical, key) in &examples {
        let text = std::fs::read_to_string(dir().join(format!("{name}.json")))?;
        let event: Event = serde_json::from_str(&text)?;
        event.check_hash().with_context(|| format!("{name}: hash"))?;
        assert!(key.public().verify(&event.hash, &event.sig), "{name}: signature");
        assert_eq!(event.draft().canonical_bytes()?, *canonical);
        assert_eq!(wire(&event), text.into_bytes(), "{name}: the wire form reads back and writes the same bytes");
        Body::parse(&event.kind, &event.body).with_context(|| format!("{name}: body"))?;
        kinds.insert(event.kind.clone());
    }
    let all = [
        "patrol.recorded",
        "patrol.amended",
        "finding.reported",
        "zero_report.filed",
        "unit.defined",
        "zone.defined",
        "user.enrolled",
        "assignment.set",
        "licence.granted",
    ];
    assert_eq!(kinds, all.into_iter().map(String::from).collect());
    // The worked example of docs/protocol.md, computed independently (Python, hashlib).
    assert_eq!(examples[0].1.hash.to_hex(), "e505e6533f621dae573c66b21d1b6e120b8e2924139b16efa52b4a1f6c3111c9");
    assert_eq!(sig(&examples[0].1), "CQaDrJ-AWdR6gFYx403X1pcj_7EKrgi44c6yTfGrSwPK4JVuiPMWu5QxJyv9oF9phTiH1RclXMhiAqTt8rK8CA");
    Ok(())
}
