//! Checks made at ingest and on the device (DESIGN.md "Checks made at ingest"): the geofence in
//! event time, whether a patrol counts toward the quota, and the polygon index they stand on.
//!
//! # Layout
//! - [`geofence`]: what "inside a zone" means, boundary and GPS tolerance, in one place.
//! - [`patrol_report`]: a whole patrol against the zone assigned at each fix's time.
//! - [`valid_patrol`]: the rules that make a patrol count toward the weekly quota, explained.
//! - [`plausibility`]: flags for what honest phones and officers do not produce (speed, gaps,
//!   copies, clocks, overlaps, mock locations).
//! - [`clock`]: device clocks judged at sync: the time a push may state, notices and event flags.
//! - [`precheck`]: the half of a new patrol's checks that reads the reference data alone, run ahead.
//! - [`zone_history`]: which zone boundary applied to an officer at a time, versions prepared once.
//! - [`recheck`]: which patrols a zone or assignment change touches, and their new checks, planned.
//! - [`licence`]: a finding against the licences in force where and when it was observed.
//! - [`licence_history`]: every mine licence's terms in event time, areas prepared once.
//! - [`zone_index`]: polygons prepared once, for exact and fast point lookups.
//! - [`prepared_polygon`]: one polygon's edges banded for exact point-in-polygon tests.
//! - [`evidence`]: a photo's EXIF position and time against its finding and patrol.
//! - [`metres`]: distances in metres (haversine) to points and to polygon boundaries.
//! - [`zero_report`]: a zero report contradicted by a finding of the same officer and week.

pub mod clock;
pub mod evidence;
pub mod geofence;
pub mod hold_review;
pub mod licence;
pub mod licence_history;
pub mod metres;
pub mod patrol_report;
pub mod plausibility;
pub mod precheck;
pub mod prepared_polygon;
pub mod recheck;
pub mod valid_patrol;
pub mod zero_report;
pub mod zone_history;
pub mod zone_index;

#[cfg(test)]
mod geofence_tests;
#[cfg(test)]
mod licence_tests;
