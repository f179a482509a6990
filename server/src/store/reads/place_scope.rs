//! A caller's scope as SQL, for the tables whose rows carry the village and township they concern
//! (flags, attachments): the county sees every row, a bucket's holder its own.

use std::collections::BTreeSet;
use sync_protocol::scope::Bucket;

use super::StoreError;
use crate::store::sql::{Arg, Engine, json_each};

/// `county` (every row), else the villages and townships of the caller's buckets.
pub struct PlaceScope {
    pub county: bool,
    pub villages: Vec<String>,
    pub townships: Vec<String>,
}

impl PlaceScope {
    pub fn of(scope: &BTreeSet<Bucket>) -> Result<PlaceScope, StoreError> {
        let (mut villages, mut townships) = (Vec::new(), Vec::new());
        for bucket in scope {
            match bucket {
                Bucket::Village(v) => villages.push(v.as_str().to_owned()),
                Bucket::Township(t) => townships.push(t.as_str().to_owned()),
                // A tip's rows carry the township it is assigned to now.
                Bucket::County | Bucket::Tip(_) => {}
            }
        }
        Ok(PlaceScope { county: scope.contains(&Bucket::County), villages, townships })
    }

    /// The scope as a condition on a row's `village` and `township` columns (of the table named
    /// `of`, as `m.`, or unnamed: `""`), its parameters numbered from `?{first}`; `None` for the
    /// county, which sees every row. One village or one township (the usual scope) is an equality,
    /// which an index on the column serves in order.
    pub fn condition(&self, engine: Engine, of: &str, first: usize) -> Result<Option<(String, Vec<Arg<'static>>)>, StoreError> {
        if self.county {
            return Ok(None);
        }
        let json = |v: &[String]| serde_json::to_string(v).map(Arg::from).map_err(|e| StoreError::encode("a scope", e));
        let (mut parts, mut args) = (Vec::new(), Vec::new());
        for (column, units) in [("village", &self.villages), ("township", &self.townships)] {
            let n = first + args.len();
            match units.as_slice() {
                [] => {}
                [one] => {
                    parts.push(format!("{of}{column} = ?{n}"));
                    args.push(Arg::from(one.clone()));
                }
                many => {
                    parts.push(format!("{of}{column} IN (SELECT s.value FROM {})", json_each(engine, n, "s")));
                    args.push(json(many)?);
                }
            }
        }
        Ok(Some(match parts.len() {
            // A scope with no place sees nothing.
            0 => ("FALSE".to_owned(), args),
            1 => (parts.remove(0), args),
            _ => (format!("({})", parts.join(" OR ")), args),
        }))
    }
}

/// Keeps the first `limit` of `rows` (a query fetches `limit + 1`) and says whether more matched.
pub fn page<T>(mut rows: Vec<T>, limit: u32) -> (Vec<T>, bool) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    (rows, more)
}
