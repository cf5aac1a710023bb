//! Every operation of the service, declared once: its name, its methods, its path template (whose
//! `{…}` segments are its path ids), what its request carries and the function that parses it,
//! where it is answered (at the edge over KV, or in its project's Durable Object) and its API. The
//! [`operations!`] table below generates from those rows:
//!
//! - [`Operation`] (every operation) and [`OPERATIONS`] (its declarations, in the same order);
//! - per API, an enum of its operations ([`HeatOp`], [`CodeArtsOp`], ...) and an enum of its
//!   *calls* ([`HeatCall`], ...): the operation with what its parse function made of the request,
//!   so a handler's `match` over its API's calls is exhaustive and typed, with no fallback arm;
//! - [`Operation::by_api`], which the API layer dispatches on.
//!
//! The router ([`resolve`]), the `Allow` header of a 405, the error envelope ([`Api`]), the npm
//! package's kinds and `buildRequest` ([`crate::payload`]), `rules()` and the OpenAPI document
//! (`tests/openapi.rs`) all read this table.
//!
//! A new operation is one row here (with its parse function, in `domain/`), one arm in its API's
//! handler (in `api/`, which the compiler asks for), and its prose in `docs/openapi-prose.json`.

use crate::domain::codearts::{environments, execution, hosts};
use crate::domain::{agent, codearts, heat};
use crate::validate::Report;
use serde_json::{Map, Value};
use std::fmt;

/// What a request carries besides its path ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries {
    /// A JSON body.
    Body,
    /// A JSON body, or none (read as `{}`).
    OptionalBody,
    /// Query parameters.
    Query,
    /// Nothing.
    Nothing,
}

/// Where an operation is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// At the edge, over KV (through the isolate's cache).
    Edge,
    /// In its project's Durable Object ([`crate::object`]): every write whose correctness
    /// depends on what is stored (each decided alone, on the object's own records), the writes of
    /// the records only the object keeps, and the reads of what only the object holds.
    Object,
}

/// One operation, declared: a row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Declaration {
    pub operation: Operation,
    /// `software_deployment.update`: the kind name clients use for the Heat and CodeArts
    /// operations, a label for the others.
    pub name: &'static str,
    /// The methods that lead to it, in the order `Allow` lists them (an agent signals with PUT
    /// or POST).
    pub methods: &'static [&'static str],
    /// `/v1/{project_id}/software_deployments/{id}`: literal segments and `{path id}` segments.
    pub path: &'static str,
    pub carries: Carries,
    pub place: Place,
    pub api: Api,
}

/// `Some(Call::Op)` for an operation that carries nothing to parse, else its parse function's
/// result as the call.
macro_rules! call {
    ($variant:path, $input:ident, $report:ident) => {{
        let _ = (&$input, &$report);
        Some($variant)
    }};
    ($variant:path, $input:ident, $report:ident, $parse:path) => {
        $parse($input, $report).map($variant)
    };
}

macro_rules! operations {
    ($(
        $(#[$api_doc:meta])*
        $api:ident: $ops:ident, $call:ident {
            $( $op:ident $name:literal $($method:ident)|+ $path:literal
               $carries:ident $(($parse:path => $ty:ty))? $place:ident; )*
        }
    )*) => {
        /// One operation (several methods may lead to it).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation { $($($op,)*)* }

        /// The API an operation belongs to: its authentication and its error envelope.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Api { $($(#[$api_doc])* $api,)* }

        /// Every operation's declaration, in [`Operation`]'s order.
        pub const OPERATIONS: &[Declaration] = &[$($(Declaration {
            operation: Operation::$op,
            name: $name,
            methods: &[$(stringify!($method)),+],
            path: $path,
            carries: Carries::$carries,
            place: Place::$place,
            api: Api::$api,
        },)*)*];

        /// An operation as its API's handler takes it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ByApi { $($api($ops),)* }

        impl Operation {
            /// The operation as one of its API's.
            pub fn by_api(self) -> ByApi {
                match self { $($(Operation::$op => ByApi::$api($ops::$op),)*)* }
            }
        }

        $(
            #[doc = concat!("The operations of [`Api::", stringify!($api), "`].")]
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub enum $ops { $($op,)* }

            #[doc = concat!("An operation of [`Api::", stringify!($api), "`] with what its request carries, parsed.")]
            #[derive(Debug, Clone, PartialEq)]
            pub enum $call { $($op $(($ty))?,)* }

            impl $ops {
                pub fn operation(self) -> Operation {
                    match self { $($ops::$op => Operation::$op,)* }
                }

                /// Parses what the request carries (its body or query as JSON; `Null` when it
                /// carries nothing) with the operation's parse function; `None` when `report`
                /// has errors.
                pub fn parse(self, input: &Value, report: &mut Report) -> Option<$call> {
                    let call = match self {
                        $($ops::$op => call!($call::$op, input, report $(, $parse)?),)*
                    };
                    call.filter(|_| report.is_valid())
                }
            }
        )*
    };
}

operations! {
    /// `X-Auth-Token`; Heat's fault body. HEAD is answered as GET.
    Heat: HeatOp, HeatCall {
        SoftwareConfigList "software_config.list" GET "/v1/{project_id}/software_configs"
            Query(heat::parse_config_list_query => heat::ConfigPage) Edge;
        SoftwareConfigCreate "software_config.create" POST "/v1/{project_id}/software_configs"
            Body(heat::parse_new_config => heat::NewConfig) Object;
        SoftwareConfigShow "software_config.show" GET "/v1/{project_id}/software_configs/{id}"
            Nothing Edge;
        SoftwareConfigDelete "software_config.delete" DELETE "/v1/{project_id}/software_configs/{id}"
            Nothing Object;
        SoftwareDeploymentList "software_deployment.list" GET "/v1/{project_id}/software_deployments"
            Query(heat::parse_deployment_list_query => Option<String>) Edge;
        SoftwareDeploymentCreate "software_deployment.create" POST "/v1/{project_id}/software_deployments"
            Body(heat::parse_new_deployments => (Vec<heat::NewDeployment>, bool)) Object;
        SoftwareDeploymentShow "software_deployment.show" GET "/v1/{project_id}/software_deployments/{id}"
            Nothing Edge;
        SoftwareDeploymentUpdate "software_deployment.update" PUT "/v1/{project_id}/software_deployments/{id}"
            Body(heat::parse_deployment_update => heat::DeploymentUpdate) Object;
        SoftwareDeploymentDelete "software_deployment.delete" DELETE "/v1/{project_id}/software_deployments/{id}"
            Nothing Object;
        SoftwareDeploymentMetadata "software_deployment.metadata" GET "/v1/{project_id}/software_deployments/metadata/{server_id}"
            Nothing Edge;
        ServerAgentShow "server_agent.show" GET "/v1/{project_id}/servers/{server_id}/agent"
            Nothing Object;
        ServerAgentIssue "server_agent.issue" POST "/v1/{project_id}/servers/{server_id}/agent"
            Nothing Object;
        ServerAgentRevoke "server_agent.revoke" DELETE "/v1/{project_id}/servers/{server_id}/agent"
            Nothing Object;
        TemplateValidate "template.validate" POST "/v1/{project_id}/validate"
            Body(heat::parse_template_validation => String) Edge;
    }
    /// AK/SK or `X-Auth-Token`; CodeArts' flat error body.
    CodeArts: CodeArtsOp, CodeArtsCall {
        ApplicationCreate "application.create" POST "/v1/applications"
            Body(codearts::parse_create => codearts::NewApplication) Object;
        ApplicationUpdate "application.update" PUT "/v1/applications"
            Body(codearts::parse_update => codearts::ApplicationUpdate) Object;
        ApplicationList "application.list" POST "/v1/applications/list"
            Body(codearts::parse_list => codearts::ListQuery) Edge;
        ApplicationExist "application.exist" GET "/v1/applications/exist"
            Query(codearts::parse_exist => codearts::ExistQuery) Edge;
        ApplicationInfo "application.info" GET "/v1/applications/{app_id}/info"
            Nothing Edge;
        ApplicationDelete "application.delete" DELETE "/v1/applications/{app_id}"
            Nothing Object;
        ApplicationDisable "application.disable" PUT "/v1/applications/{app_id}/disable"
            Body(codearts::parse_disable => bool) Object;
        ApplicationDuplicate "application.duplicate" POST "/v1/applications/{app_id}/duplicate"
            Nothing Object;
        ApplicationBatchDelete "application.batch_delete" POST "/v2/applications/batch-delete"
            Body(codearts::parse_batch_delete => codearts::BatchDelete) Object;
        HostClusterCreate "host_cluster.create" POST "/v1/resources/host-groups"
            Body(hosts::parse_new_host_cluster => hosts::NewHostCluster) Object;
        HostClusterList "host_cluster.list" GET "/v1/resources/host-groups"
            Query(hosts::parse_host_cluster_query => hosts::HostClusterQuery) Edge;
        HostClusterShow "host_cluster.show" GET "/v1/resources/host-groups/{group_id}"
            Nothing Edge;
        HostClusterUpdate "host_cluster.update" PUT "/v1/resources/host-groups/{group_id}"
            Body(hosts::parse_host_cluster_update => hosts::HostClusterUpdate) Object;
        HostClusterDelete "host_cluster.delete" DELETE "/v1/resources/host-groups/{group_id}"
            Nothing Object;
        HostCreate "host.create" POST "/v1/resources/host-groups/{group_id}/hosts"
            Body(hosts::parse_new_host => hosts::NewHost) Object;
        HostList "host.list" GET "/v1/resources/host-groups/{group_id}/hosts"
            Query(hosts::parse_host_query => hosts::HostQuery) Object;
        HostShow "host.show" GET "/v1/resources/host-groups/{group_id}/hosts/{host_id}"
            Nothing Object;
        HostDelete "host.delete" DELETE "/v1/resources/host-groups/{group_id}/hosts/{host_id}"
            Nothing Object;
        EnvironmentCreate "environment.create" POST "/v1/applications/{app_id}/environments"
            Body(environments::parse_new_environment => environments::NewEnvironment) Object;
        EnvironmentList "environment.list" GET "/v1/applications/{app_id}/environments"
            Query(environments::parse_environment_query => environments::EnvironmentQuery) Edge;
        EnvironmentShow "environment.show" GET "/v1/applications/{app_id}/environments/{environment_id}"
            Nothing Edge;
        EnvironmentDelete "environment.delete" DELETE "/v1/applications/{app_id}/environments/{environment_id}"
            Nothing Object;
        EnvironmentImportHosts "environment.import_hosts" POST "/v1/applications/{app_id}/environments/{environment_id}/hosts/import"
            Body(environments::parse_host_import => environments::HostImport) Object;
        EnvironmentHosts "environment.hosts" GET "/v1/applications/{app_id}/environments/{environment_id}/hosts"
            Query(environments::parse_environment_host_query => hosts::HostQuery) Object;
        EnvironmentRemoveHost "environment.remove_host" DELETE "/v1/applications/{app_id}/environments/{environment_id}/{host_id}"
            Nothing Object;
        TaskStart "task.start" POST "/v2/tasks/{task_id}/start"
            OptionalBody(execution::parse_start => execution::Start) Object;
        TaskState "task.state" GET "/v2/tasks/{task_id}/state"
            Query(execution::parse_record_query => execution::RecordQuery) Object;
        TaskStop "task.stop" PUT "/v2/tasks/{task_id}/records/{record_id}/stop"
            OptionalBody(execution::parse_stop => ()) Object;
        TaskHistory "task.history" GET "/v2/{project_id}/task/{task_id}/history"
            Query(execution::parse_history_query => execution::HistoryQuery) Object;
        TaskParams "task.params" GET "/v2/history/tasks/{task_id}/params"
            Query(execution::parse_record_query => execution::RecordQuery) Object;
    }
    /// `Authorization: Bearer` the admin token; Heat's fault body. It writes nothing a
    /// project's object checks.
    Admin: AdminOp, AdminCall {
        TokenList "token.list" GET "/admin/v1/projects/{project_id}/tokens" Nothing Edge;
        TokenIssue "token.issue" POST "/admin/v1/projects/{project_id}/tokens" Nothing Edge;
        TokenRevoke "token.revoke" DELETE "/admin/v1/projects/{project_id}/tokens/{id}" Nothing Edge;
        CredentialList "credential.list" GET "/admin/v1/projects/{project_id}/credentials" Nothing Edge;
        CredentialIssue "credential.issue" POST "/admin/v1/projects/{project_id}/credentials" Nothing Edge;
        CredentialRevoke "credential.revoke" DELETE "/admin/v1/projects/{project_id}/credentials/{access_key}"
            Nothing Edge;
    }
    /// No header: the URL is the capability; Heat's fault body.
    Agent: AgentOp, AgentCall {
        AgentPoll "agent.poll" GET | HEAD "/agent/v1/{project_id}/{server_ref}/{secret}" Nothing Edge;
        AgentSignal "agent.signal" PUT | POST "/agent/v1/{project_id}/{server_ref}/{secret}/signal/{derived_id}"
            OptionalBody(agent::parse_signal => Map<String, Value>) Object;
    }
    /// No auth: health and the versions document.
    Meta: MetaOp, MetaCall {
        Health "health" GET | HEAD "/healthz" Nothing Edge;
        Versions "versions" GET | HEAD "/v1" Nothing Edge;
    }
}

impl Operation {
    /// The operation's declaration.
    pub fn declaration(self) -> &'static Declaration {
        // `OPERATIONS` is generated in the enum's order (a test holds it).
        &OPERATIONS[self as usize]
    }

    /// True for an operation its project's object answers (see [`crate::object`]).
    pub fn in_object(self) -> bool {
        self.declaration().place == Place::Object
    }

    /// The API it belongs to.
    pub fn api(self) -> Api {
        self.declaration().api
    }

    /// Its name (`software_deployment.update`).
    pub fn name(self) -> &'static str {
        self.declaration().name
    }

    /// The kind name clients use: the name of a Heat or CodeArts operation (the npm package
    /// builds those); `None` for the admin API, agent URLs and health.
    pub fn kind(self) -> Option<&'static str> {
        match self.api() {
            Api::Heat | Api::CodeArts => Some(self.name()),
            Api::Admin | Api::Agent | Api::Meta => None,
        }
    }

    /// The method clients use: the first of its methods.
    pub fn method(self) -> &'static str {
        self.declaration().methods[0]
    }

    /// Its path template.
    pub fn path(self) -> &'static str {
        self.declaration().path
    }

    /// What its request carries besides its path ids.
    pub fn carries(self) -> Carries {
        self.declaration().carries
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every method and path of the table, in its order: `(declaration, method)`.
pub fn routes() -> impl Iterator<Item = (&'static Declaration, &'static str)> {
    OPERATIONS
        .iter()
        .flat_map(|d| d.methods.iter().map(move |m| (d, *m)))
}

/// The path ids of a matched request, in template order, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathIds(Vec<(&'static str, String)>);

impl PathIds {
    /// The value of `{name}`; empty when the template has no such id.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// What a request's method and path lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Operation(Operation, PathIds),
    /// The path exists but not with this method: `allow` lists its methods.
    MethodNotAllowed {
        api: Api,
        allow: String,
    },
    /// No operation has this path; `api` is the API whose paths it shares the most leading
    /// segments with (`/v1/applications/x/y` is CodeArts'), whose envelope the 404 is in.
    NotFound {
        api: Api,
    },
}

impl Resolved {
    /// The API whose envelope answers the request.
    pub fn api(&self) -> Api {
        match self {
            Resolved::Operation(op, _) => op.api(),
            Resolved::MethodNotAllowed { api, .. } | Resolved::NotFound { api } => *api,
        }
    }
}

/// The `{id}` names of a template's segments, or `None` for a literal segment.
fn segments(template: &'static str) -> impl Iterator<Item = Result<&'static str, &'static str>> {
    template.split('/').filter(|s| !s.is_empty()).map(|s| {
        match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Err(name),
            None => Ok(s),
        }
    })
}

/// The names of a template's path ids, in order.
pub fn path_ids(template: &'static str) -> impl Iterator<Item = &'static str> {
    segments(template).filter_map(Result::err)
}

/// A template's segments: a literal, or the name of an id (see [`segments`]).
type Parts = Vec<Result<&'static str, &'static str>>;

/// Each distinct path template (with the first declaration that has it) and its segments, split
/// once per process: matching runs on every request, over each template once.
fn templates() -> &'static [(&'static Declaration, Parts)] {
    static TEMPLATES: std::sync::OnceLock<Vec<(&'static Declaration, Parts)>> =
        std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let mut all: Vec<(&'static Declaration, Parts)> = Vec::new();
        for d in OPERATIONS {
            if !all.iter().any(|(seen, _)| seen.path == d.path) {
                all.push((d, segments(d.path).collect()));
            }
        }
        all
    })
}

/// How well a template's segments match decoded path segments: `None` when they do not;
/// otherwise a mask of the positions of its literal segments, the first segment the highest bit,
/// so the template with a literal earliest wins (`/v1/applications/{app_id}` over
/// `/v1/{project_id}/validate`). Runs on every request: it allocates nothing.
fn specificity(parts: &[Result<&str, &str>], path: &[String]) -> Option<u64> {
    if parts.len() != path.len() {
        return None;
    }
    let mut mask = 0u64;
    for (i, (part, seg)) in parts.iter().zip(path).enumerate() {
        match part {
            Ok(literal) if literal == seg => mask |= 1 << (63 - i),
            Ok(_) => return None,
            Err(_) => {}
        }
    }
    Some(mask)
}

/// The API of an unknown path: the one whose template shares the most leading literal segments
/// with it, when that is at least two (`/v1/applications/…`, `/v2/applications/…`); else Heat's
/// (the first in the table).
fn api_near(path: &[String]) -> Api {
    let shared = |parts: &Parts| {
        parts
            .iter()
            .zip(path)
            .take_while(|(part, seg)| part.is_ok_and(|literal| literal == seg.as_str()))
            .count()
    };
    templates()
        .iter()
        .rev()
        .map(|(d, parts)| (shared(parts), d.api))
        .filter(|(n, _)| *n >= 2)
        .max_by_key(|(n, _)| *n)
        .map_or(Api::Heat, |(_, api)| api)
}

/// Finds the operation for a method and a path's decoded segments. Heat answers HEAD as GET.
pub fn resolve(method: &str, path: &[String]) -> Resolved {
    let Some((template, parts)) = templates()
        .iter()
        .filter_map(|(d, parts)| specificity(parts, path).map(|s| (s, d.path, parts)))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, template, parts)| (template, parts))
    else {
        return Resolved::NotFound {
            api: api_near(path),
        };
    };
    let rows: Vec<(&Declaration, &str)> = routes().filter(|(d, _)| d.path == template).collect();
    let found = rows.iter().find(|(_, m)| *m == method).or_else(|| {
        rows.iter()
            .find(|(d, m)| method == "HEAD" && *m == "GET" && d.api == Api::Heat)
    });
    match found {
        Some((declaration, _)) => {
            let ids = parts
                .iter()
                .zip(path)
                .filter_map(|(part, seg)| part.err().map(|name| (name, seg.clone())))
                .collect();
            Resolved::Operation(declaration.operation, PathIds(ids))
        }
        None => Resolved::MethodNotAllowed {
            api: rows[0].0.api,
            allow: rows.iter().map(|(_, m)| *m).collect::<Vec<_>>().join(", "),
        },
    }
}

/// The words of the API's paths (every other segment of a path is an id or a secret).
pub fn path_words() -> impl Iterator<Item = &'static str> {
    OPERATIONS
        .iter()
        .flat_map(|d| segments(d.path).filter_map(Result::ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_that_checks_what_is_stored_is_answered_by_the_projects_object() {
        for (route, method) in routes() {
            let writes = matches!(method, "POST" | "PUT" | "DELETE");
            let checks_nothing = matches!(route.api, Api::Admin | Api::Meta)
                || route.operation == Operation::TemplateValidate
                || route.operation == Operation::ApplicationList;
            if writes && !checks_nothing {
                assert!(route.operation.in_object(), "{:?}", route.operation);
            }
        }
        assert!(!Operation::SoftwareDeploymentShow.in_object());
        assert!(!Operation::AgentPoll.in_object());
    }

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_path_leads_to_its_operation_with_its_ids() {
        match resolve("PUT", &segs("/v1/p/software_deployments/d-1")) {
            Resolved::Operation(op, ids) => {
                assert_eq!(op, Operation::SoftwareDeploymentUpdate);
                assert_eq!((ids.get("project_id"), ids.get("id")), ("p", "d-1"));
            }
            other => panic!("{other:?}"),
        }
        let metadata = resolve("GET", &segs("/v1/p/software_deployments/metadata/web-1"));
        assert!(matches!(
            metadata,
            Resolved::Operation(Operation::SoftwareDeploymentMetadata, _)
        ));
    }

    #[test]
    fn the_earliest_literal_wins_between_templates_that_both_match() {
        let r = resolve("DELETE", &segs("/v1/applications/validate"));
        assert!(matches!(
            r,
            Resolved::Operation(Operation::ApplicationDelete, _)
        ));
        let r = resolve("POST", &segs("/v1/applications/list"));
        assert!(matches!(
            r,
            Resolved::Operation(Operation::ApplicationList, _)
        ));
        assert_eq!(
            resolve("GET", &segs("/v1/applications/list")),
            Resolved::MethodNotAllowed {
                api: Api::CodeArts,
                allow: "POST".into()
            }
        );
    }

    #[test]
    fn allow_lists_a_paths_methods_in_table_order() {
        for (path, allow) in [
            ("/v1/p/software_configs", "GET, POST"),
            ("/v1/p/software_deployments/d", "GET, PUT, DELETE"),
            ("/v1/p/servers/s/agent", "GET, POST, DELETE"),
            ("/v1/applications", "POST, PUT"),
            ("/agent/v1/p/r/s/signal/d", "PUT, POST"),
            ("/healthz", "GET, HEAD"),
        ] {
            match resolve("PROPFIND", &segs(path)) {
                Resolved::MethodNotAllowed { allow: got, .. } => assert_eq!(got, allow, "{path}"),
                other => panic!("{path}: {other:?}"),
            }
        }
    }

    #[test]
    fn heat_answers_head_as_get_and_codearts_does_not() {
        assert!(matches!(
            resolve("HEAD", &segs("/v1/p/software_configs")),
            Resolved::Operation(Operation::SoftwareConfigList, _)
        ));
        assert!(matches!(
            resolve("HEAD", &segs("/v1/applications/a/info")),
            Resolved::MethodNotAllowed { .. }
        ));
        assert_eq!(
            resolve("GET", &segs("/v1/p/nothing")),
            Resolved::NotFound { api: Api::Heat }
        );
    }

    #[test]
    fn the_declarations_are_in_the_enums_order_and_names_are_unique() {
        let mut names: Vec<&str> = OPERATIONS.iter().map(|d| d.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        for (i, d) in OPERATIONS.iter().enumerate() {
            assert_eq!(d.operation as usize, i);
            assert_eq!(d.operation.declaration().path, d.path);
        }
    }

    #[test]
    fn an_unknown_path_is_answered_in_the_envelope_of_the_api_it_is_nearest() {
        for (path, api) in [
            ("/v1/applications/a/b/c", Api::CodeArts),
            ("/v2/applications/nothing", Api::CodeArts),
            ("/v1/p/nothing", Api::Heat),
            ("/v2/p/software_configs", Api::Heat),
            ("/nothing", Api::Heat),
            ("/admin/v1/nothing", Api::Admin),
        ] {
            assert_eq!(
                resolve("GET", &segs(path)),
                Resolved::NotFound { api },
                "{path}"
            );
        }
    }

    #[test]
    fn a_call_carries_what_its_parse_function_made_of_the_request() {
        let mut report = Report::default();
        let call = HeatOp::SoftwareDeploymentList
            .parse(&serde_json::json!({"server_id": "s"}), &mut report);
        assert_eq!(
            call,
            Some(HeatCall::SoftwareDeploymentList(Some("s".into())))
        );
        let call = HeatOp::SoftwareConfigShow.parse(&Value::Null, &mut report);
        assert_eq!(call, Some(HeatCall::SoftwareConfigShow));
        let call = CodeArtsOp::ApplicationDisable.parse(&serde_json::json!({"x": 1}), &mut report);
        assert_eq!(call, None);
        assert!(!report.is_valid());
    }
}
