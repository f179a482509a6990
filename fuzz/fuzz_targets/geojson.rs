//! Fuzzes a GeoJSON reference file through the import's whole pure check: JSON and GeoJSON form,
//! properties, polygons (closed rings, ranges, vertex cap, topology), duplicate ids, then
//! resolution and planning against an empty store.
#![no_main]

use libfuzzer_sys::fuzz_target;
use patrolsync_server::tools::reference::{Limits, Stored, check_file, decide};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // A low cap keeps the quadratic topology check fast; the cap's own check is fuzzed too.
    let checked = check_file(text, Limits { max_vertices: 200 }, || {});
    let _ = decide(checked, &Stored::fold([]), &[], 1_790_000_000_000);
});
