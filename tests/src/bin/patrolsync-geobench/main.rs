//! `patrolsync-geobench`: the geometry checks of issue 3 on one core: (a) point-in-assigned-zone
//! checks, (b) which-village lookups and (c) whole-patrol checks per second, on a generated county
//! (134 villages of 200 to 1,000 vertices, one million fixes) or on a data set given as files,
//! and the count of answers differing from exact point-in-polygon. docs/benchmarks.md gives the
//! command and the figures measured.

mod bench;
mod county;
mod dataset;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Parser;

/// The allocator the server runs with, so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(about = "Geometry bench for the geofence checks (single-threaded)")]
struct Args {
    /// Villages as a GeoJSON FeatureCollection of Polygons with integer property `id` (with --points).
    #[arg(long, requires = "points")]
    villages: Option<PathBuf>,
    /// Fixes as CSV with header track_id,seq,lon,lat,village_id (degrees; with --villages).
    #[arg(long, requires = "villages")]
    points: Option<PathBuf>,
    /// Fixes to generate (without --villages).
    #[arg(long, default_value_t = 1_000_000)]
    point_count: usize,
    /// Seed of the generated county and tracks.
    #[arg(long, default_value_t = 3)]
    seed: u64,
    /// Writes the generated data set as DIR/villages.geojson and DIR/points.csv.
    #[arg(long, value_name = "DIR")]
    write_dataset: Option<PathBuf>,
    /// Points compared with exact point-in-polygon (every n/sample-th).
    #[arg(long, default_value_t = 100_000)]
    sample: usize,
    /// Least time each measure runs, in milliseconds (passes over all the data are repeated).
    #[arg(long, default_value_t = 2_000)]
    min_ms: u64,
    /// Which measures to run (letters of a, b, c; for profiling one alone).
    #[arg(long, default_value = "abc")]
    only: String,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let start = Instant::now();
    let data = match (&args.villages, &args.points) {
        (Some(v), Some(p)) => dataset::read(v, p)?,
        _ => county::generate(county::Spec { seed: args.seed, points: args.point_count }),
    };
    let load_time = start.elapsed();
    let prepared = bench::prepare(&data)?;
    if let Some(dir) = &args.write_dataset {
        // Each fix's village by geo's CoordinatePosition on every polygon, not by the index the
        // bench measures: the file check is then a comparison of two implementations.
        dataset::write(dir, &data, |f| bench::village_by_geo(&prepared, &sync_protocol::checks::geofence::fix_coord(f)))?;
        println!("data set written to {}", dir.display());
    }
    let vertices: Vec<usize> = data.villages.iter().map(|v| v.boundary.0.iter().map(|r| r.len().saturating_sub(1)).sum()).collect();
    let fixes: Vec<usize> = data.tracks.iter().map(|t| t.fixes.len()).collect();
    println!("patrolsync-geobench (one thread)");
    println!(
        "  {} villages, {} to {} vertices (mean {:.0}); {} fixes in {} tracks of {} to {} (mean {:.0}); loaded in {:.2} s, prepared in {:.1} ms",
        data.villages.len(),
        vertices.iter().min().unwrap_or(&0),
        vertices.iter().max().unwrap_or(&0),
        vertices.iter().sum::<usize>() as f64 / vertices.len().max(1) as f64,
        data.points(),
        data.tracks.len(),
        fixes.iter().min().unwrap_or(&0),
        fixes.iter().max().unwrap_or(&0),
        data.points() as f64 / data.tracks.len().max(1) as f64,
        load_time.as_secs_f64(),
        prepared.prepare_time.as_secs_f64() * 1e3,
    );
    if prepared.points.is_empty() {
        bail!("no fixes to measure");
    }
    let exact = bench::verify(&prepared, args.sample);
    println!(
        "exactness: {} of {} sampled points answered differently from geo's CoordinatePosition/Contains",
        exact.mismatches, exact.sampled
    );
    if let Some(n) = exact.village_id_mismatches {
        println!("exactness: {n} of {} fixes placed in another village than the CSV's village_id", data.points());
    }
    let r = bench::measure(&prepared, Duration::from_millis(args.min_ms), &args.only);
    if let Some((fast, geo)) = r.in_zone {
        println!("(a) point in assigned zone:  {:>6.2} M checks/s", fast / 1e6);
        println!("    plain geo::Contains loop: {:>6.2} M checks/s (first {} fixes)", geo / 1e6, r.geo_contains_points);
    }
    if let Some(rate) = r.which_village {
        println!("(b) which village holds it:  {:>6.2} M lookups/s", rate / 1e6);
    }
    if let Some(rate) = r.patrols {
        println!(
            "(c) whole patrols:           {:>8.0} tracks/s ({:.2} M fixes/s; {:.1} % of fixes inside their zone)",
            rate,
            rate * r.fixes_per_track / 1e6,
            r.share_inside * 100.0
        );
    }
    if exact.mismatches > 0 || exact.village_id_mismatches.is_some_and(|n| n > 0) {
        bail!("answers differ from exact point-in-polygon");
    }
    Ok(())
}
