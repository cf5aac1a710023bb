//! [`Store`] on a Workers KV namespace, through the small functions of `bindings.js`: one call
//! across the wasm boundary per KV operation; what comes back crosses as bytes (a value as stored,
//! a bulk read or a list page as one JSON document). Reads of many keys use KV's bulk get (one
//! operation for up to 100 keys).

use super::driver::Awaited;
use crate::store::{ListPage, ListedKey, Store, StoreError};
use async_trait::async_trait;
use js_sys::Promise;
use serde::Deserialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/cloudflare/bindings.js")]
extern "C" {
    #[wasm_bindgen(js_name = kvGet, catch)]
    fn kv_get(kv: &JsValue, key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = kvGetMany, catch)]
    fn kv_get_many(kv: &JsValue, keys: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = kvPut, catch)]
    fn kv_put(
        kv: &JsValue,
        key: &str,
        value: &str,
        metadata: Option<String>,
    ) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = kvDelete, catch)]
    fn kv_delete(kv: &JsValue, key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = kvList, catch)]
    fn kv_list(
        kv: &JsValue,
        prefix: &str,
        cursor: Option<String>,
        limit: u32,
    ) -> Result<Promise, JsValue>;
}

/// A KV namespace binding.
pub struct CloudflareKvStore {
    binding: JsValue,
}

/// A failed KV call, with what the platform said.
pub(super) fn js_error(context: &str, e: &JsValue) -> StoreError {
    let said = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_default();
    StoreError::Backend(format!("{context}: {said}"))
}

/// Awaits a binding call's promise.
async fn settle(context: &str, call: Result<Promise, JsValue>) -> Result<JsValue, StoreError> {
    let promise = call.map_err(|e| js_error(context, &e))?;
    Awaited::new(promise)
        .await
        .map_err(|e| js_error(context, &e))
}

/// The bytes of an answer (an `ArrayBuffer` or a `Uint8Array`); `None` for null.
fn bytes(value: &JsValue) -> Option<Vec<u8>> {
    if value.is_null() || value.is_undefined() {
        return None;
    }
    Some(js_sys::Uint8Array::new(value).to_vec())
}

/// An answer given as a UTF-8 JSON document.
fn json_answer<T: for<'de> Deserialize<'de>>(
    context: &str,
    value: JsValue,
) -> Result<T, StoreError> {
    let json = bytes(&value).ok_or_else(|| StoreError::Backend(format!("{context}: no answer")))?;
    serde_json::from_slice(&json).map_err(|e| StoreError::Backend(format!("{context}: {e}")))
}

/// KV's list result, as `kvList` hands it over.
#[derive(Deserialize)]
struct ListResult {
    keys: Vec<ListedKey>,
    #[serde(default = "complete")]
    list_complete: bool,
    #[serde(default)]
    cursor: Option<String>,
}

fn complete() -> bool {
    true
}

impl CloudflareKvStore {
    /// The namespace `binding` (`env.DEPLOY_KV`), if it is bound.
    pub fn new(binding: JsValue) -> Option<Self> {
        (!binding.is_undefined() && !binding.is_null()).then_some(CloudflareKvStore { binding })
    }
}

#[async_trait(?Send)]
impl Store for CloudflareKvStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let found = settle("get", kv_get(&self.binding, key)).await?;
        bytes(&found)
            .map(|b| {
                String::from_utf8(b).map_err(|_| StoreError::Corrupt {
                    key: key.to_owned(),
                    reason: "not UTF-8".into(),
                })
            })
            .transpose()
    }

    async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        match keys {
            [] => Ok(Vec::new()),
            [one] => Ok(vec![self.get(one).await?]),
            _ => {
                let names = serde_json::to_string(keys)
                    .map_err(|e| StoreError::Backend(format!("get: {e}")))?;
                let found = settle("get", kv_get_many(&self.binding, &names)).await?;
                json_answer("get", found)
            }
        }
    }

    async fn put(
        &self,
        key: &str,
        value: &str,
        metadata: Option<&Value>,
    ) -> Result<(), StoreError> {
        let metadata = metadata.map(Value::to_string);
        settle("put", kv_put(&self.binding, key, value, metadata)).await?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        settle("delete", kv_delete(&self.binding, key)).await?;
        Ok(())
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let limit = limit.clamp(1, crate::store::LIST_PAGE_MAX) as u32;
        let call = kv_list(&self.binding, prefix, cursor.map(str::to_owned), limit);
        let page: ListResult = json_answer("list", settle("list", call).await?)?;
        let cursor = if page.list_complete {
            None
        } else {
            page.cursor.filter(|c| !c.is_empty())
        };
        Ok(ListPage {
            keys: page.keys,
            cursor,
        })
    }
}
