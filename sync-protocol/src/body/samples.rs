//! One realistic JSON body of every kind and every version the build reads, for the tests of the
//! kind table, routing and admission. Written as devices and the server write them.

use serde_json::{Value, json};

const T: i64 = 1_764_131_257_000;
const DEADLINE: i64 = 1_767_196_800_000;
pub(crate) const PATROL: &str = "0192f0c1-7a3b-7c00-8000-00000000000a";
pub(crate) const FINDING: &str = "0192f0c1-7a3b-7c00-8000-00000000000c";
pub(crate) const TIP: &str = "0192f0c1-7a3b-7c00-8000-000000000021";
pub(crate) const CASE: &str = "0192f0c1-7a3b-7c00-8000-000000000030";
const STEP: &str = "0192f0c1-7a3b-7c00-8000-000000000031";
const OTHER_STEP: &str = "0192f0c1-7a3b-7c00-8000-000000000032";

fn square(lon: i64, lat: i64, d: i64) -> Value {
    json!([[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]])
}

/// A case step of T01 made on `STEP`, with `extra` fields.
fn step(note: &str, extra: Value) -> Value {
    let mut body = json!({"v": 1, "case": CASE, "township": "T01", "after": STEP, "note": note});
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    body
}

/// `(kind, body)`: at least one of every kind and version.
pub(crate) fn all() -> Vec<(&'static str, Value)> {
    let mut out = field();
    out.extend(reference());
    out.extend(office());
    out
}

fn field() -> Vec<(&'static str, Value)> {
    let track = json!([[T, 1_145_000_000, 255_000_000, 5], [60_000, 900, 700, 5], [60_000, 900, 700, 6]]);
    vec![
        (
            "patrol.recorded",
            json!({"v": 1, "zone": "Z-T01-V01", "started_at": T, "ended_at": T + 120_000, "track": track,
                   "summary": "巡查河道，沿河岸步行至采石场", "result": "nothing_found"}),
        ),
        (
            "patrol.amended",
            json!({"v": 1, "patrol": PATROL, "summary": "更正：河道与采石场", "result": "findings", "reason": "漏报采石场"}),
        ),
        (
            "finding.reported",
            json!({"v": 1, "patrol": PATROL, "zone": "Z-T01-V01", "kind": "unlicensed_mining",
                   "location": {"lon": 1_145_000_500, "lat": 254_999_500}, "depth_m": 12, "mineral": "rare_earth",
                   "description": "露天开挖，现场有两台挖掘机", "stopped_on_spot": true, "observed_at": T + 60_000}),
        ),
        (
            "zero_report.filed",
            json!({"v": 2, "officer": "vo-t01-v01", "week": "2026-W48", "zone": "Z-T01-V01", "note": "走访两处旧矿口，未发现异常"}),
        ),
        ("zero_report.filed", json!({"v": 1, "officer": "vo-t01-v01", "week": "2026-W48"})),
        (
            "attachment.added",
            json!({"v": 1, "subject": {"kind": "finding", "id": FINDING}, "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                   "size": 1_834_112, "media_type": "image/jpeg", "file_name": "采坑东侧.jpg", "captured_at": T + 61_000,
                   "captured_place": {"lon": 1_145_000_600, "lat": 254_999_400}}),
        ),
    ]
}

fn reference() -> Vec<(&'static str, Value)> {
    let (lon, lat) = (1_145_000_000, 255_000_000);
    let user = "vo-t01-v01";
    vec![
        (
            "unit.defined",
            json!({"v": 1, "unit": "T01-V01", "level": "village", "name": "Village one", "name_zh": "一村", "parent": "T01", "land_office": false,
                   "boundary": square(lon, lat, 100_000)}),
        ),
        (
            "unit.defined",
            json!({"v": 2, "unit": "T01-V01", "level": "village", "name": "Village one", "name_zh": "一村", "parent": "T01", "land_office": false}),
        ),
        (
            "zone.defined",
            json!({"v": 1, "zone": "Z-T01-V01", "village": "T01-V01", "township": "T01", "name": "一村巡查区",
                   "boundary": square(lon, lat, 90_000), "valid_from": T - 86_400_000}),
        ),
        (
            "user.enrolled",
            json!({"v": 2, "user": user, "display_name": "邱海燕", "role": "village_officer", "units": ["T01-V01"], "phone": "13907970001",
                   "by": "admin"}),
        ),
        ("user.enrolled", json!({"v": 1, "user": user, "display_name": "邱海燕", "role": "village_officer", "units": ["T01-V01"]})),
        ("assignment.set", json!({"v": 2, "officer": user, "zone": "Z-T01-V01", "from": T - 86_400_000, "by": "admin"})),
        ("assignment.set", json!({"v": 1, "officer": user, "zone": "Z-T01-V01", "from": T - 86_400_000})),
        (
            "licence.granted",
            json!({"v": 1, "licence": "C3600002009", "holder": "县稀土矿业有限公司", "mineral": "rare_earth", "right": "mining",
                   "issuer": "county", "valid_from": 1_735_660_800_000_i64, "valid_to": 1_830_268_800_000_i64,
                   "area": square(lon + 20_000, lat + 20_000, 5_000), "top_m": 420, "bottom_m": 180, "villages": ["T01-V01"]}),
        ),
        (
            "licence.extended",
            json!({"v": 1, "licence": "C3600002009", "valid_to": 1_861_804_800_000_i64, "effective_from": T, "reason": "延续三年"}),
        ),
        (
            "licence.changed",
            json!({"v": 1, "licence": "C3600002009", "effective_from": T, "top_m": 400, "bottom_m": 200, "villages": ["T01-V01", "T01-V02"]}),
        ),
        ("licence.transferred", json!({"v": 1, "licence": "C3600002009", "holder": "赣南稀土开发有限公司", "effective_from": T})),
        ("licence.cancelled", json!({"v": 1, "licence": "C3600002009", "effective_from": T, "reason": "资源枯竭，注销"})),
        ("user.disabled", json!({"v": 1, "user": user, "by": "admin"})),
        ("user.enabled", json!({"v": 1, "user": user, "by": "admin"})),
        ("device.revoked", json!({"v": 1, "device": "0192f0c1-0000-7000-8000-0000000000bb", "user": user, "by": "admin"})),
        (
            "user.changed",
            json!({"v": 1, "user": user, "display_name": "邱海燕", "role": "village_officer", "units": ["T01-V01"], "by": "admin"}),
        ),
        ("password.changed", json!({"v": 1, "user": user})),
        ("password.reset", json!({"v": 1, "user": user, "by": "admin", "one_time": true})),
    ]
}

fn office() -> Vec<(&'static str, Value)> {
    let location = json!({"lon": 1_145_000_000, "lat": 255_000_000});
    vec![
        ("case.opened", json!({"v": 1, "source": {"finding": FINDING}, "township": "T01", "note": "已接收"})),
        ("case.opened", json!({"v": 1, "source": {"tip": TIP}, "township": "T01", "note": "举报立案"})),
        ("case.verified", step("现场核实，属实", json!({"verdict": "confirmed"}))),
        ("case.stopped", step("已制止，设备已封存", json!({}))),
        ("case.action_taken", step("责令整改", json!({"action": "rectify_order", "deadline": DEADLINE}))),
        ("case.action_taken", step("联合执法", json!({"action": "joint_action", "departments": ["police", "environment"]}))),
        ("case.referred", step("超出乡镇处置能力，移交县矿产股", json!({}))),
        ("case.marked_major", step("重大案件督办", json!({"deadline": DEADLINE}))),
        ("case.closed", step("罚款并整改到位", json!({"outcome": "penalised"}))),
        (
            "case.conflict_resolved",
            json!({"v": 1, "case": CASE, "township": "T01", "heads": [STEP, OTHER_STEP], "keep": STEP, "note": "以县矿产股意见为准"}),
        ),
        (
            "tip.received",
            json!({"v": 1, "channel": "hotline", "content": "夜间有人在河边挖砂", "location": location, "received_at": T, "township": "T01"}),
        ),
        ("tip.informant", json!({"v": 1, "tip": TIP, "township": "T01", "name": "王举报", "contact": "13900000000"})),
        (
            "tip.assigned",
            json!({"v": 1, "tip": TIP, "township": "T01", "village": "T01-V01", "brief": "请核查河边采砂点", "location": location, "note": "尽快"}),
        ),
        ("tip.answered", json!({"v": 1, "tip": TIP, "township": "T01", "case": CASE, "answer": "已立案查处"})),
        (
            "flag.reviewed",
            json!({"v": 1, "subject": {"kind": "patrol", "id": PATROL}, "flag": "impossible_speed", "township": "T01",
                   "verdict": "false_alarm", "note": "桥下信号漂移，已随同巡查核实"}),
        ),
    ]
}
