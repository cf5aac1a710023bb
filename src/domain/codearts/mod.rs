//! CodeArts Deploy applications, by job:
//!
//! - [`rules`]: limits, name and id patterns, copy names;
//! - [`enums`]: the closed sets of wire strings (create types, states, sort orders, ...);
//! - [`request`] and [`parse`]: the validated request payloads and the validation of each;
//! - [`sent`]: a validated payload as a client sends it (the npm package's `buildRequest`);
//! - [`model`]: the stored [`Application`] and what create, update and duplicate do to it;
//! - [`views`]: the response bodies, one typed view per wire shape.

pub mod enums;
pub mod environments;
pub mod execution;
pub mod execution_views;
pub mod host_views;
pub mod hosts;
pub mod model;
pub mod orchestration;
pub mod parse;
pub mod request;
pub mod rules;
pub mod sent;
pub mod views;

pub use enums::SortName;
pub use model::{Application, DeleteOutcome};
pub use parse::{
    parse_batch_delete, parse_create, parse_disable, parse_exist, parse_list, parse_update,
};
pub use request::{
    ApplicationUpdate, BatchDelete, ExistQuery, GroupFilter, ListQuery, NewApplication,
};
pub use rules::*;
pub use sent::Payload;
pub use views::{AppBase, AppDetail, AppInfo, AppRow, DeleteResult, Page, Success};

/// Fixtures the modules' tests share.
#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{json, Value};

    pub const P: &str = "0123456789abcdef0123456789abcdef";
    pub const T: &str = "fedcba9876543210fedcba9876543210";

    /// A create body as the official SDK sends it.
    pub fn sdk_create_body() -> Value {
        json!({"project_id": P, "name": "my_app-1", "description": "demo", "is_draft": false, "create_type": "template", "slave_cluster_id": "", "trigger": {"trigger_source": "0"}, "arrange_infos": [{"deploy_system": "deployTemplate", "template_id": T}]})
    }
}
