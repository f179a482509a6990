//! The wire form of a patrol track: one array per fix, `[t, lon, lat]` or `[t, lon, lat, acc]`,
//! the first absolute and each later one as differences from the fix before it (as Google's
//! polyline encoding does), so that a phone's regular fixes compress to a few bytes each.
//!
//! In memory a track is always a `Vec<TrackPoint>` of absolute values; only serde sees deltas.

use serde::de::Error as _;
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serializer};

use crate::values::TrackPoint;

/// Serialises absolute points as the delta-encoded wire form.
pub fn serialize<S: Serializer>(track: &[TrackPoint], s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(track.len()))?;
    let mut prev = (0i64, 0i64, 0i64);
    for p in track {
        let (t, lon, lat) = (p.t, i64::from(p.lon), i64::from(p.lat));
        let delta = [t - prev.0, lon - prev.1, lat - prev.2];
        match p.acc {
            Some(acc) => seq.serialize_element(&[delta[0], delta[1], delta[2], i64::from(acc)])?,
            None => seq.serialize_element(&delta)?,
        }
        prev = (t, lon, lat);
    }
    seq.end()
}

/// Reads the delta-encoded wire form back into absolute points, refusing anything that does not
/// add up to valid integers (ranges of positions are checked by the body's validation).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TrackPoint>, D::Error> {
    let fixes: Vec<Fix> = Vec::deserialize(d)?;
    let mut track = Vec::with_capacity(fixes.len());
    let mut prev = (0i64, 0i64, 0i64);
    for (i, fix) in fixes.iter().enumerate() {
        let bad = |what: &str| D::Error::custom(format!("track fix {i}: {what}"));
        let (acc, [dt, dlon, dlat]) = match fix.given() {
            [dt, dlon, dlat] => (None, [*dt, *dlon, *dlat]),
            [dt, dlon, dlat, acc] => (Some(u32::try_from(*acc).map_err(|_| bad("accuracy out of range"))?), [*dt, *dlon, *dlat]),
            _ => return Err(bad("expected [t, lon, lat] or [t, lon, lat, acc]")),
        };
        let t = prev.0.checked_add(dt).ok_or_else(|| bad("time overflows"))?;
        let lon = prev.1.checked_add(dlon).ok_or_else(|| bad("longitude overflows"))?;
        let lat = prev.2.checked_add(dlat).ok_or_else(|| bad("latitude overflows"))?;
        track.push(TrackPoint {
            t,
            lon: i32::try_from(lon).map_err(|_| bad("longitude out of range"))?,
            lat: i32::try_from(lat).map_err(|_| bad("latitude out of range"))?,
            acc,
        });
        prev = (t, lon, lat);
    }
    Ok(track)
}

/// One fix as it came: its integers, held in place rather than in a list of its own (an allocation
/// per fix was most of the cost of reading a stored track back). `len` counts every integer given,
/// so that a fix of five or more is refused as one of the wrong length.
struct Fix {
    values: [i64; 4],
    len: usize,
}

impl Fix {
    /// The integers given, or all four kept when more were given (`len` past 4: the caller refuses
    /// the fix by its length either way).
    fn given(&self) -> &[i64] {
        if self.len > 4 { &[] } else { &self.values[..self.len] }
    }
}

impl<'de> Deserialize<'de> for Fix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fix, D::Error> {
        struct Integers;
        impl<'de> serde::de::Visitor<'de> for Integers {
            type Value = Fix;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a fix, a list of integers")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Fix, A::Error> {
                let mut fix = Fix { values: [0; 4], len: 0 };
                while let Some(v) = seq.next_element::<i64>()? {
                    if let Some(slot) = fix.values.get_mut(fix.len) {
                        *slot = v;
                    }
                    fix.len += 1;
                }
                Ok(fix)
            }
        }
        d.deserialize_seq(Integers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Wrapper {
        #[serde(with = "super")]
        track: Vec<TrackPoint>,
    }

    #[test]
    fn the_first_fix_is_absolute_and_the_rest_are_differences() {
        let track = vec![
            TrackPoint { t: 1_764_131_257_000, lon: 1_145_000_000, lat: 255_000_000, acc: Some(5) },
            TrackPoint { t: 1_764_131_287_000, lon: 1_145_003_000, lat: 254_999_000, acc: None },
        ];
        let json = serde_json::to_string(&Wrapper { track: track.clone() }).expect("json");
        assert_eq!(json, r#"{"track":[[1764131257000,1145000000,255000000,5],[30000,3000,-1000]]}"#);
        assert_eq!(serde_json::from_str::<Wrapper>(&json).expect("parse").track, track);
    }

    #[test]
    fn malformed_fixes_are_refused_with_their_index() {
        for bad in [
            r#"{"track":[[1,2]]}"#,
            r#"{"track":[[1,2,3,4,5]]}"#,
            r#"{"track":[[1,2,3],[4,5,6,7,8,9,10]]}"#,
            r#"{"track":[[1,2,3],[]]}"#,
            r#"{"track":[[1,2,3],[4,5]]}"#,
            r#"{"track":[[1,2,3,-1]]}"#,
            r#"{"track":[[1,2,3],[0,9223372036854775807,0],[0,9,0]]}"#,
            r#"{"track":[[1,2.5,3]]}"#,
        ] {
            let err = serde_json::from_str::<Wrapper>(bad).expect_err(bad).to_string();
            assert!(err.contains("track fix") || err.contains("invalid type"), "{bad}: {err}");
            if bad.contains("],[") && !bad.contains("922") {
                assert!(err.contains("track fix 1:"), "the second fix is named: {err}");
            }
        }
        assert!(serde_json::from_str::<Wrapper>(r#"{"track":[[1,3000000000,0]]}"#).is_err(), "beyond i32");
    }

    proptest! {
        #[test]
        fn any_track_round_trips(points in prop::collection::vec((0i64..4_000_000_000_000, any::<i32>(), any::<i32>(), prop::option::of(0u32..1_000)), 0..50)) {
            let track: Vec<TrackPoint> = points.into_iter().map(|(t, lon, lat, acc)| TrackPoint { t, lon, lat, acc }).collect();
            let json = serde_json::to_string(&Wrapper { track: track.clone() }).expect("json");
            prop_assert_eq!(serde_json::from_str::<Wrapper>(&json).expect("parse").track, track);
        }
    }
}
