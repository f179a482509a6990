//! The officers of the corpus: demo village officers, those whose zones hold a mine licence first
//! (findings in and around licences need them), each with their zone in its own plane, the road
//! they walk, and the township inspector who reviews their flags.

use anyhow::{Context, Result};
use geo::Polygon;
use patrolsync_server::tools::demo::DemoCounty;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use sync_protocol::ids::{UnitId, UserId, ZoneId};
use sync_protocol::values::Polygon as WirePolygon;

use crate::frame::{Frame, Xy, depth_m};
use crate::walks::{Path, ring_ccw, road_in};

#[derive(Debug, Clone)]
pub struct Officer {
    pub user: UserId,
    pub zone: ZoneId,
    pub village: UnitId,
    pub township: UnitId,
    pub frame: Frame,
    /// The zone in the officer's plane.
    pub area: Polygon<f64>,
    /// The zone's boundary, counter-clockwise.
    pub ring: Vec<Xy>,
    /// The road the officer walks again and again.
    pub road: Path,
    pub inspector: UserId,
    boundary: WirePolygon,
}

impl Officer {
    /// Whether `area` (a licence's, in 1e-7 degree) has its centre in this officer's zone.
    pub fn holds(&self, area: &WirePolygon) -> bool {
        let ring = self.frame.polygon(area);
        let n = ring.exterior().0.len().saturating_sub(1).max(1) as f64;
        let (x, y) = ring.exterior().0.iter().take(n as usize).fold((0.0, 0.0), |(x, y), c| (x + c.x / n, y + c.y / n));
        depth_m(&self.area, (x, y)) > 0.0
    }

    /// The boundary edge this officer's zone shares with `other`'s, as two corners in this
    /// officer's plane, in the order of this zone's counter-clockwise ring.
    pub fn shared_edge(&self, other: &Officer) -> Option<[Xy; 2]> {
        let mine = &self.boundary.0[0];
        let theirs = &other.boundary.0[0];
        let edge =
            mine.windows(2).find(|e| theirs.windows(2).any(|t| t[0] == e[1] && t[1] == e[0]) || theirs.windows(2).any(|t| t == *e))?;
        let (a, b) = (self.frame.xy(edge[0][0], edge[0][1]), self.frame.xy(edge[1][0], edge[1][1]));
        // The ring's stored order may be clockwise; keep the counter-clockwise order of `ring`.
        let i = self.ring.iter().position(|p| close(*p, a))?;
        Some(if close(self.ring[(i + 1) % self.ring.len()], b) { [a, b] } else { [b, a] })
    }
}

fn close(p: Xy, q: Xy) -> bool {
    (p.0 - q.0).hypot(p.1 - q.1) < 0.01
}

/// `n` officers of the demo county (all of them at most) in an order drawn from `rng`: two in
/// three host a licence (one of them an exploration right, so that every finding case has a zone),
/// the rest do not (the county's imported licences go there).
pub fn select(county: &DemoCounty, n: usize, rng: &mut ChaCha8Rng) -> Result<Vec<Officer>> {
    let mut all: Vec<Officer> = county.officers().iter().map(|o| officer(county, &o.user, rng)).collect::<Result<_>>()?;
    all.shuffle(rng);
    let hosts_any =
        |o: &Officer, f: &dyn Fn(&sync_protocol::body::LicenceGranted) -> bool| county.licences().iter().any(|l| f(l) && o.holds(&l.area));
    let (mut hosts, others): (Vec<Officer>, Vec<Officer>) = all.into_iter().partition(|o| hosts_any(o, &|_| true));
    if let Some(i) = hosts.iter().position(|o| hosts_any(o, &|l| l.right == sync_protocol::body::RightKind::Exploration)) {
        let explorer = hosts.remove(i);
        hosts.insert(0, explorer);
    }
    let n = n.min(hosts.len() + others.len());
    let n_hosts = (n * 2).div_ceil(3).min(hosts.len()).max(n.saturating_sub(others.len()));
    Ok(hosts.into_iter().take(n_hosts).chain(others.into_iter().take(n - n_hosts)).collect())
}

fn officer(county: &DemoCounty, user: &UserId, rng: &mut ChaCha8Rng) -> Result<Officer> {
    let zone = county.zone_of(user).with_context(|| format!("{user} has no zone"))?;
    let frame = Frame::at(patrolsync_tests::tracks::zone_centre(&zone.zone));
    let area = frame.polygon(&zone.boundary);
    let road = road_in(&area, rng).with_context(|| format!("no road fits in {}", zone.zone))?;
    let inspector = county.inspectors_of(&zone.township).next().with_context(|| format!("no inspector for {}", zone.township))?;
    Ok(Officer {
        user: user.clone(),
        zone: zone.zone.clone(),
        village: zone.village.clone(),
        township: zone.township.clone(),
        ring: ring_ccw(&area),
        frame,
        area,
        road,
        inspector: inspector.user.clone(),
        boundary: zone.boundary.clone(),
    })
}
