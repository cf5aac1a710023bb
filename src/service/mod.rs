//! Service logic over a [`Store`](crate::store::Store): what each API operation reads and writes,
//! and in which order. HTTP-free; errors are [`ApiError`](crate::error::ApiError)s.

pub mod agent;
pub mod codearts;
pub mod deployments;
pub mod heat;
pub mod hosts;

use crate::error::ApiError;
use crate::store::StoreError;

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
