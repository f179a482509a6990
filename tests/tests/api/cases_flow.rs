//! Cases and tips through the real server: a finding reaches the township inspector on pull and
//! is escalated level by level; who may record which step; concurrent conflicting steps show the
//! same conflict on the server and on every replica; a tip's informant reaches only the county
//! section and the township's inspectors.

use anyhow::Result;
use patrolsync_client::sync;
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::device::{local_projection, phone, server_projection};
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{office, tracks};
use reqwest::StatusCode;
use sync_protocol::body::{Body, FindingKind, Mineral};
use sync_protocol::event::Event;
use sync_protocol::fold::{Projection, Stage};
use sync_protocol::ids::{EventId, ZoneId};
use sync_protocol::wire::{AckStatus, RejectReason};

/// Pushes one body; returns the event and its ack's status and reason.
async fn push(d: &mut RawDevice, body: &Body) -> Result<(Event, AckStatus, Option<RejectReason>)> {
    let e = d.seal(body);
    let r = d.sync(std::slice::from_ref(&e)).await?;
    Ok((e, r.acks[0].status, r.acks[0].reason))
}

async fn accepted(d: &mut RawDevice, body: &Body) -> Result<EventId> {
    let (e, status, reason) = push(d, body).await?;
    assert_eq!(status, AckStatus::Accepted, "{} by {}: {reason:?}", body.kind(), d.user);
    Ok(e.id)
}

async fn refused(d: &mut RawDevice, body: &Body) -> Result<()> {
    let (_, status, reason) = push(d, body).await?;
    assert_eq!((status, reason), (AckStatus::Rejected, Some(RejectReason::NotAllowed)), "{} by {}", body.kind(), d.user);
    Ok(())
}

/// An officer's patrol and a finding on it, observed an hour ago; returns the finding's id.
async fn report_finding(officer: &mut RawDevice, zone: &ZoneId) -> Result<EventId> {
    let start = now_ms() as i64 - 3 * 3_600_000;
    let patrol = accepted(officer, &tracks::patrol(zone, start, 60, 7)).await?;
    let finding = tracks::finding(zone, patrol, start + 3_600_000, FindingKind::UnlicensedMining, Some(Mineral::RareEarth));
    accepted(officer, &finding).await
}

async fn projection_of(d: &RawDevice) -> Result<Projection> {
    let (status, body) = d.projection().await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    Ok(serde_json::from_value(body)?)
}

#[tokio::test]
async fn a_finding_is_escalated_level_by_level_and_every_view_agrees() -> Result<()> {
    let server = spawn_app()?;
    let zone = ZoneId::new("Z-T03-V02")?;
    let mut officer = server.device("vo-t03-v02").await?;
    let finding = report_finding(&mut officer, &zone).await?;

    // The finding is in the township inspector's queue on their next pull.
    let mut inspector = server.device("ti-t03-1").await?;
    let pulled = inspector.pull_all().await?;
    assert!(pulled.iter().any(|e| e.id == finding && e.kind == "finding.reported"), "the inspector pulls the finding");

    // Who may not record: the officer, an inspector of another township, a commissioner, an admin.
    refused(&mut officer, &office::open_on_finding(finding, "T03")).await?;
    let mut elsewhere = server.device("ti-t01-1").await?;
    refused(&mut elsewhere, &office::open_on_finding(finding, "T03")).await?;
    refused(&mut server.device("cm-1").await?, &office::open_on_finding(finding, "T03")).await?;
    refused(&mut server.device("admin").await?, &office::open_on_finding(finding, "T03")).await?;

    // Receipt, verification, stopping, referral by the inspector.
    let case = accepted(&mut inspector, &office::open_on_finding(finding, "T03")).await?;
    let verified = accepted(&mut inspector, &office::verify(case, "T03", case)).await?;
    let stopped = accepted(&mut inspector, &office::stop(case, "T03", verified)).await?;
    // A step naming another township than the case's is refused, even from the county.
    let mut county = server.device("ca-1").await?;
    refused(&mut county, &office::stop(case, "T01", stopped)).await?;
    let referred = accepted(&mut inspector, &office::refer(case, "T03", stopped)).await?;
    // A referred case is closed by the county, not the township; only the county marks it major.
    refused(&mut inspector, &office::close(case, "T03", referred)).await?;
    refused(&mut inspector, &office::mark_major(case, "T03", referred, now_ms() as i64 + 86_400_000)).await?;
    let deadline = now_ms() as i64 + 7 * 86_400_000;
    let major = accepted(&mut county, &office::mark_major(case, "T03", referred, deadline)).await?;

    // The server's view, the county's and a second inspector's replica show the same case.
    let dir = tempfile::tempdir()?;
    let mut second = phone(&dir.path().join("ti-t03-2.db"), &server.url(), "ti-t03-2").await?;
    sync::sync(&mut second).await?;
    let local = local_projection(&second)?;
    let on_server = server_projection(&second, &server.url()).await?;
    let seen = &local.cases[&case];
    assert_eq!(seen, &on_server.cases[&case]);
    assert_eq!(seen, &projection_of(&county).await?.cases[&case]);
    assert_eq!(seen.stage, Some(Stage::Referred));
    assert_eq!(seen.heads, vec![major]);
    assert_eq!(seen.major.as_ref().map(|m| m.deadline), Some(deadline));
    assert_eq!(seen.steps.len(), 5, "opened, verified, stopped, referred, marked major");
    assert!(seen.stopped_at.is_some());
    assert!(seen.steps.iter().all(|s| s.problem.is_none()));

    // The county closes it; the village officer's replica never receives the case.
    accepted(&mut county, &office::close(case, "T03", major)).await?;
    sync::sync(&mut second).await?;
    assert_eq!(local_projection(&second)?.cases[&case].stage, Some(Stage::Closed));
    assert!(officer.pull_all().await?.iter().all(|e| !e.kind.starts_with("case.")), "cases go to the township, not the village");
    Ok(())
}

#[tokio::test]
async fn concurrent_conflicting_steps_show_the_same_conflict_everywhere() -> Result<()> {
    let server = spawn_app()?;
    let zone = ZoneId::new("Z-T05-V01")?;
    let mut officer = server.device("vo-t05-v01").await?;
    let finding = report_finding(&mut officer, &zone).await?;

    let dir = tempfile::tempdir()?;
    let mut a = phone(&dir.path().join("a.db"), &server.url(), "ti-t05-1").await?;
    let mut b = phone(&dir.path().join("b.db"), &server.url(), "ti-t05-2").await?;
    sync::sync(&mut a).await?;
    let case = a.record_office(&office::open_on_finding(finding, "T05"))?;
    let verified = a.record_office(&office::verify(case, "T05", case))?;
    sync::sync(&mut a).await?;
    sync::sync(&mut b).await?;
    assert_eq!(local_projection(&b)?.cases[&case].heads, vec![verified]);

    // Offline, each inspector acts on the verified case without seeing the other.
    let closed = a.record_office(&office::close(case, "T05", verified))?;
    let referred = b.record_office(&office::refer(case, "T05", verified))?;
    for _ in 0..2 {
        sync::sync(&mut a).await?;
        sync::sync(&mut b).await?;
    }
    let (on_a, on_b) = (local_projection(&a)?.cases[&case].clone(), local_projection(&b)?.cases[&case].clone());
    let on_server = server_projection(&a, &server.url()).await?.cases[&case].clone();
    assert_eq!(on_a, on_b);
    assert_eq!(on_a, on_server);
    assert_eq!(on_a.status_label(), "conflict");
    let conflict = on_a.conflict.as_ref().map(|c| c.branches.iter().map(|h| (h.step, h.stage)).collect::<Vec<_>>());
    let mut expected = vec![(closed, Stage::Closed), (referred, Stage::Referred)];
    expected.sort();
    let mut got = conflict.unwrap_or_default();
    got.sort();
    assert_eq!(got, expected);
    Ok(())
}

/// Issue 14's two orders: inspector B closes offline while inspector A refers on another phone,
/// both on the verification. Whichever reaches the server first, both steps are kept and the case
/// shows the conflict; an inspector may not resolve it (it includes the referral), the county may.
#[tokio::test]
async fn a_closure_and_a_referral_made_at_once_conflict_whichever_arrives_first() -> Result<()> {
    let server = spawn_app()?;
    let zone = ZoneId::new("Z-T05-V01")?;
    let mut officer = server.device("vo-t05-v01").await?;
    let mut county = server.device("ca-1").await?;
    let mut inspector = server.device("ti-t05-2").await?;
    let dir = tempfile::tempdir()?;
    for referral_first in [true, false] {
        let finding = report_finding(&mut officer, &zone).await?;
        let name = |who: &str| dir.path().join(format!("{who}-{referral_first}.db"));
        let mut a = phone(&name("a"), &server.url(), "ti-t05-1").await?;
        let mut b = phone(&name("b"), &server.url(), "ti-t05-2").await?;
        let case = a.record_office(&office::open_on_finding(finding, "T05"))?;
        let verified = a.record_office(&office::verify(case, "T05", case))?;
        sync::sync(&mut a).await?;
        sync::sync(&mut b).await?;
        // Offline, each acts on the verified case without seeing the other.
        let referred = a.record_office(&office::refer(case, "T05", verified))?;
        let closed = b.record_office(&office::close(case, "T05", verified))?;
        let (first, second) = if referral_first { (&mut a, &mut b) } else { (&mut b, &mut a) };
        sync::sync(first).await?;
        sync::sync(second).await?;
        sync::sync(first).await?;
        for phone in [&a, &b] {
            assert!(phone.rejected()?.is_empty(), "referral first: {referral_first}: nothing refused");
        }
        let on_server = server_projection(&a, &server.url()).await?.cases[&case].clone();
        assert_eq!(local_projection(&a)?.cases[&case], on_server);
        assert_eq!(local_projection(&b)?.cases[&case], on_server);
        let mut branches: Vec<_> = on_server.conflict.iter().flat_map(|c| &c.branches).map(|h| (h.step, h.stage)).collect();
        branches.sort();
        let mut expected = vec![(closed, Stage::Closed), (referred, Stage::Referred)];
        expected.sort();
        assert_eq!(branches, expected, "referral first: {referral_first}");

        // The conflict includes the referral: the county's to resolve, not an inspector's.
        refused(&mut inspector, &office::resolve(case, "T05", &[closed, referred], closed)).await?;
        let resolution = accepted(&mut county, &office::resolve(case, "T05", &[closed, referred], referred)).await?;
        sync::sync(&mut b).await?;
        let resolved = local_projection(&b)?.cases[&case].clone();
        assert_eq!((resolved.stage, resolved.heads), (Some(Stage::Referred), vec![resolution]));
    }
    Ok(())
}

#[tokio::test]
async fn an_informant_reaches_only_the_county_section_and_the_township() -> Result<()> {
    let server = spawn_app()?;
    let mut inspector = server.device("ti-t03-1").await?;
    let tip = accepted(&mut inspector, &office::tip_received("T03", now_ms() as i64 - 3_600_000)).await?;
    let informant = accepted(&mut inspector, &office::informant(tip, "T03")).await?;
    let assigned = accepted(&mut inspector, &office::assign_tip(tip, "T03", "T03-V02")).await?;
    refused(&mut server.device("vo-t03-v02").await?, &office::informant(tip, "T03")).await?;

    let ids = |events: Vec<Event>| events.into_iter().map(|e| e.id).collect::<Vec<_>>();
    let may: [(&str, bool); 3] = [("ca-1", true), ("ti-t03-2", true), ("ti-t01-1", false)];
    for (user, sees) in may {
        let mut d = server.device(user).await?;
        let pulled = ids(d.pull_all().await?);
        assert_eq!(pulled.contains(&informant), sees, "{user} pull");
        assert_eq!(projection_of(&d).await?.informants.contains_key(&tip), sees, "{user} projection");
    }
    // The commissioner and the admin pull the county bucket, which holds the whole log, but
    // never the informant; their projection has the tip without it.
    for user in ["cm-1", "admin"] {
        let mut d = server.device(user).await?;
        let pulled = ids(d.pull_all().await?);
        assert!(pulled.contains(&tip) && pulled.contains(&assigned), "{user} sees the tip");
        assert!(!pulled.contains(&informant), "{user} never pulls the informant");
        let p = projection_of(&d).await?;
        assert!(p.tips.contains_key(&tip) && p.informants.is_empty(), "{user} projection");
    }
    // The village officer asked to check gets the assignment's brief, nothing else of the tip.
    let mut officer = server.device("vo-t03-v02").await?;
    let pulled = ids(officer.pull_all().await?);
    assert!(pulled.contains(&assigned));
    assert!(!pulled.contains(&informant) && !pulled.contains(&tip));
    Ok(())
}

/// `GET /v1/office` holds the tips with the cases opened on them, as the scope's full fold has
/// them, and not the cases themselves (which `GET /v1/cases` pages): its size follows the
/// reference data and the tips, not the county's years of cases.
#[tokio::test]
async fn the_office_holds_the_tips_with_their_cases_but_not_the_cases() -> Result<()> {
    let server = spawn_app()?;
    let mut inspector = server.device("ti-t03-1").await?;
    let mut officer = server.device("vo-t03-v02").await?;
    let tip = accepted(&mut inspector, &office::tip_received("T03", now_ms() as i64 - 3_600_000)).await?;
    let on_tip = accepted(&mut inspector, &office::open_on_tip(tip, "T03")).await?;
    let second = accepted(&mut inspector, &office::open_on_tip(tip, "T03")).await?;
    let finding = report_finding(&mut officer, &ZoneId::new("Z-T03-V02")?).await?;
    let on_finding = accepted(&mut inspector, &office::open_on_finding(finding, "T03")).await?;
    accepted(&mut inspector, &office::verify(on_finding, "T03", on_finding)).await?;
    let untouched = accepted(&mut inspector, &office::tip_received("T03", now_ms() as i64 - 60_000)).await?;

    for user in ["ca-1", "ti-t03-1", "cm-1"] {
        let d = server.device(user).await?;
        let (status, office) = d.get_json("/v1/office").await?;
        assert_eq!(status, StatusCode::OK, "{user}: {office}");
        assert!(office.get("cases").is_none(), "{user}: the office holds no case");
        let office: Projection = serde_json::from_value(office)?;
        let full = projection_of(&d).await?;
        assert_eq!(full.cases.len(), 3, "{user}: the full fold has every case");
        assert_eq!(office.tips, full.tips, "{user}: each tip as the full fold has it, its cases included");
        assert_eq!(office.tips[&tip].cases, vec![on_tip, second], "{user}");
        assert!(office.tips[&untouched].cases.is_empty(), "{user}");
        assert!(!office.zones.is_empty() && !office.units.is_empty() && !office.licences.is_empty(), "{user}: the reference data");
    }
    // Another township's inspector sees neither the tips nor their cases.
    let (_, other) = server.device("ti-t01-1").await?.get_json("/v1/office").await?;
    assert!(other["tips"].as_object().is_none_or(|t| t.is_empty()), "{other}");
    Ok(())
}
