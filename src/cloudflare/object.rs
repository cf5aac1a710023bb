//! A project's Durable Object on Cloudflare: [`crate::object::ProjectObject`] over the object's
//! SQLite, reached through the `worker` crate's typed storage (`State`, `SqlStorage`), and over
//! the Workers KV namespace it publishes to. The class itself (`ProjectWrites`) is in
//! `worker.js`, which hands this its `DurableObjectState`.

use super::driver;
use super::kv::CloudflareKvStore;
use super::{settings, WorkerClock, ISOLATE_CACHE};
use crate::http::Request;
use crate::object::{Platform, ProjectObject};
use crate::sql::{Sql, SqlError, SqlRows, SqlValue, Statement};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use worker::SqlStorageValue;

#[wasm_bindgen(module = "/src/cloudflare/bindings.js")]
extern "C" {
    #[wasm_bindgen(js_name = applyStatements, catch)]
    fn apply_statements(storage: &JsValue, statements: js_sys::Array) -> Result<Vec<f64>, JsValue>;
    #[wasm_bindgen(js_name = setAlarm)]
    fn set_alarm(storage: &JsValue, at_ms: f64);
}

/// The object's SQLite: `ctx.storage.sql`, and `ctx.storage` for its transactions and alarm.
struct DurableSql {
    sql: worker::SqlStorage,
    storage: JsValue,
}

fn sql_error(e: impl std::fmt::Display) -> SqlError {
    SqlError(e.to_string())
}

impl Sql for DurableSql {
    fn exec(&self, query: &str, params: &[SqlValue]) -> Result<SqlRows, SqlError> {
        let bindings: Vec<SqlStorageValue> = params
            .iter()
            .map(|p| match p {
                SqlValue::Null => SqlStorageValue::Null,
                SqlValue::Integer(i) => SqlStorageValue::Integer(*i),
                SqlValue::Text(t) => SqlStorageValue::String(t.clone()),
            })
            .collect();
        let cursor = self.sql.exec(query, bindings).map_err(sql_error)?;
        let mut rows = Vec::new();
        for row in cursor.raw() {
            let row = row.map_err(sql_error)?;
            rows.push(
                row.into_iter()
                    .map(|v| match v {
                        SqlStorageValue::Integer(i) => SqlValue::Integer(i),
                        SqlStorageValue::Float(f) => SqlValue::Integer(f as i64),
                        SqlStorageValue::String(s) => SqlValue::Text(s),
                        _ => SqlValue::Null,
                    })
                    .collect(),
            );
        }
        Ok(SqlRows {
            rows,
            read: cursor.rows_read() as u64,
            written: cursor.rows_written() as u64,
        })
    }

    /// One `transactionSync` in JavaScript, with every statement in it (bindings.js): one call
    /// across the boundary, and no call back into the wasm from inside the transaction (that
    /// cost about 15% of an update's throughput under load, `bench/README.md`).
    fn apply(&self, statements: &[Statement]) -> Result<SqlRows, SqlError> {
        let batch = js_sys::Array::new();
        for s in statements {
            let one = js_sys::Array::new();
            one.push(&JsValue::from_str(s.query));
            for p in &s.params {
                one.push(&match p {
                    SqlValue::Null => JsValue::NULL,
                    SqlValue::Integer(i) => JsValue::from_f64(*i as f64),
                    SqlValue::Text(t) => JsValue::from_str(t),
                });
            }
            batch.push(&one);
        }
        let counts = apply_statements(&self.storage, batch)
            .map_err(|e| sql_error(super::kv::js_error("transactionSync", &e)))?;
        Ok(SqlRows {
            rows: Vec::new(),
            read: counts.first().copied().unwrap_or(0.0) as u64,
            written: counts.get(1).copied().unwrap_or(0.0) as u64,
        })
    }
}

/// One project's object as `worker.js`'s `ProjectWrites` holds it.
#[wasm_bindgen]
pub struct ProjectWriter {
    object: Option<Rc<ProjectObject>>,
}

#[wasm_bindgen]
impl ProjectWriter {
    /// The object of the Durable Object whose `ctx` (its `DurableObjectState`) this is, with the
    /// Worker's `env` and its KV namespace `kv`.
    #[wasm_bindgen(constructor)]
    pub fn new(ctx: JsValue, env: JsValue, kv: JsValue) -> ProjectWriter {
        let storage = js_sys::Reflect::get(&ctx, &JsValue::from_str("storage")).unwrap_or_default();
        let state =
            worker::State::from(ctx.unchecked_into::<worker::worker_sys::DurableObjectState>());
        let object = CloudflareKvStore::new(kv).map(|kv| {
            let alarm_storage = storage.clone();
            let platform = Platform {
                db: Rc::new(DurableSql {
                    sql: state.storage().sql(),
                    storage,
                }),
                kv: Rc::new(kv),
                clock: Rc::new(WorkerClock),
                set_alarm: Box::new(move |at| set_alarm(&alarm_storage, at as f64)),
            };
            Rc::new(ProjectObject::new(
                platform,
                Rc::new(settings(&env)),
                ISOLATE_CACHE.with(Clone::clone),
            ))
        });
        ProjectWriter { object }
    }

    /// Answers a request the Worker sent to `project`'s object (as `answer` in mod.rs answers).
    pub fn answer(
        &self,
        project: String,
        method: String,
        url: String,
        headers: String,
        body: Option<Vec<u8>>,
    ) -> JsValue {
        let Some(object) = self.object.clone() else {
            return super::misconfigured(&format!(
                "the binding {} is not configured",
                super::KV_BINDING
            ))
            .into();
        };
        let request = Request::from_edge(&method, &url, &headers, body.unwrap_or_default());
        driver::drive(Box::pin(async move {
            let response = object.answer(&project, &request).await;
            super::log(&response);
            super::Answer::from(response).into()
        }))
    }

    /// Records an agent's contact the edge sent (`waitUntil`, off the poll's path).
    pub fn contact(&self, project: String, server_ref: String, ms: f64) -> JsValue {
        let Some(object) = self.object.clone() else {
            return JsValue::UNDEFINED;
        };
        driver::drive(Box::pin(async move {
            if let Err(e) = object.contact(&project, &server_ref, ms as u64).await {
                super::console_error(&serde_json::json!({"level": "error", "cause": format!("contact not recorded: {e}")}).to_string());
            }
            JsValue::UNDEFINED
        }))
    }

    /// The object's alarm: publishes what KV has not taken yet.
    pub fn alarm(&self) -> JsValue {
        let Some(object) = self.object.clone() else {
            return JsValue::UNDEFINED;
        };
        driver::drive(Box::pin(
            async move { JsValue::from_bool(object.alarm().await) },
        ))
    }

    /// Fault injection (tests, with `FAULT_INJECTION=on` only): KV writes fail while `fail`.
    #[wasm_bindgen(js_name = injectKvWriteFailures)]
    pub fn inject_kv_write_failures(&self, fail: bool) -> bool {
        self.object
            .as_ref()
            .is_some_and(|o| o.inject_kv_write_failures(fail))
    }
}
