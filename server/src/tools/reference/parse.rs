//! Reading a reference file into typed features, checking everything that needs nothing but the
//! file: JSON and GeoJSON form, kinds, properties, polygons and duplicate ids.

use geojson::{Feature, JsonObject, feature::Id};
use serde_json::Value;
use std::collections::HashMap;
use sync_protocol::ValidationError;
use sync_protocol::body::{LicenceGranted, UnitDefined, ZoneDefined};
use sync_protocol::values::Polygon;

use super::format::{Assignment, LICENCE, LicenceEntry, UNIT, ZONE, ZoneEntry, parse_day, parse_instant};
use super::geometry;
use super::problem::{Finding, Findings, Problem};
use super::properties::Props;

/// One feature of the file, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Unit(UnitDefined),
    Zone(ZoneEntry),
    Licence(LicenceEntry),
}

impl Item {
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Unit(_) => UNIT,
            Item::Zone(_) => ZONE,
            Item::Licence(_) => LICENCE,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Item::Unit(u) => u.unit.as_str(),
            Item::Zone(z) => z.zone.zone.as_str(),
            Item::Licence(l) => l.terms.licence.as_str(),
        }
    }
}

/// A well-formed feature and its position in the file (from 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub index: usize,
    pub item: Item,
}

/// Parses the whole file; returns the well-formed features and every problem found. `step` is
/// called once per feature (for a progress bar).
pub fn parse(text: &str, max_vertices: usize, mut step: impl FnMut()) -> (Vec<Parsed>, Findings) {
    let mut findings = Findings::default();
    let features = match features(text) {
        Ok(features) => features,
        Err(problem) => {
            findings.push(Finding::file(problem));
            return (Vec::new(), findings);
        }
    };
    let mut parsed = Vec::with_capacity(features.len());
    for (index, value) in features.into_iter().enumerate() {
        match feature(value, max_vertices) {
            Ok(item) => parsed.push(Parsed { index, item }),
            Err((id, problems)) => problems.into_iter().for_each(|p| findings.push(Finding::feature(index, id.as_deref(), p))),
        }
        step();
    }
    findings.extend(duplicates(&parsed));
    (parsed, findings)
}

/// How many features a file has (for sizing a progress bar); 0 when it is not a FeatureCollection.
pub fn feature_count(text: &str) -> usize {
    features(text).map(|f| f.len()).unwrap_or(0)
}

fn features(text: &str) -> Result<Vec<Value>, Problem> {
    // Strictly: a repeated key (or one serde_json reserves) would give a feature two readings.
    let value: Value = sync_protocol::strict_json::from_str(text).map_err(|e| Problem::NotJson(e.to_string()))?;
    let Value::Object(mut map) = value else { return Err(Problem::NotFeatureCollection("the top level is not an object".into())) };
    match map.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {}
        Some(other) => return Err(Problem::NotFeatureCollection(format!("its type is {other:?}"))),
        None => return Err(Problem::NotFeatureCollection("it has no \"type\"".into())),
    }
    match map.remove("features") {
        Some(Value::Array(features)) => Ok(features),
        _ => Err(Problem::NotFeatureCollection("it has no \"features\" array".into())),
    }
}

type FeatureProblems = (Option<String>, Vec<Problem>);

fn feature(value: Value, max_vertices: usize) -> Result<Item, FeatureProblems> {
    // Counted on the JSON before any geometry is built: a million vertices cost a count, not a
    // million converted positions.
    let count = geometry::position_count(&value["geometry"]);
    if count > max_vertices {
        let id = value.get("id").and_then(Value::as_str).map(str::to_string);
        return Err((id, vec![Problem::TooManyVertices { count, cap: max_vertices }]));
    }
    let feature = Feature::from_json_value(value).map_err(|e| (None, vec![Problem::MalformedFeature(e.to_string())]))?;
    let id = match &feature.id {
        Some(Id::String(s)) => Some(s.clone()),
        _ => None,
    };
    let mut problems = Vec::new();
    if id.is_none() {
        problems.push(Problem::MissingId);
    }
    let (polygon, absent) = match polygon_of(&feature, max_vertices) {
        Ok(polygon) => (polygon.clone(), polygon.is_none()),
        Err(p) => {
            problems.extend(p);
            (None, false)
        }
    };
    let empty = JsonObject::new();
    let map = feature.properties.as_ref().unwrap_or(&empty);
    // A unit may have no boundary yet (`geometry: null`); a zone or a licence is its area.
    let mut area = || {
        if absent {
            problems.push(Problem::MissingGeometry);
        }
        polygon.clone()
    };
    let item = match map.get("kind") {
        None | Some(Value::Null) => Err(vec![Problem::MissingKind]),
        Some(Value::String(kind)) if kind == UNIT => unit(map, id.as_deref(), polygon.clone()),
        Some(Value::String(kind)) if kind == ZONE => zone(map, id.as_deref(), area()),
        Some(Value::String(kind)) if kind == LICENCE => licence(map, id.as_deref(), area()),
        Some(other) => Err(vec![Problem::UnknownKind(other.as_str().map_or_else(|| other.to_string(), str::to_string))]),
    };
    match item {
        Ok(item) if problems.is_empty() => Ok(item),
        Ok(_) => Err((id, problems)),
        Err(more) => {
            problems.extend(more);
            Err((id, problems))
        }
    }
}

/// The feature's polygon, or `None` for `geometry: null`.
fn polygon_of(feature: &Feature, max_vertices: usize) -> Result<Option<Polygon>, Vec<Problem>> {
    let Some(geometry) = &feature.geometry else { return Ok(None) };
    match &geometry.value {
        geojson::Value::Polygon(rings) => geometry::polygon(rings, max_vertices).map(Some),
        geojson::Value::MultiPolygon(_) => Err(vec![Problem::MultiPolygon]),
        other => Err(vec![Problem::NotAPolygon(other.type_name().to_string())]),
    }
}

/// Parses the feature's id as the kind's id type.
fn typed_id<T: std::str::FromStr<Err = ValidationError>>(id: Option<&str>, problems: &mut Vec<Problem>) -> Option<T> {
    let id = id?;
    id.parse().map_err(|e: ValidationError| problems.push(Problem::InvalidId { value: id.to_string(), reason: e.to_string() })).ok()
}

/// The problems of a body's own rules (text lengths, date order, depth levels).
fn body_problem(e: ValidationError) -> Problem {
    match e {
        ValidationError::Field { field, problem } => Problem::InvalidProperty { name: field, reason: problem },
        other => Problem::InvalidProperty { name: "body", reason: other.to_string() },
    }
}

fn unit(map: &JsonObject, id: Option<&str>, polygon: Option<Polygon>) -> Result<Item, Vec<Problem>> {
    let mut p = Props::new(map);
    let unit = typed_id(id, &mut p.problems);
    let (level, name, name_zh) = (p.req("level"), p.req("name"), p.req("name_zh"));
    let (parent, land_office) = (p.opt("parent"), p.opt("land_office").unwrap_or(false));
    let problems = p.finish();
    let boundary = polygon;
    let (Some(unit), Some(level), Some(name), Some(name_zh), true) = (unit, level, name, name_zh, problems.is_empty()) else {
        return Err(problems);
    };
    let u = UnitDefined { unit, level, name, name_zh, parent, land_office, boundary };
    u.validate().map_err(|e| vec![body_problem(e)])?;
    Ok(Item::Unit(u))
}

fn zone(map: &JsonObject, id: Option<&str>, polygon: Option<Polygon>) -> Result<Item, Vec<Problem>> {
    let mut p = Props::new(map);
    let zone = typed_id(id, &mut p.problems);
    let (name, village, township) = (p.req("name"), p.req("village"), p.req("township"));
    let valid_from = p.req_with("valid_from", parse_instant);
    let officer = p.opt("officer");
    let assigned_from = p.opt_with("assigned_from", parse_instant);
    // The assignment is both properties or neither.
    let assignment = match (officer, assigned_from) {
        (Some(officer), Some(from)) => Some(Assignment { officer, from }),
        _ => {
            match (present(map, "officer"), present(map, "assigned_from")) {
                (true, false) => p.problems.push(Problem::MissingProperty("assigned_from")),
                (false, true) => p.problems.push(Problem::MissingProperty("officer")),
                _ => {}
            }
            None
        }
    };
    let problems = p.finish();
    let (Some(zone), Some(name), Some(village), Some(township), Some(valid_from), Some(boundary), true) =
        (zone, name, village, township, valid_from, polygon, problems.is_empty())
    else {
        return Err(problems);
    };
    let z = ZoneDefined { zone, village, township, name, boundary, valid_from };
    z.validate().map_err(|e| vec![body_problem(e)])?;
    if let Some(a) = &assignment {
        sync_protocol::body::AssignmentSet { officer: a.officer.clone(), zone: Some(z.zone.clone()), from: a.from, by: None }
            .validate()
            .map_err(|e| vec![body_problem(e)])?;
    }
    Ok(Item::Zone(ZoneEntry { zone: z, assignment }))
}

fn present(map: &JsonObject, name: &str) -> bool {
    map.get(name).is_some_and(|v| !v.is_null())
}

fn licence(map: &JsonObject, id: Option<&str>, polygon: Option<Polygon>) -> Result<Item, Vec<Problem>> {
    let mut p = Props::new(map);
    let licence = typed_id(id, &mut p.problems);
    let (holder, mineral, right, issuer) = (p.req("holder"), p.req("mineral"), p.req("right"), p.req("issuer"));
    let (valid_from, valid_to) = (p.req_with("valid_from", parse_day), p.req_with("valid_to", parse_day));
    let (top_m, bottom_m, villages) = (p.req("top_m"), p.req("bottom_m"), p.req("villages"));
    let cancelled_from = p.opt_with("cancelled_from", parse_day);
    let problems = p.finish();
    let fields = (licence, holder, mineral, right, issuer, valid_from, valid_to, top_m, bottom_m, villages, polygon);
    let (
        Some(licence),
        Some(holder),
        Some(mineral),
        Some(right),
        Some(issuer),
        Some(valid_from),
        Some(valid_to),
        Some(top_m),
        Some(bottom_m),
        Some(villages),
        Some(area),
    ) = fields
    else {
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let l = LicenceGranted { licence, holder, mineral, right, issuer, valid_from, valid_to, area, top_m, bottom_m, villages };
    l.validate().map_err(|e| vec![body_problem(e)])?;
    Ok(Item::Licence(LicenceEntry { terms: l, cancelled_from }))
}

/// A second feature of the same kind with the same id (the first one stands, the later are reported).
fn duplicates(parsed: &[Parsed]) -> Findings {
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    let mut findings = Findings::default();
    for p in parsed {
        let key = (p.item.kind(), p.item.id());
        match first.get(&key) {
            Some(&first) => findings.push(Finding::feature(
                p.index,
                Some(p.item.id()),
                Problem::DuplicateId { kind: p.item.kind(), id: p.item.id().to_string(), first },
            )),
            None => {
                first.insert(key, p.index);
            }
        }
    }
    findings
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
