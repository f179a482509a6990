//! Reads for the blob routes and the missing-evidence listing, scoped like pulls: a blob is
//! visible to a caller when an accepted attachment naming it, whose author has proved holding its
//! bytes, is routed to one of their buckets.

use std::collections::BTreeSet;
use sync_protocol::body::{BlobHash, MediaType, Subject, SubjectKind};
use sync_protocol::ids::{EventId, UnitId, UserId};
use sync_protocol::scope::Bucket;
use sync_protocol::wire::evidence::{MAX_MISSING_PER_PAGE, MissingEvidence, MissingList, MissingQuery};

use super::place_scope::{PlaceScope, page};
use crate::args;
use crate::store::StoreError;
use crate::store::evidence::{BlobAccess, Declared};
use crate::store::sql::{Arg, Engine, Sql, json_each};

/// The blob `hash` as `user`, whose scope is `scope`, may know it: readable when stored and
/// named by an attachment in the scope whose author holds the bytes (or when `user` holds them),
/// and what `user`'s own attachment naming it declares.
pub fn blob_access(conn: &dyn Sql, scope: &BTreeSet<Bucket>, user: &UserId, hash: &BlobHash) -> Result<BlobAccess, StoreError> {
    let county = scope.contains(&Bucket::County);
    let buckets: Vec<String> = scope.iter().filter(|b| **b != Bucket::County).map(Bucket::to_string).collect();
    let buckets = serde_json::to_string(&buckets).map_err(|e| StoreError::encode("a scope", e))?;
    let hex = hash.to_hex();
    let holder: bool = conn
        .one("SELECT EXISTS (SELECT 1 FROM blob_holders WHERE sha256 = ?1 AND user_id = ?2)", args![hex.as_str(), user.as_str()])?
        .get(0)?;
    let readable = format!(
        "SELECT b.size, b.media_type FROM blobs b
         WHERE b.sha256 = ?1
           AND (?2 OR EXISTS (SELECT 1 FROM attachments a JOIN blob_holders h ON h.sha256 = a.sha256 AND h.user_id = a.officer
                              WHERE a.sha256 = b.sha256
                                AND (?3 OR EXISTS (SELECT 1 FROM {}, event_routes r
                                                   WHERE r.bucket = j.value AND r.server_seq = a.server_seq))))",
        json_each(conn.engine(), 4, "j")
    );
    let readable = conn.optional(&readable, args![hex.as_str(), holder, county, buckets])?.map(declared).transpose()?;
    let own = conn
        .optional(
            "SELECT size, media_type FROM attachments WHERE sha256 = ?1 AND officer = ?2 ORDER BY server_seq LIMIT 1",
            args![hex.as_str(), user.as_str()],
        )?
        .map(declared)
        .transpose()?;
    Ok(BlobAccess { readable, own, holder })
}

fn declared(row: crate::store::sql::Row) -> Result<Declared, StoreError> {
    let (size, media): (u64, String) = (row.get(0)?, row.get(1)?);
    let media_type = MediaType::parse(&media).ok_or_else(|| StoreError::corrupt("attachments", format!("media type {media}")))?;
    Ok(Declared { size, media_type })
}

/// Attachments in `scope` whose author has not proved holding their blob (none has, while the
/// blob is not stored), newest first. Read from the kept list of missing attachments (migration
/// 0019), so the cost follows the missing, not every attachment. `received` is left at 0: the
/// bytes of partial uploads are known to the blob store, not the database.
pub fn missing(conn: &dyn Sql, scope: &BTreeSet<Bucket>, query: &MissingQuery) -> Result<MissingList, StoreError> {
    let limit = query.limit.unwrap_or(MAX_MISSING_PER_PAGE).clamp(1, MAX_MISSING_PER_PAGE);
    let (sql, args) = missing_statement(conn.engine(), &PlaceScope::of(scope)?, query, limit)?;
    let missing = conn.all(&sql, &args)?.into_iter().map(|r| Row::read(&r)?.parse()).collect::<Result<Vec<_>, _>>()?;
    let (missing, more) = page(missing, limit);
    Ok(MissingList { missing, more })
}

/// The missing list's statement and its arguments: the scope's condition and each filter given.
fn missing_statement(
    engine: Engine,
    place: &PlaceScope,
    query: &MissingQuery,
    limit: u32,
) -> Result<(String, Vec<Arg<'static>>), StoreError> {
    // The scope and the filters read the place kept beside each missing attachment: on
    // `attachments`' own, a planner would rather read every attachment of the place.
    let (mut conditions, mut args) = match place.condition(engine, "m.", 1)? {
        Some((condition, args)) => (vec![condition], args),
        None => (Vec::new(), Vec::new()),
    };
    for (column, value) in [("village", &query.village), ("township", &query.township)] {
        if let Some(unit) = value {
            conditions.push(format!("m.{column} = ?{}", args.len() + 1));
            args.push(Arg::from(unit.as_str().to_owned()));
        }
    }
    if let Some(before) = query.before {
        conditions.push(format!("m.server_seq < ?{}", args.len() + 1));
        args.push(Arg::from(before));
    }
    let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    args.push(Arg::from(i64::from(limit) + 1));
    let sql = format!(
        "SELECT a.server_seq, a.event_id, a.subject_kind, a.subject_id, a.sha256, a.size, a.media_type, a.officer, a.village,
                a.township, a.added_at
         FROM attachments_missing m JOIN attachments a ON a.server_seq = m.server_seq
         {filter}
         ORDER BY m.server_seq DESC LIMIT ?{}",
        args.len()
    );
    Ok((sql, args))
}

struct Row {
    server_seq: i64,
    event: Vec<u8>,
    subject_kind: String,
    subject: Vec<u8>,
    sha256: String,
    size: u64,
    media_type: String,
    officer: String,
    village: Option<String>,
    township: Option<String>,
    added_at: i64,
}

impl Row {
    fn read(r: &crate::store::sql::Row) -> Result<Row, StoreError> {
        Ok(Row {
            server_seq: r.get(0)?,
            event: r.get(1)?,
            subject_kind: r.get(2)?,
            subject: r.get(3)?,
            sha256: r.get(4)?,
            size: r.get(5)?,
            media_type: r.get(6)?,
            officer: r.get(7)?,
            village: r.get(8)?,
            township: r.get(9)?,
            added_at: r.get(10)?,
        })
    }

    fn parse(self) -> Result<MissingEvidence, StoreError> {
        let corrupt = |what: &str| StoreError::corrupt("attachments", format!("{}: bad {what}", self.server_seq));
        let id = |bytes: &[u8]| uuid::Uuid::from_slice(bytes).map(EventId);
        let unit = |u: &Option<String>| u.as_deref().map(str::parse::<UnitId>).transpose();
        Ok(MissingEvidence {
            server_seq: self.server_seq,
            event: id(&self.event).map_err(|_| corrupt("event"))?,
            subject: Subject {
                kind: SubjectKind::parse(&self.subject_kind).ok_or_else(|| corrupt("subject kind"))?,
                id: id(&self.subject).map_err(|_| corrupt("subject"))?,
            },
            sha256: self.sha256.parse().map_err(|_| corrupt("sha256"))?,
            size: self.size,
            media_type: MediaType::parse(&self.media_type).ok_or_else(|| corrupt("media type"))?,
            officer: self.officer.parse::<UserId>().map_err(|_| corrupt("officer"))?,
            village: unit(&self.village).map_err(|_| corrupt("village"))?,
            township: unit(&self.township).map_err(|_| corrupt("township"))?,
            received: 0,
            added_at: self.added_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::plan::{plan, scans_all_of};

    /// Missing evidence is read from the kept list of the missing, each found in `attachments` by
    /// its key: no plan reads every attachment (each did, probing `blob_holders` for every one).
    #[test]
    fn missing_evidence_reads_the_missing_not_every_attachment() -> Result<(), Box<dyn std::error::Error>> {
        let (_dir, reader) = crate::store::sqlite::plan::empty_store_reader()?;
        let county = PlaceScope { county: true, villages: vec![], townships: vec![] };
        let township = PlaceScope { county: false, villages: vec![], townships: vec!["T01".into()] };
        let query = MissingQuery { before: Some(10), ..MissingQuery::default() };
        for (scope, query) in [(&county, MissingQuery::default()), (&township, query)] {
            let (sql, _) = missing_statement(Engine::Sqlite, scope, &query, 50)?;
            let plan = plan(&reader, &sql)?;
            assert!(plan.iter().any(|l| l.starts_with("SEARCH a USING INTEGER PRIMARY KEY")), "{plan:?}");
            assert!(!scans_all_of(&plan, "a", &[]) && !scans_all_of(&plan, "attachments", &[]), "{plan:?}");
        }
        Ok(())
    }
}
