//! The validated request payloads: what the `parse_*` functions return, with every closed set
//! already an enum.

use super::enums::{CreateType, DeploySystem, ExecutionState, SortBy, SortName};
use super::orchestration::{Operation, Trigger};

/// One deployment task of a request (`TaskV2RequestBody` on create, `UpdateTaskV2RequestBody`
/// on update). Absent fields are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskSpec {
    /// Only on update: the id of an existing task of the application.
    pub id: Option<String>,
    pub deploy_system: Option<DeploySystem>,
    pub template_id: Option<String>,
    /// Only on create: 1 = new system, 0 = old.
    pub ansible_type: Option<i64>,
    pub operation_list: Option<Vec<Operation>>,
}

/// The validated body of `POST /v1/applications`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    pub project_id: String,
    pub name: String,
    pub description: Option<String>,
    pub group_id: Option<String>,
    pub is_draft: bool,
    pub create_type: CreateType,
    pub slave_cluster_id: Option<String>,
    pub trigger: Option<Trigger>,
    pub arrange_infos: Vec<TaskSpec>,
    pub agency_urn: Option<String>,
    pub slave_resource_type: Option<String>,
    pub timeout: Option<i64>,
}

/// The validated body of `PUT /v1/applications`. Optional fields that are absent (or null) leave
/// the stored value unchanged; `arrange_infos`, when present, replaces the task list (tasks with
/// an `id` keep it and are merged with the stored task; tasks without one are new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationUpdate {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub description: Option<String>,
    pub group_id: Option<String>,
    pub is_draft: bool,
    pub create_type: CreateType,
    pub slave_cluster_id: Option<String>,
    pub trigger: Option<Trigger>,
    pub arrange_infos: Option<Vec<TaskSpec>>,
    pub agency_urn: Option<String>,
    pub slave_resource_type: Option<String>,
    pub timeout: Option<i64>,
}

/// Which applications a listing keeps by group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupFilter {
    /// `no_grouped` ([`super::NO_GROUP`]): those in no group.
    NoGroup,
    /// Those in this group.
    Group(String),
}

/// The validated body of `POST /v1/applications/list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub project_id: String,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    pub page: u32,
    pub size: u32,
    pub sort_name: SortName,
    /// As sent, else [`SortBy::default_for`] the `sort_name`.
    pub sort_by: SortBy,
    /// Execution states to keep (empty: all).
    pub states: Vec<ExecutionState>,
    /// `None`: every group.
    pub group_id: Option<GroupFilter>,
}

impl ListQuery {
    pub fn ascending(&self) -> bool {
        self.sort_by == SortBy::Asc
    }
}

/// The validated body of `POST /v2/applications/batch-delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchDelete {
    pub project_id: String,
    pub application_ids: Vec<String>,
}

/// The validated query of `GET /v1/applications/exist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistQuery {
    pub name: String,
    pub project_id: String,
}
