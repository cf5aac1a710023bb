//! [`Store`] on a Workers KV namespace, called through its JavaScript binding so that reads of many
//! keys use KV's bulk get (one operation for up to 100 keys), which workers-rs does not expose.

use crate::store::{ListPage, ListedKey, Store, StoreError};
use async_trait::async_trait;
use js_sys::{Array, Function, Map, Object, Promise, Reflect};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A KV namespace binding.
pub struct CloudflareKvStore {
    binding: Object,
}

fn js_err(context: &str, e: JsValue) -> StoreError {
    StoreError::Backend(format!(
        "{context}: {}",
        e.as_string()
            .or_else(|| js_sys::JSON::stringify(&e).ok().and_then(|s| s.as_string()))
            .unwrap_or_default()
    ))
}

impl CloudflareKvStore {
    /// The namespace bound as `name` in `wrangler.toml`.
    pub fn from_env(env: &::worker::Env, name: &str) -> ::worker::Result<Self> {
        let binding = Reflect::get(env, &JsValue::from_str(name))
            .map_err(|_| ::worker::Error::RustError(format!("no binding {name}")))?;
        if binding.is_undefined() {
            return Err(::worker::Error::RustError(format!(
                "KV binding {name} is not configured"
            )));
        }
        Ok(CloudflareKvStore {
            binding: binding.unchecked_into(),
        })
    }

    async fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue, StoreError> {
        let f: Function = Reflect::get(&self.binding, &JsValue::from_str(method))
            .map_err(|e| js_err(method, e))?
            .unchecked_into();
        let array: Array = args.iter().collect();
        let promise: Promise = f
            .apply(&self.binding, &array)
            .map_err(|e| js_err(method, e))?
            .unchecked_into();
        JsFuture::from(promise).await.map_err(|e| js_err(method, e))
    }
}

fn to_js(value: &Value) -> Result<JsValue, StoreError> {
    js_sys::JSON::parse(&value.to_string()).map_err(|e| js_err("metadata", e))
}

fn from_js(value: &JsValue) -> Option<Value> {
    if value.is_undefined() || value.is_null() {
        return None;
    }
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), StoreError> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| js_err("options", e))
}

#[async_trait(?Send)]
impl Store for CloudflareKvStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .call("get", &[JsValue::from_str(key), JsValue::from_str("text")])
            .await?
            .as_string())
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        match keys {
            [] => Ok(Vec::new()),
            [one] => Ok(vec![self.get(one).await?]),
            _ => {
                let list: Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
                let found: Map = self
                    .call("get", &[list.into(), JsValue::from_str("text")])
                    .await?
                    .unchecked_into();
                Ok(keys
                    .iter()
                    .map(|k| found.get(&JsValue::from_str(k)).as_string())
                    .collect())
            }
        }
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        let options = Object::new();
        if let Some(m) = metadata {
            set(&options, "metadata", &to_js(m)?)?;
        }
        self.call(
            "put",
            &[
                JsValue::from_str(key),
                JsValue::from_str(value),
                options.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.call("delete", &[JsValue::from_str(key)]).await?;
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let options = Object::new();
        set(&options, "prefix", &JsValue::from_str(prefix))?;
        set(
            &options,
            "limit",
            &JsValue::from_f64(limit.clamp(1, crate::store::LIST_PAGE_MAX) as f64),
        )?;
        if let Some(c) = cursor {
            set(&options, "cursor", &JsValue::from_str(c))?;
        }
        let result = self.call("list", &[options.into()]).await?;
        let get =
            |k: &str| Reflect::get(&result, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
        let keys: Array = get("keys").dyn_into().map_err(|e| js_err("list keys", e))?;
        let keys = keys
            .iter()
            .filter_map(|k| {
                let name = Reflect::get(&k, &JsValue::from_str("name"))
                    .ok()?
                    .as_string()?;
                let metadata = Reflect::get(&k, &JsValue::from_str("metadata"))
                    .ok()
                    .and_then(|m| from_js(&m));
                Some(ListedKey { name, metadata })
            })
            .collect();
        let complete = get("list_complete").as_bool().unwrap_or(true);
        let cursor = if complete {
            None
        } else {
            get("cursor").as_string().filter(|c| !c.is_empty())
        };
        Ok(ListPage { keys, cursor })
    }
}
