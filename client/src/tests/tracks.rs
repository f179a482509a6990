//! Track import from GPX and GeoJSON files the tests write: times, accuracy from HDOP, 1e-7
//! degree coordinates, and errors that name the point.

use std::path::PathBuf;

use crate::track::{TrackError, read_track};

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn gpx(points: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>t</name>
<trkseg>{points}</trkseg></trk></gpx>"#
    )
}

#[test]
fn gpx_points_carry_time_and_accuracy_from_hdop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = gpx(r#"<trkpt lat="25.5000001" lon="114.5"><time>2025-11-26T00:00:00Z</time><hdop>1.3</hdop></trkpt>
        <trkpt lat="25.501" lon="114.501"><ele>300</ele><time>2025-11-26T08:01:00+08:00</time></trkpt>"#);
    let track = read_track(&write(&dir, "walk.gpx", &text)).expect("gpx");
    assert_eq!(track.len(), 2);
    assert_eq!((track[0].t, track[0].lon, track[0].lat, track[0].acc), (1_764_115_200_000, 1_145_000_000, 255_000_001, Some(7)));
    assert_eq!((track[1].t, track[1].acc), (1_764_115_260_000, None));
}

#[test]
fn gpx_without_times_or_off_the_globe_is_refused_naming_the_point() {
    let dir = tempfile::tempdir().expect("tempdir");
    let no_time = gpx(r#"<trkpt lat="25.5" lon="114.5"><time>2025-11-26T00:00:00Z</time></trkpt><trkpt lat="25.5" lon="114.5"></trkpt>"#);
    assert!(matches!(read_track(&write(&dir, "a.gpx", &no_time)), Err(TrackError::NoTime { index: 1 })));
    let far = gpx(
        r#"<trkpt lat="25.5" lon="114.5"><time>2025-11-26T00:00:00Z</time></trkpt><trkpt lat="25.5" lon="190.5"><time>2025-11-26T00:01:00Z</time></trkpt>"#,
    );
    let err = read_track(&write(&dir, "b.gpx", &far)).expect_err("lon 190");
    assert!(matches!(err, TrackError::BadCoordinate { index: 1, .. }), "{err}");
    assert!(err.to_string().contains("point 1"));
    let back = gpx(
        r#"<trkpt lat="25.5" lon="114.5"><time>2025-11-26T00:01:00Z</time></trkpt><trkpt lat="25.5" lon="114.5"><time>2025-11-26T00:00:00Z</time></trkpt>"#,
    );
    assert!(matches!(read_track(&write(&dir, "c.gpx", &back)), Err(TrackError::OutOfOrder { index: 1 })));
    let nan = gpx(r#"<trkpt lat='NaN' lon='114.5'><time>2025-11-26T00:00:00Z</time></trkpt>"#);
    assert!(matches!(read_track(&write(&dir, "n.gpx", &nan)), Err(TrackError::BadCoordinate { index: 0, .. })));
    assert!(matches!(read_track(&write(&dir, "d.gpx", &gpx(""))), Err(TrackError::Empty)));
    assert!(matches!(read_track(&write(&dir, "e.gpx", "not xml at all")), Err(TrackError::Gpx(_))));
}

#[test]
fn geojson_line_strings_with_rfc3339_or_millisecond_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let feature = r#"{"type":"Feature","properties":{"times":["2025-11-26T00:00:00Z","2025-11-26T00:01:00.5Z"]},
        "geometry":{"type":"LineString","coordinates":[[114.5,25.5,310.0],[114.50001,25.50001]]}}"#;
    let track = read_track(&write(&dir, "a.geojson", feature)).expect("feature");
    assert_eq!(
        track.iter().map(|p| (p.t, p.lon, p.lat)).collect::<Vec<_>>(),
        vec![(1_764_115_200_000, 1_145_000_000, 255_000_000), (1_764_115_260_500, 1_145_000_100, 255_000_100)]
    );
    let collection = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[114.5,25.5]}},
        {"type":"Feature","properties":{"coordTimes":[[1764115200000,1764115260000],[1764115320000]]},
         "geometry":{"type":"MultiLineString","coordinates":[[[114.5,25.5],[114.6,25.6]],[[114.7,25.7]]]}}]}"#;
    let track = read_track(&write(&dir, "b.json", collection)).expect("collection");
    assert_eq!(track.iter().map(|p| p.t).collect::<Vec<_>>(), vec![1_764_115_200_000, 1_764_115_260_000, 1_764_115_320_000]);
    assert!(track.iter().all(|p| p.acc.is_none()));
}

#[test]
fn geojson_problems_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (r#"{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[114.5,25.5]]}}"#, "no `times`"),
        (
            r#"{"type":"Feature","properties":{"times":[1,2]},"geometry":{"type":"LineString","coordinates":[[114.5,25.5]]}}"#,
            "1 points but 2 times",
        ),
        (
            r#"{"type":"Feature","properties":{"times":["yesterday"]},"geometry":{"type":"LineString","coordinates":[[114.5,25.5]]}}"#,
            "point 0",
        ),
        (
            r#"{"type":"Feature","properties":{"times":[1,2]},"geometry":{"type":"LineString","coordinates":[[114.5,25.5],[114.5,95.0]]}}"#,
            "point 1",
        ),
        (r#"{"type":"Feature","properties":{"times":[1]},"geometry":{"type":"Point","coordinates":[114.5,25.5]}}"#, "Point"),
        (r#"{"type":"LineString","coordinates":[[114.5,25.5]]}"#, "no `times`"),
        ("{ not json", "GeoJSON"),
    ];
    for (i, (text, expected)) in cases.into_iter().enumerate() {
        let err = read_track(&write(&dir, &format!("{i}.geojson"), text)).expect_err(text);
        assert!(err.to_string().contains(expected), "{text}: {err}");
    }
    assert!(matches!(read_track(&write(&dir, "track.kml", "<kml/>")), Err(TrackError::UnknownFormat { .. })));
    assert!(matches!(read_track(&dir.path().join("missing.gpx")), Err(TrackError::Io { .. })));
}

#[test]
fn gcj02_tracks_are_converted_to_wgs84_on_import() {
    use sync_protocol::gcj02::{Crs, wgs84_to_gcj02};
    use sync_protocol::values::Coord;

    use crate::track::read_track_in;

    let dir = tempfile::tempdir().expect("tempdir");
    // The same two WGS 84 points, written as a Chinese map app would export them.
    let wgs = [(114.5, 25.5), (114.501, 25.501)];
    let gcj: Vec<(f64, f64)> = wgs.iter().map(|&(lon, lat)| wgs84_to_gcj02(lon, lat)).collect();
    let text = gpx(&format!(
        r#"<trkpt lat="{:.9}" lon="{:.9}"><time>2025-11-26T00:00:00Z</time></trkpt><trkpt lat="{:.9}" lon="{:.9}"><time>2025-11-26T00:01:00Z</time></trkpt>"#,
        gcj[0].1, gcj[0].0, gcj[1].1, gcj[1].0
    ));
    let gpx_path = write(&dir, "amap.gpx", &text);
    let feature = format!(
        r#"{{"type":"Feature","properties":{{"times":[1764115200000,1764115260000]}},"geometry":{{"type":"LineString","coordinates":[[{:.9},{:.9}],[{:.9},{:.9}]]}}}}"#,
        gcj[0].0, gcj[0].1, gcj[1].0, gcj[1].1
    );
    let geojson_path = write(&dir, "amap.geojson", &feature);
    let expected: Vec<Coord> = wgs.iter().map(|&(lon, lat)| Coord::from_degrees(lon, lat).expect("coord")).collect();
    for path in [gpx_path, geojson_path] {
        let track = read_track_in(&path, Crs::Gcj02).expect("gcj02 track");
        for (p, e) in track.iter().zip(&expected) {
            // The file's 9 decimals and the inverse leave at most 1e-7 degree (1 cm).
            assert!((p.lon - e.lon).abs() <= 1 && (p.lat - e.lat).abs() <= 1, "{}: {p:?} vs {e:?}", path.display());
        }
        // Read as WGS 84, the same file is hundreds of metres off.
        let raw = read_track_in(&path, Crs::Wgs84).expect("as wgs84");
        assert!((raw[0].lon - expected[0].lon).abs() > 1_000, "{}", path.display());
        assert_eq!(read_track(&path).expect("default"), raw, "WGS 84 is the default");
    }
}
