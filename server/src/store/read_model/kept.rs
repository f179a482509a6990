//! Each patrol's finished ledger row kept in the read model (`patrols.ledger_row`, its JSON): built
//! here from the patrol's entry, place, check and open flags and its findings' verdicts, flags and
//! cases. The schema's triggers clear a row when any of these change; the writer writes every
//! cleared row again before its transaction commits ([`write_due`]), so a ledger only reads rows.

use std::collections::BTreeMap;
use sync_protocol::checks::licence::LicenceVerdict;
use sync_protocol::fold::Case;
use sync_protocol::ids::{EventId, UnitId};
use sync_protocol::ledger::{LedgerFacts, LedgerRow, PatrolEntry, row};
use sync_protocol::wire::FlagKind;

use super::queries::{from_json, parse};
use super::rows::id;
use crate::args;
use crate::store::StoreError;
use crate::store::reports::KeptRow;
use crate::store::sql::{Engine, Row, Sql};

/// Rows written again per statement that reads them.
const DUE_AT_ONCE: i64 = 2_000;

/// The columns a row is built from, after the patrol's id: its entry, village, township, check
/// (counts, explanation) and open flags, with the `FROM` clause they need.
fn columns(engine: Engine) -> String {
    let concat = match engine {
        Engine::Sqlite => "group_concat",
        Engine::Postgres => "string_agg",
    };
    format!(
        "p.entry, p.village, p.township, c.counts, c.explanation,
        (SELECT {concat}(f.kind, ',' ORDER BY f.id) FROM flags f WHERE f.event_id = p.id AND f.cleared_at IS NULL)
        FROM patrols p LEFT JOIN patrol_checks c ON c.patrol = p.id"
    )
}

/// Writes again every kept row the triggers cleared (or a migration left unwritten), in the
/// caller's write transaction; how many it wrote.
pub fn write_due(conn: &dyn Sql) -> Result<u64, StoreError> {
    let sql = format!("SELECT p.id, {} WHERE p.ledger_row IS NULL AND p.entry IS NOT NULL LIMIT ?1", columns(conn.engine()));
    let mut written = 0;
    loop {
        let mut due: Vec<(Vec<u8>, KeptRow)> = Vec::new();
        for r in conn.all(&sql, args![DUE_AT_ONCE])? {
            due.push((r.bytes(0)?.to_vec(), built(conn, &r)?));
        }
        for (patrol, kept) in &due {
            conn.write("UPDATE patrols SET ledger_row = ?2 WHERE id = ?1", args![patrol.as_slice(), kept.0.as_str()])?;
        }
        written += due.len() as u64;
        if (due.len() as i64) < DUE_AT_ONCE {
            conn.flush()?;
            return Ok(written);
        }
    }
}

/// The row of the patrol `patrol` built from what is stored now (`None` when it is not in the
/// read model): what its kept row must be.
pub fn built_row(conn: &dyn Sql, patrol: &EventId) -> Result<Option<KeptRow>, StoreError> {
    let sql = format!("SELECT p.id, {} WHERE p.id = ?1 AND p.entry IS NOT NULL", columns(conn.engine()));
    conn.optional(&sql, args![patrol.0.as_bytes()])?.map(|r| built(conn, &r)).transpose()
}

/// What the writer knows of a patrol it has just checked and is about to write into the read model
/// for the first time: its check's decision (counts, explanation) and the kinds of the flags the
/// job raised on it, in order. Enough to build its kept row without reading it back.
#[derive(Debug, Clone)]
pub struct CheckedPatrol {
    pub decision: (bool, String),
    pub flags: Vec<FlagKind>,
}

/// A new patrol's kept row as the writer writes it with the patrol's insert: the row built from
/// `entry`, its place and what the writer knows (`checked`), and the values of [`kept_if`]'s
/// placeholders after the insert's own (the row, the flags' kinds as stored, the decision).
pub fn new_row(
    entry: &PatrolEntry,
    place: Option<(&UnitId, &UnitId)>,
    checked: &CheckedPatrol,
) -> Result<(String, Option<String>), StoreError> {
    let mut facts = LedgerFacts {
        place: place.map(|(v, t)| (v.clone(), t.clone())),
        decision: Some(checked.decision.clone()),
        ..LedgerFacts::default()
    };
    let kinds = (!checked.flags.is_empty()).then(|| checked.flags.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(","));
    if !checked.flags.is_empty() {
        facts.flags.insert(entry.patrol, checked.flags.clone());
    }
    let row = serde_json::to_string(&row(entry, &facts)).map_err(|e| StoreError::encode("a ledger row", e))?;
    Ok((row, kinds))
}

/// The kept row a new patrol's insert writes: `?9` (its row as [`new_row`] built it) only if what
/// is stored shows what it was built from, its open flags' kinds in order (`?10`) and its check's
/// decision (`?11`, `?12`); otherwise NULL, and the row is due (`write_due`). A patrol alone in its
/// group has no finding, so nothing else of its row is read (`ledger_row`).
pub fn kept_if(engine: Engine) -> String {
    let concat = match engine {
        Engine::Sqlite => "group_concat",
        Engine::Postgres => "string_agg",
    };
    format!(
        "CASE WHEN (SELECT {concat}(f.kind, ',' ORDER BY f.id) FROM flags f WHERE f.event_id = ?1 AND f.cleared_at IS NULL)
                   IS NOT DISTINCT FROM ?10
              AND EXISTS (SELECT 1 FROM patrol_checks c WHERE c.patrol = ?1 AND c.counts = ?11 AND c.explanation = ?12)
         THEN ?9 END"
    )
}

/// The row of a patrol read with [`columns`] after its id.
fn built(conn: &dyn Sql, r: &Row) -> Result<KeptRow, StoreError> {
    let row = ledger_row(conn, r)?;
    serde_json::to_string(&row).map(KeptRow).map_err(|e| StoreError::encode("a ledger row", e))
}

fn ledger_row(conn: &dyn Sql, r: &Row) -> Result<LedgerRow, StoreError> {
    let entry: PatrolEntry = from_json(r.text(1)?.ok_or_else(|| StoreError::corrupt("patrols", "no entry"))?, "patrols")?;
    let place = match (r.text(2)?, r.text(3)?) {
        (Some(v), Some(t)) => Some((parse(v, "patrols")?, parse(t, "patrols")?)),
        _ => None,
    };
    let mut facts = LedgerFacts { place, ..LedgerFacts::default() };
    if let Some(counts) = r.get::<Option<bool>>(4)? {
        facts.decision = Some((counts, r.get(5)?));
    }
    if let Some(kinds) = r.text(6)? {
        facts.flags.insert(entry.patrol, flag_kinds(kinds.split(','))?);
    }
    if !entry.findings.is_empty() {
        findings_facts(conn, &entry, &mut facts)?;
    }
    Ok(row(&entry, &facts))
}

fn flag_kinds<'a>(kinds: impl Iterator<Item = &'a str>) -> Result<Vec<FlagKind>, StoreError> {
    kinds.map(|k| k.parse::<FlagKind>().map_err(|_| StoreError::corrupt("flags", format!("kind {k}")))).collect()
}

/// What a patrol's findings add to its facts: each one's open flags, its licence verdict, and
/// the status of each case opened on it (by case id).
fn findings_facts(conn: &dyn Sql, entry: &PatrolEntry, facts: &mut LedgerFacts) -> Result<(), StoreError> {
    let mut on_findings: BTreeMap<EventId, String> = BTreeMap::new();
    for f in &entry.findings {
        let key = f.id.0.as_bytes();
        let flags = conn.all("SELECT kind FROM flags WHERE event_id = ?1 AND cleared_at IS NULL ORDER BY id", args![key])?;
        if !flags.is_empty() {
            let kinds = flags.iter().map(|r| r.get::<String>(0)).collect::<Result<Vec<_>, _>>()?;
            facts.flags.insert(f.id, flag_kinds(kinds.iter().map(String::as_str))?);
        }
        if let Some(v) = conn.optional("SELECT verdict FROM finding_checks WHERE finding = ?1", args![key])? {
            facts.verdicts.insert(f.id, from_json::<LicenceVerdict>(&v.get::<String>(0)?, "finding_checks")?);
        }
        for r in conn.all("SELECT state FROM report_cases WHERE source = ?1", args![key])? {
            let case: Case = from_json(&r.get::<String>(0)?, "report_cases")?;
            on_findings.insert(case.id, case.status_label().to_owned());
        }
    }
    facts.cases = on_findings.into_values().collect();
    Ok(())
}

/// How many kept rows differ from the rows built from what is stored now (a row not written
/// counts), with the first `at_most` of those patrols: the audit's comparison (`verify`).
pub fn differing(conn: &dyn Sql, at_most: usize) -> Result<(u64, Vec<EventId>), StoreError> {
    let patrols: Vec<Vec<u8>> =
        conn.all("SELECT id FROM patrols WHERE entry IS NOT NULL", args![])?.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?;
    let (mut n, mut named) = (0u64, Vec::new());
    for p in patrols {
        let patrol = id(&p, "patrols")?;
        let kept: Option<String> = conn.one("SELECT ledger_row FROM patrols WHERE id = ?1", args![p.as_slice()])?.get(0)?;
        if kept != built_row(conn, &patrol)?.map(|k| k.0) {
            n += 1;
            if named.len() < at_most {
                named.push(patrol);
            }
        }
    }
    Ok((n, named))
}
