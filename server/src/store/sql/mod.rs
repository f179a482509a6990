//! The engine-neutral SQL access layer: one statement text (SQLite's `?N` placeholders), neutral
//! argument and result values, and a small trait each engine implements, so that the store's
//! rules that read and write rows are written once and run on SQLite and PostgreSQL alike.
//!
//! # What is neutral and what is not
//! - Placeholders are written `?1`, `?2` (or a bare `?`, numbered in order); PostgreSQL's
//!   implementation rewrites them to `$1`, `$2` (`placeholders`).
//! - Arguments are [`Arg`]s, built with [`args!`] from the usual Rust values. Each engine binds
//!   them to its own types: a `bool` is SQLite's 0 or 1 and PostgreSQL's `boolean`; an integer is
//!   bound to PostgreSQL's `bigint`, `integer` or `smallint` as the column is; bytes are `BLOB` or
//!   `bytea`.
//! - Results are [`Row`]s of owned [`Value`]s, read with [`Row::get`] into the usual Rust values
//!   ([`FromValue`]): a flag reads as `bool` from SQLite's integer and PostgreSQL's boolean alike.
//! - The SQL itself must be in the dialect both engines share: `ON CONFLICT … DO NOTHING` (not
//!   `INSERT OR IGNORE`), `RETURNING`, `TRUE`/`FALSE` for flags (SQLite reads them as 1 and 0),
//!   `CAST(… AS BIGINT)` around a `sum` (PostgreSQL's is `numeric`, which this layer does not
//!   read). JSON functions, `rowid`, pragmas and the like stay in an engine's own module.
//!   [`Sql::engine`] is there for the rare statement that must differ.

mod placeholders;
mod value;

pub use placeholders::numbered;
pub use value::{Arg, FromValue, Row, Value};

use super::StoreError;

/// Which engine a [`Sql`] runs on, for the rare statement whose text must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// How an `INSERT` begins that fires triggers, in a job of the writer's. A job never goes on
    /// after a failed statement (PostgreSQL would not let it), and a failed job is rolled back
    /// whole, so no statement needs undoing on its own. SQLite's `INSERT OR FAIL` then keeps no
    /// statement journal (a copy of every page the statement and its triggers change, written for
    /// nothing); PostgreSQL has no such clause and keeps no such copy.
    pub fn insert_in_job(self) -> &'static str {
        match self {
            Engine::Sqlite => "INSERT OR FAIL",
            Engine::Postgres => "INSERT",
        }
    }
}

/// A connection or transaction of either engine. Every method runs one statement, with the
/// engine's statement cache where it has one. The methods take `&self` (the engine's borrow
/// rules are inside), so a caller may run a statement while it holds rows of another.
pub trait Sql {
    /// The engine underneath.
    fn engine(&self) -> Engine;

    /// Runs a statement that returns no rows; returns how many rows it changed.
    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError>;

    /// Runs a statement whose count of changed rows the caller does not need. An engine may hold
    /// it back and send it with its next statement that must be answered, or at [`Sql::flush`]:
    /// its error, if any, is that statement's (or the flush's). Same order as every other statement.
    fn write(&self, sql: &str, args: &[Arg<'_>]) -> Result<(), StoreError> {
        self.run(sql, args).map(|_| ())
    }

    /// Sends every statement held back by [`Sql::write`], returning the first error among them.
    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Runs a query and hands each row to `each`, in order, until it fails.
    fn each(&self, sql: &str, args: &[Arg<'_>], each: &mut dyn FnMut(Row) -> Result<(), StoreError>) -> Result<(), StoreError>;

    /// Every row of a query.
    fn all(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut rows = Vec::new();
        self.each(sql, args, &mut |row| {
            rows.push(row);
            Ok(())
        })?;
        Ok(rows)
    }

    /// The first row of a query, if any.
    fn optional(&self, sql: &str, args: &[Arg<'_>]) -> Result<Option<Row>, StoreError> {
        Ok(self.all(sql, args)?.into_iter().next())
    }

    /// The first row of a query, which must have one (an aggregate, `RETURNING`).
    fn one(&self, sql: &str, args: &[Arg<'_>]) -> Result<Row, StoreError> {
        self.optional(sql, args)?.ok_or_else(|| StoreError::Engine(Box::new(SqlError::NoRow(first_words(sql)))))
    }
}

/// A table of the text values of the JSON array of strings bound to `?n`, as a `FROM` item named
/// `alias` with the one column `value` (for `IN (SELECT alias.value FROM …)` over a list of any
/// length, one statement text whatever its length): SQLite's `json_each`, PostgreSQL's
/// `jsonb_array_elements_text`.
pub fn json_each(engine: Engine, n: usize, alias: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_each(?{n}) {alias}"),
        Engine::Postgres => format!("jsonb_array_elements_text(CAST(CAST(?{n} AS TEXT) AS jsonb)) AS {alias}(value)"),
    }
}

/// The condition that `column` is one of the byte strings whose hex forms are the JSON array of
/// strings bound to `?n` ([`hex_list`]): a list of ids of any length in one statement text, found
/// through `column`'s index. SQLite probes the index for each of `IN (SELECT … json_each)`;
/// PostgreSQL is given an array (`= ANY(ARRAY(…))`), as its planner, not knowing the list's
/// length, may scan the whole table for an `IN` over a set-returning function.
pub fn one_of_bytes(engine: Engine, column: &str, n: usize) -> String {
    match engine {
        Engine::Sqlite => format!("{column} IN (SELECT unhex(i.value) FROM {})", json_each(engine, n, "i")),
        Engine::Postgres => format!("{column} = ANY(ARRAY(SELECT decode(i.value, 'hex') FROM {}))", json_each(engine, n, "i")),
    }
}

/// The JSON array of the hex forms of `items`, the argument of [`one_of_bytes`].
pub fn hex_list<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> String {
    let hex: Vec<String> = items.into_iter().map(hex::encode).collect();
    serde_json::Value::from(hex).to_string()
}

/// What this layer itself finds wrong (a driver's own errors are sorted by each engine).
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error("the query returned no row: {0}")]
    NoRow(String),
    #[error("cannot bind {arg} to a parameter of type {ty}")]
    Bind { arg: &'static str, ty: String },
    #[error("the statement takes {expected} arguments, {given} were given")]
    Arguments { expected: usize, given: usize },
    #[error("cannot read a column of type {0}")]
    Unreadable(String),
    #[error("the statement is not prepared on the connection: {0}")]
    Unprepared(String),
}

/// A statement's first words, to name it in an error.
fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(6).collect::<Vec<_>>().join(" ")
}

/// The arguments of a statement, as a slice of [`Arg`]s: `args![id.as_bytes(), seq, accepted]`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[$crate::store::sql::Arg<'_>] };
    ($($value:expr),+ $(,)?) => { &[$($crate::store::sql::Arg::from($value)),+] as &[$crate::store::sql::Arg<'_>] };
}
pub use args;
