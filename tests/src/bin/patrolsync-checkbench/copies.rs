//! Copied tracks as a forger makes them: a stored walk's fixes in their order, every time moved by
//! one shift of hours or days and jittered by a fraction of a second, every position moved by a
//! metre or two, perhaps only every second fix kept.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sync_protocol::values::TrackPoint;

use crate::frame::Frame;
use crate::shapes::Walked;

/// How a copy departs from its source.
#[derive(Debug, Clone, Copy)]
pub struct CopyStyle {
    /// Added to every time (negative: backdated).
    pub shift_ms: i64,
    /// Each position moves up to this far, uniformly over a disc.
    pub move_m: f64,
    /// Each time moves up to this much either way.
    pub jitter_ms: i64,
    /// Keep every n-th fix.
    pub every: usize,
}

impl CopyStyle {
    /// A shift of `shift_ms`, moves of up to 0.5 to 3 m and jitter of up to 0.2 to 1.5 s.
    pub fn draw(shift_ms: i64, every: usize, rng: &mut ChaCha8Rng) -> CopyStyle {
        CopyStyle { shift_ms, move_m: rng.gen_range(0.5..3.0), jitter_ms: rng.gen_range(200..=1_500), every }
    }
}

/// The copy of `source` made in `style`; `frame` is any plane near it (for moves in metres).
pub fn copy(source: &Walked, frame: &Frame, style: CopyStyle, rng: &mut ChaCha8Rng) -> Walked {
    let mut track: Vec<TrackPoint> = source
        .track
        .iter()
        .step_by(style.every.max(1))
        .map(|p| {
            let (x, y) = frame.xy(p.lon, p.lat);
            let (r, a) = (style.move_m * rng.gen_range(0.0f64..1.0).sqrt(), rng.gen_range(0.0..std::f64::consts::TAU));
            let (lon, lat) = frame.e7((x + r * a.cos(), y + r * a.sin()));
            TrackPoint { t: p.t + style.shift_ms + rng.gen_range(-style.jitter_ms..=style.jitter_ms), lon, lat, acc: p.acc }
        })
        .collect();
    track.sort_by_key(|p| p.t);
    Walked { started_at: source.started_at + style.shift_ms, ended_at: source.ended_at + style.shift_ms, track, mock_fixes: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use sync_protocol::values::Coord;

    #[test]
    fn a_copy_keeps_the_sequence_within_its_style() {
        let frame = Frame::at(Coord { lon: 1_145_000_000, lat: 255_000_000 });
        let track: Vec<TrackPoint> = (0..50)
            .map(|i| {
                let (lon, lat) = frame.e7((f64::from(i) * 20.0, 0.0));
                TrackPoint { t: i64::from(i) * 20_000, lon, lat, acc: Some(6) }
            })
            .collect();
        let source = Walked { started_at: 0, ended_at: 980_000, track, mock_fixes: 0 };
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let style = CopyStyle::draw(86_400_000, 2, &mut rng);
        let c = copy(&source, &frame, style, &mut rng);
        assert_eq!(c.track.len(), 25);
        for (p, q) in c.track.iter().zip(source.track.iter().step_by(2)) {
            let ((x, y), (u, v)) = (frame.xy(p.lon, p.lat), frame.xy(q.lon, q.lat));
            assert!((x - u).hypot(y - v) <= style.move_m + 0.02);
            assert!((p.t - q.t - style.shift_ms).abs() <= style.jitter_ms);
        }
    }
}
