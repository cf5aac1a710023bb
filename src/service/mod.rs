//! Service logic over a [`Store`](crate::store::Store): what each API operation reads and writes,
//! and in which order. HTTP-free; errors are [`ApiError`](crate::error::ApiError)s.

pub mod agent;
pub mod codearts;
pub mod deployments;
pub mod environments;
pub mod executions;
pub mod heat;
pub mod hosts;

use crate::error::ApiError;
use crate::store::{get_all, list_all, Store, StoreError};

/// Reads a stored JSON record; a record that does not parse is a corrupt store (a 500).
fn decode<T: serde::de::DeserializeOwned>(key: &str, text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Corrupt {
            key: key.to_owned(),
            reason: e.to_string(),
        }
        .into()
    })
}

/// Serialises a record for the store.
fn encode<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Backend(format!("cannot serialise: {e}")).into())
}

/// The record of a Huawei-form id (32 letters and digits) under `key`, or `missing(id)`: an id of
/// any other form is missing without a read.
async fn read_by_id<T: serde::de::DeserializeOwned, S: Store + ?Sized>(
    store: &S,
    id: &str,
    key: impl FnOnce(&str) -> String,
    missing: fn(&str) -> ApiError,
) -> Result<T, ApiError> {
    if !crate::ids::is_huawei_id(id) {
        return Err(missing(id));
    }
    read(store, &key(id)).await?.ok_or_else(|| missing(id))
}

/// The record under `key`, decoded; `None` when there is none.
async fn read<T: serde::de::DeserializeOwned, S: Store + ?Sized>(
    store: &S,
    key: &str,
) -> Result<Option<T>, ApiError> {
    match store.get(key).await? {
        Some(text) => Ok(Some(decode(key, &text)?)),
        None => Ok(None),
    }
}

/// Every record under `prefix`, decoded (listed, then read in bulk; a key gone between the two is
/// skipped).
async fn read_all<T: serde::de::DeserializeOwned, S: Store + ?Sized>(
    store: &S,
    prefix: &str,
) -> Result<Vec<T>, ApiError> {
    let keys: Vec<String> = list_all(store, prefix)
        .await?
        .into_iter()
        .map(|k| k.name)
        .collect();
    read_many(store, &keys).await
}

/// The records that exist of `keys`, decoded, in their order, read in bulk.
async fn read_many<T: serde::de::DeserializeOwned, S: Store + ?Sized>(
    store: &S,
    keys: &[String],
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::with_capacity(keys.len());
    for (key, text) in keys.iter().zip(get_all(store, keys).await?) {
        if let Some(text) = text {
            out.push(decode(key, &text)?);
        }
    }
    Ok(out)
}
