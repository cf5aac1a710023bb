//! A project's system of record: its Durable Object's SQLite, behind a small [`Sql`] trait (what
//! `worker::SqlStorage` does on Cloudflare, rusqlite natively), and a [`Store`] over it
//! ([`SqlStore`]) that the core's services read and write like any other.
//!
//! Tables:
//!
//! | table | what |
//! |---|---|
//! | `records (key PRIMARY KEY, value, metadata, parts, published)` | every record of the project under its key ([`crate::keys`]); a value over [`PART_MAX`] bytes lives in `record_parts`; `published`: KV holds a copy ([`crate::keys::Kind::published`]) |
//! | `record_parts (key, n, value)` | the parts of a large value, in order (SQLite rows on Cloudflare hold at most 2 MB) |
//! | `outbox (key PRIMARY KEY, version)` | the published keys whose KV copy may be behind, in the order first written |
//! | `facts (name PRIMARY KEY, value)` | `project`, and `imported`: when the project's KV records were imported |
//!
//! Triggers keep the outbox: every insert, update or delete of a published record bumps its key's
//! `version` in the same statement, so no write can forget it. Publishing ([`crate::object`])
//! reads the key's current row when it publishes, never a value captured earlier, and removes the
//! outbox row only if its version is still the one it published: so the newest record is the one
//! KV ends up with. A write is one statement (its parts, if any, are more).

use crate::keys::Kind;
use crate::store::{ListPage, ListedKey, Metadata, Store, StoreError, LIST_PAGE_MAX};
use async_trait::async_trait;
use serde_json::Value;
use std::cell::{Cell, RefCell};

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Text(String),
}

impl SqlValue {
    fn text(self) -> Option<String> {
        match self {
            SqlValue::Text(t) => Some(t),
            _ => None,
        }
    }
    fn integer(&self) -> Option<i64> {
        match self {
            SqlValue::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

impl From<&str> for SqlValue {
    fn from(s: &str) -> Self {
        SqlValue::Text(s.to_owned())
    }
}

impl From<i64> for SqlValue {
    fn from(i: i64) -> Self {
        SqlValue::Integer(i)
    }
}

/// What one statement returned: its rows, and the rows it read and wrote (what Cloudflare bills).
#[derive(Debug, Default)]
pub struct SqlRows {
    pub rows: Vec<Vec<SqlValue>>,
    pub read: u64,
    pub written: u64,
}

/// The database failed (its message). A fenced Durable Object instance (another one took over)
/// fails every statement.
#[derive(Debug, Clone, thiserror::Error)]
#[error("SQL: {0}")]
pub struct SqlError(pub String);

impl From<SqlError> for StoreError {
    fn from(e: SqlError) -> Self {
        StoreError::Backend(e.to_string())
    }
}

/// A project's SQLite, as its Durable Object has it: synchronous statements, and transactions of
/// synchronous work.
pub trait Sql {
    /// Runs one statement with positional `?` parameters.
    fn exec(&self, query: &str, params: &[SqlValue]) -> Result<SqlRows, SqlError>;
    /// Runs `body` as one transaction: committed when it returns true, rolled back when it
    /// returns false. `Ok(committed)`, or the error that stopped the commit.
    fn transaction(&self, body: &mut dyn FnMut() -> bool) -> Result<bool, SqlError>;
}

/// The largest value kept in one row; larger ones are split into `record_parts`.
pub const PART_MAX: usize = 1_000_000;

const SCHEMA: [&str; 9] = [
    "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value TEXT NOT NULL, metadata TEXT, parts INTEGER NOT NULL DEFAULT 0, published INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS record_parts (key TEXT NOT NULL, n INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, n)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TRIGGER IF NOT EXISTS published_on_insert AFTER INSERT ON records WHEN NEW.published BEGIN \
     INSERT INTO outbox (key, version) VALUES (NEW.key, 1) ON CONFLICT (key) DO UPDATE SET version = version + 1; END",
    "CREATE TRIGGER IF NOT EXISTS published_on_update AFTER UPDATE ON records WHEN NEW.published BEGIN \
     INSERT INTO outbox (key, version) VALUES (NEW.key, 1) ON CONFLICT (key) DO UPDATE SET version = version + 1; END",
    "CREATE TRIGGER IF NOT EXISTS published_on_delete AFTER DELETE ON records WHEN OLD.published BEGIN \
     INSERT INTO outbox (key, version) VALUES (OLD.key, 1) ON CONFLICT (key) DO UPDATE SET version = version + 1; END",
    "CREATE TRIGGER IF NOT EXISTS parts_go_on_delete AFTER DELETE ON records WHEN OLD.parts > 0 BEGIN \
     DELETE FROM record_parts WHERE key = OLD.key; END",
    "CREATE TRIGGER IF NOT EXISTS parts_go_on_update AFTER UPDATE OF parts ON records WHEN OLD.parts > 0 BEGIN \
     DELETE FROM record_parts WHERE key = OLD.key; END",
];

/// A published key waiting for KV, at the version its last write gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub key: String,
    pub version: i64,
}

/// A [`Store`] over a project's SQLite (see the module documentation), counting the rows it reads
/// and writes. Its futures are always ready: a checked write that runs on it runs synchronously.
pub struct SqlStore<'a> {
    db: &'a dyn Sql,
    rows_read: Cell<u64>,
    rows_written: Cell<u64>,
    /// Published keys written through this store (the outbox rows it bumped), in order.
    touched: RefCell<Vec<String>>,
}

impl<'a> SqlStore<'a> {
    pub fn new(db: &'a dyn Sql) -> Self {
        SqlStore {
            db,
            rows_read: Cell::new(0),
            rows_written: Cell::new(0),
            touched: RefCell::new(Vec::new()),
        }
    }

    fn exec(&self, query: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, SqlError> {
        let out = self.db.exec(query, params)?;
        self.rows_read.set(self.rows_read.get() + out.read);
        self.rows_written.set(self.rows_written.get() + out.written);
        Ok(out.rows)
    }

    /// Rows read and written through this store so far.
    pub fn rows(&self) -> (u64, u64) {
        (self.rows_read.get(), self.rows_written.get())
    }

    /// The published keys written through this store (each once, in the order first written).
    pub fn touched(&self) -> Vec<String> {
        self.touched.borrow().clone()
    }

    /// Creates the tables (idempotent).
    pub fn create_schema(&self) -> Result<(), SqlError> {
        for statement in SCHEMA {
            self.exec(statement, &[])?;
        }
        Ok(())
    }

    pub fn fact(&self, name: &str) -> Result<Option<String>, SqlError> {
        let rows = self.exec("SELECT value FROM facts WHERE name = ?", &[name.into()])?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .and_then(SqlValue::text))
    }

    pub fn set_fact(&self, name: &str, value: &str) -> Result<(), SqlError> {
        self.exec(
            "INSERT INTO facts (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            &[name.into(), value.into()],
        )?;
        Ok(())
    }

    /// A record and its metadata, as stored.
    pub fn record(&self, key: &str) -> Result<Option<(String, Option<Value>)>, SqlError> {
        let rows = self.exec(
            "SELECT value, metadata, parts FROM records WHERE key = ?",
            &[key.into()],
        )?;
        match rows.into_iter().next() {
            Some(row) => self.whole(key, row).map(Some),
            None => Ok(None),
        }
    }

    /// A record from its row's `value, metadata, parts` columns (its parts read when it has any).
    fn whole(&self, key: &str, row: Vec<SqlValue>) -> Result<(String, Option<Value>), SqlError> {
        let mut row = row.into_iter();
        let inline = row.next().and_then(SqlValue::text).unwrap_or_default();
        let metadata = row
            .next()
            .and_then(SqlValue::text)
            .and_then(|m| serde_json::from_str(&m).ok());
        let parts = row.next().and_then(|p| p.integer()).unwrap_or(0);
        if parts == 0 {
            return Ok((inline, metadata));
        }
        let rows = self.exec(
            "SELECT value FROM record_parts WHERE key = ? ORDER BY n",
            &[key.into()],
        )?;
        let value = rows
            .into_iter()
            .filter_map(|r| r.into_iter().next().and_then(SqlValue::text))
            .collect();
        Ok((value, metadata))
    }

    /// Stores a record (the triggers note it in the outbox when KV holds a copy).
    fn write(&self, key: &str, value: &str, metadata: Option<&Value>) -> Result<(), SqlError> {
        let published = Kind::of(key).is_some_and(Kind::published);
        let parts = split(value);
        let (inline, count) = if parts.len() > 1 {
            ("", parts.len() as i64)
        } else {
            (value, 0)
        };
        let metadata = metadata.map_or(SqlValue::Null, |m| SqlValue::Text(m.to_string()));
        self.exec(
            "INSERT INTO records (key, value, metadata, parts, published) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata, parts = excluded.parts",
            &[
                key.into(),
                inline.into(),
                metadata,
                count.into(),
                i64::from(published).into(),
            ],
        )?;
        if count > 0 {
            for (n, part) in parts.iter().enumerate() {
                self.exec(
                    "INSERT INTO record_parts (key, n, value) VALUES (?, ?, ?)",
                    &[key.into(), (n as i64).into(), (*part).into()],
                )?;
            }
        }
        self.touch(key);
        Ok(())
    }

    /// Stores records KV already holds (an import), with no outbox entry for them.
    pub fn import(&self, records: &[(&str, &str, Option<Value>)]) -> Result<(), SqlError> {
        for (key, value, metadata) in records {
            self.write(key, value, metadata.as_ref())?;
        }
        self.exec("DELETE FROM outbox", &[])?;
        self.touched.borrow_mut().clear();
        Ok(())
    }

    /// Notes a published key written through this store, for its publishing.
    fn touch(&self, key: &str) {
        if !Kind::of(key).is_some_and(Kind::published) {
            return;
        }
        let mut touched = self.touched.borrow_mut();
        if !touched.iter().any(|k| k == key) {
            touched.push(key.to_owned());
        }
    }

    /// The published keys waiting for KV, oldest first, at most `limit`.
    pub fn pending(&self, limit: usize) -> Result<Vec<Pending>, SqlError> {
        let rows = self.exec(
            "SELECT key, version FROM outbox ORDER BY rowid LIMIT ?",
            &[(limit as i64).into()],
        )?;
        Ok(rows.into_iter().filter_map(pending).collect())
    }

    /// `key`'s outbox entry, if its KV copy is behind, with the record as it is now (`None`:
    /// deleted): what to publish, read in one statement.
    #[allow(clippy::type_complexity)]
    pub fn to_publish(
        &self,
        key: &str,
    ) -> Result<Option<(Pending, Option<(String, Option<Value>)>)>, SqlError> {
        let rows = self.exec(
            "SELECT o.version, r.value, r.metadata, r.parts, r.key FROM outbox o \
             LEFT JOIN records r ON r.key = o.key WHERE o.key = ?",
            &[key.into()],
        )?;
        let Some(mut row) = rows.into_iter().next() else {
            return Ok(None);
        };
        let version = row.first().and_then(SqlValue::integer).unwrap_or(0);
        let exists = row.get(4).is_some_and(|k| *k != SqlValue::Null);
        row.truncate(4);
        let record = if exists {
            Some(self.whole(key, row.split_off(1))?)
        } else {
            None
        };
        let pending = Pending {
            key: key.to_owned(),
            version,
        };
        Ok(Some((pending, record)))
    }

    /// KV holds `pending`'s version of its key: its outbox entry goes, unless a later write
    /// bumped it meanwhile.
    pub fn published(&self, pending: &Pending) -> Result<(), SqlError> {
        self.exec(
            "DELETE FROM outbox WHERE key = ? AND version = ?",
            &[pending.key.as_str().into(), pending.version.into()],
        )?;
        Ok(())
    }
}

fn pending(row: Vec<SqlValue>) -> Option<Pending> {
    let mut row = row.into_iter();
    let key = row.next()?.text()?;
    let version = row.next()?.integer()?;
    Some(Pending { key, version })
}

/// `value` cut into parts of at most [`PART_MAX`] bytes, at character boundaries.
fn split(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = value;
    while rest.len() > PART_MAX {
        let mut cut = PART_MAX;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (part, tail) = rest.split_at(cut);
        parts.push(part);
        rest = tail;
    }
    parts.push(rest);
    parts
}

#[async_trait(?Send)]
impl Store for SqlStore<'_> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.record(key)?.map(|(value, _)| value))
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        keys.iter()
            .map(|k| Ok(self.record(k)?.map(|(value, _)| value)))
            .collect()
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        Ok(self.write(key, value, metadata)?)
    }

    async fn create(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<bool, StoreError> {
        // The primary key refuses a second row: the database, not a read before, keeps it unique.
        let metadata = metadata.map_or(SqlValue::Null, |m| SqlValue::Text(m.to_string()));
        let published = Kind::of(key).is_some_and(Kind::published);
        let rows = self.exec(
            "INSERT INTO records (key, value, metadata, published) VALUES (?, ?, ?, ?) \
             ON CONFLICT (key) DO NOTHING RETURNING key",
            &[
                key.into(),
                value.into(),
                metadata,
                i64::from(published).into(),
            ],
        )?;
        if rows.is_empty() {
            return Ok(false);
        }
        self.touch(key);
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let deleted = self.exec(
            "DELETE FROM records WHERE key = ? RETURNING key",
            &[key.into()],
        )?;
        if !deleted.is_empty() {
            self.touch(key);
        }
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let limit = limit.clamp(1, LIST_PAGE_MAX);
        let from = cursor.unwrap_or(prefix);
        let rows = self.exec(
            "SELECT key, metadata FROM records WHERE key >= ? AND key > ? AND key < ? ORDER BY key LIMIT ?",
            &[
                prefix.into(),
                SqlValue::Text(if cursor.is_some() { from.to_owned() } else { String::new() }),
                SqlValue::Text(crate::keys::prefix_end(prefix)),
                ((limit + 1) as i64).into(),
            ],
        )?;
        let mut keys: Vec<ListedKey> = rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let name = row.next()?.text()?;
                let metadata = row.next().and_then(SqlValue::text).map(Metadata::from_json);
                Some(ListedKey { name, metadata })
            })
            .collect();
        let cursor = if keys.len() > limit {
            keys.truncate(limit);
            keys.last().map(|k| k.name.clone())
        } else {
            None
        };
        Ok(ListPage { keys, cursor })
    }
}

/// rusqlite behind [`Sql`], for native tests: the statements the object runs, on a real SQLite.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod native {
    use super::{Sql, SqlError, SqlRows, SqlValue};
    use rusqlite::types::{Value as Raw, ValueRef};
    use std::cell::Cell;

    /// An in-memory SQLite database. [`NativeSql::fence`] makes every later statement fail, as
    /// Cloudflare fails a Durable Object instance that another one replaced.
    pub struct NativeSql {
        conn: rusqlite::Connection,
        fenced: Cell<bool>,
        in_transaction: Cell<bool>,
    }

    impl NativeSql {
        pub fn open() -> Self {
            NativeSql {
                conn: rusqlite::Connection::open_in_memory().expect("an in-memory SQLite"),
                fenced: Cell::new(false),
                in_transaction: Cell::new(false),
            }
        }
        /// A second handle on the same database file, as a new object instance would have.
        pub fn open_file(path: &std::path::Path) -> Self {
            NativeSql {
                conn: rusqlite::Connection::open(path).expect("a SQLite file"),
                fenced: Cell::new(false),
                in_transaction: Cell::new(false),
            }
        }
        pub fn fence(&self) {
            self.fenced.set(true);
        }
        fn check(&self) -> Result<(), SqlError> {
            if self.fenced.get() {
                return Err(SqlError(
                    "this instance was replaced by another (fenced)".into(),
                ));
            }
            Ok(())
        }
    }

    impl Sql for NativeSql {
        fn exec(&self, query: &str, params: &[SqlValue]) -> Result<SqlRows, SqlError> {
            self.check()?;
            let fail = |e: rusqlite::Error| SqlError(e.to_string());
            let mut statement = self.conn.prepare(query).map_err(fail)?;
            let bound: Vec<Raw> = params
                .iter()
                .map(|p| match p {
                    SqlValue::Null => Raw::Null,
                    SqlValue::Integer(i) => Raw::Integer(*i),
                    SqlValue::Text(t) => Raw::Text(t.clone()),
                })
                .collect();
            let columns = statement.column_count();
            let before = self.conn.total_changes();
            let mut rows = statement
                .query(rusqlite::params_from_iter(bound))
                .map_err(fail)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(fail)? {
                let mut values = Vec::with_capacity(columns);
                for i in 0..columns {
                    values.push(match row.get_ref(i).map_err(fail)? {
                        ValueRef::Integer(i) => SqlValue::Integer(i),
                        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into()),
                        _ => SqlValue::Null,
                    });
                }
                out.push(values);
            }
            drop(rows);
            let written = self.conn.total_changes() - before;
            Ok(SqlRows {
                read: out.len() as u64,
                rows: out,
                written,
            })
        }

        fn transaction(&self, body: &mut dyn FnMut() -> bool) -> Result<bool, SqlError> {
            self.check()?;
            let fail = |e: rusqlite::Error| SqlError(e.to_string());
            if self.in_transaction.replace(true) {
                return Err(SqlError("a transaction inside a transaction".into()));
            }
            self.conn.execute_batch("BEGIN").map_err(fail)?;
            let commit = body();
            self.in_transaction.set(false);
            if commit && !self.fenced.get() {
                self.conn.execute_batch("COMMIT").map_err(fail)?;
                Ok(true)
            } else {
                self.conn.execute_batch("ROLLBACK").map_err(fail)?;
                self.check()?;
                Ok(false)
            }
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::native::NativeSql;
    use super::*;
    use crate::store::list_all;
    use futures::executor::block_on;
    use serde_json::json;

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn store(db: &NativeSql) -> SqlStore<'_> {
        let s = SqlStore::new(db);
        s.create_schema().unwrap();
        s
    }

    #[test]
    fn records_round_trip_with_their_metadata_and_list_in_key_order_by_page() {
        let db = NativeSql::open();
        let s = store(&db);
        block_on(async {
            for i in [3, 1, 2] {
                let key = format!("p/{P}/cfg/{i}");
                s.put(&key, &format!("v{i}"), Some(&json!({"ms": i})))
                    .await
                    .unwrap();
            }
            s.put(&format!("p/{P}/dep/x/1"), "other", None)
                .await
                .unwrap();
            assert_eq!(
                s.get(&format!("p/{P}/cfg/2")).await.unwrap().as_deref(),
                Some("v2")
            );
            let first = s.list(&format!("p/{P}/cfg/"), None, 2).await.unwrap();
            let names: Vec<_> = first.keys.iter().map(|k| k.name.clone()).collect();
            assert_eq!(names, [format!("p/{P}/cfg/1"), format!("p/{P}/cfg/2")]);
            assert_eq!(
                first.keys[0].metadata.as_ref().unwrap().parse::<Value>(),
                Some(json!({"ms": 1}))
            );
            let rest = s
                .list(&format!("p/{P}/cfg/"), first.cursor.as_deref(), 2)
                .await
                .unwrap();
            assert_eq!(rest.keys.len(), 1);
            assert_eq!(rest.cursor, None);
            assert_eq!(list_all(&s, &format!("p/{P}/")).await.unwrap().len(), 4);
            s.delete(&format!("p/{P}/cfg/1")).await.unwrap();
            assert_eq!(s.get(&format!("p/{P}/cfg/1")).await.unwrap(), None);
        });
    }

    #[test]
    fn a_value_larger_than_a_row_is_kept_in_parts_and_read_back_whole() {
        let db = NativeSql::open();
        let s = store(&db);
        let big: String = "é".repeat(PART_MAX) + "end";
        block_on(async {
            let key = format!("p/{P}/srv/{}", "a".repeat(32));
            s.put(&key, &big, None).await.unwrap();
            assert_eq!(s.get(&key).await.unwrap().as_deref(), Some(big.as_str()));
            s.put(&key, "small", None).await.unwrap();
            assert_eq!(s.get(&key).await.unwrap().as_deref(), Some("small"));
            let parts = db.exec("SELECT count(*) FROM record_parts", &[]).unwrap();
            assert_eq!(parts.rows[0][0], SqlValue::Integer(0), "old parts are gone");
        });
    }

    #[test]
    fn every_write_of_a_published_key_bumps_its_outbox_version_and_private_keys_have_none() {
        let db = NativeSql::open();
        let s = store(&db);
        let dep = format!("p/{P}/dep/0a1b2c3d/0a1b2c3d-x");
        block_on(async {
            s.put(&dep, "v1", None).await.unwrap();
            s.put(&dep, "v2", None).await.unwrap();
            s.put(&format!("p/{P}/use/c/d"), "", None).await.unwrap();
            s.put(&format!("p/{P}/seen/r"), "{}", None).await.unwrap();
        });
        let pending = s.pending(10).unwrap();
        assert_eq!(
            pending,
            [Pending {
                key: dep.clone(),
                version: 2
            }]
        );
        assert_eq!(s.touched(), std::slice::from_ref(&dep));
        // Published at version 1 while version 2 was being written: the entry stays.
        s.published(&Pending {
            key: dep.clone(),
            version: 1,
        })
        .unwrap();
        let (still, record) = s.to_publish(&dep).unwrap().unwrap();
        assert_eq!(still.version, 2);
        assert_eq!(record.map(|(v, _)| v).as_deref(), Some("v2"));
        s.published(&pending[0]).unwrap();
        assert_eq!(s.pending(10).unwrap(), []);
    }

    #[test]
    fn create_refuses_a_key_that_exists_and_leaves_it_as_it_was() {
        let db = NativeSql::open();
        let s = store(&db);
        let name = format!("p/{P}/app-name/web");
        block_on(async {
            assert!(s.create(&name, "app-1", None).await.unwrap());
            assert!(!s.create(&name, "app-2", None).await.unwrap());
            assert_eq!(s.get(&name).await.unwrap().as_deref(), Some("app-1"));
        });
    }

    #[test]
    fn a_rolled_back_transaction_leaves_no_record_and_no_outbox_entry() {
        let db = NativeSql::open();
        let s = store(&db);
        let key = format!("p/{P}/app/x");
        let committed = db
            .transaction(&mut || {
                block_on(s.put(&key, "v", None)).unwrap();
                false
            })
            .unwrap();
        assert!(!committed);
        assert_eq!(block_on(s.get(&key)).unwrap(), None);
        assert_eq!(s.pending(10).unwrap(), []);
    }

    #[test]
    fn a_fenced_instance_can_neither_read_nor_write() {
        let db = NativeSql::open();
        let s = store(&db);
        db.fence();
        assert!(block_on(s.get("p/x/app/1")).is_err());
        assert!(block_on(s.put("p/x/app/1", "v", None)).is_err());
        assert!(db.transaction(&mut || true).is_err());
    }
}
