//! A local plane about a point of the county, in metres east and north, where the generator plants
//! positions, and the GPS error a phone adds to them. The plan's own geometry tests (is this planted
//! point 40 m inside its zone?) use geo's exact algorithms on this plane, never the server's checks.

use geo::{Contains, Distance, Euclidean, LineString, Point, Polygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sync_protocol::values::{Coord, Polygon as WirePolygon};

/// Metres per degree of latitude (a sphere of the mean Earth radius).
const M_PER_DEG: f64 = 111_195.0;

/// A point in the plane, metres east and north of the frame's origin.
pub type Xy = (f64, f64);

/// An equirectangular plane about `origin`: exact to centimetres over a village zone.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    lon0: f64,
    lat0: f64,
    m_per_deg_lon: f64,
}

impl Frame {
    pub fn at(origin: Coord) -> Frame {
        let (lon0, lat0) = (origin.lon_deg(), origin.lat_deg());
        Frame { lon0, lat0, m_per_deg_lon: M_PER_DEG * lat0.to_radians().cos() }
    }

    /// Degrees `(lon, lat)` of a point of the plane.
    pub fn degrees(&self, (x, y): Xy) -> (f64, f64) {
        (self.lon0 + x / self.m_per_deg_lon, self.lat0 + y / M_PER_DEG)
    }

    /// The protocol's 1e-7 degree coordinates of a point of the plane.
    pub fn e7(&self, xy: Xy) -> (i32, i32) {
        let (lon, lat) = self.degrees(xy);
        ((lon * 1e7).round() as i32, (lat * 1e7).round() as i32)
    }

    pub fn coord(&self, xy: Xy) -> Coord {
        let (lon, lat) = self.e7(xy);
        Coord { lon, lat }
    }

    /// Where 1e-7 degree coordinates lie in the plane.
    pub fn xy(&self, lon: i32, lat: i32) -> Xy {
        ((f64::from(lon) / 1e7 - self.lon0) * self.m_per_deg_lon, (f64::from(lat) / 1e7 - self.lat0) * M_PER_DEG)
    }

    /// A protocol polygon in the plane.
    pub fn polygon(&self, p: &WirePolygon) -> Polygon<f64> {
        let ring = |r: &Vec<[i32; 2]>| LineString::from(r.iter().map(|[lon, lat]| self.xy(*lon, *lat)).collect::<Vec<_>>());
        let mut rings = p.0.iter().map(ring);
        let exterior = rings.next().unwrap_or_else(|| LineString::new(Vec::new()));
        Polygon::new(exterior, rings.collect())
    }
}

/// How far inside `area` a point lies, metres: positive inside, negative outside.
pub fn depth_m(area: &Polygon<f64>, xy: Xy) -> f64 {
    let p = Point::new(xy.0, xy.1);
    let to_edge = std::iter::once(area.exterior()).chain(area.interiors()).map(|r| Euclidean.distance(&p, r)).fold(f64::INFINITY, f64::min);
    if area.contains(&p) { to_edge } else { -to_edge }
}

/// A standard normal draw (Box-Muller).
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen_range(0.0..1.0));
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A phone's position error: normal with `sigma` metres on each axis, redrawn beyond 2.5 sigma
/// (a receiver that knows it is lost reports a poor accuracy instead, see [`reported_accuracy`]).
pub fn gps_error(rng: &mut ChaCha8Rng, sigma: f64) -> Xy {
    loop {
        let (dx, dy) = (normal(rng) * sigma, normal(rng) * sigma);
        if dx.hypot(dy) <= 2.5 * sigma {
            return (dx, dy);
        }
    }
}

/// The accuracy a phone reports for an error of `sigma` per axis: Android's 68 % radius, 1.515 sigma.
pub fn reported_accuracy(sigma: f64) -> u32 {
    (1.515 * sigma).ceil() as u32
}

/// A point `d` metres from `a` toward `b`.
pub fn toward(a: Xy, b: Xy, d: f64) -> Xy {
    let len = (b.0 - a.0).hypot(b.1 - a.1).max(f64::EPSILON);
    (a.0 + (b.0 - a.0) * d / len, a.1 + (b.1 - a.1) * d / len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plane_round_trips_and_measures_depth() {
        let f = Frame::at(Coord { lon: 1_145_000_000, lat: 255_000_000 });
        let (lon, lat) = f.e7((1_000.0, -500.0));
        let back = f.xy(lon, lat);
        assert!((back.0 - 1_000.0).abs() < 0.02 && (back.1 + 500.0).abs() < 0.02, "{back:?}");
        let square = Polygon::new(LineString::from(vec![(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0), (0.0, 0.0)]), vec![]);
        assert!((depth_m(&square, (50.0, 30.0)) - 30.0).abs() < 1e-9);
        assert!((depth_m(&square, (50.0, -20.0)) + 20.0).abs() < 1e-9);
    }
}
