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
//! A request that read another's unstored value also waits for all of that request's writes (and
//! what it read in turn), and fails if any of them fails: a request succeeds only on what is
//! stored. Listing a prefix first lands every pending write under it, so checks that list (a
//! config still in use) see what is pending. If a store write fails, every request it covered or
//! that read from it fails (a 5xx to retry); such a request's own writes are still stored (nothing
//! is left pending), so a value computed from one that failed can land.

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

/// A value not yet stored: its version, the change, and the request that made it.
type Unstored = (u64, Change, Rc<RequestWrites>);

/// One key's writes: versions count them; `pending` is the newest not yet sent, `sending` the
/// one in flight; `turn` lets one waiter at a time send.
#[derive(Default)]
struct KeyWrites {
    turn: Mutex<()>,
    latest: Cell<u64>,
    pending: RefCell<Option<Unstored>>,
    sending: RefCell<Option<Unstored>>,
    /// Every version up to this one is stored.
    landed: Cell<u64>,
    /// Every version up to this one (and above `landed`) failed to store.
    failed: Cell<u64>,
}

impl KeyWrites {
    /// What a read sees: the newest pending or in-flight value, if any, and who wrote it.
    fn visible(&self) -> Option<(Option<String>, Rc<RequestWrites>)> {
        let pending = self.pending.borrow();
        let sending = self.sending.borrow();
        pending
            .as_ref()
            .or(sending.as_ref())
            .map(|(_, c, by)| (c.value(), by.clone()))
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

    /// Records `change`, made by `by`, as the key's newest value.
    fn record(&self, key: &str, change: Change, by: &Rc<RequestWrites>) {
        let writes = self.key(key);
        let version = writes.latest.get() + 1;
        writes.latest.set(version);
        *writes.pending.borrow_mut() = Some((version, change, by.clone()));
        by.keys.borrow_mut().push((key.to_owned(), writes, version));
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
        let Some((sent, change, by)) = writes.pending.borrow_mut().take() else {
            return Ok(());
        };
        *writes.sending.borrow_mut() = Some((sent, change.clone(), by));
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

    /// Waits until `request`'s writes, and those of every earlier request whose unstored values
    /// it read (and theirs, …), are stored. On failure, the keys that failed and the first error.
    async fn settle(
        &self,
        store: &dyn Store,
        request: &Rc<RequestWrites>,
    ) -> Result<(), (Vec<String>, StoreError)> {
        // The requests to wait for: `request` and, transitively, what it read from and is not yet
        // known to be stored. (Reads only reach back to earlier requests: no cycles.)
        let mut requests: Vec<Rc<RequestWrites>> = Vec::new();
        let mut next = vec![request.clone()];
        let mut failed_before = false;
        while let Some(r) = next.pop() {
            if requests.iter().any(|seen| Rc::ptr_eq(seen, &r)) {
                continue;
            }
            match r.outcome.get() {
                Some(true) => continue,
                Some(false) => failed_before = true,
                None => {}
            }
            next.extend(r.read_from.borrow().iter().cloned());
            requests.push(r);
        }
        // Every key lands, whatever fails: nothing stays pending for want of a flush.
        let mut failed = Vec::new();
        let mut first = failed_before
            .then(|| StoreError::Backend("a write this one read from failed to store".into()));
        for r in &requests {
            let keys = r.keys.borrow().clone();
            for (key, writes, version) in keys {
                if let Err(e) = self.land(store, &key, &writes, version).await {
                    failed.push(key);
                    first.get_or_insert(e);
                }
            }
        }
        match first {
            None => {
                for r in &requests {
                    r.outcome.set(Some(true));
                    r.read_from.borrow_mut().clear();
                }
                Ok(())
            }
            Some(e) => {
                request.outcome.set(Some(false));
                Err((failed, e))
            }
        }
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

/// One request's writes (key, its writes, the version written), the earlier requests whose
/// unstored values it read, and, once known, whether all of that was stored.
#[derive(Default)]
struct RequestWrites {
    keys: RefCell<Vec<(String, Rc<KeyWrites>, u64)>>,
    read_from: RefCell<Vec<Rc<RequestWrites>>>,
    outcome: Cell<Option<bool>>,
}

/// One request's view of a [`WriteBehind`]: its puts and deletes become pending values, its reads
/// see pending values first, and [`WriteBehindStore::flush`] waits for its writes, and for those
/// of the requests whose unstored values it read, to land.
pub struct WriteBehindStore<'a> {
    inner: &'a dyn Store,
    writes: &'a WriteBehind,
    mine: Rc<RequestWrites>,
}

impl<'a> WriteBehindStore<'a> {
    pub fn new(inner: &'a dyn Store, writes: &'a WriteBehind) -> Self {
        WriteBehindStore {
            inner,
            writes,
            mine: Rc::default(),
        }
    }

    /// Waits until every write this request made is stored, and every write it read before it
    /// was stored: a request succeeds only on what is stored. On failure, the keys whose writes
    /// failed (a cache above must forget them) and the first error.
    pub async fn flush(&self) -> Result<(), (Vec<String>, StoreError)> {
        self.writes.settle(self.inner, &self.mine).await
    }

    fn record(&self, key: &str, change: Change) {
        self.writes.record(key, change, &self.mine);
    }

    /// What a read of `key` sees among unstored values; reading one makes this request wait for
    /// (and fail with) the request that wrote it.
    fn unstored(&self, key: &str) -> Option<Option<String>> {
        let (value, by) = self.writes.existing(key)?.visible()?;
        if !Rc::ptr_eq(&by, &self.mine) {
            self.mine.read_from.borrow_mut().push(by);
        }
        Some(value)
    }
}

#[async_trait(?Send)]
impl Store for WriteBehindStore<'_> {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        if let Some(value) = self.unstored(key) {
            return Ok(value);
        }
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        get_many_with(self.inner, keys, |k| self.unstored(k), |_, _| {}).await
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
        assert_eq!(
            page.keys[0].metadata,
            Some(crate::store::Metadata::new(&serde_json::json!({"s": 1})))
        );
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

    /// A store whose puts to one key fail.
    struct RefusingKey(MemoryStore, &'static str);
    #[async_trait(?Send)]
    impl Store for RefusingKey {
        async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
            self.0.get(key).await
        }
        async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
            self.0.get_many(keys).await
        }
        async fn put(&self, key: &str, v: &str, m: Option<&Value>) -> Result<(), StoreError> {
            if key == self.1 {
                return Err(StoreError::Backend("refused".into()));
            }
            self.0.put(key, v, m).await
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.0.delete(key).await
        }
        async fn list(&self, p: &str, c: Option<&str>, l: usize) -> Result<ListPage, StoreError> {
            self.0.list(p, c, l).await
        }
    }

    #[test]
    fn a_request_that_read_another_s_unstored_write_fails_with_it() {
        // R1 reserves a name and creates the record; R2 updates the record it read from R1
        // before either is stored; R1's name never lands.
        let store = RefusingKey(MemoryStore::new(), "name/x");
        let writes = WriteBehind::new();
        let r1 = WriteBehindStore::new(&store, &writes);
        let r2 = WriteBehindStore::new(&store, &writes);
        block_on(r1.put("name/x", "app1", None)).unwrap();
        block_on(r1.put("app/1", "created", None)).unwrap();
        assert_eq!(
            block_on(r2.get("app/1")).unwrap().as_deref(),
            Some("created")
        );
        block_on(r2.put("app/1", "updated", None)).unwrap();
        // R2 flushes first: it waits for R1's writes, and fails with R1's name.
        let (keys, _) = block_on(r2.flush()).unwrap_err();
        assert_eq!(keys, ["name/x"]);
        assert!(block_on(r1.flush()).is_err());
        assert!(writes.keys.borrow().is_empty(), "nothing is left pending");
        // A request that read nothing unstored is not held to it.
        let r3 = WriteBehindStore::new(&store, &writes);
        block_on(r3.put("app/2", "other", None)).unwrap();
        assert!(block_on(r3.flush()).is_ok());
    }

    #[test]
    fn a_request_that_read_a_stored_write_succeeds_alone() {
        let store = MemoryStore::new();
        let writes = WriteBehind::new();
        let r1 = WriteBehindStore::new(&store, &writes);
        block_on(r1.put("k", "1", None)).unwrap();
        block_on(r1.flush()).unwrap();
        let r2 = WriteBehindStore::new(&store, &writes);
        assert_eq!(block_on(r2.get("k")).unwrap().as_deref(), Some("1"));
        assert!(
            r2.mine.read_from.borrow().is_empty(),
            "read from the store, not from r1"
        );
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
