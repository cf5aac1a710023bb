//! Heat / RTS software configs and software deployments: the rules (below), the stored model
//! (`model`), the parsing of request payloads (`parse`) and the wire forms (`views`).
//!
//! `parse_*` functions take a request payload as JSON and return either a validated value or every
//! problem found, each with a JSON-pointer path. The same functions back the Worker and the npm
//! package, so both give the same verdict.

mod model;
mod parse;
mod views;

pub use model::*;
pub use parse::*;
pub use views::*;

/// The group a config gets when none is given.
pub const DEFAULT_GROUP: &str = "Heat::Ungrouped";
crate::domain::wire_enum! {
    /// The type of a config's input or output (Heat's parameter types).
    IoType {
        String = "String",
        Number = "Number",
        CommaDelimitedList = "CommaDelimitedList",
        Json = "Json",
        Boolean = "Boolean",
    }
}

crate::domain::wire_enum! {
    /// A deployment's status (the RTS pages' list). IN_PROGRESS is the only one a signal or a
    /// timeout changes.
    DeploymentStatus {
        Complete = "COMPLETE",
        InProgress = "IN_PROGRESS",
        Failed = "FAILED",
    }
}

/// Most inputs (or outputs) one config may declare.
pub const MAX_IO: usize = 100;
/// Most deployments one batch create may hold.
pub const MAX_BATCH: usize = 100;
/// Heat's column sizes.
pub const NAME_MAX: usize = 255;
pub const ID_MAX: usize = 36;
pub const STACK_USER_PROJECT_MAX: usize = 64;
pub const ACTION_MAX: usize = 255;
pub const DESCRIPTION_MAX: usize = 4096;
pub const STATUS_REASON_MAX: usize = 65_535;
/// Shortest and longest deployment `timeout`, in seconds: one second to one week.
pub const TIMEOUT_MIN: i64 = 1;
pub const TIMEOUT_MAX: i64 = 604_800;
/// The type of an input or output that declares none.
pub const DEFAULT_IO_TYPE: IoType = IoType::String;
/// The action and status of a deployment created without them (Heat's RPC defaults).
pub const DEFAULT_ACTION: &str = "INIT";
pub const DEFAULT_STATUS: DeploymentStatus = DeploymentStatus::Complete;
