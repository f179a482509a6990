//! The data set as files: villages as a GeoJSON FeatureCollection (integer property `id`, one
//! Polygon each, lon/lat in degrees) and fixes as CSV `track_id,seq,lon,lat,village_id` (degrees;
//! `village_id` empty when no village holds the fix). Coordinates are taken to 1e-7 degree, the
//! wire's precision.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use geojson::{Feature, FeatureCollection, GeoJson, Geometry, Value};
use sync_protocol::values::{Polygon, TrackPoint};

/// Start of every track read from a CSV, Unix milliseconds; fixes are 30 s apart by `seq`.
const T0: i64 = 1_764_115_200_000;

#[derive(Debug, Clone)]
pub struct Village {
    pub id: i64,
    pub boundary: Polygon,
}

#[derive(Debug, Clone)]
pub struct Track {
    pub id: u64,
    /// The village (index into `villages`) whose zone the track's officer is assigned.
    pub village: usize,
    pub fixes: Vec<TrackPoint>,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub villages: Vec<Village>,
    pub tracks: Vec<Track>,
    /// From a CSV: each fix's `village_id`, in track order then fix order.
    pub expected: Option<Vec<Option<i64>>>,
}

impl Dataset {
    pub fn points(&self) -> usize {
        self.tracks.iter().map(|t| t.fixes.len()).sum()
    }
}

fn deg(e7: i32) -> f64 {
    f64::from(e7) / 1e7
}

fn e7(deg: f64) -> Result<i32> {
    let v = (deg * 1e7).round();
    if !(-1.8e9..=1.8e9).contains(&v) {
        bail!("coordinate {deg} out of range");
    }
    Ok(v as i32)
}

/// Writes `villages.geojson` and `points.csv` into `dir`; `village_of` gives each fix's village id.
pub fn write(dir: &Path, data: &Dataset, village_of: impl Fn(&TrackPoint) -> Option<i64>) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let features = data
        .villages
        .iter()
        .map(|v| {
            let rings = v.boundary.0.iter().map(|r| r.iter().map(|p| vec![deg(p[0]), deg(p[1])]).collect()).collect();
            let mut properties = serde_json::Map::new();
            properties.insert("id".into(), v.id.into());
            Feature { geometry: Some(Geometry::new(Value::Polygon(rings))), properties: Some(properties), ..Feature::default() }
        })
        .collect();
    let json = GeoJson::FeatureCollection(FeatureCollection { bbox: None, features, foreign_members: None }).to_string();
    std::fs::write(dir.join("villages.geojson"), json).context("writing villages.geojson")?;
    let mut csv = csv::Writer::from_path(dir.join("points.csv")).context("creating points.csv")?;
    csv.write_record(["track_id", "seq", "lon", "lat", "village_id"])?;
    for track in &data.tracks {
        for (seq, fix) in track.fixes.iter().enumerate() {
            let village = village_of(fix).map(|id| id.to_string()).unwrap_or_default();
            csv.write_record([
                track.id.to_string(),
                seq.to_string(),
                format!("{:.7}", deg(fix.lon)),
                format!("{:.7}", deg(fix.lat)),
                village,
            ])?;
        }
    }
    csv.flush()?;
    Ok(())
}

/// Reads villages and fixes. A track's zone is the village most of its fixes lie in (by the
/// CSV); tracks with no fix in any village are left out.
pub fn read(villages: &Path, points: &Path) -> Result<Dataset> {
    let text = std::fs::read_to_string(villages).with_context(|| format!("reading {}", villages.display()))?;
    let GeoJson::FeatureCollection(fc) = text.parse::<GeoJson>().context("parsing the villages' GeoJSON")? else {
        bail!("{}: not a FeatureCollection", villages.display());
    };
    let mut out = Vec::with_capacity(fc.features.len());
    for (n, f) in fc.features.iter().enumerate() {
        let id = f.property("id").and_then(serde_json::Value::as_i64).ok_or_else(|| anyhow!("feature {n}: no integer property id"))?;
        let Some(Value::Polygon(rings)) = f.geometry.as_ref().map(|g| &g.value) else {
            bail!("village {id}: not a Polygon");
        };
        let rings = rings
            .iter()
            .map(|r| r.iter().map(|p| Ok([e7(p[0])?, e7(*p.get(1).ok_or_else(|| anyhow!("village {id}: short position"))?)?])).collect())
            .collect::<Result<Vec<Vec<[i32; 2]>>>>()?;
        out.push(Village { id, boundary: Polygon(rings) });
    }
    let index_of: BTreeMap<i64, usize> = out.iter().enumerate().map(|(i, v)| (v.id, i)).collect();
    // track id -> (seq, fix, village id)
    let mut rows: BTreeMap<u64, Vec<(u64, TrackPoint, Option<i64>)>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(points).with_context(|| format!("reading {}", points.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    if header != ["track_id", "seq", "lon", "lat", "village_id"] {
        bail!("{}: header must be track_id,seq,lon,lat,village_id", points.display());
    }
    for (n, record) in reader.records().enumerate() {
        let r = record?;
        let field = |i: usize| r.get(i).unwrap_or("").trim();
        let bad = |what: &str| anyhow!("{} line {}: bad {what}", points.display(), n + 2);
        let track: u64 = field(0).parse().map_err(|_| bad("track_id"))?;
        let seq: u64 = field(1).parse().map_err(|_| bad("seq"))?;
        let lon = e7(field(2).parse().map_err(|_| bad("lon"))?)?;
        let lat = e7(field(3).parse().map_err(|_| bad("lat"))?)?;
        let village = match field(4) {
            "" => None,
            s => Some(s.parse::<i64>().map_err(|_| bad("village_id"))?),
        };
        let t = T0 + i64::try_from(seq).unwrap_or(i64::MAX / 60_000) * 30_000;
        rows.entry(track).or_default().push((seq, TrackPoint { t, lon, lat, acc: None }, village));
    }
    let (mut tracks, mut expected) = (Vec::with_capacity(rows.len()), Vec::new());
    for (id, mut fixes) in rows {
        fixes.sort_by_key(|(seq, _, _)| *seq);
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        for i in fixes.iter().filter_map(|(_, _, v)| v.and_then(|v| index_of.get(&v))) {
            *counts.entry(*i).or_default() += 1;
        }
        let Some((&village, _)) = counts.iter().max_by_key(|(i, c)| (**c, std::cmp::Reverse(**i))) else { continue };
        expected.extend(fixes.iter().map(|(_, _, v)| *v));
        tracks.push(Track { id, village, fixes: fixes.into_iter().map(|(_, f, _)| f).collect() });
    }
    Ok(Dataset { villages: out, tracks, expected: Some(expected) })
}
