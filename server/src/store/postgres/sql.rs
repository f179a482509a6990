//! The SQL layer (`store::sql`) on PostgreSQL: any connection or transaction runs each statement
//! with its placeholders rewritten (`?N` to `$N`); an argument binds to the type PostgreSQL infers
//! for its parameter (an integer to `bigint`, `integer`, `smallint` or `boolean`, a flag to
//! `boolean` or an integer), and a column reads back as a neutral value by its type. The store's
//! own connections keep their prepared statements (`Statements`), so that each statement is
//! prepared once per connection, as SQLite's statement cache does. The writer's transaction
//! also holds back the writes whose answer it does not need (`Pg::queued`, `queue`).

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{GenericClient, Statement};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::error::Error;

use super::StoreError;
use super::queue::{self, Queue};
use crate::store::sql::{Arg, Engine, Row, Sql, SqlError, Value, numbered};

/// A connection or transaction of PostgreSQL as a [`Sql`]: `Pg::new(&mut tx)`, or
/// `Pg::cached(&mut tx, &statements)` to prepare each statement once per connection.
pub struct Pg<'a, C: GenericClient> {
    client: RefCell<&'a mut C>,
    statements: Option<&'a Statements>,
    /// Whether statements go through the connection's queue (`Pg::queued`).
    queued: bool,
}

/// The most statements a connection keeps prepared; past it the cache starts again (the store's
/// statements are a fixed set well under it, so this only bounds statements made from data).
const MAX_PREPARED: usize = 512;

/// A connection's prepared statements, by the text they were written in: each is prepared (one
/// round trip, and PostgreSQL's parse and analysis) the first time the connection runs it, then
/// only executed. Kept beside its connection, for as long as it: a statement belongs to the
/// connection that prepared it, and lives on across its transactions (PostgreSQL's prepared
/// statements are not undone by a rollback).
/// With them, the connection's queue of statements held back (used by the writer only).
#[derive(Default)]
pub struct Statements {
    prepared: RefCell<HashMap<String, Statement>>,
    queue: Queue,
    /// The messages of queued statements sent since [`Statements::take_sent`] last asked.
    sent: Cell<u64>,
}

impl Statements {
    /// The connection's queue of statements held back.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// How many messages of queued statements were sent (each a round trip waited on) since the
    /// last call: the writer counts them per batch (`patrolsync_writer_messages`).
    pub fn take_sent(&self) -> u64 {
        self.sent.take()
    }
}

impl<'a, C: GenericClient> Pg<'a, C> {
    /// Each statement prepared anew: for a connection used once.
    pub fn new(client: &'a mut C) -> Self {
        Pg { client: RefCell::new(client), statements: None, queued: false }
    }

    /// Each statement prepared once per connection: `statements` must be the cache of the
    /// connection `client` is (or is a transaction of).
    pub fn cached(client: &'a mut C, statements: &'a Statements) -> Self {
        Pg { client: RefCell::new(client), statements: Some(statements), queued: false }
    }

    /// As [`Pg::cached`], every statement going through the connection's queue (`queue`): each
    /// [`Sql::write`] waits there, and goes with the next statement that must be answered, or at
    /// [`Sql::flush`]. For the writer's transaction, which must use no other `Pg` on the
    /// connection while the queue holds anything.
    pub fn queued(client: &'a mut C, statements: &'a Statements) -> Self {
        Pg { client: RefCell::new(client), statements: Some(statements), queued: true }
    }

    /// Queues `sql` with `args` (`Pg::queued`), preparing it first if the connection has not;
    /// `answered` if its answer will be read.
    fn push(&self, sql: &str, args: &[Arg<'_>], statements: &Statements, answered: bool) -> Result<Statement, StoreError> {
        let statement = self.prepared(&mut self.client.borrow_mut(), sql, statements)?;
        if let Some(prepare) = statements.queue.unprepared(&statement, sql, answered) {
            let ran = self.client.borrow_mut().batch_execute(&prepare.text);
            statements.queue.prepared(prepare, ran.is_ok());
            ran?;
        }
        statements.queue.push(&statement, sql, args, answered)?;
        Ok(statement)
    }

    /// Sends everything queued as one message and returns its answer.
    fn send(&self, statements: &Statements) -> Result<Vec<postgres::SimpleQueryMessage>, StoreError> {
        let text = statements.queue.take();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let answer = self.client.borrow_mut().simple_query(&text);
        statements.queue.sent();
        statements.sent.set(statements.sent.get() + 1);
        Ok(answer?)
    }

    /// The prepared statement of `sql`, from the cache or prepared now.
    fn prepared(&self, client: &mut C, sql: &str, statements: &Statements) -> Result<Statement, StoreError> {
        if let Some(statement) = statements.prepared.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(numbered(sql).as_str())?;
        let mut cache = statements.prepared.borrow_mut();
        if cache.len() >= MAX_PREPARED {
            cache.clear();
        }
        cache.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

type Params<'p> = Vec<&'p (dyn ToSql + Sync)>;

fn params<'p>(args: &'p [Arg<'_>]) -> Params<'p> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

impl<C: GenericClient> Sql for Pg<'_, C> {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        if let Some(statements) = self.statements.filter(|_| self.queued) {
            self.push(sql, args, statements, true)?;
            return Ok(queue::changed(&self.send(statements)?));
        }
        let mut client = self.client.borrow_mut();
        Ok(match self.statements {
            Some(statements) => {
                let statement = self.prepared(&mut client, sql, statements)?;
                client.execute(&statement, &params(args))?
            }
            None => client.execute(numbered(sql).as_str(), &params(args))?,
        })
    }

    /// The rows are all fetched before the first is handed on, so that `each` may run statements
    /// of its own on the same connection.
    fn each(&self, sql: &str, args: &[Arg<'_>], each: &mut dyn FnMut(Row) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let rows = if let Some(statements) = self.statements.filter(|_| self.queued) {
            let statement = self.push(sql, args, statements, true)?;
            queue::rows(self.send(statements)?, &statement)?
        } else {
            let mut client = self.client.borrow_mut();
            match self.statements {
                Some(statements) => {
                    let statement = self.prepared(&mut client, sql, statements)?;
                    client.query(&statement, &params(args))?
                }
                None => client.query(numbered(sql).as_str(), &params(args))?,
            }
            .into_iter()
            .map(|row| Ok(Row((0..row.len()).map(|i| row.try_get::<_, Value>(i)).collect::<Result<Vec<_>, _>>()?)))
            .collect::<Result<Vec<_>, StoreError>>()?
        };
        rows.into_iter().try_for_each(each)
    }

    fn write(&self, sql: &str, args: &[Arg<'_>]) -> Result<(), StoreError> {
        match self.statements.filter(|_| self.queued) {
            Some(statements) => self.push(sql, args, statements, false).map(|_| ()),
            None => self.run(sql, args).map(|_| ()),
        }
    }

    fn flush(&self) -> Result<(), StoreError> {
        match self.statements.filter(|_| self.queued) {
            Some(statements) => self.send(statements).map(|_| ()),
            None => Ok(()),
        }
    }
}

fn refused(arg: &Arg<'_>, ty: &Type) -> Box<dyn Error + Sync + Send> {
    Box::new(SqlError::Bind { arg: arg.kind(), ty: ty.name().to_string() })
}

impl ToSql for Arg<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Arg::Null => Ok(IsNull::Yes),
            Arg::Int(_) | Arg::UInt(_) | Arg::Bool(_) => {
                let i = self.integer().ok_or_else(|| refused(self, ty))?;
                if *ty == Type::BOOL {
                    match (self, i) {
                        (Arg::Bool(b), _) => b.to_sql(ty, out),
                        (_, 0 | 1) => (i == 1).to_sql(ty, out),
                        _ => Err(refused(self, ty)),
                    }
                } else if *ty == Type::INT8 {
                    i.to_sql(ty, out)
                } else if *ty == Type::INT4 {
                    i32::try_from(i)?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(i)?.to_sql(ty, out)
                } else if *ty == Type::FLOAT8 && !matches!(self, Arg::Bool(_)) {
                    (i as f64).to_sql(ty, out)
                } else {
                    Err(refused(self, ty))
                }
            }
            Arg::Real(r) if *ty == Type::FLOAT8 => r.to_sql(ty, out),
            Arg::Real(r) if *ty == Type::FLOAT4 => (*r as f32).to_sql(ty, out),
            Arg::Text(t) if <&str as ToSql>::accepts(ty) => t.as_ref().to_sql(ty, out),
            Arg::Blob(b) if *ty == Type::BYTEA => b.as_ref().to_sql(ty, out),
            _ => Err(refused(self, ty)),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Value, Box<dyn Error + Sync + Send>> {
        Ok(if *ty == Type::INT8 {
            Value::Int(i64::from_sql(ty, raw)?)
        } else if *ty == Type::INT4 {
            Value::Int(i32::from_sql(ty, raw)?.into())
        } else if *ty == Type::INT2 {
            Value::Int(i16::from_sql(ty, raw)?.into())
        } else if *ty == Type::BOOL {
            Value::Bool(bool::from_sql(ty, raw)?)
        } else if *ty == Type::FLOAT8 {
            Value::Real(f64::from_sql(ty, raw)?)
        } else if *ty == Type::FLOAT4 {
            Value::Real(f32::from_sql(ty, raw)?.into())
        } else if *ty == Type::BYTEA {
            Value::Blob(raw.to_vec())
        } else if <&str as FromSql>::accepts(ty) {
            Value::Text(<&str as FromSql>::from_sql(ty, raw)?.to_string())
        } else {
            return Err(Box::new(SqlError::Unreadable(ty.name().to_string())));
        })
    }

    fn from_sql_null(_: &Type) -> Result<Value, Box<dyn Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}
