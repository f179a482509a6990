//! A test's own connection to a server's store, on either engine, as the store's SQL layer
//! (`Sql`: one statement text with `?1` placeholders, neutral values): to look under the API.

use anyhow::Result;
use patrolsync_server::store::StoreError;
use patrolsync_server::store::postgres::{Pg, off_runtime};
use patrolsync_server::store::sql::{Arg, Engine, FromValue, Row, Sql};

/// The store of a [`crate::site::Site`]: the SQLite file, or the PostgreSQL database (each
/// statement on a connection of its own, made on a thread of its own, so that an async test may
/// use it on its runtime).
pub enum StoreSql {
    Sqlite(rusqlite::Connection),
    Postgres(String),
}

impl StoreSql {
    /// The store at `url` (a PostgreSQL connection string) if one is given, else the SQLite file
    /// `db`.
    pub fn open(db: &std::path::Path, url: Option<&str>) -> Result<StoreSql> {
        Ok(match url {
            Some(url) => StoreSql::Postgres(url.to_owned()),
            None => StoreSql::Sqlite(rusqlite::Connection::open(db)?),
        })
    }

    /// The one value of a query that returns one row (`count(*)`, a column of one row).
    pub fn value<T: FromValue>(&self, sql: &str, args: &[Arg<'_>]) -> Result<T> {
        Ok(self.one(sql, args)?.get(0)?)
    }

    /// The first column of every row of a query.
    pub fn column<T: FromValue>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>> {
        Ok(self.all(sql, args)?.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
    }

    /// `count(*)` of a query, as an `i64`.
    pub fn count(&self, sql: &str, args: &[Arg<'_>]) -> Result<i64> {
        self.value(sql, args)
    }

    /// Lifts the append-only guard of `table` (its triggers), as someone with the database could,
    /// so that a test can change what the server must never change and see it found out.
    pub fn unguard(&self, table: &str) -> Result<()> {
        match self {
            StoreSql::Sqlite(conn) => Ok(conn.execute_batch(&format!("DROP TRIGGER {table}_no_update; DROP TRIGGER {table}_no_delete"))?),
            StoreSql::Postgres(_) => Ok(self.run(&format!("ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"), &[]).map(drop)?),
        }
    }
}

/// `f` on a new connection to the PostgreSQL database `url`, on a thread of its own.
fn on_postgres<T: Send>(url: &str, f: impl FnOnce(&Pg<'_, postgres::Client>) -> Result<T, StoreError> + Send) -> Result<T, StoreError> {
    off_runtime(|| f(&Pg::new(&mut postgres::Client::connect(url, postgres::NoTls)?)))
}

impl Sql for StoreSql {
    fn engine(&self) -> Engine {
        match self {
            StoreSql::Sqlite(_) => Engine::Sqlite,
            StoreSql::Postgres(_) => Engine::Postgres,
        }
    }

    fn run(&self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        match self {
            StoreSql::Sqlite(conn) => conn.run(sql, args),
            StoreSql::Postgres(url) => on_postgres(url, |pg| pg.run(sql, args)),
        }
    }

    fn each(&self, sql: &str, args: &[Arg<'_>], each: &mut dyn FnMut(Row) -> Result<(), StoreError>) -> Result<(), StoreError> {
        match self {
            StoreSql::Sqlite(conn) => conn.each(sql, args, each),
            StoreSql::Postgres(url) => on_postgres(url, |pg| pg.all(sql, args))?.into_iter().try_for_each(each),
        }
    }
}

/// Every table of a store, by name (SQLite's own included).
pub fn tables(sql: &dyn Sql) -> Result<Vec<String>> {
    let query = match sql.engine() {
        Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        Engine::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    Ok(sql.all(query, &[])?.iter().map(|r| r.get(0)).collect::<Result<_, _>>()?)
}
