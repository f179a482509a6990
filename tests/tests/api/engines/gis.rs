//! The GIS views on PostgreSQL with PostGIS (issue 16, point 5): `gis-views` refuses a database
//! without PostGIS and makes nothing; with it, every county's zones, licence areas, patrol tracks
//! and findings read as WGS 84 geometry equal to what the phones sent, through a role that can
//! read the views and nothing else.

use anyhow::{Context, Result, ensure};
use patrolsync_server::store::postgres::off_runtime;
use patrolsync_tests::app::spawn_counties_on_postgres;
use patrolsync_tests::county::{path, server_said};
use patrolsync_tests::tracks;
use postgres::{Client, NoTls};
use sync_protocol::body::{Body, FindingKind};
use sync_protocol::ids::ZoneId;
use sync_protocol::wire::AckStatus;

use super::deployment;

/// Runs `gis-views` with `args`: whether it succeeded, and what it said.
fn gis_views(args: &[&str]) -> Result<(bool, String)> {
    server_said(&[&["gis-views"], args].concat(), "")
}

/// A degree from the wire's integer of 1e-7 degree.
fn degrees(e7: i32) -> f64 {
    f64::from(e7) / 1e7
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gis_views_show_each_countys_geometry_as_sent_to_a_role_that_reads_nothing_else() -> Result<()> {
    let app = spawn_counties_on_postgres()?;
    let url = app.store_url.clone().context("a PostgreSQL store")?;
    let config = deployment(app.dir.path(), &url, &[])?;
    let cfg = path(&config)?;

    // A patrol with its track, and a finding on it, in Yunshan.
    let mut phone = app.device_in("yunshan", "vo-t01-v01").await?;
    let (zone, start) = (ZoneId::new("Z-T01-V01")?, patrolsync_tests::raw::now_ms() as i64 - 3_600_000);
    let body = tracks::patrol(&zone, start, 20, 7);
    let Body::PatrolRecorded(walked) = &body else { anyhow::bail!("a patrol") };
    let track = walked.track.clone();
    let patrol = phone.seal(&body);
    let finding_body = tracks::finding(&zone, patrol.id, start + 60_000, FindingKind::UnlicensedMining, None);
    let Body::FindingReported(found) = &finding_body else { anyhow::bail!("a finding") };
    let location = found.location;
    let finding = phone.seal(&finding_body);
    let reply = phone.sync(&[patrol.clone(), finding.clone()]).await?;
    ensure!(reply.acks.iter().all(|a| a.status == AckStatus::Accepted), "{:?}", reply.acks);

    // Without PostGIS: refused, saying what to do, and nothing made.
    let (ok, said) = gis_views(&["--config", cfg, "--grant", "gis_reader"])?;
    ensure!(!ok && said.contains("CREATE EXTENSION postgis"), "{said}");
    let (patrol_id, finding_id) = (patrol.id.to_string(), finding.id.to_string());
    off_runtime(|| -> Result<()> {
        let mut admin = Client::connect(&url, NoTls)?;
        let made: Option<String> = admin.query_one("SELECT to_regclass('gis_zones')::text", &[])?.get(0);
        ensure!(made.is_none(), "nothing made without PostGIS");
        // The database's superuser installs PostGIS and makes the GIS staff's role.
        admin.batch_execute("CREATE EXTENSION postgis; CREATE ROLE gis_reader NOLOGIN")?;
        Ok(())
    })?;

    let (ok, said) = gis_views(&["--config", cfg, "--grant", "gis_reader"])?;
    ensure!(ok, "{said}");
    ensure!(
        said.contains("county yunshan: gis_zones, gis_licence_areas, gis_patrols, gis_findings in schema public, readable by gis_reader"),
        "{said}"
    );
    ensure!(said.contains("county baiyun: gis_zones, gis_licence_areas, gis_patrols, gis_findings in schema baiyun"), "{said}");
    // Made again (after an upgrade, say): the same views.
    let (ok, said) = gis_views(&["--config", cfg, "--county", "baiyun", "--grant", "gis_reader"])?;
    ensure!(ok && !said.contains("yunshan"), "{said}");

    off_runtime(|| -> Result<()> {
        let mut gis = Client::connect(&url, NoTls)?;
        let counted = |c: &mut Client, sql: &str| -> Result<i64> { Ok(c.query_one(sql, &[])?.get(0)) };
        let (zones, licences) = (
            counted(&mut gis, "SELECT count(*) FROM events WHERE accepted AND kind = 'zone.defined'")?,
            counted(&mut gis, "SELECT count(*) FROM events WHERE accepted AND kind IN ('licence.granted', 'licence.changed')")?,
        );
        ensure!(zones > 0 && licences > 0, "the demo county has zones and licences");
        gis.batch_execute("SET ROLE gis_reader; SET search_path TO public")?;

        // Every zone version and licence area, valid polygons in WGS 84.
        for (view, expected) in [("gis_zones", zones), ("gis_licence_areas", licences)] {
            let sql = format!("SELECT count(*) FILTER (WHERE ST_IsValid(geom) AND ST_SRID(geom) = 4326 AND ST_Area(geom) > 0) FROM {view}");
            ensure!(counted(&mut gis, &sql)? == expected, "{view}: every row a valid polygon");
        }
        // The patrol's line is its track, fix for fix, inside its zone's current boundary.
        let row = gis.query_one(
            "SELECT ST_NPoints(p.geom), ST_X(ST_StartPoint(p.geom)), ST_Y(ST_StartPoint(p.geom)), ST_X(ST_EndPoint(p.geom)),
                    ST_Y(ST_EndPoint(p.geom)), ST_Within(p.geom, z.geom), p.officer, p.zone
             FROM gis_patrols p JOIN gis_zones z ON z.zone = p.zone AND z.latest WHERE p.patrol = $1::text::uuid",
            &[&patrol_id],
        )?;
        let (first, last) = (track.first().context("a fix")?, track.last().context("a fix")?);
        ensure!(row.get::<_, i32>(0) as usize == track.len(), "one vertex a fix");
        let ends: [f64; 4] = [row.get(1), row.get(2), row.get(3), row.get(4)];
        let sent = [degrees(first.lon), degrees(first.lat), degrees(last.lon), degrees(last.lat)];
        ensure!(ends.iter().zip(sent).all(|(a, b)| (a - b).abs() < 1e-9), "{ends:?} against {sent:?}");
        ensure!(row.get::<_, bool>(5), "the track lies in its zone");
        ensure!((row.get::<_, String>(6), row.get::<_, String>(7)) == ("vo-t01-v01".into(), "Z-T01-V01".into()));
        // The finding where it was made, on its patrol.
        let row = gis.query_one(
            "SELECT ST_X(geom), ST_Y(geom), patrol::text, kind FROM gis_findings WHERE finding = $1::text::uuid",
            &[&finding_id],
        )?;
        ensure!((row.get::<_, f64>(0), row.get::<_, f64>(1)) == (degrees(location.lon), degrees(location.lat)));
        ensure!((row.get::<_, String>(2), row.get::<_, String>(3)) == (patrol_id.clone(), "unlicensed_mining".into()));
        // Baiyun's own views, in its own schema.
        ensure!(counted(&mut gis, "SELECT count(*) FROM baiyun.gis_zones")? > 0, "Baiyun's zones");

        // The role reads the views and nothing else: not the events, not a change to a view.
        for forbidden in ["SELECT count(*) FROM events", "SELECT count(*) FROM baiyun.events", "DELETE FROM gis_zones"] {
            let refused = gis.batch_execute(forbidden).expect_err(forbidden);
            let why = format!("{refused} {}", refused.as_db_error().map(|e| e.message()).unwrap_or_default());
            ensure!(why.contains("permission denied") || why.contains("cannot delete from view"), "{forbidden}: {why}");
        }
        Ok(())
    })
}
