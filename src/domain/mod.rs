//! The resources of both APIs: their stored shape, and parsing of request payloads into
//! validated values. Pure: no storage, no HTTP.

pub mod agent;
mod wire_enum;

use serde_json::{Map, Value};

/// A JSON object of `members`, inserted one by one. `collect` into a map would sort a vector
/// first, and the sort routine alone is about 4 KB of the npm package's gzipped wasm.
pub fn json_object(members: impl IntoIterator<Item = (String, Value)>) -> Map<String, Value> {
    let mut object = Map::new();
    for (key, value) in members {
        object.insert(key, value);
    }
    object
}

pub(crate) use wire_enum::wire_enum;
pub mod codearts;
pub mod heat;
