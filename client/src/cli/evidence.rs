//! Evidence commands: `attach` (offline: the file is copied into the replica with its event),
//! `evidence` (a patrol's, finding's, tip's or case's attachments and where their bytes are) and
//! `fetch` (download a finding's, patrol's, tip's or case's evidence, or one blob, verified
//! against its hash).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use sync_protocol::body::{BlobHash, Subject, SubjectKind};
use sync_protocol::ids::EventId;

use super::record::parse_event_id;
use crate::replica::{BlobState, Replica};
use crate::sync;

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SubjectArgs {
    /// A finding (发现) this phone holds.
    #[arg(long, value_parser = parse_event_id)]
    pub finding: Option<EventId>,
    /// A patrol (巡查) this phone holds.
    #[arg(long, value_parser = parse_event_id)]
    pub patrol: Option<EventId>,
    /// A tip (举报线索) this phone holds (township inspectors and the county).
    #[arg(long, value_parser = parse_event_id)]
    pub tip: Option<EventId>,
    /// A case (案件, the id of its `case.opened`) this phone holds.
    #[arg(long = "case", value_parser = parse_event_id)]
    pub case_id: Option<EventId>,
}

impl SubjectArgs {
    fn subject(&self) -> Subject {
        let named = [
            (SubjectKind::Finding, self.finding),
            (SubjectKind::Patrol, self.patrol),
            (SubjectKind::Tip, self.tip),
            (SubjectKind::Case, self.case_id),
        ];
        // clap's group makes exactly one of them present.
        let (kind, id) =
            named.into_iter().find_map(|(k, id)| id.map(|id| (k, id))).unwrap_or((SubjectKind::Finding, EventId(uuid::Uuid::nil())));
        Subject { kind, id }
    }
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// A photo or document: JPEG, PNG, HEIC, PDF or MP4 (judged by its content).
    #[arg(long)]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    #[command(flatten)]
    pub subject: SubjectArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Every attachment of the finding, patrol, tip or case named.
    #[command(flatten)]
    pub subject: SubjectArgs,
    /// Or one blob by its SHA-256 (it must belong to an attachment this phone holds).
    #[arg(long, value_parser = parse_hash, group = "SubjectArgs")]
    pub sha256: Option<BlobHash>,
}

fn parse_hash(s: &str) -> Result<BlobHash, String> {
    s.parse().map_err(|e: sync_protocol::ValidationError| e.to_string())
}

/// `attach`: prints the attachment's event id.
pub fn attach(replica: &mut Replica, a: AttachArgs) -> anyhow::Result<()> {
    let id = replica.attach(a.subject.subject(), &a.file).with_context(|| format!("attaching {}", a.file.display()))?;
    println!("{id}");
    Ok(())
}

/// `evidence`: one line per attachment, or JSON.
pub fn list(replica: &Replica, a: EvidenceArgs) -> anyhow::Result<()> {
    let items = replica.evidence(a.subject.subject().id)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(());
    }
    for e in &items {
        let state = match e.state {
            BlobState::OnServer => "on server (已上传)",
            BlobState::OnPhone => "on phone only (待上传)",
            BlobState::NotHere => "not on this phone (未下载)",
        };
        let name = e.file_name.as_deref().unwrap_or("-");
        println!("{} {} {} {} bytes {name}: {state}", e.id, e.sha256, e.media_type.as_str(), e.size);
    }
    if items.is_empty() {
        println!("no evidence (无证据材料)");
    }
    Ok(())
}

/// `fetch`: downloads and prints the paths of the files.
pub async fn fetch(replica: &Replica, a: FetchArgs) -> anyhow::Result<()> {
    let paths = match a.sha256 {
        Some(hash) => {
            let projection = replica.projection()?;
            let attachment =
                projection.attachments.values().find(|x| x.sha256 == hash).context("no attachment on this phone names that SHA-256")?;
            vec![sync::fetch_blob(replica, &hash, attachment.media_type).await?]
        }
        None => sync::fetch_evidence(replica, a.subject.subject().id).await?,
    };
    for p in paths {
        println!("{}", p.display());
    }
    Ok(())
}
