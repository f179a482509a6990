//! The counties the bench fills and asks: the demo county alone, or every county of a demo
//! deployment of several (`--counties N`, the server's `serve --demo --counties N`), each with its own users.

use anyhow::{Context, Result};
use patrolsync_server::tools::demo::{DemoCounty, deployment_county, deployment_county_name};
use sync_protocol::ids::{UnitId, UserId};

use patrolsync_tests::raw::RawDevice;

/// One county of the deployment measured.
pub struct BenchCounty {
    /// The code its users name at login; none for a deployment of one county.
    pub code: Option<String>,
    pub county: DemoCounty,
}

/// The deployment's `n` counties, in the server's order.
pub fn of(n: usize) -> Vec<BenchCounty> {
    if n <= 1 {
        return vec![BenchCounty { code: None, county: patrolsync_server::tools::demo::county() }];
    }
    (0..n).map(|i| BenchCounty { code: Some(deployment_county_name(i).0), county: deployment_county(i) }).collect()
}

impl BenchCounty {
    /// A device of `user`, who logs in to this county.
    pub fn device(&self, url: &str, user: &str) -> Result<RawDevice> {
        let mut device = RawDevice::new(url, user)?;
        device.county = self.code.clone();
        Ok(device)
    }

    /// The township, its first inspector and first officer the reports ask about: those of the
    /// county's first officer (`T01`, `ti-t01-1`, `vo-t01-v01` in the demo county).
    pub fn asked(&self) -> Result<(UnitId, UserId, UserId)> {
        let officer = self.county.officers().first().context("the county has no officers")?;
        let zone = self.county.zone_of(&officer.user).context("the first officer has a zone")?;
        let inspector = self.county.inspectors_of(&zone.township).next().context("the township has an inspector")?;
        Ok((zone.township.clone(), inspector.user.clone(), officer.user.clone()))
    }
}
