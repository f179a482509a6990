//! The track layer's one error type: why a GPX or GeoJSON file cannot become a patrol track.
//! Problems with one point name its index (0-based, counted over the whole file).

use std::path::PathBuf;

use sync_protocol::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error("could not read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is neither .gpx nor .geojson/.json")]
    UnknownFormat { path: PathBuf },
    #[error("not a valid GPX file")]
    Gpx(#[source] gpx::errors::GpxError),
    #[error("not a valid GeoJSON file")]
    GeoJson(#[source] Box<geojson::Error>),
    #[error("the file holds no track points")]
    Empty,
    #[error("GeoJSON geometry {0} is not a LineString or MultiLineString")]
    Geometry(String),
    #[error("the GeoJSON track has no `times` or `coordTimes` property")]
    NoTimes,
    #[error("the track has {points} points but {times} times")]
    TimesMismatch { points: usize, times: usize },
    #[error("point {index} has no time")]
    NoTime { index: usize },
    #[error("point {index}: time {value} is not RFC 3339 text or Unix milliseconds")]
    BadTime { index: usize, value: String },
    #[error("point {index}: coordinate has fewer than two numbers")]
    ShortPosition { index: usize },
    #[error("point {index}: longitude {lon}, latitude {lat} is not a position on the globe")]
    BadCoordinate {
        index: usize,
        lon: f64,
        lat: f64,
        #[source]
        source: ValidationError,
    },
    #[error("point {index} is earlier than the point before it")]
    OutOfOrder { index: usize },
}
