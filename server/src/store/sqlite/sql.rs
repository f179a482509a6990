//! The SQL layer (`store::sql`) on SQLite: a connection (or the writer's open transaction, which
//! is one) runs each statement through its statement cache; arguments bind as SQLite's own values
//! and columns read back as they are stored.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};

use super::StoreError;
use crate::store::sql::{Arg, Engine, Row, Sql, SqlError, Value};

impl Sql for Connection {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        let changed = self.prepare_cached(sql)?.execute(params_from_iter(args))?;
        Ok(changed as u64)
    }

    fn each(&self, sql: &str, args: &[Arg<'_>], each: &mut dyn FnMut(Row) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let mut stmt = self.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(row) = rows.next()? {
            let values = (0..columns).map(|i| row.get_ref(i).map(value)).collect::<Result<Vec<_>, _>>()?;
            each(Row(values))?;
        }
        Ok(())
    }
}

/// The writer's open transaction (and a tool's) is its connection.
impl Sql for rusqlite::Transaction<'_> {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        Sql::run(&**self, sql, args)
    }

    fn each(&self, sql: &str, args: &[Arg<'_>], each: &mut dyn FnMut(Row) -> Result<(), StoreError>) -> Result<(), StoreError> {
        Sql::each(&**self, sql, args, each)
    }
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(r) => Value::Real(r),
        // `from_utf8` checks a word at a time where `from_utf8_lossy` walks each character: the
        // writer and the pulls read kilobytes of event text a row. Invalid bytes stay replaced.
        ValueRef::Text(t) => Value::Text(std::str::from_utf8(t).map_or_else(|_| String::from_utf8_lossy(t).into_owned(), str::to_owned)),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Arg::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Arg::Int(_) | Arg::UInt(_) | Arg::Bool(_) => match self.integer() {
                Some(i) => ToSqlOutput::Borrowed(ValueRef::Integer(i)),
                None => {
                    let error = SqlError::Bind { arg: "an integer past i64", ty: "INTEGER".into() };
                    return Err(rusqlite::Error::ToSqlConversionFailure(Box::new(error)));
                }
            },
            Arg::Real(r) => ToSqlOutput::Borrowed(ValueRef::Real(*r)),
            Arg::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Arg::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;

    #[test]
    fn a_statement_runs_and_reads_back_through_the_layer() -> Result<(), StoreError> {
        let conn = Connection::open_in_memory()?;
        let sql: &dyn Sql = &conn;
        sql.run("CREATE TABLE t (id INTEGER PRIMARY KEY, flag INTEGER NOT NULL, name TEXT, data BLOB) STRICT", args![])?;
        let id = sql.one("INSERT INTO t (flag, name, data) VALUES (?1, ?2, ?3) RETURNING id", args![true, "a?", &[1u8, 2]])?;
        assert_eq!(id.get::<i64>(0)?, 1);
        assert_eq!(sql.run("INSERT INTO t (id, flag) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING", args![1i64, false])?, 0);
        let row = sql.one("SELECT flag, name, data, NULL FROM t WHERE id = ?", args![1u64])?;
        assert!(row.get::<bool>(0)?);
        assert_eq!((row.get::<String>(1)?, row.get::<Vec<u8>>(2)?, row.get::<Option<String>>(3)?), ("a?".into(), vec![1, 2], None));
        assert!(sql.optional("SELECT 1 FROM t WHERE id = ?1", args![2i64])?.is_none());
        assert!(sql.run("INSERT INTO t (flag) VALUES (?1)", args![u64::MAX]).is_err(), "past i64 is refused");
        Ok(())
    }

    #[test]
    fn text_reads_back_as_stored_and_invalid_bytes_as_replacements() -> Result<(), StoreError> {
        let conn = Connection::open_in_memory()?;
        let sql: &dyn Sql = &conn;
        let row = sql.one("SELECT ?1, CAST(X'61FF62' AS TEXT)", args!["Zayar Aung, ဇေယျာအောင်"])?;
        assert_eq!(row.get::<String>(0)?, "Zayar Aung, ဇေယျာအောင်");
        assert_eq!(row.get::<String>(1)?, "a\u{FFFD}b", "an invalid byte is replaced, not an error");
        Ok(())
    }
}
