//! The access matrix (`tests/access-matrix.toml`, docs/security.md §6), generated from the
//! file: every principal × every operation × its data, against one server with the demo county.
//! The matrix must cover exactly the server's route table: a route without rows fails here.

use anyhow::Result;
use patrolsync_server::http::routes::ROUTES;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::matrix::setup::World;
use patrolsync_tests::matrix::spec::Matrix;
use patrolsync_tests::matrix::{coverage, run};

#[test]
fn the_matrix_covers_exactly_the_servers_routes() -> Result<()> {
    let matrix = Matrix::load()?;
    let rows = matrix.checked_rows()?;
    let problems = coverage::problems(&matrix, &rows, ROUTES);
    assert!(problems.is_empty(), "the access matrix does not match the route table:\n{}", problems.join("\n"));

    // A route the matrix has no rows for, and an op naming a route the server lacks, are found.
    let mut more = ROUTES.to_vec();
    more.push(("POST", "/v1/admin/not-yet-in-the-matrix"));
    let problems = coverage::problems(&matrix, &rows, &more);
    assert_eq!(problems, vec!["route POST /v1/admin/not-yet-in-the-matrix has no rows in the access matrix".to_owned()]);
    let fewer: Vec<_> = ROUTES.iter().copied().filter(|r| *r != ("GET", "/v1/flags")).collect();
    let problems = coverage::problems(&matrix, &rows, &fewer);
    assert!(problems.iter().any(|p| p == "op flags: the server has no route GET /v1/flags"), "{problems:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_principal_gets_exactly_its_cell_for_every_operation_and_datum() -> Result<()> {
    let matrix = Matrix::load()?;
    let rows = matrix.checked_rows()?;
    let server = spawn_app()?;
    let mut world = World::build(&server, &matrix).await?;
    let outcome = run::run(&mut world, &matrix, &rows).await?;
    let ops: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.op.as_str()).collect();
    println!(
        "access matrix: {} cells checked ({} principals × {} rows; {} operations over {} routes, {} objects)",
        outcome.cells,
        matrix.principals.len(),
        outcome.rows,
        ops.len(),
        ROUTES.len(),
        matrix.objects.len()
    );
    assert!(outcome.failures.is_empty(), "{} of {} cells differ:\n{}", outcome.failures.len(), outcome.cells, outcome.failures.join("\n"));
    Ok(())
}
