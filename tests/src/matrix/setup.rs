//! The world the matrix runs against: one server with the demo county, a device for every
//! principal (logged in and synced once), and the matrix's objects created through the real
//! routes by their proper authors on devices of their own. Then the principals marked `then`
//! are disabled or revoked through the admin routes.

use anyhow::{Context, Result, bail, ensure};
use std::collections::BTreeMap;
use sync_protocol::body::{Body, FindingKind, Mineral, SubjectKind, TipInformant};
use sync_protocol::ids::{EventId, UnitId, UserId, ZoneId};
use sync_protocol::values::IsoWeek;
use sync_protocol::wire::AckStatus;

use super::spec::{Matrix, Then};
use crate::raw::{RawDevice, now_ms};
use crate::site::Site;
use crate::{DEMO_PASSWORD, office, photo, tracks};

/// One object of the matrix, as the setup made it.
#[derive(Debug, Clone)]
pub struct Object {
    /// What names it: an event id, a blob's SHA-256, a user id.
    pub value: String,
    /// Texts whose presence in an answer reveals the object: its value, and for an informant
    /// also the name and contact.
    pub needles: Vec<String>,
    /// The event's kind; none for blobs and users.
    pub kind: Option<String>,
    /// A blob's bytes.
    pub bytes: Option<Vec<u8>>,
}

impl Object {
    fn event(id: EventId, kind: &str) -> Object {
        Object { value: id.to_string(), needles: vec![id.to_string()], kind: Some(kind.into()), bytes: None }
    }

    fn blob(bytes: Vec<u8>) -> Object {
        let hash = photo::sha256_hex(&bytes);
        Object { value: hash.clone(), needles: vec![hash], kind: None, bytes: Some(bytes) }
    }

    pub fn event_id(&self) -> Result<EventId> {
        self.value.parse().with_context(|| format!("{} is not an event", self.value))
    }
}

pub struct World {
    pub url: String,
    pub http: reqwest::Client,
    /// Each principal's device; the anonymous caller's never logged in.
    pub devices: BTreeMap<String, RawDevice>,
    pub objects: BTreeMap<String, Object>,
    /// Placeholders every row may use: `now`, `from`, `to` (the ledger's days), `spare_device`.
    pub globals: BTreeMap<String, String>,
}

impl World {
    /// The objects whose needles appear in `text`.
    pub fn revealed(&self, text: &str) -> std::collections::BTreeSet<String> {
        self.objects.iter().filter(|(_, o)| o.needles.iter().any(|n| text.contains(n.as_str()))).map(|(k, _)| k.clone()).collect()
    }

    pub fn object(&self, name: &str) -> Result<&Object> {
        self.objects.get(name).with_context(|| format!("no object {name}"))
    }
}

async fn login(url: &str, user: &str) -> Result<RawDevice> {
    let mut d = RawDevice::new(url, user)?;
    d.login(DEMO_PASSWORD).await?;
    Ok(d)
}

/// Seals and pushes `body`, which must be accepted.
async fn accepted(d: &mut RawDevice, body: &Body) -> Result<EventId> {
    let event = d.seal(body);
    let reply = d.sync(std::slice::from_ref(&event)).await?;
    let ack = reply.acks.first().context("no ack")?;
    ensure!(ack.status == AckStatus::Accepted, "{} by {}: {:?} {:?}", body.kind(), d.user, ack.reason, ack.message);
    Ok(event.id)
}

/// Uploads a blob's bytes whole.
async fn upload(d: &RawDevice, bytes: &[u8]) -> Result<()> {
    let url = format!("{}/v1/blobs/{}", d.url, photo::sha256_hex(bytes));
    let token = d.token.as_deref().unwrap_or_default();
    let status = d.http.put(url).bearer_auth(token).header("upload-offset", 0).body(bytes.to_vec()).send().await?.status();
    ensure!(status == reqwest::StatusCode::CREATED, "uploading a blob answered {status}");
    Ok(())
}

fn param<'a>(matrix: &'a Matrix, datum: &str, key: &str) -> Result<&'a str> {
    matrix.data.get(datum).and_then(|d| d.get(key)).map(String::as_str).with_context(|| format!("data {datum} has no {key}"))
}

/// A county date (UTC+8) as `YYYY-MM-DD`.
fn county_day(ms: i64) -> String {
    let local = ms + sync_protocol::values::COUNTY_UTC_OFFSET_MS;
    chrono::DateTime::from_timestamp_millis(local).map(|t| t.date_naive().to_string()).unwrap_or_default()
}

impl World {
    /// Logs every principal in, creates the objects, then disables and revokes.
    pub async fn build(server: &Site, matrix: &Matrix) -> Result<World> {
        let url = server.url();
        let now = now_ms() as i64;
        let mut world = World {
            url: url.clone(),
            http: reqwest::Client::new(),
            devices: BTreeMap::new(),
            objects: BTreeMap::new(),
            globals: BTreeMap::from([
                ("now".to_owned(), now.to_string()),
                ("from".to_owned(), county_day(now - 3 * 86_400_000)),
                ("to".to_owned(), county_day(now + 86_400_000)),
            ]),
        };
        for p in &matrix.principals {
            let device = match &p.user {
                Some(user) => {
                    let mut d = login(&url, user).await?;
                    d.sync(&[]).await?;
                    d
                }
                None => RawDevice::new(&url, "anonymous")?,
            };
            world.devices.insert(p.name.clone(), device);
        }
        world.field_records(matrix, now).await?;
        world.office_records(matrix, now).await?;
        world.objects.insert("blob_unknown".into(), Object::blob(photo::jpeg(None, 1_500, 99)));
        let no_case = EventId(uuid::Uuid::now_v7());
        world.objects.insert("case_unknown".into(), Object { kind: None, ..Object::event(no_case, "") });
        let spare = login(&url, param(matrix, "county", "spare_user")?).await?;
        world.globals.insert("spare_device".into(), spare.device.to_string());
        world.disable_and_revoke(matrix).await?;
        let (made, listed): (Vec<_>, Vec<_>) = (world.objects.keys().collect(), matrix.objects.keys().collect());
        ensure!(made == listed, "the setup makes {made:?}, the matrix lists {listed:?}");
        Ok(world)
    }

    /// Per place V1, V2, V3: its officer's patrol, a finding on it, a zero report, a photo (of the
    /// patrol, or for V2 of the finding, whose bytes are never sent).
    async fn field_records(&mut self, matrix: &Matrix, now: i64) -> Result<()> {
        let start = now - 3 * 3_600_000;
        for (seed, place) in (1u64..).zip(["V1", "V2", "V3"]) {
            let tag = place.to_lowercase();
            let user = param(matrix, place, "officer")?;
            let zone = ZoneId::new(param(matrix, place, "zone")?)?;
            let mut officer = login(&self.url, user).await?;
            let patrol = accepted(&mut officer, &tracks::patrol(&zone, start, 60, seed)).await?;
            let finding = tracks::finding(&zone, patrol, start + 1_200_000, FindingKind::UnlicensedMining, Some(Mineral::RareEarth));
            let finding = accepted(&mut officer, &finding).await?;
            let week = IsoWeek::of_ms(now - 21 * 86_400_000);
            let zero = accepted(&mut officer, &tracks::zero_report(&UserId::new(user)?, &zone, week)).await?;
            let bytes = photo::jpeg(None, 1_500, seed);
            let (kind, subject) = if place == "V2" { (SubjectKind::Finding, finding) } else { (SubjectKind::Patrol, patrol) };
            let photo_id = accepted(&mut officer, &photo::jpeg_attachment(kind, subject, &bytes)).await?;
            if place != "V2" {
                upload(&officer, &bytes).await?;
            }
            self.objects.insert(format!("patrol_{tag}"), Object::event(patrol, "patrol.recorded"));
            self.objects.insert(format!("finding_{tag}"), Object::event(finding, "finding.reported"));
            self.objects.insert(format!("zero_{tag}"), Object::event(zero, "zero_report.filed"));
            self.objects.insert(format!("photo_{tag}"), Object::event(photo_id, "attachment.added"));
            self.objects.insert(format!("blob_{tag}"), Object::blob(bytes));
            self.objects.insert(
                format!("officer_{tag}"),
                Object { value: user.to_owned(), needles: vec![user.to_owned()], kind: None, bytes: None },
            );
        }
        Ok(())
    }

    /// T1: a case on V1's finding with a photo (sent), a tip recorded by the county with its
    /// informant and an assignment asking V1's officer to check it. T2: a case on V3's finding, a
    /// tip with its informant and a photo of the tip (never sent).
    async fn office_records(&mut self, matrix: &Matrix, now: i64) -> Result<()> {
        let mut t1 = login(&self.url, param(matrix, "T1", "inspector")?).await?;
        let mut t2 = login(&self.url, param(matrix, "T2", "inspector")?).await?;
        let mut county = login(&self.url, param(matrix, "county", "auditor")?).await?;
        let (town1, town2) = (param(matrix, "T1", "township")?, param(matrix, "T2", "township")?);

        let case_t1 = accepted(&mut t1, &office::open_on_finding(self.object("finding_v1")?.event_id()?, town1)).await?;
        let bytes = photo::jpeg(None, 1_500, 11);
        let photo_case = accepted(&mut t1, &photo::jpeg_attachment(SubjectKind::Case, case_t1, &bytes)).await?;
        upload(&t1, &bytes).await?;
        self.objects.insert("case_t1".into(), Object::event(case_t1, "case.opened"));
        self.objects.insert("photo_case_t1".into(), Object::event(photo_case, "attachment.added"));
        self.objects.insert("blob_case_t1".into(), Object::blob(bytes));

        let tip_t1 = accepted(&mut county, &office::tip_received(town1, now - 3_600_000)).await?;
        let informant_t1 = self.informant(&mut county, tip_t1, town1, ("甲", 1)).await?;
        let village = param(matrix, "V1", "village")?;
        let assign_t1 = accepted(&mut county, &office::assign_tip(tip_t1, town1, village)).await?;
        self.objects.insert("tip_t1".into(), Object::event(tip_t1, "tip.received"));
        self.objects.insert("informant_t1".into(), informant_t1);
        self.objects.insert("assign_t1".into(), Object::event(assign_t1, "tip.assigned"));

        let case_t2 = accepted(&mut t2, &office::open_on_finding(self.object("finding_v3")?.event_id()?, town2)).await?;
        let tip_t2 = accepted(&mut t2, &office::tip_received(town2, now - 3_600_000)).await?;
        let informant_t2 = self.informant(&mut t2, tip_t2, town2, ("乙", 2)).await?;
        let bytes = photo::jpeg(None, 1_500, 12);
        let photo_tip = accepted(&mut t2, &photo::jpeg_attachment(SubjectKind::Tip, tip_t2, &bytes)).await?;
        self.objects.insert("case_t2".into(), Object::event(case_t2, "case.opened"));
        self.objects.insert("tip_t2".into(), Object::event(tip_t2, "tip.received"));
        self.objects.insert("informant_t2".into(), informant_t2);
        self.objects.insert("photo_tip_t2".into(), Object::event(photo_tip, "attachment.added"));
        self.objects.insert("blob_tip_t2".into(), Object::blob(bytes));
        Ok(())
    }

    /// A `tip.informant` with a name and contact found nowhere else, so any answer that carries
    /// either reveals the informant.
    async fn informant(&self, d: &mut RawDevice, tip: EventId, township: &str, (mark, n): (&str, u32)) -> Result<Object> {
        let name = format!("举报人{mark} informant of {township}");
        let contact = format!("139{n:08}");
        let body = Body::TipInformant(TipInformant { tip, township: UnitId::new(township)?, name: name.clone(), contact: contact.clone() });
        let id = accepted(d, &body).await?;
        Ok(Object { value: id.to_string(), needles: vec![id.to_string(), name, contact], kind: Some("tip.informant".into()), bytes: None })
    }

    /// Disables the users and revokes the devices of the principals marked so, as an admin.
    async fn disable_and_revoke(&self, matrix: &Matrix) -> Result<()> {
        let admin = login(&self.url, "admin").await?;
        for p in &matrix.principals {
            let name = &p.name;
            let path = match (p.then, &p.user) {
                (Some(Then::Disable), Some(user)) => format!("/v1/admin/users/{user}/disable"),
                (Some(Then::Revoke), Some(_)) => format!("/v1/admin/devices/{}/revoke", self.devices[name].device),
                (None, _) => continue,
                (Some(_), None) => bail!("principal {name}: only a user can be disabled or revoked"),
            };
            let (status, body) = admin.post(&path, b"").await?;
            ensure!(status == reqwest::StatusCode::OK, "{path} answered {status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(())
    }
}
