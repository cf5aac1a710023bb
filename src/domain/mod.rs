//! The resources of both APIs: their stored shape, and parsing of request payloads into
//! validated values. Pure: no storage, no HTTP.

pub mod agent;
mod closed_set;
pub(crate) use closed_set::closed_set;
pub mod codearts;
pub mod heat;
