//! The GIS views of a county's store on PostgreSQL with PostGIS (issue 16, point 5): its zones,
//! mine licences, patrol tracks and findings as geometry (WGS 84, SRID 4326), read from the
//! accepted events, for a county's GIS staff to open read-only in QGIS (docs/operations.md).

use postgres::Client;

use super::open::quoted;
use super::{Location, StoreError, connect, off_runtime};
use crate::store::error::Entity;
use crate::store::offline::GisViews;

/// The views, by name, in the order they are made.
pub const VIEWS: [&str; 4] = ["gis_zones", "gis_licence_areas", "gis_patrols", "gis_findings"];

/// Makes (or makes again, after an upgrade) the GIS views in the store at `at`, and grants
/// `reader` (an existing role) the right to read them and nothing else of the store. PostGIS must
/// be installed in the database (`CREATE EXTENSION postgis`, by a superuser): without it, nothing
/// is made and the error says so. One transaction: all the views or none.
pub fn create_views(at: &Location, reader: Option<&str>) -> Result<GisViews, StoreError> {
    off_runtime(|| {
        let mut client = connect(at)?;
        let postgis = postgis_schema(&mut client)?.ok_or_else(|| StoreError::NotFound {
            what: Entity::Extension,
            id: "postgis in this database (install PostGIS, then CREATE EXTENSION postgis as a superuser)".into(),
        })?;
        let mut tx = client.transaction()?;
        let schema: String = tx.query_one("SELECT current_schema()", &[])?.get(0);
        tx.batch_execute(&definitions(&quoted(&schema), &quoted(&postgis)))?;
        if let Some(role) = reader {
            let role = quoted(role);
            let mut grants = format!("GRANT USAGE ON SCHEMA {} TO {role};", quoted(&schema));
            grants.push_str(&format!("GRANT USAGE ON SCHEMA {} TO {role};", quoted(&postgis)));
            for view in VIEWS {
                grants.push_str(&format!("GRANT SELECT ON {view} TO {role};"));
            }
            tx.batch_execute(&grants)?;
        }
        tx.commit()?;
        Ok(GisViews { schema, views: VIEWS.to_vec(), reader: reader.map(str::to_owned) })
    })
}

/// The schema PostGIS is installed in, if it is installed in this database.
fn postgis_schema(client: &mut Client) -> Result<Option<String>, StoreError> {
    let row = client.query_opt(
        "SELECT n.nspname::text FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname = 'postgis'",
        &[],
    )?;
    Ok(row.map(|r| r.get(0)))
}

/// The views and the functions they share, made in the schema `s`, PostGIS's functions named by
/// its schema `g`: a function's body is resolved where it is called, by a reader whose
/// `search_path` may hold neither (and a county's own connection searches its schema alone). Positions on the wire are integers of
/// 1e-7 degree, `[lon, lat]`; a track is delta-encoded (`sync_protocol::track`), so its fixes are
/// running sums. A track of fewer than two fixes has no line (NULL).
fn definitions(s: &str, g: &str) -> String {
    format!(
        r#"
CREATE OR REPLACE FUNCTION gis_point(lon float8, lat float8) RETURNS {g}.geometry
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT {g}.ST_SetSRID({g}.ST_MakePoint(lon / 1e7, lat / 1e7), 4326) $$;

CREATE OR REPLACE FUNCTION gis_polygon(rings jsonb) RETURNS {g}.geometry
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT {g}.ST_MakePolygon(lines[1], lines[2:])
    FROM (SELECT array_agg(line ORDER BY r) AS lines
          FROM (SELECT r, (SELECT {g}.ST_MakeLine(array_agg({s}.gis_point((p->>0)::float8, (p->>1)::float8) ORDER BY i))
                           FROM jsonb_array_elements(ring) WITH ORDINALITY AS fix(p, i)) AS line
                FROM jsonb_array_elements(rings) WITH ORDINALITY AS each_ring(ring, r)) AS ring_lines) AS polygon
    $$;

CREATE OR REPLACE FUNCTION gis_track(track jsonb) RETURNS {g}.geometry
    LANGUAGE sql IMMUTABLE STRICT
    AS $$
    SELECT CASE WHEN count(*) >= 2 THEN {g}.ST_MakeLine(array_agg({s}.gis_point(lon, lat) ORDER BY i)) END
    FROM (SELECT i, sum((f->>1)::float8) OVER running AS lon, sum((f->>2)::float8) OVER running AS lat
          FROM jsonb_array_elements(track) WITH ORDINALITY AS fix(f, i)
          WINDOW running AS (ORDER BY i)) AS fixes
    $$;

CREATE OR REPLACE FUNCTION gis_time(ms jsonb) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT to_timestamp((ms #>> '{{}}')::float8 / 1000) $$;

-- Every version of every zone; `latest` marks each zone's current version (the latest valid_from,
-- sync_protocol::zones).
CREATE OR REPLACE VIEW gis_zones AS
SELECT e.server_seq AS id, b->>'zone' AS zone, b->>'name' AS name, b->>'village' AS village,
       b->>'township' AS township, gis_time(b->'valid_from') AS valid_from,
       (b->>'valid_from')::bigint = max((b->>'valid_from')::bigint) OVER (PARTITION BY b->>'zone') AS latest,
       gis_polygon(b->'boundary')::{g}.geometry(Polygon, 4326) AS geom
FROM events e CROSS JOIN LATERAL (SELECT e.raw::jsonb->'body' AS b) AS body
WHERE e.accepted AND e.kind = 'zone.defined';

-- Each mine licence's area as granted and as each change redrew it, from when it applies.
CREATE OR REPLACE VIEW gis_licence_areas AS
SELECT e.server_seq AS id, b->>'licence' AS licence, e.kind AS event,
       gis_time(coalesce(b->'effective_from', b->'valid_from')) AS applies_from,
       g.grant_body->>'holder' AS holder, g.grant_body->>'mineral' AS mineral, g.grant_body->>'right' AS mining_right,
       gis_time(g.grant_body->'valid_to') AS valid_to, (b->>'top_m')::int AS top_m, (b->>'bottom_m')::int AS bottom_m,
       gis_polygon(b->'area')::{g}.geometry(Polygon, 4326) AS geom
FROM events e CROSS JOIN LATERAL (SELECT e.raw::jsonb->'body' AS b) AS body
LEFT JOIN LATERAL (SELECT granted.raw::jsonb->'body' AS grant_body FROM events granted
                   WHERE granted.accepted AND granted.kind = 'licence.granted'
                     AND granted.raw::jsonb->'body'->>'licence' = body.b->>'licence'
                   ORDER BY granted.server_seq LIMIT 1) AS g ON true
WHERE e.accepted AND e.kind IN ('licence.granted', 'licence.changed');

-- Every patrol as recorded: its officer, zone, times, result and track.
CREATE OR REPLACE VIEW gis_patrols AS
SELECT e.server_seq AS id, encode(e.id, 'hex')::uuid AS patrol, e.author AS officer, b->>'zone' AS zone, gis_time(b->'started_at') AS started_at,
       gis_time(b->'ended_at') AS ended_at, b->>'result' AS result,
       gis_track(b->'track')::{g}.geometry(LineString, 4326) AS geom
FROM events e CROSS JOIN LATERAL (SELECT e.raw::jsonb->'body' AS b) AS body
WHERE e.accepted AND e.kind = 'patrol.recorded';

-- Every finding where it was made: never an informant (tips are not shown).
CREATE OR REPLACE VIEW gis_findings AS
SELECT e.server_seq AS id, encode(e.id, 'hex')::uuid AS finding, (b->>'patrol')::uuid AS patrol, e.author AS officer, b->>'zone' AS zone,
       b->>'kind' AS kind, b->>'mineral' AS mineral, gis_time(b->'observed_at') AS observed_at,
       (b->>'stopped_on_spot')::boolean AS stopped_on_spot,
       gis_point((b#>>'{{location,lon}}')::float8, (b#>>'{{location,lat}}')::float8)::{g}.geometry(Point, 4326) AS geom
FROM events e CROSS JOIN LATERAL (SELECT e.raw::jsonb->'body' AS b) AS body
WHERE e.accepted AND e.kind = 'finding.reported';
"#
    )
}
