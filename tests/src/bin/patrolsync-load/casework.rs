//! The office's share of the bench's history, so that the case, flag and missing-evidence lists
//! are timed on tables of a county's size (issue 12), not on empty ones: findings on some patrols,
//! each with a photo declared and never uploaded, some patrols walked astray, and a case opened on
//! every finding by its township's inspector and worked to its end or left open.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::time::Instant;
use sync_protocol::body::{FindingKind, MediaType};
use sync_protocol::event::Event;
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::values::Coord;
use sync_protocol::wire::{AckStatus, MAX_PUSH_EVENTS};

use crate::counties::BenchCounty;
use crate::phases::Device;
use patrolsync_tests::{evidence, office, tracks};

/// A finding of the history, for its township's inspector to open a case on.
pub struct Found {
    finding: EventId,
    township: UnitId,
    county: usize,
}

/// Where a patrol walked astray is walked: 0.05° (some 5 km) east and north of the officer's zone
/// centre, outside the zone (every such patrol raises `outside_zone`).
pub fn astray(centre: Coord) -> Coord {
    Coord { lon: centre.lon + 500_000, lat: centre.lat + 500_000 }
}

/// Whether patrol `i` of a history with one patrol in `every` astray (0: none) is walked astray.
pub fn is_astray(i: usize, every: usize) -> bool {
    every > 0 && i % every == every - 1
}

/// Adds to each device's history, after its patrols, a finding on every `every`-th patrol (0:
/// none), seen ten minutes into it at the zone's centre, each with a photo declared and never
/// uploaded (the missing-evidence list's rows). Returns the findings made.
pub fn findings(devices: &mut [Device], histories: &mut [Vec<Event>], every: usize) -> Result<Vec<Found>> {
    let mut found = Vec::new();
    if every == 0 {
        return Ok(found);
    }
    for (d, history) in devices.iter_mut().zip(histories.iter_mut()) {
        let patrols: Vec<(EventId, i64)> = history
            .iter()
            .skip(every - 1)
            .step_by(every)
            .map(|p| Ok((p.id, p.body["started_at"].as_i64().context("a bench patrol has its start")?)))
            .collect::<Result<_>>()?;
        for (patrol, started_at) in patrols {
            let finding = d.raw.seal(&tracks::finding(&d.zone, patrol, started_at + 600_000, FindingKind::UnlicensedMining, None));
            let photo = format!("{}: the pit, never uploaded", finding.id);
            let attachment = d.raw.seal(&evidence::attachment(finding.id, photo.as_bytes(), MediaType::Jpeg));
            found.push(Found { finding: finding.id, township: d.township.clone(), county: d.county });
            history.extend([finding, attachment]);
        }
    }
    Ok(found)
}

/// Each township's first inspector opens a case on each of its findings and works it: three in
/// four verified, stopped and closed, the fourth left verified and open. Prints what it recorded.
pub async fn open_cases(url: &str, password: &str, counties: &[BenchCounty], found: &[Found]) -> Result<()> {
    if found.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    let mut by_township: BTreeMap<(usize, &UnitId), Vec<EventId>> = BTreeMap::new();
    for f in found {
        by_township.entry((f.county, &f.township)).or_default().push(f.finding);
    }
    let mut steps = 0;
    for ((county, township), findings) in by_township {
        let county = counties.get(county).context("a finding of a county the bench fills")?;
        let inspector = county.county.inspectors_of(township).next().with_context(|| format!("{township} has an inspector"))?;
        let mut d = county.device(url, inspector.user.as_str())?;
        d.login(password).await?;
        let t = township.as_str();
        let mut events = Vec::with_capacity(findings.len() * 4);
        for (k, finding) in findings.into_iter().enumerate() {
            let opened = d.seal(&office::open_on_finding(finding, t));
            let verified = d.seal(&office::verify(opened.id, t, opened.id));
            let (case, last) = (opened.id, verified.id);
            events.extend([opened, verified]);
            if k % 4 != 3 {
                let stopped = d.seal(&office::stop(case, t, last));
                let closed = d.seal(&office::close(case, t, stopped.id));
                events.extend([stopped, closed]);
            }
        }
        for batch in events.chunks(MAX_PUSH_EVENTS) {
            let reply = d.sync(batch).await?;
            if let Some(refused) = reply.acks.iter().find(|a| a.status != AckStatus::Accepted) {
                bail!("{t}'s inspector's casework: {refused:?}");
            }
        }
        steps += events.len();
    }
    println!(
        "casework: {} cases opened on the findings by their townships' inspectors, {steps} steps in all, in {:.1} s",
        found.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
