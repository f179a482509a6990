//! Upgrades: a newer server keeps serving older phone builds. The replies of each protocol
//! version are frozen in `tests/golden/replies/`; `old_phone` below decodes them as the builds of
//! that version did, refusing any field or value it does not know. The tests check that the
//! server's types still write each version's golden reply, and that the real server answers a
//! request from each build (the oldest names no version) in a shape that build reads.

use anyhow::{Context, Result};
use patrolsync_tests::app::spawn_app;
use patrolsync_tests::raw::{RawDevice, now_ms};
use patrolsync_tests::{DEMO_PASSWORD, tracks};
use reqwest::StatusCode;
use serde_json::Value;
use sync_protocol::crypto::DeviceKey;
use sync_protocol::ids::ZoneId;
use sync_protocol::merkle::{Checkpoint, Frontier, leaf_hash};
use sync_protocol::wire::audit::CheckpointReply;
use sync_protocol::wire::version::{CURRENT, HEADER, Versioned};
use sync_protocol::wire::witness::{StoreEpoch, Withheld, WitnessReply};
use sync_protocol::wire::{Ack, BucketPage, RejectReason, SyncResponse};

/// Reply decoders as the phone builds of each version had them: every struct refuses unknown
/// fields, every enum unknown values (the builds before version 2 did exactly that).
#[allow(dead_code)] // each decoder reads every field of its version, as the build did; the tests look at some
mod old_phone {
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Reply<A> {
        pub acks: Vec<A>,
        pub pages: Vec<Page>,
        #[serde(default)]
        pub purge: Vec<String>,
        pub next_seq: u64,
        pub hlc: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Page {
        pub bucket: String,
        pub events: Vec<Value>,
        pub cursor: u64,
        pub more: bool,
    }

    #[derive(Debug, Deserialize, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum Status {
        Accepted,
        Duplicate,
        Rejected,
    }

    #[derive(Debug, Deserialize, PartialEq, Eq)]
    #[serde(rename_all = "snake_case")]
    pub enum Reason {
        Malformed,
        WrongDevice,
        WrongAuthor,
        BadHash,
        BadSignature,
        IdConflict,
        SeqConflict,
        Gap,
        BrokenChain,
        UnknownKind,
        UnsupportedVersion,
        InvalidBody,
        NotAllowed,
    }

    /// An ack of version 1.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AckV1 {
        pub id: Option<String>,
        pub seq: Option<u64>,
        pub status: Status,
        #[serde(default)]
        pub reason: Option<Reason>,
        #[serde(default)]
        pub message: Option<String>,
        #[serde(default)]
        pub expected_seq: Option<u64>,
    }

    /// An ack of version 2: version 1 and the buckets of the acknowledged event.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct AckV2 {
        pub id: Option<String>,
        pub seq: Option<u64>,
        pub status: Status,
        #[serde(default)]
        pub reason: Option<Reason>,
        #[serde(default)]
        pub message: Option<String>,
        #[serde(default)]
        pub expected_seq: Option<u64>,
        #[serde(default)]
        pub buckets: Vec<String>,
    }

    pub type V1 = Reply<AckV1>;
    pub type V2 = Reply<AckV2>;
}

fn golden(version: u32) -> Result<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("golden/replies/sync-v{version}.json"));
    serde_json::from_slice(&std::fs::read(&path)?).with_context(|| path.display().to_string())
}

/// The log's witness in the golden reply (version 3): a checkpoint of a log of 3 leaves, signed
/// with a fixed key (Ed25519 signatures are deterministic), for a device that held none.
fn witness() -> Result<WitnessReply> {
    let leaves: Vec<_> = [&b"a"[..], b"b", b"c"].iter().map(|l| leaf_hash(l)).collect();
    let log = Frontier::from_leaves(&leaves);
    let key = DeviceKey::from_secret([7; 32]);
    let signed = Checkpoint::new("patrolsync/central/0192f0c1-0000-7000-8000-0000000000aa", log.size(), log.root())?.sign(&key);
    Ok(WitnessReply {
        epoch: StoreEpoch { id: "0192f0c1-0000-7000-8000-0000000000ee".into(), since_seq: 0 },
        checkpoint: CheckpointReply::new(signed, key.public()),
        frontier: log.subtrees().to_vec(),
        leaves: vec![],
    })
}

/// The reply frozen in the golden files, built with the server's types as of this build.
fn example() -> Result<SyncResponse<Value>> {
    let event: Value = serde_json::from_str(include_str!("../../golden/04-zero_report.filed.json"))?;
    let routed = vec!["village:T01-V01".parse()?, "township:T01".parse()?];
    let id = |n: u32| format!("0192f0c1-7a3b-7c00-8000-{n:012x}").parse();
    let withheld = Withheld { server_seq: 41, id: Some(id(11)?), problem: "the stored row no longer matches its hash".into() };
    Ok(SyncResponse {
        acks: vec![
            Ack::accepted(id(13)?, 4).with_buckets(routed.clone()),
            Ack::duplicate(id(12)?, 3).with_buckets(routed),
            Ack::rejected(Some(id(14)?), Some(5), RejectReason::NotAllowed, "zone Z-T02-V01 is not assigned to vo-t01-v01"),
            Ack::rejected(Some(id(16)?), Some(7), RejectReason::Gap, "expected seq 6").with_expected_seq(6),
            Ack::rejected(None, None, RejectReason::Malformed, "not an event"),
        ],
        pages: vec![
            BucketPage { bucket: "village:T01-V01".parse()?, events: vec![event], cursor: 42, more: false, withheld: vec![withheld] },
            BucketPage { bucket: "township:T01".parse()?, events: vec![], cursor: 17, more: true, withheld: vec![] },
        ],
        purge: vec!["village:T02-V01".parse()?],
        next_seq: 6,
        hlc: "1764131280000-00002".parse()?,
        witness: Some(witness()?),
    })
}

#[test]
fn the_server_still_writes_every_versions_golden_reply_and_each_build_reads_its_own() -> Result<()> {
    for version in 1..=CURRENT {
        let written = serde_json::to_value(example()?.for_version(version))?;
        assert_eq!(written, golden(version)?, "the reply of version {version} changed: bump the protocol version instead");
    }
    let v1: old_phone::V1 = serde_json::from_value(golden(1)?)?;
    assert_eq!(v1.acks[3].expected_seq, Some(6));
    let v2: old_phone::V2 = serde_json::from_value(golden(2)?)?;
    assert_eq!(v2.acks[0].buckets, ["village:T01-V01", "township:T01"]);
    assert!(serde_json::from_value::<old_phone::V1>(golden(2)?).is_err(), "the test's old build refuses what it does not know");
    assert!(serde_json::from_value::<old_phone::V2>(golden(3)?).is_err(), "version 3 adds the witness and withheld events");
    let v3: SyncResponse<Value> = serde_json::from_value(golden(3)?)?;
    assert_eq!(v3.pages[0].withheld[0].server_seq, 41);
    let witness = v3.witness.context("version 3 carries the witness")?;
    witness.checkpoint.checkpoint.verify(&witness.checkpoint.public_key)?;
    Ok(())
}

/// POSTs a sync as a build of `version` would (`None`: a build that names none), with the body
/// such a build sends; returns the status, the version header of the reply and its body.
async fn sync_as(d: &RawDevice, version: Option<&str>, events: &[Value]) -> Result<(StatusCode, Option<String>, Value)> {
    let body = serde_json::json!({ "events": events, "cursors": d.cursors, "hlc": d.hlc });
    let mut request = d.http.post(format!("{}/v1/sync", d.url)).bearer_auth(d.token.clone().unwrap_or_default()).json(&body);
    if let Some(version) = version {
        request = request.header(HEADER, version);
    }
    let response = request.send().await?;
    let status = response.status();
    let answered = response.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok((status, answered, response.json().await?))
}

#[tokio::test]
async fn a_build_of_each_version_keeps_syncing_with_this_server() -> Result<()> {
    let server = spawn_app()?;
    let mut d = RawDevice::new(&server.url(), "vo-t01-v01")?;
    d.protocol = None;
    d.login(DEMO_PASSWORD).await?;
    let start = now_ms() as i64 - 3_600_000;
    let first = serde_json::to_value(d.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, start, 20, 1)))?;
    let not_mine = serde_json::to_value(d.seal(&tracks::patrol(&ZoneId::new("Z-T02-V01")?, start + 60_000, 20, 2)))?;
    // Sealed (seq 3) and never sent, so the next one (seq 4) leaves a gap.
    let _skipped = d.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, start + 120_000, 20, 3));
    let gap = serde_json::to_value(d.seal(&tracks::patrol(&ZoneId::new("Z-T01-V01")?, start + 180_000, 20, 4)))?;

    // The oldest build: no version named; accepted, rejected and gap acks, and pages.
    let (status, answered, reply) = sync_as(&d, None, &[first.clone(), not_mine.clone(), gap.clone()]).await?;
    assert_eq!((status, answered.as_deref()), (StatusCode::OK, Some("1")), "{reply}");
    let v1: old_phone::V1 = serde_json::from_value(reply.clone()).with_context(|| format!("a version 1 build cannot read {reply}"))?;
    assert_eq!(v1.acks.len(), 3);
    assert_eq!(v1.acks[0].status, old_phone::Status::Accepted);
    assert_eq!(v1.acks[1].reason, Some(old_phone::Reason::NotAllowed));
    assert_eq!((v1.acks[2].reason.as_ref(), v1.acks[2].expected_seq), (Some(&old_phone::Reason::Gap), Some(3)));
    assert!(!v1.pages.is_empty());

    // The same events again, from builds that name versions 1, 2, 3 and a newer one than this server.
    for (named, expect) in [("1", 1), ("2", 2), ("3", 3), ("99", CURRENT)] {
        let (status, answered, reply) = sync_as(&d, Some(named), std::slice::from_ref(&first)).await?;
        assert_eq!((status, answered), (StatusCode::OK, Some(expect.to_string())), "{reply}");
        match expect {
            1 => drop(serde_json::from_value::<old_phone::V1>(reply)?),
            2 => {
                let v2: old_phone::V2 = serde_json::from_value(reply)?;
                assert_eq!(v2.acks[0].status, old_phone::Status::Duplicate);
                assert_eq!(v2.acks[0].buckets, ["village:T01-V01", "township:T01"], "version 2 gets the buckets");
            }
            _ => {
                let v3: SyncResponse<Value> = serde_json::from_value(reply)?;
                assert_eq!(v3.acks[0].buckets.len(), 2, "version 3 gets the buckets");
                assert!(v3.witness.is_none(), "a witness only when asked for");
            }
        }
    }
    let (status, _, reply) = sync_as(&d, Some("two"), &[]).await?;
    assert_eq!((status, reply["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_request")), "{reply}");
    Ok(())
}
