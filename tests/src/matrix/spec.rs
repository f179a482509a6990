//! The matrix file's format (see `tests/access-matrix.toml` and docs/security.md §6):
//! `[[principal]]`s in the order a row's cells run, tables `data`, `objects` and `ops`, then
//! `[[row]]`s in the order they run, each naming its op, its data and one cell per principal.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;

use super::cell::Expect;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    /// Who calls, in the order every row's cells run.
    #[serde(rename = "principal")]
    pub principals: Vec<Principal>,
    /// Parameters of each datum a row may name (a place, a township, the nowhere); objects are
    /// data too (a blob's row names the blob).
    pub data: BTreeMap<String, BTreeMap<String, String>>,
    /// Every object the setup creates, by symbolic name, with what it is.
    pub objects: BTreeMap<String, String>,
    pub ops: BTreeMap<String, Op>,
    #[serde(rename = "row")]
    pub rows: Vec<Row>,
}

/// Who calls: a demo user on a device of their own, or nobody (no token).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    pub name: String,
    pub about: String,
    /// The demo user; none for the anonymous caller.
    #[serde(default)]
    pub user: Option<String>,
    /// What happens to the principal after it logged in, before any row runs.
    #[serde(default)]
    pub then: Option<Then>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Then {
    /// The user is disabled through `POST /v1/admin/users/{id}/disable`.
    Disable,
    /// The device is revoked through `POST /v1/admin/devices/{id}/revoke`.
    Revoke,
}

/// How an operation is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The request of `call` (and `body`), placeholders filled in.
    Request,
    /// A login with the principal's own user, password and device.
    Login,
    /// `POST /v1/auth/refresh` with the refresh token of the principal's session (an empty one
    /// for the anonymous caller); the device keeps the rotated tokens.
    Refresh,
    /// `POST /v1/sync` with no events and no cursors, until no page says `more`.
    Pull,
    /// Like `Pull`, with a cursor at 0 for every bucket of the matrix's data (asking for more
    /// than the scope).
    PullEverything,
    /// One event of kind `push`, sealed by the principal's device; the cell's note is the ack.
    Push,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    pub about: String,
    /// The route, exactly as the server's route table lists it: `"GET /v1/blobs/{sha256}"`.
    pub route: String,
    /// The request, with placeholders: `"GET /v1/flags?village={village}"`.
    pub call: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default = "request")]
    pub action: Action,
    /// For pushes: the event kind.
    #[serde(default)]
    pub push: Option<String>,
    /// For pushes: which datum parameter names the township the body states (default `township`).
    #[serde(default)]
    pub township: Option<String>,
    /// A list: every 2xx cell states the exact set of objects the answer reveals.
    #[serde(default)]
    pub list: bool,
    /// A single-object or filtered read: a plain `404` cell must answer exactly as this datum
    /// (which does not exist) does.
    #[serde(default)]
    pub missing: Option<String>,
}

fn request() -> Action {
    Action::Request
}

#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    pub op: String,
    #[serde(default = "everything")]
    pub data: String,
    /// One cell per principal, by name.
    #[serde(flatten)]
    pub cells: BTreeMap<String, String>,
}

fn everything() -> String {
    "-".into()
}

/// A row with its cells parsed, one per principal in the principals' order.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub op: String,
    pub data: String,
    pub cells: Vec<(String, Expect)>,
}

impl Matrix {
    /// The principal called `name`.
    pub fn principal(&self, name: &str) -> Option<&Principal> {
        self.principals.iter().find(|p| p.name == name)
    }

    pub fn load() -> Result<Matrix> {
        let path = super::path();
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Every row with every principal's cell parsed; refuses unknown ops, data, principals and
    /// objects, a missing cell, and a list cell without its set of objects.
    pub fn checked_rows(&self) -> Result<Vec<CheckedRow>> {
        let mut out = Vec::new();
        for (n, row) in self.rows.iter().enumerate() {
            let at = format!("row {} ({} {})", n + 1, row.op, row.data);
            let op = self.ops.get(&row.op).with_context(|| format!("{at}: unknown op"))?;
            if row.data != "-" && !self.data.contains_key(&row.data) && !self.objects.contains_key(&row.data) {
                bail!("{at}: unknown data {:?}", row.data);
            }
            let mut cells = BTreeMap::new();
            for (who, text) in &row.cells {
                if self.principal(who).is_none() {
                    bail!("{at}: unknown principal {who:?}");
                }
                let expect: Expect = text.parse().with_context(|| format!("{at}, {who}"))?;
                if let Some(unknown) = expect.ids.iter().flatten().find(|id| !self.objects.contains_key(*id)) {
                    bail!("{at}, {who}: unknown object {unknown:?}");
                }
                if op.list && (200..300).contains(&expect.status) && expect.ids.is_none() {
                    bail!("{at}, {who}: a list cell states its objects, e.g. \"200 {{}}\"");
                }
                cells.insert(who.clone(), expect);
            }
            let mut ordered = Vec::with_capacity(self.principals.len());
            for p in &self.principals {
                let cell = cells.remove(&p.name).with_context(|| format!("{at}: no cell for principal {:?}", p.name))?;
                ordered.push((p.name.clone(), cell));
            }
            out.push(CheckedRow { op: row.op.clone(), data: row.data.clone(), cells: ordered });
        }
        Ok(out)
    }
}
