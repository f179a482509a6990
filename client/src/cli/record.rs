//! Recording commands: `record-patrol`, `report-finding`, `zero-report`, `amend-patrol`. Each
//! parses its input at the edge, calls one replica method (offline) and prints the new id.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use sync_protocol::body::{FindingKind, Mineral, PatrolResult};
use sync_protocol::gcj02::Crs;
use sync_protocol::ids::{EventId, LicenceId, ZoneId};
use sync_protocol::values::{Coord, IsoWeek};

use crate::replica::{NewFinding, NewPatrol, Replica};
use crate::track;

#[derive(Debug, Args)]
pub struct PatrolArgs {
    /// GPX (.gpx) or GeoJSON (.geojson/.json) track with times.
    #[arg(long)]
    pub track: PathBuf,
    /// The zone patrolled (default: the zone assigned to you at the start).
    #[arg(long, value_parser = parse_zone)]
    pub zone: Option<ZoneId>,
    #[arg(long, default_value = "")]
    pub summary: String,
    /// Findings will be reported on this patrol (default: nothing found).
    #[arg(long)]
    pub findings: bool,
    /// Start time, RFC 3339 (default: the first track point).
    #[arg(long, value_parser = parse_time)]
    pub started_at: Option<i64>,
    /// End time, RFC 3339 (default: the last track point).
    #[arg(long, value_parser = parse_time)]
    pub ended_at: Option<i64>,
    /// The track's reference system: wgs84 (GPS) or gcj02 (Chinese map apps); stored as WGS 84.
    #[arg(long, default_value = "wgs84", value_parser = parse_crs)]
    pub crs: Crs,
    /// Fixes the OS marked as from a mock location provider (a testing aid: a phone app sets it
    /// from Android's `Location.isMock()`).
    #[arg(long, default_value_t = 0)]
    pub mock_fixes: u32,
}

#[derive(Debug, Args)]
pub struct FindingArgs {
    #[arg(long, value_parser = parse_event_id)]
    pub patrol: EventId,
    /// unlicensed_mining, unlicensed_exploration, beyond_licence, mining_under_exploration, illegal_trading,
    /// unapproved_method, tailings_without_approval, geological_hazard, unsafe_equipment, illegal_resource_fee, other
    #[arg(long, value_parser = parse_snake::<FindingKind>)]
    pub kind: FindingKind,
    /// Longitude in degrees (in `--crs`, WGS 84 / CGCS2000 by default).
    #[arg(long, allow_hyphen_values = true)]
    pub lon: f64,
    #[arg(long, allow_hyphen_values = true)]
    pub lat: f64,
    /// The location's reference system: wgs84 or gcj02; stored as WGS 84.
    #[arg(long, default_value = "wgs84", value_parser = parse_crs)]
    pub crs: Crs,
    /// Depth of the working below the surface, metres.
    #[arg(long)]
    pub depth_m: Option<i32>,
    /// Ground elevation at the location, metres above sea level (lets the licensed levels be checked).
    #[arg(long, allow_hyphen_values = true)]
    pub surface_elevation_m: Option<i32>,
    /// The licence (mine) the finding concerns, when the officer can name it.
    #[arg(long, value_parser = parse_licence)]
    pub licence: Option<LicenceId>,
    /// e.g. rare_earth, tin, kaolin, rock_salt, fluorite, ornamental_granite, building_sand_gravel_clay,
    /// brick_clay, lead_zinc
    #[arg(long, value_parser = parse_snake::<Mineral>)]
    pub mineral: Option<Mineral>,
    #[arg(long)]
    pub description: String,
    /// Stopped on the spot (制止).
    #[arg(long)]
    pub stopped: bool,
    /// When it was seen, RFC 3339 (default: now, when it is typed in); must lie within its patrol.
    #[arg(long, value_parser = parse_time)]
    pub observed_at: Option<i64>,
}

#[derive(Debug, Args)]
pub struct ZeroArgs {
    /// ISO week, e.g. 2026-W48 (default: this week, county time).
    #[arg(long, value_parser = parse_week)]
    pub week: Option<IsoWeek>,
    #[arg(long, default_value = "")]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    #[arg(long, value_parser = parse_event_id)]
    pub patrol: EventId,
    #[arg(long)]
    pub summary: Option<String>,
    /// nothing_found or findings
    #[arg(long, value_parser = parse_snake::<PatrolResult>)]
    pub result: Option<PatrolResult>,
    #[arg(long)]
    pub reason: String,
}

pub fn patrol(replica: &mut Replica, a: PatrolArgs) -> anyhow::Result<()> {
    let track = track::read_track_in(&a.track, a.crs).with_context(|| format!("importing the track {}", a.track.display()))?;
    let points = track.len();
    anyhow::ensure!(a.mock_fixes as usize <= points, "--mock-fixes {} is more than the track's {points} points", a.mock_fixes);
    let new = NewPatrol {
        track,
        zone: a.zone,
        started_at: a.started_at,
        ended_at: a.ended_at,
        summary: a.summary,
        findings: a.findings,
        mock_fixes: a.mock_fixes,
    };
    let id = replica.record_patrol(new)?;
    eprintln!("patrol recorded (巡查已记录), {points} track points, pending upload (待上传)");
    let verdict = replica.check_patrol(id)?;
    eprintln!("{}", super::format::patrol_check(&verdict));
    println!("{id}");
    Ok(())
}

pub fn finding(replica: &mut Replica, a: FindingArgs) -> anyhow::Result<()> {
    anyhow::ensure!(a.lon.is_finite() && (-180.0..=180.0).contains(&a.lon), "--lon {} is not a longitude between -180 and 180", a.lon);
    anyhow::ensure!(a.lat.is_finite() && (-90.0..=90.0).contains(&a.lat), "--lat {} is not a latitude between -90 and 90", a.lat);
    let (lon, lat) = a.crs.to_wgs84(a.lon, a.lat);
    let location = Coord::from_degrees(lon, lat).context("the finding's location")?;
    let new = NewFinding {
        patrol: a.patrol,
        kind: a.kind,
        location,
        depth_m: a.depth_m,
        surface_elevation_m: a.surface_elevation_m,
        licence: a.licence,
        mineral: a.mineral,
        description: a.description,
        stopped_on_spot: a.stopped,
        observed_at: a.observed_at,
    };
    let id = replica.report_finding(new)?;
    eprintln!("finding reported (发现已记录), pending upload (待上传)");
    // Without --observed-at the finding takes the typing time: say so when that is not within its
    // patrol, so that a finding noted earlier is not left at the wrong time unawares.
    if a.observed_at.is_none()
        && let Some(p) = replica.patrol(a.patrol)?
    {
        let at = replica.now_ms();
        if !(p.started_at..=p.ended_at).contains(&at) {
            let time = sync_protocol::values::county_time;
            eprintln!(
                "note (注意): observed at the typing time, {}, outside its patrol ({} to {}); give --observed-at for the time it was seen",
                time(at),
                time(p.started_at),
                time(p.ended_at)
            );
        }
    }
    eprintln!("{}", super::format::licence_verdict(&replica.check_finding(id)?));
    println!("{id}");
    Ok(())
}

pub fn zero_report(replica: &mut Replica, a: ZeroArgs) -> anyhow::Result<()> {
    let id = replica.file_zero_report(a.week, a.note)?;
    eprintln!("zero report filed (零报告已记录)");
    println!("{id}");
    Ok(())
}

pub fn amend(replica: &mut Replica, a: AmendArgs) -> anyhow::Result<()> {
    let id = replica.amend_patrol(a.patrol, a.summary, a.result, a.reason)?;
    eprintln!("patrol amended (巡查已更正); the original stays in the ledger");
    println!("{id}");
    Ok(())
}

fn parse_zone(s: &str) -> Result<ZoneId, String> {
    ZoneId::new(s).map_err(|e| e.to_string())
}

pub(super) fn parse_event_id(s: &str) -> Result<EventId, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

fn parse_licence(s: &str) -> Result<LicenceId, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

fn parse_crs(s: &str) -> Result<Crs, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

pub(super) fn parse_week(s: &str) -> Result<IsoWeek, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

pub(super) fn parse_time(s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s).map(|t| t.timestamp_millis()).map_err(|e| format!("{s:?} is not an RFC 3339 time: {e}"))
}

/// Parses a snake_case enum value the way the wire spells it.
pub(super) fn parse_snake<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| e.to_string())
}
