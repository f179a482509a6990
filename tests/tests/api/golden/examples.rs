//! The golden examples: one sealed event of every kind and version, with fixed keys, ids and
//! clocks, from realistic bodies (the text people type in Chinese). Frozen: once a file is
//! written, its example is never changed; a new kind or version adds a new example.

use serde_json::json;
use sync_protocol::body::{
    ActionKind, AssignmentSet, AttachmentAdded, BlobHash, Body, CaseActionTaken, CaseClosed, CaseConflictResolved, CaseMarkedMajor,
    CaseOpened, CaseReferred, CaseSource, CaseStopped, CaseVerified, DeviceRevoked, FindingKind, FindingReported, FlagReviewed,
    FlagVerdict, IssuingLevel, LicenceCancelled, LicenceChanged, LicenceExtended, LicenceGranted, LicenceTransferred, MediaType, Mineral,
    Outcome, PasswordChanged, PasswordReset, PatrolAmended, PatrolRecorded, PatrolResult, RightKind, Role, Subject, SubjectKind,
    TipAnswered, TipAssigned, TipChannel, TipInformant, TipReceived, UnitDefined, UnitLevel, UserChanged, UserDisabled, UserEnabled,
    UserEnrolled, Verdict, ZeroReportFiled, ZoneDefined,
};
use sync_protocol::crypto::{DeviceKey, Hash};
use sync_protocol::event::{Event, EventDraft};
use sync_protocol::hlc::Hlc;
use sync_protocol::ids::{DeviceId, EventId, LicenceId, UnitId, UserId, ZoneId};
use sync_protocol::values::{Coord, IsoWeek, Polygon, TrackPoint};
use sync_protocol::wire::FlagKind;

const T: i64 = 1_764_131_257_000;
const LON: i32 = 1_145_000_000;
const LAT: i32 = 255_000_000;

/// One golden file pair: `<name>.json` and `<name>.canonical`, and the key that signed it.
pub struct Example {
    pub name: String,
    pub event: Event,
    pub canonical: Vec<u8>,
    pub key: DeviceKey,
}

fn id(n: u32) -> EventId {
    EventId(uuid::Uuid::parse_str(&format!("0192f0c1-7a3b-7c00-8000-{n:012x}")).expect("uuid"))
}

fn unit(s: &str) -> UnitId {
    UnitId::new(s).expect("unit")
}

fn user(s: &str) -> UserId {
    UserId::new(s).expect("user")
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
            author: user(author),
            seq: 0,
            prev: Hash::ZERO,
        }
    }

    /// Seals `body` as the chain's next event, with id `n` and a clock `n` seconds after `T`.
    fn seal(&mut self, name: &str, n: u32, kind: &str, body: serde_json::Value) -> Example {
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
        Example { name: name.to_owned(), event, canonical, key: self.key.clone() }
    }

    fn body(&mut self, name: &str, n: u32, body: Body) -> Example {
        self.seal(name, n, body.kind(), body.to_value())
    }

    /// `body` written as an older `version` of its kind, whose fields it has (its newer fields
    /// left out).
    fn version(&mut self, name: &str, n: u32, body: Body, version: u64) -> Example {
        let mut value = body.to_value();
        value["v"] = json!(version);
        self.seal(name, n, body.kind(), value)
    }
}

/// Every golden example, in the order of their names.
pub fn examples() -> Vec<Example> {
    let mut phone = Chain::new(7, "0192f0c1-0000-7000-8000-0000000000bb", "vo-t01-v01");
    let mut server = Chain::new(9, "0192f0c1-0000-7000-8000-0000000000cc", "system");
    let mut out = vec![protocol_doc()];
    out.extend(field(&mut phone));
    out.extend(reference(&mut server));
    out.push(attachment(&mut phone));
    out.extend(licences_and_access(&mut server));
    out.extend(tips_and_cases());
    out.extend(people(&mut server));
    out
}

/// The worked example of docs/protocol.md §4.1 (a version 1 zero report), verbatim.
fn protocol_doc() -> Example {
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
    Example { name: "00-zero_report.filed-v1-protocol-doc".into(), event, canonical, key: doc.key }
}

/// A village officer's patrol, its amendment, a finding on it and a zero report.
fn field(phone: &mut Chain) -> Vec<Example> {
    let zone = ZoneId::new("Z-T01-V01").expect("zone");
    let track =
        (0..3).map(|i| TrackPoint { t: T + i * 60_000, lon: LON + i as i32 * 900, lat: LAT + i as i32 * 700, acc: Some(5) }).collect();
    let patrol = Body::PatrolRecorded(PatrolRecorded {
        zone: zone.clone(),
        started_at: T,
        ended_at: T + 120_000,
        track,
        summary: "巡查河道 \"river\" bank\twith a tab, a / and a \\ backslash\r\nsecond line".into(),
        result: PatrolResult::NothingFound,
        mock_fixes: 0,
    });
    let recorded = phone.body("01-patrol.recorded", 10, patrol);
    let patrol_id = recorded.event.id;
    let amended = Body::PatrolAmended(PatrolAmended {
        patrol: patrol_id,
        summary: Some("更正: 河道与采石场".into()),
        result: Some(PatrolResult::Findings),
        reason: "forgot the quarry".into(),
    });
    let finding = Body::FindingReported(FindingReported {
        patrol: patrol_id,
        zone: zone.clone(),
        kind: FindingKind::UnlicensedMining,
        location: Coord { lon: LON + 500, lat: LAT - 500 },
        depth_m: Some(12),
        surface_elevation_m: None,
        licence: None,
        mineral: Some(Mineral::RareEarth),
        description: "露天开挖 open pit".into(),
        stopped_on_spot: true,
        observed_at: T + 60_000,
    });
    let zero = Body::ZeroReportFiled(ZeroReportFiled {
        officer: user("vo-t01-v01"),
        week: IsoWeek::new(2026, 48).expect("week"),
        zone: Some(zone),
        note: "走访两处旧矿口，未发现异常".into(),
    });
    vec![
        recorded,
        phone.body("02-patrol.amended", 11, amended),
        phone.body("03-finding.reported", 12, finding),
        phone.body("04-zero_report.filed", 13, zero),
    ]
}

/// The reference data the server authors for one village.
fn reference(server: &mut Chain) -> Vec<Example> {
    let (zone, officer) = (ZoneId::new("Z-T01-V01").expect("zone"), user("vo-t01-v01"));
    let (village, township) = (unit("T01-V01"), unit("T01"));
    let unit_defined = Body::UnitDefined(UnitDefined {
        unit: village.clone(),
        level: UnitLevel::Village,
        name: "Village one".into(),
        name_zh: "一村".into(),
        parent: Some(township.clone()),
        land_office: false,
        boundary: Some(square(LON, LAT, 100_000)),
    });
    let zone_defined = Body::ZoneDefined(ZoneDefined {
        zone: zone.clone(),
        village: village.clone(),
        township,
        name: "Village one zone".into(),
        boundary: square(LON, LAT, 90_000),
        valid_from: T - 86_400_000,
    });
    let enrolled = Body::UserEnrolled(UserEnrolled {
        user: officer.clone(),
        display_name: "Qiu Haiyan 邱海燕".into(),
        role: Role::VillageOfficer,
        units: vec![village.clone()],
        phone: None,
        by: None,
    });
    let assignment = Body::AssignmentSet(AssignmentSet { officer, zone: Some(zone), from: T - 86_400_000, by: None });
    let licence = Body::LicenceGranted(LicenceGranted {
        licence: LicenceId::new("C3600002009").expect("licence"),
        holder: "县稀土矿业有限公司".into(),
        mineral: Mineral::RareEarth,
        right: RightKind::Mining,
        issuer: IssuingLevel::County,
        valid_from: 1_735_660_800_000,
        valid_to: 1_830_268_800_000,
        area: square(LON + 20_000, LAT + 20_000, 5_000),
        top_m: 420,
        bottom_m: 180,
        villages: vec![village],
    });
    vec![
        server.version("05-unit.defined", 20, unit_defined, 1),
        server.body("06-zone.defined", 21, zone_defined),
        server.version("07-user.enrolled", 22, enrolled, 1),
        server.version("08-assignment.set", 23, assignment, 1),
        server.body("09-licence.granted", 24, licence),
    ]
}

/// A photo of the finding, taken by the officer who reported it.
fn attachment(phone: &mut Chain) -> Example {
    let photo = Body::AttachmentAdded(AttachmentAdded {
        subject: Subject { kind: SubjectKind::Finding, id: id(12) },
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".parse::<BlobHash>().expect("hash"),
        size: 1_834_112,
        media_type: MediaType::Jpeg,
        file_name: Some("采坑东侧 IMG_0412.jpg".into()),
        captured_at: Some(T + 61_000),
        captured_place: Some(Coord { lon: LON + 560, lat: LAT - 470 }),
    });
    phone.body("10-attachment.added", 14, photo)
}

/// The licence's lifecycle after its grant, and an admin's access records.
fn licences_and_access(server: &mut Chain) -> Vec<Example> {
    let licence = LicenceId::new("C3600002009").expect("licence");
    let from = T + 86_400_000;
    let extended = Body::LicenceExtended(LicenceExtended {
        licence: licence.clone(),
        valid_to: 1_861_804_800_000,
        effective_from: from,
        reason: "采矿许可证延续登记，延续一年".into(),
    });
    let changed = Body::LicenceChanged(LicenceChanged {
        licence: licence.clone(),
        effective_from: from + 1_000,
        area: Some(square(LON + 20_000, LAT + 20_000, 4_000)),
        top_m: Some(400),
        bottom_m: Some(200),
        mineral: None,
        right: None,
        villages: Some(vec![unit("T01-V01"), unit("T01-V02")]),
    });
    let transferred = Body::LicenceTransferred(LicenceTransferred {
        licence: licence.clone(),
        holder: "赣州稀土开发有限公司".into(),
        effective_from: from + 2_000,
    });
    let cancelled =
        Body::LicenceCancelled(LicenceCancelled {
            licence, effective_from: from + 3_000, reason: "资源枯竭，矿山闭坑注销".into()
        });
    let (officer, admin) = (user("vo-t01-v02"), user("admin"));
    let device = DeviceId(uuid::Uuid::parse_str("0192f0c1-0000-7000-8000-0000000000f2").expect("uuid"));
    vec![
        server.body("11-licence.extended", 25, extended),
        server.body("12-licence.changed", 26, changed),
        server.body("13-licence.transferred", 27, transferred),
        server.body("14-licence.cancelled", 28, cancelled),
        server.body("15-user.disabled", 29, Body::UserDisabled(UserDisabled { user: officer.clone(), by: admin.clone() })),
        server.body("16-user.enabled", 30, Body::UserEnabled(UserEnabled { user: officer.clone(), by: admin.clone() })),
        server.body("17-device.revoked", 31, Body::DeviceRevoked(DeviceRevoked { device, user: officer, by: admin })),
    ]
}

/// A tip from the hotline, checked by the village, opened as a case by the township inspector,
/// referred to the county, which supervises and closes it; then the tip is answered.
fn tips_and_cases() -> Vec<Example> {
    let mut inspector = Chain::new(11, "0192f0c1-0000-7000-8000-0000000000dd", "ti-t01");
    let mut county = Chain::new(13, "0192f0c1-0000-7000-8000-0000000000ee", "ca-county");
    let (township, tip, case) = (|| unit("T01"), id(40), id(43));
    let place = Coord { lon: LON + 1_200, lat: LAT - 800 };
    let deadline = 1_767_196_800_000;
    let received = Body::TipReceived(TipReceived {
        channel: TipChannel::Hotline,
        content: "群众来电：一村河边每晚有抽砂船采砂，凌晨才走".into(),
        location: Some(place),
        received_at: T - 3_600_000,
        township: township(),
    });
    let informant = Body::TipInformant(TipInformant { tip, township: township(), name: "王先生".into(), contact: "13907970000".into() });
    let assigned = Body::TipAssigned(TipAssigned {
        tip,
        township: township(),
        village: Some(unit("T01-V01")),
        brief: "请一村巡查员夜间核查河边采砂点".into(),
        location: Some(place),
        note: "注意安全，勿单独行动".into(),
    });
    let opened = Body::CaseOpened(CaseOpened { source: CaseSource::Tip(tip), township: township(), note: "举报立案".into() });
    let verified = Body::CaseVerified(CaseVerified {
        case,
        township: township(),
        after: id(43),
        verdict: Verdict::Confirmed,
        note: "现场核实，属实".into(),
    });
    let stopped =
        Body::CaseStopped(CaseStopped { case, township: township(), after: id(44), note: "已制止，抽砂船已扣押".into() });
    let action = Body::CaseActionTaken(CaseActionTaken {
        case,
        township: township(),
        after: id(45),
        action: ActionKind::RectifyOrder,
        deadline: Some(deadline),
        departments: Vec::new(),
        note: "责令限期恢复河道原状".into(),
    });
    let referred = Body::CaseReferred(CaseReferred {
        case,
        township: township(),
        after: id(46),
        note: "涉嫌非法采矿，超出乡镇处置权限，移交县矿产股".into(),
    });
    let major =
        Body::CaseMarkedMajor(CaseMarkedMajor {
            case, township: township(), after: id(47), deadline, note: "列为重大案件督办".into()
        });
    let closed = Body::CaseClosed(CaseClosed {
        case,
        township: township(),
        after: id(48),
        outcome: Outcome::Transferred,
        note: "移送公安机关立案侦查".into(),
    });
    let resolved = Body::CaseConflictResolved(CaseConflictResolved {
        case,
        township: township(),
        heads: vec![id(48), id(49)],
        keep: id(49),
        note: "以县矿产股结案意见为准".into(),
    });
    let answered =
        Body::TipAnswered(TipAnswered {
            tip, township: township(), patrol: None, case: Some(case), answer: "已立案并移送公安机关".into()
        });
    // The inspector reviews the held patrol of `01-patrol.recorded`: a false alarm.
    let reviewed = Body::FlagReviewed(FlagReviewed {
        subject: Subject { kind: SubjectKind::Patrol, id: id(10) },
        flag: FlagKind::ImpossibleSpeed,
        township: township(),
        verdict: FlagVerdict::FalseAlarm,
        note: "桥下信号漂移，已随同巡查核实，巡查属实".into(),
    });
    vec![
        inspector.body("18-tip.received", 40, received),
        inspector.body("19-tip.informant", 41, informant),
        inspector.body("20-tip.assigned", 42, assigned),
        inspector.body("21-case.opened", 43, opened),
        inspector.body("22-case.verified", 44, verified),
        inspector.body("23-case.stopped", 45, stopped),
        inspector.body("24-case.action_taken", 46, action),
        inspector.body("25-case.referred", 47, referred),
        county.body("26-case.marked_major", 48, major),
        county.body("27-case.closed", 49, closed),
        county.body("28-case.conflict_resolved", 50, resolved),
        inspector.body("29-tip.answered", 51, answered),
        inspector.body("30-flag.reviewed", 52, reviewed),
    ]
}

/// People administration: an officer enrolled by an admin with a phone, assigned, moved to
/// another village; a password reset by the admin and changed by its user; a village a roster
/// defined, with no boundary yet.
fn people(server: &mut Chain) -> Vec<Example> {
    let (officer, admin) = (user("vo-t01-v03"), user("admin"));
    let enrolled = Body::UserEnrolled(UserEnrolled {
        user: officer.clone(),
        display_name: "Zeng Liping 曾丽萍".into(),
        role: Role::VillageOfficer,
        units: vec![unit("T01-V03")],
        phone: Some("139 0797 0003".into()),
        by: Some(admin.clone()),
    });
    let assignment = Body::AssignmentSet(AssignmentSet {
        officer: officer.clone(),
        zone: Some(ZoneId::new("Z-T01-V03").expect("zone")),
        from: T,
        by: Some(admin.clone()),
    });
    let changed = Body::UserChanged(UserChanged {
        user: officer.clone(),
        display_name: "Zeng Liping 曾丽萍".into(),
        role: Role::VillageOfficer,
        units: vec![unit("T01-V04")],
        phone: None,
        by: admin.clone(),
    });
    let reset = Body::PasswordReset(PasswordReset { user: officer.clone(), by: Some(admin), one_time: true });
    let village = Body::UnitDefined(UnitDefined {
        unit: unit("T01-V04"),
        level: UnitLevel::Village,
        name: "Shangbao".into(),
        name_zh: "上堡村".into(),
        parent: Some(unit("T01")),
        land_office: false,
        boundary: None,
    });
    vec![
        server.body("31-user.enrolled-v2", 60, enrolled),
        server.body("32-assignment.set-v2", 61, assignment),
        server.body("33-user.changed", 62, changed),
        server.body("34-password.reset", 63, reset),
        server.body("35-password.changed", 64, Body::PasswordChanged(PasswordChanged { user: officer })),
        server.body("36-unit.defined-v2", 65, village),
    ]
}
