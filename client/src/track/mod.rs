//! Importing a patrol's GNSS track from a file a phone or a GPS logger wrote: GPX (`.gpx`) or
//! GeoJSON (`.geojson`, `.json`), into protocol `TrackPoint`s (1e-7 degree WGS 84, Unix ms).
//! Files in GCJ-02 (exported from Chinese map apps) are converted fix by fix on import.

mod error;
mod geojson_file;
mod gpx_file;
mod point;

use std::path::Path;

use sync_protocol::gcj02::Crs;
use sync_protocol::values::TrackPoint;

pub use error::TrackError;
pub use geojson_file::read_geojson;
pub use gpx_file::{UERE_M, accuracy_m, read_gpx};

/// Reads the WGS 84 track in `path`, choosing the format by the file's extension.
pub fn read_track(path: &Path) -> Result<Vec<TrackPoint>, TrackError> {
    read_track_in(path, Crs::Wgs84)
}

/// Reads the track in `path` whose positions are in `crs`, converting every fix to WGS 84.
pub fn read_track_in(path: &Path, crs: Crs) -> Result<Vec<TrackPoint>, TrackError> {
    let io = |source| TrackError::Io { path: path.to_path_buf(), source };
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("gpx") => read_gpx(&std::fs::read_to_string(path).map_err(io)?, crs),
        Some("geojson" | "json") => read_geojson(&std::fs::read_to_string(path).map_err(io)?, crs),
        _ => Err(TrackError::UnknownFormat { path: path.to_path_buf() }),
    }
}
