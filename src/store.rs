//! The storage seam: a small key-value trait shaped like Workers KV (which the edge reads and
//! writes, and a project's SQLite also answers: [`crate::sql::SqlStore`]), an in-memory
//! implementation for native tests, a wrapper that counts operations (the per-request cost we
//! report), and an isolate's cache of records that never change once written ([`ReadCache`],
//! read through [`ReadCachingStore`]).
//!
//! Values are JSON strings (never serde-wasm-bindgen values: KV would store JS `Map`s as `{}`).
//! The trait's futures are not `Send`, because KV's are not.

use async_trait::async_trait;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};

/// A storage failure. Never shown to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage backend failed: {0}")]
    Backend(String),
    #[error("stored value under {key} is corrupt: {reason}")]
    Corrupt { key: String, reason: String },
}

/// One key returned by [`Store::list`], with its metadata if it was written with some.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct ListedKey {
    pub name: String,
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

/// A listed key's metadata, kept as its JSON text until read: whoever reads it parses it
/// straight into the type it wants (a listing of 50 deployments parses each record once, with
/// no `serde_json::Value` of it in between).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata(String);

impl Metadata {
    /// The metadata a key was written with.
    pub fn new(value: &Value) -> Self {
        Metadata(value.to_string())
    }
    /// Metadata kept as its JSON text.
    pub fn from_json(text: String) -> Self {
        Metadata(text)
    }
    /// The metadata read as `T`; `None` when it is not one.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str(&self.0).ok()
    }
}

impl<'de> serde::Deserialize<'de> for Metadata {
    fn deserialize<D: serde::Deserializer<'de>>(json: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(json)?;
        Ok(Metadata(raw.get().to_owned()))
    }
}

/// One page of [`Store::list`]; `cursor` is `Some` when more keys follow.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    pub keys: Vec<ListedKey>,
    pub cursor: Option<String>,
}

/// The most keys one [`Store::list`] call returns (Workers KV's limit).
pub const LIST_PAGE_MAX: usize = 1000;
/// The most keys one [`Store::get_many`] call reads at once (Workers KV's bulk-get limit).
pub const GET_MANY_MAX: usize = 100;

/// Key-value storage with KV's semantics: last write wins, lexicographic listing by prefix,
/// small per-key metadata returned with listings.
#[async_trait(?Send)]
pub trait Store {
    /// Reads one value.
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Reads up to [`GET_MANY_MAX`] values at once, in the order of `keys`.
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError>;
    /// Writes one value, with optional metadata (at most 1,024 bytes serialised).
    async fn put(&self, key: &str, value: &str, metadata: Option<&Value>)
        -> Result<(), StoreError>;
    /// Writes one value unless the key exists: true when it wrote. Atomic where the store has
    /// transactions (a project's SQLite, where its primary key refuses the second write); here,
    /// a read then a write.
    async fn create(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<bool, StoreError> {
        if self.get(key).await?.is_some() {
            return Ok(false);
        }
        self.put(key, value, metadata).await?;
        Ok(true)
    }
    /// Deletes one key; deleting a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Lists keys under `prefix` in lexicographic order, at most `limit` (≤ [`LIST_PAGE_MAX`]).
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError>;
}

/// Reads any number of keys in bulk, [`GET_MANY_MAX`] per store call.
pub async fn get_all<S: Store + ?Sized>(
    store: &S,
    keys: &[String],
) -> Result<Vec<Option<String>>, StoreError> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(GET_MANY_MAX) {
        out.extend(store.get_many(chunk).await?);
    }
    Ok(out)
}

/// Lists every key under `prefix`, following cursors.
pub async fn list_all<S: Store + ?Sized>(
    store: &S,
    prefix: &str,
) -> Result<Vec<ListedKey>, StoreError> {
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list(prefix, cursor.as_deref(), LIST_PAGE_MAX).await?;
        keys.extend(page.keys);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(keys),
        }
    }
}

/// An in-memory [`Store`] (a `BTreeMap`, so listings are ordered like KV's). Single-threaded, like
/// a Worker isolate.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: RefCell<BTreeMap<String, (String, Option<Value>)>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
    /// How many keys are stored (for tests).
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }
    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.borrow().is_empty()
    }
    /// A copy of every key and value (for tests that check nothing changed).
    pub fn snapshot(&self) -> Vec<(String, String)> {
        self.entries
            .borrow()
            .iter()
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect()
    }
}

#[async_trait(?Send)]
impl Store for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.entries.borrow().get(key).map(|(v, _)| v.clone()))
    }
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let entries = self.entries.borrow();
        Ok(keys
            .iter()
            .map(|k| entries.get(k).map(|(v, _)| v.clone()))
            .collect())
    }
    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), (value.to_owned(), metadata.cloned()));
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let entries = self.entries.borrow();
        let limit = limit.clamp(1, LIST_PAGE_MAX);
        let start = cursor.unwrap_or(prefix);
        let mut keys: Vec<ListedKey> = entries
            .range(start.to_owned()..)
            .filter(|(k, _)| cursor.is_none_or(|c| k.as_str() > c))
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit + 1)
            .map(|(k, (_, m))| ListedKey {
                name: k.clone(),
                metadata: m.as_ref().map(Metadata::new),
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

/// Wraps a store and counts the operations made through it (one per call, as KV bills them).
pub struct CountingStore<'a, S: ?Sized> {
    inner: &'a S,
    ops: Cell<u32>,
}

impl<'a, S: Store + ?Sized> CountingStore<'a, S> {
    pub fn new(inner: &'a S) -> Self {
        CountingStore {
            inner,
            ops: Cell::new(0),
        }
    }
    /// Operations made so far.
    pub fn ops(&self) -> u32 {
        self.ops.get()
    }
    fn tick(&self) {
        self.ops.set(self.ops.get() + 1);
    }
}

#[async_trait(?Send)]
impl<S: Store + ?Sized> Store for CountingStore<'_, S> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.tick();
        self.inner.get(key).await
    }
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        self.tick();
        self.inner.get_many(keys).await
    }
    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        self.tick();
        self.inner.put(key, value, metadata).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.tick();
        self.inner.delete(key).await
    }
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.tick();
        self.inner.list(prefix, cursor, limit).await
    }
}

/// Values read recently, kept inside one isolate for keys that never change after they are written
/// (token and credential records, software configs: [`crate::keys::Kind::immutable`]). A key
/// found missing is kept as missing just the same, so a lookup costs the same whether or not the
/// key exists (no timing tells which tokens or access keys do). Writes and deletes made through
/// [`ReadCachingStore`] update it at once; changes made elsewhere (another isolate or location) are
/// seen after at most `ttl_ms`, which is within KV's own propagation delay of about 60 seconds.
#[derive(Debug)]
pub struct ReadCache {
    /// Key → (value, or `None` for a key found missing; when the entry expires).
    entries: RefCell<HashMap<String, (Option<String>, u64)>>,
    ttl_ms: u64,
    capacity: usize,
    /// When this isolate last did something it does at most every so often, by key (agent
    /// contact writes).
    noted: RefCell<HashMap<String, u64>>,
}

impl ReadCache {
    pub fn new(ttl_ms: u64, capacity: usize) -> Self {
        ReadCache {
            entries: RefCell::new(HashMap::new()),
            ttl_ms,
            capacity,
            noted: RefCell::new(HashMap::new()),
        }
    }

    /// True (and noted) when `key` was not noted in the last `every_ms`: a write this isolate
    /// makes at most that often. Bounded by the cache's capacity: when full, entries older than
    /// `every_ms` are dropped, and if none is, the key is not noted and this answers false (a
    /// full memory never turns into a write per call).
    pub fn note_if_due(&self, key: &str, now_ms: u64, every_ms: u64) -> bool {
        let mut noted = self.noted.borrow_mut();
        let fresh = |at: &u64| now_ms.saturating_sub(*at) < every_ms;
        if noted.get(key).is_some_and(fresh) {
            return false;
        }
        if noted.len() >= self.capacity && !noted.contains_key(key) {
            noted.retain(|_, at| fresh(at));
            if noted.len() >= self.capacity {
                return false;
            }
        }
        noted.insert(key.to_owned(), now_ms);
        true
    }

    /// True for the keys this cache keeps: records immutable once written.
    pub fn is_cacheable(&self, key: &str) -> bool {
        crate::keys::Kind::of(key).is_some_and(crate::keys::Kind::immutable)
    }

    /// `Some(found)` when the key's lookup is cached (`found` is `None` for a missing key).
    fn get(&self, key: &str, now_ms: u64) -> Option<Option<String>> {
        let entries = self.entries.borrow();
        entries
            .get(key)
            .filter(|(_, expires)| *expires > now_ms)
            .map(|(v, _)| v.clone())
    }

    fn remember(&self, key: &str, value: Option<&str>, now_ms: u64) {
        let mut entries = self.entries.borrow_mut();
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(
            key.to_owned(),
            (value.map(str::to_owned), now_ms + self.ttl_ms),
        );
    }

    /// Drops a key's entry (its next read goes to the store).
    pub fn forget(&self, key: &str) {
        self.entries.borrow_mut().remove(key);
    }
}

/// A [`Store`] that answers reads of cacheable keys from a [`ReadCache`] and writes through.
pub struct ReadCachingStore<'a, S: ?Sized> {
    inner: &'a S,
    cache: &'a ReadCache,
    now_ms: u64,
}

impl<'a, S: Store + ?Sized> ReadCachingStore<'a, S> {
    pub fn new(inner: &'a S, cache: &'a ReadCache, now_ms: u64) -> Self {
        ReadCachingStore {
            inner,
            cache,
            now_ms,
        }
    }
}

#[async_trait(?Send)]
impl<S: Store + ?Sized> Store for ReadCachingStore<'_, S> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if !self.cache.is_cacheable(key) {
            return self.inner.get(key).await;
        }
        if let Some(hit) = self.cache.get(key, self.now_ms) {
            return Ok(hit);
        }
        let value = self.inner.get(key).await?;
        self.cache.remember(key, value.as_deref(), self.now_ms);
        Ok(value)
    }
    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        get_many_with(
            self.inner,
            keys,
            |k| {
                self.cache
                    .is_cacheable(k)
                    .then(|| self.cache.get(k, self.now_ms))
                    .flatten()
            },
            |k, value| {
                if self.cache.is_cacheable(k) {
                    self.cache.remember(k, value, self.now_ms);
                }
            },
        )
        .await
    }
    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        self.cache.forget(key);
        self.inner.put(key, value, metadata).await?;
        if self.cache.is_cacheable(key) {
            self.cache.remember(key, Some(value), self.now_ms);
        }
        Ok(())
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.cache.forget(key);
        self.inner.delete(key).await?;
        if self.cache.is_cacheable(key) {
            self.cache.remember(key, None, self.now_ms);
        }
        Ok(())
    }
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        self.inner.list(prefix, cursor, limit).await
    }
}

/// Reads `keys` in order: those `known` answers (`Some(value)`, the value `None` for a key known
/// missing) without `inner`, the rest with one bulk read, each of which is handed to `fetched`.
pub async fn get_many_with<S: Store + ?Sized>(
    inner: &S,
    keys: &[String],
    known: impl Fn(&str) -> Option<Option<String>>,
    mut fetched: impl FnMut(&str, Option<&str>),
) -> Result<Vec<Option<String>>, StoreError> {
    let answers: Vec<Option<Option<String>>> = keys.iter().map(|k| known(k)).collect();
    let misses: Vec<String> = keys
        .iter()
        .zip(&answers)
        .filter(|(_, known)| known.is_none())
        .map(|(k, _)| k.clone())
        .collect();
    let mut read = if misses.is_empty() {
        Vec::new().into_iter()
    } else {
        inner.get_many(&misses).await?.into_iter()
    };
    let mut out = Vec::with_capacity(keys.len());
    for (key, known) in keys.iter().zip(answers) {
        out.push(known.unwrap_or_else(|| {
            let value = read.next().flatten();
            fetched(key, value.as_deref());
            value
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn listing_pages_through_a_prefix_in_order() {
        block_on(async {
            let s = MemoryStore::new();
            for i in 0..5 {
                s.put(&format!("a/{i}"), "v", None).await.unwrap();
            }
            s.put("b/0", "v", None).await.unwrap();
            let first = s.list("a/", None, 2).await.unwrap();
            assert_eq!(
                first
                    .keys
                    .iter()
                    .map(|k| k.name.as_str())
                    .collect::<Vec<_>>(),
                ["a/0", "a/1"]
            );
            let second = s.list("a/", first.cursor.as_deref(), 2).await.unwrap();
            assert_eq!(second.keys[0].name, "a/2");
            assert_eq!(list_all(&s, "a/").await.unwrap().len(), 5);
        });
    }

    #[test]
    fn counting_store_counts_each_call() {
        block_on(async {
            let s = MemoryStore::new();
            let c = CountingStore::new(&s);
            c.put("k", "v", None).await.unwrap();
            c.get("k").await.unwrap();
            c.get_many(&["k".into(), "x".into()]).await.unwrap();
            assert_eq!(c.ops(), 3);
        });
    }

    #[test]
    fn cached_reads_skip_the_store_until_they_expire_or_are_deleted() {
        block_on(async {
            let s = MemoryStore::new();
            s.put("tok/abc", "rec", None).await.unwrap();
            s.put("p/x/dep/1", "d", None).await.unwrap();
            let cache = ReadCache::new(1000, 100);
            let counted = CountingStore::new(&s);
            let cached = ReadCachingStore::new(&counted, &cache, 0);
            assert_eq!(cached.get("tok/abc").await.unwrap().as_deref(), Some("rec"));
            assert_eq!(cached.get("tok/abc").await.unwrap().as_deref(), Some("rec"));
            cached.get("p/x/dep/1").await.unwrap();
            cached.get("p/x/dep/1").await.unwrap();
            assert_eq!(
                counted.ops(),
                3,
                "one read of the token, two of the (uncached) deployment"
            );
            cached.delete("tok/abc").await.unwrap();
            assert_eq!(cached.get("tok/abc").await.unwrap(), None);
            let later = ReadCachingStore::new(&counted, &cache, 5000);
            s.put("p/x/cfg/c", "v1", None).await.unwrap();
            assert_eq!(
                later
                    .get_many(&["p/x/cfg/c".into(), "p/x/dep/1".into()])
                    .await
                    .unwrap(),
                [Some("v1".into()), Some("d".into())]
            );
            let before = counted.ops();
            assert_eq!(
                later.get_many(&["p/x/cfg/c".into()]).await.unwrap(),
                [Some("v1".into())]
            );
            assert_eq!(
                counted.ops(),
                before,
                "a fully cached bulk read makes no store call"
            );
        });
    }

    #[test]
    fn a_missing_key_is_cached_as_missing_so_found_and_missing_cost_the_same() {
        block_on(async {
            let s = MemoryStore::new();
            s.put("cred/KNOWN", "rec", None).await.unwrap();
            let cache = ReadCache::new(1000, 100);
            let counted = CountingStore::new(&s);
            let cached = ReadCachingStore::new(&counted, &cache, 0);
            for key in ["cred/KNOWN", "cred/UNKNOWN"] {
                cached.get(key).await.unwrap();
                let before = counted.ops();
                cached.get(key).await.unwrap();
                cached.get_many(&[key.into()]).await.unwrap();
                assert_eq!(counted.ops(), before, "{key}: the second lookup is cached");
            }
            // A write through the cache replaces what it knew at once.
            cached.put("cred/UNKNOWN", "new", None).await.unwrap();
            assert_eq!(
                cached.get("cred/UNKNOWN").await.unwrap().as_deref(),
                Some("new")
            );
            // Another isolate's write is seen once the entry expires.
            s.put("cred/LATER", "x", None).await.unwrap();
            let stale = ReadCachingStore::new(&counted, &cache, 0);
            assert_eq!(stale.get("cred/LATER").await.unwrap().as_deref(), Some("x"));
            s.delete("cred/LATER").await.unwrap();
            assert_eq!(stale.get("cred/LATER").await.unwrap().as_deref(), Some("x"));
            let expired = ReadCachingStore::new(&counted, &cache, 1000);
            assert_eq!(expired.get("cred/LATER").await.unwrap(), None);
        });
    }

    #[test]
    fn a_full_memory_of_notes_drops_old_ones_and_never_answers_due_for_new_keys() {
        let cache = ReadCache::new(1000, 2);
        assert!(cache.note_if_due("a", 0, 100));
        assert!(!cache.note_if_due("a", 50, 100), "noted within the period");
        assert!(cache.note_if_due("b", 60, 100));
        assert!(
            !cache.note_if_due("c", 70, 100),
            "full of fresh notes: not noted, not due"
        );
        assert!(
            cache.note_if_due("c", 120, 100),
            "a's note expired and made room"
        );
        assert!(
            !cache.note_if_due("a", 130, 100),
            "a was dropped, but b and c are still fresh"
        );
        assert!(
            cache.note_if_due("a", 170, 100),
            "b expired: a is noted again"
        );
    }
}
