//! The writer's statements on PostgreSQL, sent in as few messages as its answers allow: a write
//! whose answer nobody needs waits in the connection's queue and goes with the next statement
//! that must be answered, all in one simple-query message of `EXECUTE`s of statements prepared by
//! name, so that a push costs one round trip per read rather than one per statement.
//!
//! Each statement is prepared once per connection at the SQL level (`PREPARE wN(types) AS …`),
//! in a message of its own ([`Queue::unprepared`]): PostgreSQL keeps the whole message a statement
//! was prepared in as its text and copies it at each `EXECUTE`, so a `PREPARE` sent beside a
//! push's rows made every later use of it copy them. The parameter types are those PostgreSQL
//! gave its protocol-level preparation (`Statements`); each
//! argument is checked against its type as the binary binding checks it (`sql::bind`), then written
//! as a quoted literal, which PostgreSQL reads with the type's own input function. Answers come
//! back as text and are read by the column types of the same preparation. A job's savepoint waits
//! in the queue too: a job that fails before anything of it was sent is only dropped from it.
//! The rows of a push's events, leaves and routes, and of its new patrols' checks and read-model
//! rows, wait as multi-row inserts (`grouped`, which says when that is safe).

use postgres::types::Type;
use postgres::{SimpleQueryMessage, Statement};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use super::StoreError;
use super::grouped::{Group, Shape, groupable, names_grouped};
use crate::store::sql::{Arg, Row, SqlError, Value, numbered};

/// Statements waiting to be sent on one connection, and the SQL-level names under which that
/// connection has statements prepared. Kept beside its connection (in `Statements`), for as long
/// as it.
#[derive(Default)]
pub struct Queue(RefCell<State>);

#[derive(Default)]
struct State {
    /// The statements not sent yet, each ended by `;`.
    text: String,
    /// The SQL-level name of each statement text prepared on the connection.
    names: HashMap<String, String>,
    /// The number of the next name: never reused, since a `PREPARE` that failed may or may not
    /// have run.
    next: u64,
    /// Where the open job's `SAVEPOINT` begins in `text`, while it has not been sent.
    job: Option<usize>,
    /// The inserts whose rows wait to be written after `text` (`grouped`), in the order they
    /// began (and written in the order of their tables, `grouped::GROUPED`).
    groups: Vec<Group>,
    /// Whether each statement text met may wait as rows, with its shape (`grouped::groupable`).
    shapes: HashMap<String, Option<Arc<Shape>>>,
}

/// A job's savepoint, as queued.
const SAVEPOINT: &str = "SAVEPOINT job;";

/// What a job's end asks of the connection.
#[derive(Debug, PartialEq, Eq)]
pub enum JobEnd {
    /// Nothing to send now: the job's end waits in the queue, or nothing of the job was sent.
    Queued,
    /// The job's rollback is queued and must be sent now, to know that it succeeded.
    SendRollback,
}

impl Queue {
    /// The `PREPARE` that `sql` (prepared at the protocol level as `statement`) needs before
    /// [`Queue::push`] can queue it, if the connection has none for it and it is not a row that
    /// waits in a group: to be sent now, alone, and its outcome told to [`Queue::prepared`].
    pub fn unprepared(&self, statement: &Statement, sql: &str, answered: bool) -> Option<Prepare> {
        let mut state = self.0.borrow_mut();
        if state.names.contains_key(sql) || (!answered && state.shape(sql).is_some()) {
            return None;
        }
        let name = format!("w{}", state.next);
        state.next += 1;
        let mut text = format!("PREPARE {name}");
        let types = statement.params();
        if !types.is_empty() {
            let names: Vec<String> = types.iter().map(type_name).collect();
            let _ = write!(text, "({})", names.join(", "));
        }
        let _ = write!(text, " AS {}", numbered(sql));
        Some(Prepare { sql: sql.to_owned(), name, text })
    }

    /// Records how the `PREPARE` of [`Queue::unprepared`] went: its name is used if it `ran`.
    pub fn prepared(&self, prepare: Prepare, ran: bool) {
        if ran {
            self.0.borrow_mut().names.insert(prepare.sql, prepare.name);
        }
    }

    /// Queues `sql` (prepared at the protocol level as `statement`, and at the SQL level through
    /// [`Queue::unprepared`]) with `args`: its `EXECUTE`; or, for a row that may wait (`grouped`),
    /// the row in its statement's group. An `answered` statement (one whose answer is read) and
    /// one that names a grouped table go after the rows waiting.
    pub fn push(&self, statement: &Statement, sql: &str, args: &[Arg<'_>], answered: bool) -> Result<(), StoreError> {
        let types = statement.params();
        if types.len() != args.len() {
            return Err(StoreError::Engine(Box::new(SqlError::Arguments { expected: types.len(), given: args.len() })));
        }
        let mut state = self.0.borrow_mut();
        let state = &mut *state;
        if !answered && let Some(shape) = state.shape(sql) {
            if shape.arguments() > args.len() {
                return Err(StoreError::Engine(Box::new(SqlError::Arguments { expected: shape.arguments(), given: args.len() })));
            }
            // Written apart and added whole, so that an argument refused leaves the group as it was.
            let row = shape.render(&mut |out, n| literal(out, &args[n - 1], &types[n - 1]))?;
            let key = match shape.keyed {
                true => {
                    let mut key = String::new();
                    literal(&mut key, &args[0], &types[0])?;
                    Some(key)
                }
                false => None,
            };
            // Two rows of one upsert may not meet the same row: the waiting one goes first. And a
            // table's rows wait in one group at a time, so that they reach it in the order queued.
            if state.groups.iter().any(|g| g.shape.rank == shape.rank && g.sql != sql)
                || key.as_ref().is_some_and(|key| state.groups.iter().any(|g| g.sql == sql && g.holds(key)))
            {
                state.write_groups();
            }
            match state.groups.iter_mut().find(|g| g.sql == sql) {
                Some(group) => group.add(&row, key),
                None => {
                    let mut group = Group::new(sql, shape.clone(), shape.ends(&|n| type_name(&types[n - 1])));
                    group.add(&row, key);
                    state.groups.push(group);
                }
            }
            return Ok(());
        }
        if answered || names_grouped(sql) {
            state.write_groups();
        }
        let Some(name) = state.names.get(sql).cloned() else {
            return Err(StoreError::Engine(Box::new(SqlError::Unprepared(sql.to_owned()))));
        };
        // Written apart and appended whole, so that an argument refused leaves the queue as it was.
        let mut execute = format!("EXECUTE {name}");
        for (i, (arg, ty)) in args.iter().zip(types).enumerate() {
            execute.push_str(if i == 0 { "(" } else { ", " });
            literal(&mut execute, arg, ty)?;
        }
        execute.push_str(if args.is_empty() { ";" } else { ");" });
        state.text.push_str(&execute);
        Ok(())
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        let state = self.0.borrow();
        state.text.is_empty() && state.groups.is_empty()
    }

    /// Takes the waiting statements out of the queue (the rows waiting last), to be sent as one
    /// message; the message's outcome must be told to [`Queue::sent`].
    pub fn take(&self) -> String {
        let mut state = self.0.borrow_mut();
        state.write_groups();
        std::mem::take(&mut state.text)
    }

    /// Records that the message [`Queue::take`] took was sent, whatever its outcome: the open
    /// job's savepoint went with it.
    pub fn sent(&self) {
        self.0.borrow_mut().job = None;
    }

    /// Drops whatever waits (at the start of a batch: a batch that failed may have left some).
    pub fn clear(&self) {
        self.take();
        self.sent();
    }

    /// Opens a job: its savepoint waits in the queue with the job's first statements.
    pub fn open_job(&self) {
        let mut state = self.0.borrow_mut();
        state.job = Some(state.text.len());
        state.text.push_str(SAVEPOINT);
    }

    /// Ends the open job: released if it is `done`, else rolled back to its savepoint, which costs
    /// nothing if nothing of it was sent (it is dropped from the queue).
    pub fn close_job(&self, done: bool) -> JobEnd {
        let mut state = self.0.borrow_mut();
        let job = state.job.take();
        // Every job sends its rows before it ends (`Writer::run`): those still waiting are a failed
        // job's.
        if !done {
            state.groups.clear();
        }
        match (done, job) {
            // A job that ran no statement leaves nothing behind.
            (true, Some(mark)) if state.text.len() == mark + SAVEPOINT.len() && state.groups.is_empty() => {
                state.text.truncate(mark);
                JobEnd::Queued
            }
            (true, _) => {
                state.text.push_str("RELEASE SAVEPOINT job;");
                JobEnd::Queued
            }
            (false, Some(mark)) => {
                state.text.truncate(mark);
                JobEnd::Queued
            }
            // The savepoint went out: what waits since is the failed job's own, which the rollback
            // undoes anyway. It is dropped, as a statement of it that fails would make PostgreSQL
            // skip the rest of the message, the rollback with it, and so fail the whole batch.
            (false, None) => {
                state.text.clear();
                state.text.push_str("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job;");
                JobEnd::SendRollback
            }
        }
    }
}

/// A statement's SQL-level preparation, to be sent in a message of its own ([`Queue::unprepared`]).
pub struct Prepare {
    sql: String,
    name: String,
    /// `PREPARE wN(types) AS …`.
    pub text: String,
}

impl State {
    /// Whether `sql`'s rows may wait in a group, with its shape (`grouped::groupable`), as met
    /// before.
    fn shape(&mut self, sql: &str) -> Option<Arc<Shape>> {
        if let Some(shape) = self.shapes.get(sql) {
            return shape.clone();
        }
        let shape = groupable(sql).map(Arc::new);
        self.shapes.insert(sql.to_owned(), shape.clone());
        shape
    }

    /// Writes the rows waiting, each group as one statement, after the statements queued: the
    /// groups in the order of their tables (`grouped::GROUPED`), those of one table as they began.
    fn write_groups(&mut self) {
        let mut groups = std::mem::take(&mut self.groups);
        groups.sort_by_key(|g| g.shape.rank);
        for group in groups {
            self.text.push_str(&group.statement());
        }
    }
}

/// The rows of the last statement of a message's answer, read by the column types of `statement`.
pub fn rows(messages: Vec<SimpleQueryMessage>, statement: &Statement) -> Result<Vec<Row>, StoreError> {
    let columns = statement.columns();
    let mut rows = Vec::new();
    for message in messages {
        match message {
            SimpleQueryMessage::RowDescription(_) => rows.clear(),
            SimpleQueryMessage::Row(row) => {
                let values = columns.iter().enumerate().map(|(i, c)| value(row.get(i), c.type_())).collect::<Result<Vec<_>, _>>()?;
                rows.push(Row(values));
            }
            _ => {}
        }
    }
    Ok(rows)
}

/// How many rows the last statement of a message's answer changed.
pub fn changed(messages: &[SimpleQueryMessage]) -> u64 {
    messages
        .iter()
        .rev()
        .find_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .unwrap_or(0)
}

/// A parameter type as `PREPARE` takes it: schema and name quoted (`"char"` is not `char`).
fn type_name(ty: &Type) -> String {
    format!("\"{}\".\"{}\"", ty.schema(), ty.name())
}

fn refused(arg: &Arg<'_>, ty: &Type) -> StoreError {
    StoreError::Engine(Box::new(SqlError::Bind { arg: arg.kind(), ty: ty.name().to_string() }))
}

/// Writes `arg` as a literal of the parameter type `ty`, accepting what the binary binding accepts
/// (`sql.rs`, `ToSql for Arg`) and nothing else.
fn literal(out: &mut String, arg: &Arg<'_>, ty: &Type) -> Result<(), StoreError> {
    let quoted = |out: &mut String, text: &str| {
        out.push('\'');
        out.push_str(&text.replace('\'', "''"));
        out.push('\'');
    };
    match arg {
        Arg::Null => out.push_str("NULL"),
        Arg::Int(_) | Arg::UInt(_) | Arg::Bool(_) => {
            let i = arg.integer().ok_or_else(|| refused(arg, ty))?;
            if *ty == Type::BOOL {
                match (arg, i) {
                    (Arg::Bool(b), _) => out.push_str(if *b { "'t'" } else { "'f'" }),
                    (_, 0 | 1) => out.push_str(if i == 1 { "'t'" } else { "'f'" }),
                    _ => return Err(refused(arg, ty)),
                }
            } else if *ty == Type::INT8
                || (*ty == Type::INT4 && i32::try_from(i).is_ok())
                || (*ty == Type::INT2 && i16::try_from(i).is_ok())
                || (*ty == Type::FLOAT8 && !matches!(arg, Arg::Bool(_)))
            {
                let _ = write!(out, "'{i}'");
            } else {
                return Err(refused(arg, ty));
            }
        }
        Arg::Real(r) if *ty == Type::FLOAT8 || *ty == Type::FLOAT4 => {
            let r = if *ty == Type::FLOAT4 { f64::from(*r as f32) } else { *r };
            match r {
                r if r.is_nan() => out.push_str("'NaN'"),
                r if r.is_infinite() => out.push_str(if r > 0.0 { "'Infinity'" } else { "'-Infinity'" }),
                r => {
                    let _ = write!(out, "'{r:?}'");
                }
            }
        }
        // A NUL cannot be in PostgreSQL's text, nor in a simple-query message.
        Arg::Text(t) if <&str as postgres::types::ToSql>::accepts(ty) && !t.contains('\0') => quoted(out, t),
        Arg::Blob(b) if *ty == Type::BYTEA => {
            let _ = write!(out, "'\\x{}'", hex::encode(b.as_ref()));
        }
        _ => return Err(refused(arg, ty)),
    }
    Ok(())
}

/// A column of a text answer as a neutral value, by its type (as `sql.rs` reads a binary one).
fn value(text: Option<&str>, ty: &Type) -> Result<Value, StoreError> {
    let Some(text) = text else { return Ok(Value::Null) };
    let unreadable = || StoreError::Engine(Box::new(SqlError::Unreadable(ty.name().to_string())));
    Ok(if *ty == Type::INT8 || *ty == Type::INT4 || *ty == Type::INT2 {
        Value::Int(text.parse().map_err(|_| unreadable())?)
    } else if *ty == Type::BOOL {
        match text {
            "t" => Value::Bool(true),
            "f" => Value::Bool(false),
            _ => return Err(unreadable()),
        }
    } else if *ty == Type::FLOAT8 || *ty == Type::FLOAT4 {
        Value::Real(match text {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            other => other.parse().map_err(|_| unreadable())?,
        })
    } else if *ty == Type::BYTEA {
        Value::Blob(text.strip_prefix("\\x").and_then(|h| hex::decode(h).ok()).ok_or_else(unreadable)?)
    } else if <&str as postgres::types::FromSql>::accepts(ty) {
        Value::Text(text.to_owned())
    } else {
        return Err(unreadable());
    })
}
