//! The resources of both APIs: their stored shape, and parsing of request payloads into
//! validated values. Pure: no storage, no HTTP.

pub mod agent;
mod wire_enum;
pub(crate) use wire_enum::wire_enum;
pub mod codearts;
pub mod heat;
