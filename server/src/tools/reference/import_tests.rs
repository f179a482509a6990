use indicatif::ProgressBar;
use serde_json::json;
use sync_protocol::body::{Body, Role, UserEnrolled};
use sync_protocol::ids::{UnitId, UserId};

use super::super::fixtures::{collection, county, good, licence, township, village, with, zone};
use super::super::{ReferenceFileError, export};
use super::*;
use crate::store::ReferenceData;
use crate::store::sqlite::SqliteStore as Store;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn officer() -> UserEnrolled {
    UserEnrolled {
        user: UserId::new("vo-1").expect("id"),
        display_name: "Officer".into(),
        role: Role::VillageOfficer,
        units: vec![UnitId::new("V1").expect("id")],
        phone: None,
        by: None,
    }
}

async fn enrol(store: &Store, users: Vec<UserEnrolled>) -> TestResult {
    store
        .author_planned(Box::new(move |_, _| users.clone().into_iter().map(Body::UserEnrolled).collect()), Vec::new(), Box::new(|| {}))
        .await?;
    Ok(())
}

/// How many reference events the store holds (everything an import authors is one).
async fn events(store: &Store) -> Result<usize, crate::store::StoreError> {
    Ok(store.reference_bodies().await?.len())
}

async fn run(store: &Store, text: String, dry_run: bool) -> Result<Summary, ReferenceFileError> {
    import(store, text, Vec::new(), Vec::new(), ImportOptions { dry_run, ..ImportOptions::default() }, &ProgressBar::hidden()).await
}

#[tokio::test]
async fn an_invalid_file_writes_nothing_and_reports_every_problem() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("central.db"))?;
    enrol(&store, vec![officer()]).await?;
    let before = events(&store).await?;
    let bad = collection(vec![
        county(),
        township(),
        village(),
        with(zone(), "/geometry/coordinates", json!([[[114.0, 25.0], [114.1, 25.1], [114.1, 25.0], [114.0, 25.1], [114.0, 25.0]]])),
        with(licence(), "/properties/villages", json!(["V9"])),
        with(county(), "/properties/kind", json!("road")),
    ]);
    match run(&store, bad, false).await {
        Err(ReferenceFileError::Invalid(findings)) => {
            assert_eq!(findings.rules(), ["self_intersection", "unknown_reference", "unknown_kind"]);
        }
        other => panic!("expected the file to be refused, got {other:?}"),
    }
    assert_eq!(events(&store).await?, before, "nothing written, not even the good units");
    Ok(())
}

#[tokio::test]
async fn a_dry_run_plans_and_writes_nothing_then_import_and_reimport() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("central.db"))?;
    enrol(&store, vec![officer()]).await?;
    let before = events(&store).await?;
    let dry = run(&store, collection(good()), true).await?;
    assert_eq!(events(&store).await?, before);
    let done = run(&store, collection(good()), false).await?;
    assert_eq!(dry, done);
    assert_eq!((done.units, done.zones, done.assignments, done.licences, done.unchanged), (3, 1, 1, 1, 0));
    assert_eq!(events(&store).await?, before + 6);
    let again = run(&store, collection(good()), false).await?;
    assert_eq!((again.authored(), again.unchanged), (0, 6));
    assert_eq!(events(&store).await?, before + 6, "re-importing the same file authors nothing");
    Ok(())
}

#[tokio::test]
async fn the_demo_county_exports_and_reimports_into_a_fresh_store_byte_for_byte() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("central.db");
    let demo = Store::open(&db)?;
    crate::tools::seed::load_demo(&demo, &db).await?;
    let first = export(&demo).await?;
    let county = crate::tools::demo::county();
    assert_eq!(first.lines().count(), 2 + 150 + 134 + 54, "header, footer and one line per unit, zone and licence");

    let fresh = Store::open(&dir.path().join("fresh.db"))?;
    enrol(&fresh, county.users().cloned().collect()).await?;
    let summary = run(&fresh, first.clone(), false).await?;
    assert_eq!((summary.units, summary.zones, summary.assignments, summary.licences), (150, 134, 127, 54));
    assert_eq!(export(&fresh).await?, first);
    Ok(())
}
