//! A caller's scope as SQL parameters, for the tables whose rows carry the village and township
//! they concern (flags, attachments): the county sees every row, a bucket's holder its own.

use std::collections::BTreeSet;
use sync_protocol::scope::Bucket;

use super::StoreError;

/// `county` (every row), else the villages and townships as JSON arrays (`store::sql::json_each`).
pub struct PlaceScope {
    pub county: bool,
    pub villages: String,
    pub townships: String,
}

impl PlaceScope {
    pub fn of(scope: &BTreeSet<Bucket>) -> Result<PlaceScope, StoreError> {
        let (mut villages, mut townships) = (Vec::new(), Vec::new());
        for bucket in scope {
            match bucket {
                Bucket::Village(v) => villages.push(v.as_str()),
                Bucket::Township(t) => townships.push(t.as_str()),
                // A tip's rows carry the township it is assigned to now.
                Bucket::County | Bucket::Tip(_) => {}
            }
        }
        let json = |v: &[&str]| serde_json::to_string(v).map_err(|e| StoreError::encode("a scope", e));
        Ok(PlaceScope { county: scope.contains(&Bucket::County), villages: json(&villages)?, townships: json(&townships)? })
    }
}

/// Keeps the first `limit` of `rows` (a query fetches `limit + 1`) and says whether more matched.
pub fn page<T>(mut rows: Vec<T>, limit: u32) -> (Vec<T>, bool) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    (rows, more)
}
