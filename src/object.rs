//! A project's Durable Object, platform-neutral: the one place its records are decided.
//!
//! Each request the edge sends it ([`ProjectObject::answer`]) is authenticated (reads of tokens
//! or credentials in KV), then decided in one synchronous step on a unit of work over the
//! object's SQLite ([`crate::sql::SqlStore`]): check and write, with no `await` between them, so
//! nothing else of the object runs meanwhile. A decision that answers 2xx is committed as one
//! transaction, with what KV must be told (the outbox); one of 4xx or 5xx writes nothing. Then
//! the object publishes the keys the request changed to KV, reading each key's current row at
//! that moment, one put at a time per key, and answers once they have landed: a client reads its
//! own write at the edge.
//!
//! A KV write that fails leaves its key in the outbox and sets the object's alarm
//! ([`ProjectObject::alarm`]), which retries with back-off until KV holds every record. A new
//! instance publishes what its predecessor left before it serves anything ([`ProjectObject::open`]),
//! and the first instance of a project whose database is empty imports the project's records from
//! KV once (data written before SQLite held them), then never reads KV to decide again.
//!
//! Cloudflare fences an instance that another one replaced as soon as it touches its storage:
//! its decisions and its publishing both start by reading SQLite, so a stale instance fails
//! instead of writing or publishing.

use crate::api::{self, Settings};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::http::Request;
use crate::http::Response;
use crate::keys::{self, Kind};
use crate::operations::{self, Resolved};
use crate::sql::{Pending, Sql, SqlError, SqlStore, Versions};
use crate::store::{
    get_all, list_all, CountingStore, ReadCache, ReadCachingStore, Store, StoreError,
};
use futures::lock::Mutex;
use futures::FutureExt;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// Most keys one alarm publishes (each is a KV operation; an invocation may make 1,000).
const PUBLISH_BATCH: usize = 200;
/// The first retry of a failed publish waits this long; each failure in a row doubles it, up to
/// [`RETRY_MAX_MS`].
const RETRY_FIRST_MS: u64 = 1_000;
const RETRY_MAX_MS: u64 = 60_000;

/// What a project's object needs from its platform.
pub struct Platform {
    /// The object's SQLite.
    pub db: Rc<dyn Sql>,
    /// The KV namespace its records are published to (and tokens and credentials read from).
    pub kv: Rc<dyn Store>,
    pub clock: Rc<dyn Clock>,
    /// Sets the object's alarm to fire at this time (ms); a later call replaces the time.
    pub set_alarm: Box<dyn Fn(u64)>,
}

/// One project's object (see the module documentation).
pub struct ProjectObject {
    platform: Platform,
    settings: Rc<Settings>,
    /// The isolate's cache of immutable records (tokens and credentials read to authenticate).
    isolate: Rc<ReadCache>,
    /// The project, once opened.
    project: RefCell<Option<String>>,
    opening: Mutex<()>,
    /// The versions this instance's writes get.
    versions: Versions,
    /// One KV write in flight per key: a later one waits, then publishes the row as it is then.
    publishing: RefCell<HashMap<String, Rc<Mutex<()>>>>,
    /// The newest version of each key this instance has put to KV: a request whose write is no
    /// newer has nothing left to publish.
    in_kv: RefCell<HashMap<String, i64>>,
    /// Outbox entries KV now holds, removed from the outbox by the next transaction (a write of
    /// its own after the KV round trip would cost a second durable commit per request).
    landed: RefCell<Vec<Pending>>,
    /// Failed publishes in a row (the retry's back-off).
    failures: Cell<u32>,
    /// Fault injection (tests; only with `Settings::fault_injection`): KV writes fail.
    kv_writes_fail: Cell<bool>,
}

impl ProjectObject {
    pub fn new(platform: Platform, settings: Rc<Settings>, isolate: Rc<ReadCache>) -> Self {
        ProjectObject {
            versions: Versions::starting_at(platform.clock.now_ms()),
            platform,
            settings,
            isolate,
            project: RefCell::new(None),
            opening: Mutex::new(()),
            publishing: RefCell::new(HashMap::new()),
            in_kv: RefCell::new(HashMap::new()),
            landed: RefCell::new(Vec::new()),
            failures: Cell::new(0),
            kv_writes_fail: Cell::new(false),
        }
    }

    fn now_ms(&self) -> u64 {
        self.platform.clock.now_ms()
    }

    fn sql(&self) -> SqlStore<'_> {
        SqlStore::new(&*self.platform.db, &self.versions)
    }

    /// Makes the object ready to serve `project`: its tables, the one-time import from KV, and
    /// the publishing of what a predecessor left in the outbox. Requests wait for it.
    pub async fn open(&self, project: &str) -> Result<(), ApiError> {
        let _turn = self.opening.lock().await;
        if let Some(open) = self.project.borrow().as_deref() {
            return same_project(open, project);
        }
        let sql = self.sql();
        sql.create_schema().map_err(StoreError::from)?;
        if let Some(recorded) = sql.fact("project").map_err(StoreError::from)? {
            same_project(&recorded, project)?;
        }
        if sql.fact("imported").map_err(StoreError::from)?.is_none() {
            self.import(project).await?;
        }
        self.project.replace(Some(project.to_owned()));
        // What a predecessor could not publish goes out before this instance serves.
        self.publish_pending().await;
        Ok(())
    }

    /// Copies the project's records from KV into the empty database, in one transaction.
    async fn import(&self, project: &str) -> Result<(), ApiError> {
        let kv = &*self.platform.kv;
        let listed: Vec<_> = list_all(kv, &keys::project(project))
            .await?
            .into_iter()
            .filter(|k| Kind::of(&k.name).is_some_and(Kind::imported))
            .collect();
        let names: Vec<String> = listed.iter().map(|k| k.name.clone()).collect();
        let values = get_all(kv, &names).await?;
        let sql = SqlStore::new(&*self.platform.db, &self.versions);
        for (key, value) in listed.iter().zip(&values) {
            if let Some(value) = value {
                let metadata: Option<serde_json::Value> =
                    key.metadata.as_ref().and_then(|m| m.parse());
                sql.put(&key.name, value, metadata.as_ref())
                    .now_or_never()
                    .unwrap_or_else(|| Err(StoreError::Backend("awaited".into())))?;
            }
        }
        crate::service::heat::HeatService::new(&sql, project)
            .index_config_uses()
            .now_or_never()
            .unwrap_or_else(|| Err(StoreError::Backend("awaited".into()).into()))?;
        sql.set_fact("project", project);
        sql.set_fact("imported", &self.now_ms().to_string());
        // KV already holds these records: no outbox entries.
        sql.commit(&[], false).map_err(StoreError::from)?;
        Ok(())
    }

    /// The project this object serves: as opened, else as its database records it.
    fn project_name(&self) -> Option<String> {
        if let Some(p) = self.project.borrow().clone() {
            return Some(p);
        }
        let sql = self.sql();
        sql.create_schema().ok()?;
        sql.fact("project").ok().flatten()
    }

    /// Answers a request the edge sent to this project's object. Nothing is opened, imported or
    /// written for a request that does not authenticate.
    pub async fn answer(&self, project: &str, req: &Request) -> Response {
        let now = self.now_ms();
        let counting = CountingStore::new(&*self.platform.kv);
        let sql = SqlStore::new(&*self.platform.db, &self.versions);
        let response = self.run(project, req, &counting, &sql, now).await;
        api::finish(
            req,
            response,
            &self.settings,
            counting.ops(),
            Some(sql.rows()),
        )
    }

    /// True when this object's database already holds its project (opened or imported before).
    fn initialized(&self) -> bool {
        self.project.borrow().is_some() || matches!(self.sql().fact("imported"), Ok(Some(_)))
    }

    async fn run(
        &self,
        project: &str,
        req: &Request,
        kv: &CountingStore<'_, dyn Store>,
        sql: &SqlStore<'_>,
        now: u64,
    ) -> Response {
        let (op, ids) = match operations::resolve(&req.method, &req.segments()) {
            Resolved::Operation(op, ids) if op.in_object() => (op, ids),
            Resolved::Operation(..)
            | Resolved::MethodNotAllowed { .. }
            | Resolved::NotFound { .. } => {
                return api::error_envelope(
                    req,
                    &ApiError::NotFound(format!("No object operation at {}", req.path)),
                )
            }
        };
        let cached = ReadCachingStore::new(kv, &self.isolate, now);
        let origin = api::origin_of(req, &self.settings);
        let reader = api::Ctx {
            store: &cached,
            clock: &*self.platform.clock,
            settings: &self.settings,
            origin: &origin,
            isolate: None,
        };
        let caller = match api::authenticate(req, &reader, op, &ids).await {
            Ok(caller) => caller,
            Err(refused) => return refused,
        };
        if caller.project().is_some_and(|p| p != project) {
            return api::error_envelope(
                req,
                &ApiError::Forbidden(format!("This is not the object of project {project}")),
            );
        }
        // An agent's URL is checked against its server's record. An object that holds nothing
        // yet checks it against KV first (where the records it would import are), so a URL made
        // up for a project makes no database.
        if caller == api::Caller::Anyone && !self.initialized() {
            if let Err(e) = api::agent::verify(&reader, &ids).await {
                return api::error_envelope(req, &e);
            }
        }
        if let Err(e) = self.open(project).await {
            return api::error_envelope(req, &e);
        }
        let decider = api::Ctx {
            store: sql,
            clock: &*self.platform.clock,
            settings: &self.settings,
            origin: &origin,
            isolate: None,
        };
        // Every store call of a decision is ready at once (SQLite is synchronous, and writes wait
        // in the unit of work): one poll runs it to the end, with nothing else of this object in
        // between. Its writes are then one transaction, with the outbox entries KV has taken.
        let mut response = api::dispatch(req, &decider, op, &ids, &caller)
            .now_or_never()
            .unwrap_or_else(|| {
                api::error_envelope(
                    req,
                    &StoreError::Backend("a decision waited on something".into()).into(),
                )
            });
        if response.status >= 400 {
            return response; // nothing of it is written
        }
        let landed = self.landed.take();
        let written = match sql.commit(&landed, true) {
            Ok(written) => written,
            Err(e) => {
                self.landed.borrow_mut().extend(landed);
                return api::error_envelope(req, &StoreError::from(e).into());
            }
        };
        if !written.is_empty() {
            // Through the isolate's cache: the edge in this isolate sees the change at once.
            if let Err(e) = self.publish(&written, &cached, sql).await {
                // Stored, and answered as such: KV catches up when the alarm retries.
                response.log = Some(
                    serde_json::json!({"level": "warn", "route": api::route_label(req),
                        "cause": format!("published later: {e}")})
                    .to_string(),
                );
            }
        }
        response
    }
    /// Publishes these writes to KV, one key after another (each as its row is then); on a
    /// failure the alarm retries. One at a time: the Worker's driver awaits one platform promise
    /// per request (`src/cloudflare/driver.rs`), and most writes change one to three keys.
    async fn publish(
        &self,
        writes: &[Pending],
        kv: &dyn Store,
        sql: &SqlStore<'_>,
    ) -> Result<(), StoreError> {
        let mut failed = None;
        for write in writes {
            if let Err(e) = self
                .publish_key(&write.key, Some(write.version), kv, sql)
                .await
            {
                failed.get_or_insert(e);
            }
        }
        match failed {
            Some(e) => {
                self.retry_later();
                Err(e)
            }
            None => Ok(()),
        }
    }

    /// True when KV holds `key` at `version` or newer (this instance put it there).
    fn in_kv(&self, key: &str, version: i64) -> bool {
        self.in_kv.borrow().get(key).is_some_and(|v| *v >= version)
    }

    /// Puts one key's current row to KV (or deletes it there), unless KV already holds it, or
    /// holds `written` (the version a request wrote) or newer.
    async fn publish_key(
        &self,
        key: &str,
        written: Option<i64>,
        kv: &dyn Store,
        sql: &SqlStore<'_>,
    ) -> Result<(), StoreError> {
        let lock = self
            .publishing
            .borrow_mut()
            .entry(key.to_owned())
            .or_default()
            .clone();
        let _turn = lock.lock().await;
        if written.is_some_and(|v| self.in_kv(key, v)) {
            return Ok(()); // a put made while this request waited carried its write
        }
        let Some((pending, record)) = sql.to_publish(key)? else {
            return Ok(()); // another request published it, as it is now
        };
        if self.in_kv(key, pending.version) {
            return Ok(()); // KV has this version; its outbox entry goes with the next transaction
        }
        if self.kv_writes_fail.get() {
            return Err(StoreError::Backend(
                "fault injection: KV writes fail".into(),
            ));
        }
        match record {
            Some((value, metadata)) => kv.put(key, &value, metadata.as_ref()).await?,
            None => kv.delete(key).await?,
        }
        self.note_in_kv(&pending);
        self.landed.borrow_mut().push(pending);
        Ok(())
    }

    /// Remembers that KV holds this version of its key (a bounded memory: past 10,000 keys it
    /// starts again, which at worst costs a put of a record KV already has).
    fn note_in_kv(&self, pending: &Pending) {
        let mut in_kv = self.in_kv.borrow_mut();
        if in_kv.len() >= 10_000 {
            in_kv.clear();
            self.publishing
                .borrow_mut()
                .retain(|_, lock| Rc::strong_count(lock) > 1);
        }
        let newest = in_kv.entry(pending.key.clone()).or_insert(pending.version);
        *newest = (*newest).max(pending.version);
    }

    /// Sets the alarm for the next retry (the back-off doubles with each failure in a row).
    fn retry_later(&self) {
        let failures = self.failures.get();
        self.failures.set(failures.saturating_add(1));
        let delay = (RETRY_FIRST_MS << failures.min(16)).min(RETRY_MAX_MS);
        (self.platform.set_alarm)(self.now_ms() + delay);
    }

    /// Publishes what the outbox holds, oldest first (a batch at a time); true when it is empty.
    pub async fn publish_pending(&self) -> bool {
        let sql = self.sql();
        let pending = match sql.pending(PUBLISH_BATCH) {
            Ok(pending) => pending,
            Err(_) => return false, // fenced: the instance that replaced this one publishes
        };
        let writes: Vec<Pending> = pending
            .into_iter()
            .filter(|p| !self.in_kv(&p.key, p.version))
            .collect();
        if writes.is_empty() {
            self.failures.set(0);
            return self.forget_landed(&sql);
        }
        let kv = ReadCachingStore::new(&*self.platform.kv, &self.isolate, self.now_ms());
        let published = self.publish(&writes, &kv, &sql).await;
        self.forget_landed(&sql);
        match published {
            Ok(()) if writes.len() < PUBLISH_BATCH => {
                self.failures.set(0);
                true
            }
            Ok(()) => {
                // More than one batch: the next one in a moment, in a fresh invocation.
                (self.platform.set_alarm)(self.now_ms());
                false
            }
            Err(_) => false,
        }
    }

    /// The outbox entries whose KV copy is behind (what the alarm still has to publish).
    pub fn behind(&self) -> Result<Vec<Pending>, SqlError> {
        Ok(self
            .sql()
            .pending(usize::MAX >> 1)?
            .into_iter()
            .filter(|p| !self.in_kv(&p.key, p.version))
            .collect())
    }

    /// Removes the outbox entries KV now holds (where no transaction will come soon to do it);
    /// true when it could.
    fn forget_landed(&self, sql: &SqlStore<'_>) -> bool {
        let landed = self.landed.take();
        if sql.published(&landed).is_err() {
            self.landed.borrow_mut().extend(landed);
            return false;
        }
        true
    }

    /// The alarm: publishes what is pending (and sets itself again while KV refuses).
    pub async fn alarm(&self) -> bool {
        let Some(project) = self.project_name() else {
            return true; // an object that never served anything
        };
        if self.open(&project).await.is_err() {
            self.retry_later();
            return false;
        }
        self.publish_pending().await
    }

    /// Records that a server's agent polled at `ms` (sent by the edge off the poll's path).
    pub async fn contact(&self, project: &str, server_ref: &str, ms: u64) -> Result<(), ApiError> {
        self.open(project).await?;
        let sql = self.sql();
        crate::service::agent::record_contact(&sql, project, server_ref, ms)
            .now_or_never()
            .unwrap_or_else(|| Err(StoreError::Backend("awaited".into()).into()))?;
        sql.commit(&[], true).map_err(StoreError::from)?;
        Ok(())
    }

    /// Fault injection for tests: while `fail` is true, every KV write this object makes fails.
    /// Only when the Worker's configuration allows it (`FAULT_INJECTION`); false otherwise.
    pub fn inject_kv_write_failures(&self, fail: bool) -> bool {
        if !self.settings.fault_injection {
            return false;
        }
        self.kv_writes_fail.set(fail);
        true
    }
}

fn same_project(open: &str, asked: &str) -> Result<(), ApiError> {
    if open == asked {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "the object of project {open} was asked to serve project {asked}"
        ))
        .into())
    }
}

/// A whole service natively: an edge over one KV store and a project object per project over
/// rusqlite, as Cloudflare runs them (for tests).
#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod testing {
    use super::{Platform, ProjectObject};
    use crate::api::{self, Handled, Settings};
    use crate::clock::FixedClock;
    use crate::http::{After, Request, Response};
    use crate::sql::native::NativeSql;
    use crate::store::{ReadCache, Store};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    pub struct System {
        pub kv: Rc<dyn Store>,
        pub settings: Rc<Settings>,
        pub clock: Rc<FixedClock>,
        isolate: Rc<ReadCache>,
        /// Each project's database, kept across its object's restarts.
        dbs: RefCell<HashMap<String, Rc<NativeSql>>>,
        objects: RefCell<HashMap<String, Rc<ProjectObject>>>,
        /// When each project's alarm is set to fire.
        pub alarms: Rc<RefCell<HashMap<String, u64>>>,
    }

    impl System {
        pub fn new(kv: Rc<dyn Store>, settings: Settings, clock: Rc<FixedClock>) -> Self {
            System {
                kv,
                settings: Rc::new(settings),
                clock,
                isolate: Rc::new(ReadCache::new(30_000, 1_000)),
                dbs: RefCell::default(),
                objects: RefCell::default(),
                alarms: Rc::default(),
            }
        }

        pub fn db(&self, project: &str) -> Rc<NativeSql> {
            self.dbs
                .borrow_mut()
                .entry(project.to_owned())
                .or_insert_with(|| Rc::new(NativeSql::open()))
                .clone()
        }

        /// The live object of a project (made on first use, as Cloudflare does).
        pub fn object(&self, project: &str) -> Rc<ProjectObject> {
            if let Some(o) = self.objects.borrow().get(project) {
                return o.clone();
            }
            let alarms = self.alarms.clone();
            let name = project.to_owned();
            let platform = Platform {
                db: self.db(project),
                kv: self.kv.clone(),
                clock: self.clock.clone(),
                set_alarm: Box::new(move |at| {
                    alarms.borrow_mut().insert(name.clone(), at);
                }),
            };
            // One isolate runs the edge and the objects, as under `wrangler dev`.
            let object = Rc::new(ProjectObject::new(
                platform,
                self.settings.clone(),
                self.isolate.clone(),
            ));
            self.objects
                .borrow_mut()
                .insert(project.to_owned(), object.clone());
            object
        }

        /// The project's object is replaced by a new instance on the same database (a deploy,
        /// an eviction): what the old one held in memory is gone.
        pub fn restart(&self, project: &str) {
            self.objects.borrow_mut().remove(project);
        }

        /// Sends a request as the Worker does: the edge answers it, or hands it to its object.
        pub async fn send(&self, req: &Request) -> Response {
            let handled = api::edge(
                req,
                &*self.kv,
                &*self.clock,
                &self.settings,
                Some(&self.isolate),
            )
            .await;
            match handled {
                Handled::Answer(response, after) => {
                    for After::Contact {
                        project,
                        server_ref,
                        ms,
                    } in after
                    {
                        let _ = self
                            .object(&project)
                            .contact(&project, &server_ref, ms)
                            .await;
                    }
                    response
                }
                Handled::ToObject(project) => self.object(&project).answer(&project, req).await,
            }
        }

        /// Fires the project's alarm if one is set: true when its outbox is empty afterwards.
        pub async fn fire_alarm(&self, project: &str) -> bool {
            if self.alarms.borrow_mut().remove(project).is_none() {
                return false;
            }
            self.object(project).alarm().await
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::testing::System;
    use super::*;
    use crate::clock::FixedClock;
    use crate::sql::native::NativeSql;
    use crate::store::{ListPage, MemoryStore};
    use async_trait::async_trait;
    use futures::executor::block_on;
    use serde_json::{json, Value};

    const P: &str = "0123456789abcdef0123456789abcdef";

    /// KV whose writes can be made to fail, and whose every call can hand control back to the
    /// executor first (so concurrent requests interleave at each KV call, as in a Worker).
    #[derive(Default)]
    struct FlakyKv {
        inner: MemoryStore,
        fail_writes: Cell<bool>,
        interleave: bool,
    }

    struct YieldOnce(bool);

    impl std::future::Future for YieldOnce {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                std::task::Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }

    impl FlakyKv {
        async fn turn(&self) {
            if self.interleave {
                YieldOnce(false).await;
            }
        }
        fn refuse(&self) -> Result<(), StoreError> {
            if self.fail_writes.get() {
                return Err(StoreError::Backend("KV PUT failed: 503".into()));
            }
            Ok(())
        }
    }

    #[async_trait(?Send)]
    impl Store for FlakyKv {
        async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
            self.turn().await;
            self.inner.get(key).await
        }
        async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
            self.turn().await;
            self.inner.get_many(keys).await
        }
        async fn put(&self, k: &str, v: &str, m: Option<&Value>) -> Result<(), StoreError> {
            self.turn().await;
            self.refuse()?;
            self.inner.put(k, v, m).await
        }
        async fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.turn().await;
            self.refuse()?;
            self.inner.delete(key).await
        }
        async fn list(&self, p: &str, c: Option<&str>, n: usize) -> Result<ListPage, StoreError> {
            self.turn().await;
            self.inner.list(p, c, n).await
        }
    }

    fn settings() -> Settings {
        Settings {
            admin_token: Some("admin".into()),
            credentials_key: Some("master".into()),
            expose_store_ops: true,
            ..Settings::default()
        }
    }

    fn system(kv: Rc<FlakyKv>) -> System {
        System::new(kv, settings(), Rc::new(FixedClock::new(1_000_000, 1)))
    }

    /// Sends one request and returns the answer.
    fn send(sys: &System, req: Request) -> Response {
        block_on(sys.send(&req))
    }

    /// A project token issued through the admin API.
    fn token(sys: &System) -> String {
        let r = send(
            sys,
            Request::new("POST", &format!("/admin/v1/projects/{P}/tokens"))
                .header("authorization", "Bearer admin"),
        );
        r.json_body()["token"].as_str().unwrap().to_owned()
    }

    fn heat(token: &str, method: &str, path: &str) -> Request {
        Request::new(method, &format!("/v1/{P}{path}")).header("x-auth-token", token)
    }

    /// A config and a deployment of it on web-1: (config id, deployment id).
    fn config_and_deployment(sys: &System, token: &str) -> (String, String) {
        let config = send(
            sys,
            heat(token, "POST", "/software_configs").json(&json!({"name": "c"})),
        );
        assert_eq!(
            config.status,
            200,
            "{}",
            String::from_utf8_lossy(&config.body)
        );
        let config = config.json_body()["software_config"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let created = send(
            sys,
            heat(token, "POST", "/software_deployments")
                .json(&json!({"config_id": config, "server_id": "web-1"})),
        );
        assert_eq!(created.status, 200);
        let id = created.json_body()["software_deployment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (config, id)
    }

    fn deployment_key(id: &str) -> String {
        keys::ProjectKeys::new(P).deployment(id).unwrap()
    }

    /// The record of `key` in the project's SQLite.
    fn in_sql(sys: &System, key: &str) -> Option<String> {
        let db = sys.db(P);
        SqlStore::new(&*db, &Versions::starting_at(0))
            .record(key)
            .unwrap()
            .map(|(v, _)| v)
    }

    fn in_kv(kv: &FlakyKv, key: &str) -> Option<String> {
        block_on(kv.inner.get(key)).unwrap()
    }

    /// The keys whose KV copy is behind.
    fn pending(sys: &System) -> Vec<Pending> {
        sys.object(P).behind().unwrap()
    }

    #[test]
    fn a_write_is_answered_once_kv_holds_what_sqlite_holds() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let token = token(&sys);
        let (config, id) = config_and_deployment(&sys, &token);
        for key in [
            keys::ProjectKeys::new(P).config(&config),
            deployment_key(&id),
        ] {
            assert!(in_sql(&sys, &key).is_some(), "{key}");
            assert_eq!(in_kv(&kv, &key), in_sql(&sys, &key), "{key}");
        }
        assert_eq!(pending(&sys), []);
        // The use that blocks the config's delete is the object's alone.
        let use_key = keys::ProjectKeys::new(P).config_use(&config, &id);
        assert!(in_sql(&sys, &use_key).is_some());
        assert_eq!(in_kv(&kv, &use_key), None);
        let shown = send(
            &sys,
            heat(&token, "GET", &format!("/software_deployments/{id}")),
        );
        assert_eq!(shown.status, 200, "read at the edge from KV");
        assert_eq!(shown.header_value("x-kv-ops"), Some("1"));
    }

    #[test]
    fn failed_kv_writes_lose_nothing_and_the_alarm_publishes_the_newest_record() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let token = token(&sys);
        let (_, id) = config_and_deployment(&sys, &token);
        let published = in_kv(&kv, &deployment_key(&id)).unwrap();
        kv.fail_writes.set(true);
        for reason in ["first", "second"] {
            let r = send(
                &sys,
                heat(&token, "PUT", &format!("/software_deployments/{id}"))
                    .json(&json!({"status_reason": reason})),
            );
            assert_eq!(r.status, 200, "stored in SQLite, answered as stored");
            assert!(r.log.as_deref().unwrap().contains("published later"));
        }
        let stored = in_sql(&sys, &deployment_key(&id)).unwrap();
        assert!(stored.contains("second"));
        assert_eq!(
            in_kv(&kv, &deployment_key(&id)),
            Some(published),
            "KV is behind"
        );
        assert_eq!(pending(&sys).len(), 1, "one key, at its newest version");
        assert!(sys.alarms.borrow().contains_key(P), "the alarm is set");
        // KV still refuses: the alarm sets itself again.
        assert!(!block_on(sys.fire_alarm(P)));
        assert!(sys.alarms.borrow().contains_key(P));
        kv.fail_writes.set(false);
        assert!(block_on(sys.fire_alarm(P)), "the outbox is empty");
        assert_eq!(in_kv(&kv, &deployment_key(&id)), Some(stored));
        assert_eq!(pending(&sys), []);
    }

    #[test]
    fn a_batch_under_failing_kv_is_all_in_sqlite_and_then_all_in_kv() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let token = token(&sys);
        let (config, _) = config_and_deployment(&sys, &token);
        kv.fail_writes.set(true);
        let batch: Vec<Value> = (0..3)
            .map(|i| json!({"config_id": config, "server_id": format!("s{i}")}))
            .collect();
        let r = send(
            &sys,
            heat(&token, "POST", "/software_deployments").json(&json!(batch)),
        );
        assert_eq!(r.status, 200);
        let ids: Vec<String> = r.json_body()["software_deployments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(ids
            .iter()
            .all(|id| in_sql(&sys, &deployment_key(id)).is_some()));
        assert!(ids
            .iter()
            .all(|id| in_kv(&kv, &deployment_key(id)).is_none()));
        kv.fail_writes.set(false);
        assert!(block_on(sys.fire_alarm(P)));
        assert!(ids
            .iter()
            .all(|id| in_kv(&kv, &deployment_key(id)).is_some()));
    }

    #[test]
    fn a_batch_that_fails_writes_nothing_anywhere() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let token = token(&sys);
        let (config, _) = config_and_deployment(&sys, &token);
        let before = block_on(list_all(&*kv, &keys::project(P))).unwrap().len();
        let batch = json!([{"config_id": config, "server_id": "a"},
                           {"config_id": "no-such-config", "server_id": "b"}]);
        let r = send(
            &sys,
            heat(&token, "POST", "/software_deployments").json(&batch),
        );
        assert_eq!(r.status, 404);
        assert_eq!(
            block_on(list_all(&*kv, &keys::project(P))).unwrap().len(),
            before
        );
        let db = sys.db(P);
        let deployments = block_on(list_all(
            &SqlStore::new(&*db, &Versions::starting_at(0)),
            &keys::ProjectKeys::new(P).deployments(),
        ));
        assert_eq!(deployments.unwrap().len(), 1, "only the first deployment");
    }

    #[test]
    fn a_new_instance_publishes_what_its_predecessor_left_before_it_serves() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let token = token(&sys);
        let (_, id) = config_and_deployment(&sys, &token);
        kv.fail_writes.set(true);
        let r = send(
            &sys,
            heat(&token, "PUT", &format!("/software_deployments/{id}"))
                .json(&json!({"status": "FAILED"})),
        );
        assert_eq!(r.status, 200);
        // The instance goes (a deploy) before its alarm fires; KV works again.
        sys.restart(P);
        sys.alarms.borrow_mut().clear();
        kv.fail_writes.set(false);
        // Any request of the project opens the new instance, which publishes first.
        let other = send(&sys, heat(&token, "GET", "/servers/web-2/agent"));
        assert_eq!(other.status, 200);
        assert!(in_kv(&kv, &deployment_key(&id)).unwrap().contains("FAILED"));
        assert_eq!(pending(&sys), []);
    }

    #[test]
    fn concurrent_updates_of_one_deployment_leave_kv_with_the_newest_record() {
        let kv = Rc::new(FlakyKv {
            interleave: true,
            ..FlakyKv::default()
        });
        let sys = system(kv.clone());
        let token = token(&sys);
        let (_, id) = config_and_deployment(&sys, &token);
        let puts: Vec<Request> = (0..8)
            .map(|i| {
                heat(&token, "PUT", &format!("/software_deployments/{id}"))
                    .json(&json!({"status_reason": format!("writer {i}")}))
            })
            .collect();
        let counted: Vec<u32> =
            block_on(futures::future::join_all(puts.iter().map(|r| sys.send(r))))
                .into_iter()
                .map(|r| {
                    assert_eq!(r.status, 200);
                    r.header_value("x-kv-ops").unwrap().parse().unwrap()
                })
                .collect();
        assert_eq!(
            in_kv(&kv, &deployment_key(&id)),
            in_sql(&sys, &deployment_key(&id)),
            "KV ends with the record SQLite holds"
        );
        assert_eq!(pending(&sys), []);
        // Writes waiting for one key's put land together: fewer puts than requests (the token
        // reads are the isolate cache's).
        let puts_made: u32 = counted.iter().sum();
        assert!((1..8).contains(&puts_made), "{counted:?}");
    }

    #[test]
    fn a_replaced_instance_can_neither_decide_nor_publish() {
        let dir = std::env::temp_dir().join(format!("deploy-edge-fence-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let kv = Rc::new(FlakyKv::default());
        let clock: Rc<FixedClock> = Rc::new(FixedClock::new(1_000_000, 1));
        let object = |db: Rc<NativeSql>| {
            let platform = Platform {
                db,
                kv: kv.clone(),
                clock: clock.clone(),
                set_alarm: Box::new(|_| {}),
            };
            ProjectObject::new(
                platform,
                Rc::new(settings()),
                Rc::new(ReadCache::new(1, 10)),
            )
        };
        let old_db = Rc::new(NativeSql::open_file(&dir));
        let old = object(old_db.clone());
        let sys = system(kv.clone());
        let token = token(&sys);
        let create =
            |name: &str| heat(&token, "POST", "/software_configs").json(&json!({ "name": name }));
        assert_eq!(block_on(old.answer(P, &create("a"))).status, 200);
        kv.fail_writes.set(true);
        assert_eq!(block_on(old.answer(P, &create("b"))).status, 200);
        kv.fail_writes.set(false);
        // A new instance starts on the same database; the runtime fences the old one.
        let new = object(Rc::new(NativeSql::open_file(&dir)));
        old_db.fence();
        let refused = block_on(old.answer(P, &create("c")));
        assert_eq!(refused.status, 500, "the old instance cannot decide");
        assert!(!block_on(old.alarm()), "nor publish what it left");
        let configs =
            || block_on(list_all(&kv.inner, &keys::ProjectKeys::new(P).configs())).unwrap();
        assert_eq!(configs().len(), 1, "b is not in KV yet");
        assert_eq!(block_on(new.answer(P, &create("d"))).status, 200);
        assert_eq!(
            configs().len(),
            3,
            "the new instance published b, then d; c never was"
        );
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn a_project_kept_in_kv_alone_is_imported_once_and_then_decided_on_its_own_records() {
        // Records as an earlier version wrote them: KV only, no object database.
        let kv = Rc::new(FlakyKv::default());
        let clock = FixedClock::new(1_000_000, 1);
        let old = |r: Request| block_on(api::handle(&r, &kv.inner, &clock, &settings()));
        let token = old(
            Request::new("POST", &format!("/admin/v1/projects/{P}/tokens"))
                .header("authorization", "Bearer admin"),
        )
        .json_body()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let config = old(heat(&token, "POST", "/software_configs").json(&json!({"name": "c"})))
            .json_body()["software_config"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let created = old(heat(&token, "POST", "/software_deployments")
            .json(&json!({"config_id": config, "server_id": "web-1"})));
        let id = created.json_body()["software_deployment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let gone = old(heat(&token, "POST", "/software_deployments")
            .json(&json!({"config_id": config, "server_id": "web-2"})))
        .json_body()["software_deployment"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            old(heat(
                &token,
                "DELETE",
                &format!("/software_deployments/{gone}")
            ))
            .status,
            204
        );
        let app = |name: &str| {
            Request::new("POST", "/v1/applications")
                .header("x-auth-token", &token)
                .json(&json!({"project_id": P, "name": name, "is_draft": false,
                    "create_type": "template",
                    "arrange_infos": [{"template_id": "fedcba9876543210fedcba9876543210"}]}))
        };
        assert_eq!(old(app("web")).status, 200);
        // Earlier versions never wrote the uses: the import builds them.
        for (key, _) in kv.inner.snapshot() {
            if Kind::of(&key) == Some(Kind::ConfigUse) {
                block_on(kv.inner.delete(&key)).unwrap();
            }
        }
        let sys = system(kv.clone());
        let etag = send(
            &sys,
            heat(&token, "GET", &format!("/software_deployments/{id}")),
        )
        .header_value("etag")
        .unwrap()
        .to_owned();
        // The first object request imports; KV then changes behind the object's back.
        let current = in_kv(&kv, &deployment_key(&id)).unwrap();
        assert_eq!(
            send(&sys, heat(&token, "GET", "/servers/web-1/agent")).status,
            200
        );
        assert_eq!(in_sql(&sys, &deployment_key(&id)).as_ref(), Some(&current));
        let older = current.replace("\"COMPLETE\"", "\"FAILED\"");
        block_on(kv.inner.put(&deployment_key(&id), &older, None)).unwrap();
        block_on(kv.inner.delete(&keys::ProjectKeys::new(P).app_name("web"))).unwrap();
        block_on(kv.inner.put(&deployment_key(&gone), "{}", None)).unwrap();
        // A taken name stays taken.
        let again = send(&sys, app("web"));
        assert_eq!(again.status, 400);
        assert_eq!(again.json_body()["error_code"], "Deploy.00011001");
        // The current ETag still matches.
        let put = send(
            &sys,
            heat(&token, "PUT", &format!("/software_deployments/{id}"))
                .header("if-match", &etag)
                .json(&json!({"status_reason": "still checked"})),
        );
        assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
        // A deleted deployment stays deleted.
        let revived = send(
            &sys,
            heat(&token, "PUT", &format!("/software_deployments/{gone}")).json(&json!({})),
        );
        assert_eq!(revived.status, 404);
        // A config in use cannot be deleted.
        let delete = send(
            &sys,
            heat(&token, "DELETE", &format!("/software_configs/{config}")),
        );
        assert_eq!(delete.status, 409);
        // Imported once: the facts say so, and a restart does not import again.
        sys.restart(P);
        block_on(kv.inner.delete(&deployment_key(&id))).unwrap();
        assert_eq!(
            send(&sys, heat(&token, "GET", "/servers/web-1/agent")).status,
            200
        );
        assert!(in_sql(&sys, &deployment_key(&id)).is_some());
    }

    #[test]
    fn a_config_deleted_in_its_object_is_gone_at_once_from_the_edge_of_its_isolate() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let token = token(&sys);
        let (config, id) = config_and_deployment(&sys, &token);
        let path = format!("/software_configs/{config}");
        assert_eq!(
            send(&sys, heat(&token, "GET", &path)).status,
            200,
            "cached by the edge"
        );
        let deleted = send(
            &sys,
            heat(&token, "DELETE", &format!("/software_deployments/{id}")),
        );
        assert_eq!(deleted.status, 204);
        assert_eq!(send(&sys, heat(&token, "DELETE", &path)).status, 204);
        assert_eq!(send(&sys, heat(&token, "GET", &path)).status, 404);
    }

    #[test]
    fn a_request_that_does_not_authenticate_makes_no_database() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let secret = "s".repeat(43);
        for req in [
            heat("wrong-token", "POST", "/software_configs").json(&json!({"name": "c"})),
            Request::new(
                "PUT",
                &format!("/agent/v1/{P}/{}/{secret}/signal/d1", "a".repeat(32)),
            )
            .json(&json!({})),
        ] {
            let r = send(&sys, req);
            assert!(matches!(r.status, 401 | 404), "{}", r.status);
        }
        let tables = sys
            .db(P)
            .exec("SELECT name FROM sqlite_master", &[])
            .unwrap();
        assert!(tables.rows.is_empty(), "{:?}", tables.rows);
        assert_eq!(kv.inner.len(), 0);
    }

    #[test]
    fn an_agents_contact_is_kept_by_its_object_and_shown_from_there() {
        let kv = Rc::new(FlakyKv::default());
        let sys = system(kv.clone());
        let token = token(&sys);
        config_and_deployment(&sys, &token);
        let issued = send(&sys, heat(&token, "POST", "/servers/web-1/agent"));
        assert_eq!(issued.status, 201);
        let url = issued.json_body()["metadata_url"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = url.strip_prefix("http://localhost").unwrap();
        let polled = send(&sys, Request::new("GET", path));
        assert_eq!(polled.status, 200);
        assert_eq!(
            polled.header_value("x-kv-ops"),
            Some("1"),
            "one read, no write"
        );
        let status = send(&sys, heat(&token, "GET", "/servers/web-1/agent")).json_body();
        assert!(status["last_poll_time"].is_string(), "{status}");
        let seen = keys::ProjectKeys::new(P)
            .contact(&crate::service::agent::capability::server_ref("web-1"));
        assert!(in_sql(&sys, &seen).is_some());
        assert_eq!(in_kv(&kv, &seen), None, "contacts never go to KV");
    }
}
