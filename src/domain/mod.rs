//! The resources of both APIs: their stored shape, and parsing of request payloads into
//! validated values. Pure: no storage, no HTTP.

pub mod agent;
pub mod codearts;
pub mod heat;
