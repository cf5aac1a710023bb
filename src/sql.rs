//! A project's system of record: its Durable Object's SQLite, behind a small [`Sql`] trait (what
//! `worker::SqlStorage` does on Cloudflare, rusqlite natively), and a unit of work over it
//! ([`SqlStore`], a [`Store`] the core's services read and write like any other).
//!
//! Tables:
//!
//! | table | what |
//! |---|---|
//! | `records (key PRIMARY KEY, value, metadata, parts)` | every record of the project under its key ([`crate::keys`]); a value over [`PART_MAX`] bytes lives in `record_parts` |
//! | `record_parts (key, n, value)` | the parts of a large value, in order (SQLite rows on Cloudflare hold at most 2 MB) |
//! | `outbox (key PRIMARY KEY, version)` | the published keys ([`crate::keys::Kind::published`]) whose KV copy may be behind, in the order first written, with their last write's version |
//! | `facts (name PRIMARY KEY, value)` | `project`, and `imported`: when the project's KV records were imported |
//!
//! A [`SqlStore`] reads the database and keeps the writes made through it in memory; reads see
//! them. [`SqlStore::commit`] then applies them as **one transaction** ([`Sql::apply`]): every
//! record with, for a published key, its outbox entry at a new [`Versions`] number, so no write
//! can forget it. A store dropped without a commit wrote nothing. Publishing ([`crate::object`])
//! reads the key's current row when it publishes, never a value captured earlier, and removes the
//! outbox entry only if its version is still the one it published: so the newest record is the
//! one KV ends up with.

use crate::keys::Kind;
use crate::store::{ListPage, ListedKey, Metadata, Store, StoreError, LIST_PAGE_MAX};
use async_trait::async_trait;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

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

/// What a request did to SQLite, for `X-SQL-Rows`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rows {
    pub read: u64,
    pub written: u64,
}

/// What one statement (or one transaction of them) returned: its rows, and the rows it read and
/// wrote (what Cloudflare bills).
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

/// One statement of a transaction: its query and its positional `?` parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub query: &'static str,
    pub params: Vec<SqlValue>,
}

/// A project's SQLite, as its Durable Object has it: synchronous statements.
pub trait Sql {
    /// Runs one statement with positional `?` parameters.
    fn exec(&self, query: &str, params: &[SqlValue]) -> Result<SqlRows, SqlError>;
    /// Runs `statements` as one transaction: all of them, or (on an error) none.
    fn apply(&self, statements: &[Statement]) -> Result<SqlRows, SqlError>;
}

/// The largest value kept in one row; larger ones are split into `record_parts`.
pub const PART_MAX: usize = 1_000_000;

const SCHEMA: [&str; 6] = [
    "CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value TEXT NOT NULL, metadata TEXT, parts INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS record_parts (key TEXT NOT NULL, n INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, n)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS outbox (key TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    // A record's old parts go with it, whatever replaces or deletes it.
    "CREATE TRIGGER IF NOT EXISTS parts_go_on_delete AFTER DELETE ON records WHEN OLD.parts > 0 BEGIN \
     DELETE FROM record_parts WHERE key = OLD.key; END",
    "CREATE TRIGGER IF NOT EXISTS parts_go_on_update AFTER UPDATE OF parts ON records WHEN OLD.parts > 0 BEGIN \
     DELETE FROM record_parts WHERE key = OLD.key; END",
];

const UPSERT: &str = "INSERT INTO records (key, value, metadata, parts) VALUES (?, ?, ?, ?) \
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata, parts = excluded.parts";
/// A created record: the primary key refuses a second one, so the database, not a read before it,
/// keeps it unique (a refused insert fails the whole transaction).
const INSERT: &str = "INSERT INTO records (key, value, metadata, parts) VALUES (?, ?, ?, ?)";
const DELETE: &str = "DELETE FROM records WHERE key = ?";
const PART: &str = "INSERT INTO record_parts (key, n, value) VALUES (?, ?, ?)";
const OUTBOX: &str = "INSERT INTO outbox (key, version) VALUES (?, ?) \
     ON CONFLICT (key) DO UPDATE SET version = excluded.version";
const PUBLISHED: &str = "DELETE FROM outbox WHERE key = ? AND version = ?";
const FACT: &str = "INSERT INTO facts (name, value) VALUES (?, ?) \
     ON CONFLICT (name) DO UPDATE SET value = excluded.value";

/// Where the versions of writes come from: a counter that only grows, within an object and from
/// one instance to the next (it starts from the time the instance started, in microseconds).
#[derive(Debug)]
pub struct Versions(Cell<i64>);

impl Versions {
    pub fn starting_at(ms: u64) -> Self {
        Versions(Cell::new(
            i64::try_from(ms.saturating_mul(1000)).unwrap_or(i64::MAX / 2),
        ))
    }
    fn next(&self) -> i64 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
}

/// A published key waiting for KV, at the version its last write gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub key: String,
    pub version: i64,
}

/// A write made through a [`SqlStore`], not yet committed.
#[derive(Debug, Clone)]
enum Change {
    Put {
        value: String,
        metadata: Option<Value>,
        /// Made by [`Store::create`]: inserted, never overwriting.
        created: bool,
    },
    Delete,
}

/// A unit of work over a project's SQLite (see the module documentation), counting the rows it
/// reads and writes. Its futures are always ready: a decision made on it runs synchronously.
pub struct SqlStore<'a> {
    db: &'a dyn Sql,
    versions: &'a Versions,
    rows_read: Cell<u64>,
    rows_written: Cell<u64>,
    /// The writes made through this store, by key.
    changes: RefCell<BTreeMap<String, Change>>,
    /// Facts to record with the writes.
    facts: RefCell<Vec<(String, String)>>,
}

impl<'a> SqlStore<'a> {
    pub fn new(db: &'a dyn Sql, versions: &'a Versions) -> Self {
        SqlStore {
            db,
            versions,
            rows_read: Cell::new(0),
            rows_written: Cell::new(0),
            changes: RefCell::new(BTreeMap::new()),
            facts: RefCell::new(Vec::new()),
        }
    }

    fn count(&self, rows: &SqlRows) {
        self.rows_read.set(self.rows_read.get() + rows.read);
        self.rows_written
            .set(self.rows_written.get() + rows.written);
    }

    fn exec(&self, query: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, SqlError> {
        let out = self.db.exec(query, params)?;
        self.count(&out);
        Ok(out.rows)
    }

    fn apply(&self, statements: &[Statement]) -> Result<(), SqlError> {
        if statements.is_empty() {
            return Ok(());
        }
        let out = self.db.apply(statements)?;
        self.count(&out);
        Ok(())
    }

    /// Rows read and written through this store so far.
    pub fn rows(&self) -> Rows {
        Rows {
            read: self.rows_read.get(),
            written: self.rows_written.get(),
        }
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

    /// A record and its metadata as the database holds it (this store's writes aside).
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

    /// Applies the writes made through this store as one transaction, with `landed` (outbox
    /// entries KV has taken) removed in it and, when `publish`, an outbox entry at a new version
    /// for each published key written. Returns those entries, to publish. On an error nothing is
    /// written.
    pub fn commit(&self, landed: &[Pending], publish: bool) -> Result<Vec<Pending>, SqlError> {
        let changes = std::mem::take(&mut *self.changes.borrow_mut());
        let mut statements: Vec<Statement> = landed
            .iter()
            .map(|p| Statement {
                query: PUBLISHED,
                params: vec![p.key.as_str().into(), p.version.into()],
            })
            .collect();
        statements.extend(
            self.facts
                .take()
                .into_iter()
                .map(|(name, value)| Statement {
                    query: FACT,
                    params: vec![name.as_str().into(), value.as_str().into()],
                }),
        );
        let mut written = Vec::new();
        for (key, change) in changes {
            match change {
                Change::Put {
                    value,
                    metadata,
                    created,
                } => statements.extend(record_statements(&key, &value, metadata, created)),
                Change::Delete => statements.push(Statement {
                    query: DELETE,
                    params: vec![key.as_str().into()],
                }),
            }
            if publish && Kind::of(&key).is_some_and(Kind::published) {
                let version = self.versions.next();
                statements.push(Statement {
                    query: OUTBOX,
                    params: vec![key.as_str().into(), version.into()],
                });
                written.push(Pending { key, version });
            }
        }
        self.apply(&statements)?;
        Ok(written)
    }

    /// Records a fact (`project`, `imported`) with the next [`SqlStore::commit`].
    pub fn set_fact(&self, name: &str, value: &str) {
        self.facts
            .borrow_mut()
            .push((name.to_owned(), value.to_owned()));
    }

    /// The published keys waiting for KV, oldest first, at most `limit`.
    pub fn pending(&self, limit: usize) -> Result<Vec<Pending>, SqlError> {
        let rows = self.exec(
            "SELECT key, version FROM outbox ORDER BY rowid LIMIT ?",
            &[i64::try_from(limit).unwrap_or(i64::MAX).into()],
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

    /// Removes outbox entries KV has taken (each unless a later write bumped it), as one
    /// transaction.
    pub fn published(&self, landed: &[Pending]) -> Result<(), SqlError> {
        self.commit(landed, false).map(|_| ())
    }

    /// The change this store holds for `key`, if any.
    fn change(&self, key: &str) -> Option<Change> {
        self.changes.borrow().get(key).cloned()
    }

    fn change_to(&self, key: &str, change: Change) {
        self.changes.borrow_mut().insert(key.to_owned(), change);
    }

    /// Stages a put of `key` (`created`: the row did not exist before this unit of work).
    fn stage_put(&self, key: &str, value: &str, metadata: Option<&Value>, created: bool) {
        self.change_to(
            key,
            Change::Put {
                value: value.to_owned(),
                metadata: metadata.cloned(),
                created,
            },
        );
    }
}

/// The statements that store a record (its parts, when it has more than one).
fn record_statements(
    key: &str,
    value: &str,
    metadata: Option<Value>,
    created: bool,
) -> Vec<Statement> {
    let parts = split(value);
    let (inline, count) = if parts.len() > 1 {
        ("", parts.len() as i64)
    } else {
        (value, 0)
    };
    let metadata = metadata.map_or(SqlValue::Null, |m| SqlValue::Text(m.to_string()));
    let mut statements = vec![Statement {
        query: if created { INSERT } else { UPSERT },
        params: vec![key.into(), inline.into(), metadata, count.into()],
    }];
    if count > 0 {
        statements.extend(parts.iter().enumerate().map(|(n, part)| Statement {
            query: PART,
            params: vec![key.into(), (n as i64).into(), (*part).into()],
        }));
    }
    statements
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
        Ok(match self.change(key) {
            Some(Change::Put { value, .. }) => Some(value),
            Some(Change::Delete) => None,
            None => self.record(key)?.map(|(value, _)| value),
        })
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(self.get(key).await?);
        }
        Ok(out)
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        // A record created in this unit of work and then changed is still a creation.
        let created = matches!(self.change(key), Some(Change::Put { created: true, .. }));
        self.stage_put(key, value, metadata, created);
        Ok(())
    }

    async fn create(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<bool, StoreError> {
        let exists = match self.change(key) {
            Some(Change::Put { .. }) => true,
            Some(Change::Delete) => false,
            None => !self
                .exec("SELECT 1 FROM records WHERE key = ?", &[key.into()])?
                .is_empty(),
        };
        if exists {
            return Ok(false);
        }
        // Deleted earlier in this unit of work: the row is still there until the commit.
        let created = self.change(key).is_none();
        self.stage_put(key, value, metadata, created);
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.change(key) {
            // Created in this unit of work: it never reaches the database.
            Some(Change::Put { created: true, .. }) => {
                self.changes.borrow_mut().remove(key);
            }
            _ => self.change_to(key, Change::Delete),
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
        let end = crate::keys::prefix_end(prefix);
        let after = |k: &str| cursor.is_none_or(|c| k > c);
        // This unit of work's writes under the prefix, merged into the database's rows.
        let changes: Vec<(String, Change)> = self
            .changes
            .borrow()
            .range(prefix.to_owned()..end.clone())
            .filter(|(k, _)| after(k))
            .map(|(k, c)| (k.clone(), c.clone()))
            .collect();
        let window = limit + 1 + changes.len();
        let rows = self.exec(
            "SELECT key, metadata FROM records WHERE key >= ? AND key > ? AND key < ? ORDER BY key LIMIT ?",
            &[
                prefix.into(),
                cursor.unwrap_or("").into(),
                end.as_str().into(),
                (window as i64).into(),
            ],
        )?;
        // A full window may stop short of the prefix's end: past its last key, nothing is known.
        let window_end = (rows.len() == window)
            .then(|| {
                rows.last()
                    .and_then(|r| r.first())
                    .cloned()
                    .and_then(SqlValue::text)
            })
            .flatten();
        let mut merged: BTreeMap<String, Option<Metadata>> = rows
            .into_iter()
            .filter_map(|row| {
                let mut row = row.into_iter();
                let name = row.next()?.text()?;
                let metadata = row.next().and_then(SqlValue::text).map(Metadata::from_json);
                Some((name, metadata))
            })
            .collect();
        for (key, change) in changes {
            match change {
                Change::Put { metadata, .. } => {
                    merged.insert(key, metadata.as_ref().map(Metadata::new));
                }
                Change::Delete => {
                    merged.remove(&key);
                }
            }
        }
        if let Some(last) = &window_end {
            merged.retain(|k, _| k <= last);
        }
        let mut keys: Vec<ListedKey> = merged
            .into_iter()
            .take(limit + 1)
            .map(|(name, metadata)| ListedKey { name, metadata })
            .collect();
        let cursor = if keys.len() > limit {
            keys.truncate(limit);
            keys.last().map(|k| k.name.clone())
        } else {
            // More may follow the window: go on after it.
            window_end
        };
        Ok(ListPage { keys, cursor })
    }
}

/// rusqlite behind [`Sql`], for native tests: the statements the object runs, on a real SQLite.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod native {
    use super::{Sql, SqlError, SqlRows, SqlValue, Statement};
    use rusqlite::types::{Value as Raw, ValueRef};
    use std::cell::Cell;

    /// An in-memory SQLite database. [`NativeSql::fence`] makes every later statement fail, as
    /// Cloudflare fails a Durable Object instance that another one replaced.
    pub struct NativeSql {
        conn: rusqlite::Connection,
        fenced: Cell<bool>,
    }

    impl NativeSql {
        pub fn open() -> Self {
            NativeSql {
                conn: rusqlite::Connection::open_in_memory().expect("an in-memory SQLite"),
                fenced: Cell::new(false),
            }
        }
        /// A second handle on the same database file, as a new object instance would have.
        pub fn open_file(path: &std::path::Path) -> Self {
            NativeSql {
                conn: rusqlite::Connection::open(path).expect("a SQLite file"),
                fenced: Cell::new(false),
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

        fn apply(&self, statements: &[Statement]) -> Result<SqlRows, SqlError> {
            self.check()?;
            let fail = |e: rusqlite::Error| SqlError(e.to_string());
            self.conn.execute_batch("BEGIN").map_err(fail)?;
            let mut total = SqlRows::default();
            for s in statements {
                match self.exec(s.query, &s.params) {
                    Ok(rows) => {
                        total.read += rows.read;
                        total.written += rows.written;
                    }
                    Err(e) => {
                        self.conn.execute_batch("ROLLBACK").map_err(fail)?;
                        return Err(e);
                    }
                }
            }
            self.conn.execute_batch("COMMIT").map_err(fail)?;
            Ok(total)
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
        let versions = Box::leak(Box::new(Versions::starting_at(1)));
        let s = SqlStore::new(db, versions);
        s.create_schema().unwrap();
        s
    }

    /// Commits what `s` holds and returns the entries to publish.
    fn commit(s: &SqlStore<'_>) -> Vec<Pending> {
        s.commit(&[], true).unwrap()
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
            for committed in [false, true] {
                if committed {
                    commit(&s);
                }
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
                assert_eq!(rest.keys.len(), 1, "committed: {committed}");
                assert_eq!(rest.cursor, None);
                assert_eq!(list_all(&s, &format!("p/{P}/")).await.unwrap().len(), 4);
            }
            s.delete(&format!("p/{P}/cfg/1")).await.unwrap();
            assert_eq!(s.get(&format!("p/{P}/cfg/1")).await.unwrap(), None);
            assert_eq!(list_all(&s, &format!("p/{P}/cfg/")).await.unwrap().len(), 2);
        });
    }

    #[test]
    fn a_listing_merges_uncommitted_writes_and_deletes_across_pages() {
        let db = NativeSql::open();
        let s = store(&db);
        block_on(async {
            for i in 0..10 {
                s.put(&format!("p/{P}/app/{i}"), "v", None).await.unwrap();
            }
            commit(&s);
            for i in [0, 1, 2, 3, 7] {
                s.delete(&format!("p/{P}/app/{i}")).await.unwrap();
            }
            s.put(&format!("p/{P}/app/55"), "new", None).await.unwrap();
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = s
                    .list(&format!("p/{P}/app/"), cursor.as_deref(), 2)
                    .await
                    .unwrap();
                seen.extend(page.keys.into_iter().map(|k| k.name));
                match page.cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let want: Vec<String> = ["4", "5", "55", "6", "8", "9"]
                .iter()
                .map(|i| format!("p/{P}/app/{i}"))
                .collect();
            assert_eq!(seen, want);
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
            commit(&s);
            assert_eq!(s.get(&key).await.unwrap().as_deref(), Some(big.as_str()));
            let parts = db.exec("SELECT count(*) FROM record_parts", &[]).unwrap();
            assert_eq!(parts.rows[0][0], SqlValue::Integer(3));
            s.put(&key, "small", None).await.unwrap();
            commit(&s);
            assert_eq!(s.get(&key).await.unwrap().as_deref(), Some("small"));
            let parts = db.exec("SELECT count(*) FROM record_parts", &[]).unwrap();
            assert_eq!(parts.rows[0][0], SqlValue::Integer(0), "old parts are gone");
        });
    }

    #[test]
    fn every_committed_write_of_a_published_key_has_an_outbox_entry_and_private_keys_none() {
        let db = NativeSql::open();
        let s = store(&db);
        let dep = format!("p/{P}/dep/0a1b2c3d/0a1b2c3d-x");
        block_on(async {
            s.put(&dep, "v1", None).await.unwrap();
            s.put(&format!("p/{P}/use/c/d"), "", None).await.unwrap();
            s.put(&format!("p/{P}/seen/r"), "{}", None).await.unwrap();
        });
        let first = commit(&s);
        block_on(s.put(&dep, "v2", None)).unwrap();
        let second = commit(&s);
        assert_eq!(second.len(), 1);
        assert!(second[0].version > first[0].version, "versions grow");
        assert_eq!(
            s.pending(10).unwrap(),
            second,
            "one entry per key, at its last write"
        );
        // KV took the first version while the second was being written: the entry stays.
        s.published(&first).unwrap();
        let (still, record) = s.to_publish(&dep).unwrap().unwrap();
        assert_eq!(still, second[0]);
        assert_eq!(record.map(|(v, _)| v).as_deref(), Some("v2"));
        s.published(&second).unwrap();
        assert_eq!(s.pending(10).unwrap(), []);
        // A delete is published too, at a newer version.
        block_on(s.delete(&dep)).unwrap();
        let deleted = commit(&s);
        let (entry, record) = s.to_publish(&dep).unwrap().unwrap();
        assert_eq!(entry, deleted[0]);
        assert!(deleted[0].version > second[0].version);
        assert_eq!(record, None);
    }

    #[test]
    fn create_refuses_a_key_that_exists_and_the_database_refuses_a_second_holder() {
        let db = NativeSql::open();
        let s = store(&db);
        let name = format!("p/{P}/app-name/web");
        block_on(async {
            assert!(s.create(&name, "app-1", None).await.unwrap());
            assert!(
                !s.create(&name, "app-2", None).await.unwrap(),
                "uncommitted"
            );
            commit(&s);
            assert!(!s.create(&name, "app-2", None).await.unwrap(), "committed");
            assert_eq!(s.get(&name).await.unwrap().as_deref(), Some("app-1"));
        });
        // A second writer that missed the first's row (it read before the commit) is refused by
        // the primary key, and its whole unit of work with it.
        let late = store(&db);
        let other = format!("p/{P}/app/2");
        block_on(late.put(&other, "{}", None)).unwrap();
        late.changes.borrow_mut().insert(
            name.clone(),
            Change::Put {
                value: "app-2".into(),
                metadata: None,
                created: true,
            },
        );
        assert!(late.commit(&[], true).is_err());
        assert_eq!(
            block_on(s.get(&other)).unwrap(),
            None,
            "nothing of it stays"
        );
        assert_eq!(block_on(s.get(&name)).unwrap().as_deref(), Some("app-1"));
    }

    #[test]
    fn a_unit_of_work_never_committed_writes_nothing() {
        let db = NativeSql::open();
        let key = format!("p/{P}/app/x");
        {
            let s = store(&db);
            block_on(s.put(&key, "v", None)).unwrap();
            assert_eq!(block_on(s.get(&key)).unwrap().as_deref(), Some("v"));
        }
        let s = store(&db);
        assert_eq!(block_on(s.get(&key)).unwrap(), None);
        assert_eq!(s.pending(10).unwrap(), []);
    }

    #[test]
    fn a_fenced_instance_can_neither_read_nor_write() {
        let db = NativeSql::open();
        let s = store(&db);
        db.fence();
        assert!(block_on(s.get("p/x/app/1")).is_err());
        block_on(s.put("p/x/app/1", "v", None)).unwrap();
        assert!(s.commit(&[], true).is_err());
    }
}
