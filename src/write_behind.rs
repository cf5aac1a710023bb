//! Write-behind with coalescing, for the one place a project's checked writes run ([`crate::gate`]).
//!
//! Behind the gate a write checks and computes from what is stored, then stores its result. Held
//! for KV's round trips, the gate would let one write of a project a round trip; a hot record
//! (one deployment updated by many callers) would be written to KV once per request, where KV
//! allows one write per second per key. So a project's writer records each write as the key's
//! newest *pending* value and the gate moves on to the next write, which reads that value
//! (pending values answer reads before the store). After its turn, each request waits in
//! [`WriteBehindStore::flush`] until a store write that contains its own has landed: the key's
//! first waiter writes the newest pending value, and every write it covers is answered by that one
//! KV operation. A request is answered only when its writes are stored.
//!
//! Listing a prefix first lands every pending write under it, so checks that list (a config still
//! in use) see what is pending. If a store write fails, every request it covered fails (a 5xx to
//! retry); a later write computed from the failed value may still store it.

use crate::store::{get_many_with, ListPage, Store, StoreError};
use async_trait::async_trait;
use futures::lock::Mutex;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// A key's value to store: a put (with its metadata) or a delete.
#[derive(Debug, Clone)]
enum Change {
    Put(String, Option<Value>),
    Delete,
}

impl Change {
    fn value(&self) -> Option<String> {
        match self {
            Change::Put(v, _) => Some(v.clone()),
            Change::Delete => None,
        }
    }
}

/// One key's writes: versions count them; `pending` is the newest not yet sent, `sending` the
/// one in flight; `turn` lets one waiter at a time send.
#[derive(Default)]
struct KeyWrites {
    turn: Mutex<()>,
    latest: Cell<u64>,
    pending: RefCell<Option<(u64, Change)>>,
    sending: RefCell<Option<(u64, Change)>>,
    /// Every version up to this one is stored.
    landed: Cell<u64>,
    /// Every version up to this one (and above `landed`) failed to store.
    failed: Cell<u64>,
}

impl KeyWrites {
    /// What a read sees: the newest pending or in-flight value, if any.
    fn visible(&self) -> Option<Option<String>> {
        let pending = self.pending.borrow();
        let sending = self.sending.borrow();
        pending
            .as_ref()
            .or(sending.as_ref())
            .map(|(_, c)| c.value())
    }
    fn settled(&self) -> bool {
        self.pending.borrow().is_none() && self.sending.borrow().is_none()
    }
}

/// A project writer's pending writes, kept while the writer lives (a Durable Object instance).
#[derive(Default)]
pub struct WriteBehind {
    keys: RefCell<HashMap<String, Rc<KeyWrites>>>,
}

impl std::fmt::Debug for WriteBehind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WriteBehind({} keys unsettled)",
            self.keys.borrow().len()
        )
    }
}

impl WriteBehind {
    pub fn new() -> Self {
        Self::default()
    }

    fn key(&self, key: &str) -> Rc<KeyWrites> {
        self.keys
            .borrow_mut()
            .entry(key.to_owned())
            .or_default()
            .clone()
    }

    fn existing(&self, key: &str) -> Option<Rc<KeyWrites>> {
        self.keys.borrow().get(key).cloned()
    }

    /// Records `change` as the key's newest value; returns the key's writes and its version.
    fn record(&self, key: &str, change: Change) -> (Rc<KeyWrites>, u64) {
        let writes = self.key(key);
        let version = writes.latest.get() + 1;
        writes.latest.set(version);
        *writes.pending.borrow_mut() = Some((version, change));
        (writes, version)
    }

    /// Waits until `version` of `key` is stored (sending the newest pending value when it is this
    /// waiter's turn), or has failed. A key with nothing left to send is forgotten; whoever still
    /// waits on it holds its `writes`.
    async fn land(
        &self,
        store: &dyn Store,
        key: &str,
        writes: &KeyWrites,
        version: u64,
    ) -> Result<(), StoreError> {
        let _turn = writes.turn.lock().await;
        if writes.landed.get() >= version {
            return Ok(());
        }
        if writes.failed.get() >= version {
            return Err(StoreError::Backend(format!(
                "a write to {key} that included this one failed"
            )));
        }
        let Some((sent, change)) = writes.pending.borrow_mut().take() else {
            return Ok(());
        };
        *writes.sending.borrow_mut() = Some((sent, change.clone()));
        let result = match &change {
            Change::Put(value, metadata) => store.put(key, value, metadata.as_ref()).await,
            Change::Delete => store.delete(key).await,
        };
        writes.sending.borrow_mut().take();
        match &result {
            Ok(()) => writes.landed.set(sent),
            Err(_) => writes.failed.set(sent),
        }
        if writes.settled() {
            self.keys.borrow_mut().remove(key);
        }
        result
    }

    /// Keys under `prefix` with writes not yet stored, with their newest version.
    fn unsettled_under(&self, prefix: &str) -> Vec<(String, Rc<KeyWrites>, u64)> {
        self.keys
            .borrow()
            .iter()
            .filter(|(k, w)| k.starts_with(prefix) && !w.settled())
            .map(|(k, w)| (k.clone(), w.clone(), w.latest.get()))
            .collect()
    }
}

/// One request's view of a [`WriteBehind`]: its puts and deletes become pending values, its reads
/// see pending values first, and [`WriteBehindStore::flush`] waits for its own writes to land.
pub struct WriteBehindStore<'a> {
    inner: &'a dyn Store,
    writes: &'a WriteBehind,
    mine: RefCell<Vec<(String, Rc<KeyWrites>, u64)>>,
}

impl<'a> WriteBehindStore<'a> {
    pub fn new(inner: &'a dyn Store, writes: &'a WriteBehind) -> Self {
        WriteBehindStore {
            inner,
            writes,
            mine: RefCell::new(Vec::new()),
        }
    }

    /// Waits until every write this request made is stored. On failure, the keys whose writes
    /// failed (a cache above must forget them) and the first error.
    pub async fn flush(&self) -> Result<(), (Vec<String>, StoreError)> {
        let mine = std::mem::take(&mut *self.mine.borrow_mut());
        let mut failed = Vec::new();
        let mut first = None;
        for (key, writes, version) in mine {
            if let Err(e) = self.writes.land(self.inner, &key, &writes, version).await {
                failed.push(key);
                first.get_or_insert(e);
            }
        }
        match first {
            None => Ok(()),
            Some(e) => Err((failed, e)),
        }
    }

    fn record(&self, key: &str, change: Change) {
        let (writes, version) = self.writes.record(key, change);
        self.mine
            .borrow_mut()
            .push((key.to_owned(), writes, version));
    }
}

#[async_trait(?Send)]
impl Store for WriteBehindStore<'_> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Some(visible) = self.writes.existing(key).and_then(|w| w.visible()) {
            return Ok(visible);
        }
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let pending = |k: &str| self.writes.existing(k).and_then(|w| w.visible());
        get_many_with(self.inner, keys, pending, |_, _| {}).await
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        self.record(key, Change::Put(value.to_owned(), metadata.cloned()));
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.record(key, Change::Delete);
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        for (key, writes, version) in self.writes.unsettled_under(prefix) {
            self.writes.land(self.inner, &key, &writes, version).await?;
        }
        self.inner.list(prefix, cursor, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CountingStore, MemoryStore};
    use futures::executor::block_on;
    use futures::future::join_all;

    #[test]
    fn a_pending_write_is_read_back_before_it_is_stored_and_stored_on_flush() {
        let store = MemoryStore::new();
        let writes = WriteBehind::new();
        let req = WriteBehindStore::new(&store, &writes);
        block_on(req.put("k", "v1", None)).unwrap();
        assert_eq!(block_on(req.get("k")).unwrap().as_deref(), Some("v1"));
        assert_eq!(
            block_on(store.get("k")).unwrap(),
            None,
            "not stored before the flush"
        );
        block_on(req.flush()).unwrap();
        assert_eq!(block_on(store.get("k")).unwrap().as_deref(), Some("v1"));
        assert!(
            writes.keys.borrow().is_empty(),
            "a settled key is forgotten"
        );
    }

    #[test]
    fn writes_to_one_key_waiting_together_are_stored_by_one_put_of_the_newest() {
        let store = MemoryStore::new();
        let counting = CountingStore::new(&store);
        let writes = WriteBehind::new();
        let reqs: Vec<WriteBehindStore> = (0..5)
            .map(|_| WriteBehindStore::new(&counting, &writes))
            .collect();
        for (i, req) in reqs.iter().enumerate() {
            block_on(req.put("hot", &format!("v{i}"), None)).unwrap();
        }
        let results = block_on(join_all(reqs.iter().map(|r| r.flush())));
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(counting.ops(), 1, "five writes, one put");
        assert_eq!(block_on(store.get("hot")).unwrap().as_deref(), Some("v4"));
    }

    #[test]
    fn a_delete_pending_after_a_put_reads_missing_and_stores_the_delete() {
        let store = MemoryStore::new();
        block_on(store.put("k", "old", None)).unwrap();
        let writes = WriteBehind::new();
        let a = WriteBehindStore::new(&store, &writes);
        let b = WriteBehindStore::new(&store, &writes);
        block_on(a.put("k", "new", None)).unwrap();
        block_on(b.delete("k")).unwrap();
        assert_eq!(
            block_on(a.get_many(&["k".into(), "x".into()])).unwrap(),
            vec![None, None]
        );
        block_on(a.flush()).unwrap();
        block_on(b.flush()).unwrap();
        assert_eq!(block_on(store.get("k")).unwrap(), None);
    }

    #[test]
    fn listing_a_prefix_first_stores_what_is_pending_under_it() {
        let store = MemoryStore::new();
        let writes = WriteBehind::new();
        let req = WriteBehindStore::new(&store, &writes);
        block_on(req.put("p/a/dep/1", "d", Some(&serde_json::json!({"s": 1})))).unwrap();
        block_on(req.put("p/a/other", "o", None)).unwrap();
        let page = block_on(req.list("p/a/dep/", None, 10)).unwrap();
        assert_eq!(page.keys.len(), 1);
        assert_eq!(page.keys[0].metadata, Some(serde_json::json!({"s": 1})));
        assert_eq!(
            block_on(store.get("p/a/other")).unwrap(),
            None,
            "other prefixes wait"
        );
        block_on(req.flush()).unwrap();
        assert_eq!(
            block_on(store.get("p/a/other")).unwrap().as_deref(),
            Some("o")
        );
    }

    /// A store whose puts fail.
    struct Refusing;
    #[async_trait(?Send)]
    impl Store for Refusing {
        async fn get(&self, _: &str) -> Result<Option<String>, StoreError> {
            Ok(None)
        }
        async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
            Ok(vec![None; keys.len()])
        }
        async fn put(&self, _: &str, _: &str, _: Option<&Value>) -> Result<(), StoreError> {
            Err(StoreError::Backend("full".into()))
        }
        async fn delete(&self, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
        async fn list(&self, _: &str, _: Option<&str>, _: usize) -> Result<ListPage, StoreError> {
            Ok(ListPage::default())
        }
    }

    #[test]
    fn every_request_a_failed_put_covered_fails_and_names_the_key() {
        let writes = WriteBehind::new();
        let a = WriteBehindStore::new(&Refusing, &writes);
        let b = WriteBehindStore::new(&Refusing, &writes);
        block_on(a.put("k", "1", None)).unwrap();
        block_on(b.put("k", "2", None)).unwrap();
        let (keys, _) = block_on(a.flush()).unwrap_err();
        assert_eq!(keys, ["k"]);
        assert!(
            block_on(b.flush()).is_err(),
            "b's value was the one that failed"
        );
        assert_eq!(
            block_on(a.get("k")).unwrap(),
            None,
            "nothing pending is left to read"
        );
    }
}
