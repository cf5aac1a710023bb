//! Every operation of the service, written once: its method, its path template (whose `{…}`
//! segments are its path ids), what its request carries, and the API it belongs to. The router
//! ([`resolve`]), the `Allow` header of a 405, the npm package's kinds and `buildRequest`
//! ([`crate::payload`]) all read this table.
//!
//! A new operation is one row here, one parse function for what it carries (in `domain/`), and
//! one arm in its API's handler (in `api/`).

use std::fmt;

/// One operation (several methods may lead to it: an agent signals with PUT or POST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    SoftwareConfigList,
    SoftwareConfigCreate,
    SoftwareConfigShow,
    SoftwareConfigDelete,
    SoftwareDeploymentList,
    SoftwareDeploymentCreate,
    SoftwareDeploymentShow,
    SoftwareDeploymentUpdate,
    SoftwareDeploymentDelete,
    SoftwareDeploymentMetadata,
    ServerAgentShow,
    ServerAgentIssue,
    ServerAgentRevoke,
    TemplateValidate,
    ApplicationCreate,
    ApplicationUpdate,
    ApplicationList,
    ApplicationExist,
    ApplicationInfo,
    ApplicationDelete,
    ApplicationDisable,
    ApplicationDuplicate,
    ApplicationBatchDelete,
    TokenList,
    TokenIssue,
    TokenRevoke,
    CredentialList,
    CredentialIssue,
    CredentialRevoke,
    AgentPoll,
    AgentSignal,
    Health,
    Versions,
}

/// The API an operation belongs to: its authentication and its error envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `X-Auth-Token`; Heat's fault body. HEAD is answered as GET.
    Heat,
    /// AK/SK or `X-Auth-Token`; CodeArts' flat error body.
    CodeArts,
    /// `Authorization: Bearer` the admin token; Heat's fault body.
    Admin,
    /// No header: the URL is the capability; Heat's fault body.
    Agent,
    /// No auth: health and the versions document.
    Meta,
}

/// What a request carries besides its path ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries {
    /// A JSON body.
    Body,
    /// Query parameters.
    Query,
    /// Nothing.
    Nothing,
}

/// One row of the table: a method and path that lead to an operation.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub operation: Operation,
    /// The kind name clients use (`software_deployment.update`); `None` for operations the npm
    /// package does not build (admin, agent URLs, health).
    pub kind: Option<&'static str>,
    pub method: &'static str,
    /// `/v1/{project_id}/software_deployments/{id}`: literal segments and `{path id}` segments.
    pub path: &'static str,
    pub carries: Carries,
    pub api: Api,
}

macro_rules! routes {
    ($($op:ident $kind:expr, $method:literal $path:literal $carries:ident $api:ident;)*) => {
        /// The table, in the order `Allow` lists a path's methods.
        pub const ROUTES: &[Route] = &[$(Route {
            operation: Operation::$op,
            kind: $kind,
            method: $method,
            path: $path,
            carries: Carries::$carries,
            api: Api::$api,
        },)*];
    };
}

routes! {
    SoftwareConfigList Some("software_config.list"), "GET" "/v1/{project_id}/software_configs" Query Heat;
    SoftwareConfigCreate Some("software_config.create"), "POST" "/v1/{project_id}/software_configs" Body Heat;
    SoftwareConfigShow Some("software_config.show"), "GET" "/v1/{project_id}/software_configs/{id}" Nothing Heat;
    SoftwareConfigDelete Some("software_config.delete"), "DELETE" "/v1/{project_id}/software_configs/{id}" Nothing Heat;
    SoftwareDeploymentList Some("software_deployment.list"), "GET" "/v1/{project_id}/software_deployments" Query Heat;
    SoftwareDeploymentCreate Some("software_deployment.create"), "POST" "/v1/{project_id}/software_deployments" Body Heat;
    SoftwareDeploymentShow Some("software_deployment.show"), "GET" "/v1/{project_id}/software_deployments/{id}" Nothing Heat;
    SoftwareDeploymentUpdate Some("software_deployment.update"), "PUT" "/v1/{project_id}/software_deployments/{id}" Body Heat;
    SoftwareDeploymentDelete Some("software_deployment.delete"), "DELETE" "/v1/{project_id}/software_deployments/{id}" Nothing Heat;
    SoftwareDeploymentMetadata Some("software_deployment.metadata"), "GET" "/v1/{project_id}/software_deployments/metadata/{server_id}" Nothing Heat;
    ServerAgentShow Some("server_agent.show"), "GET" "/v1/{project_id}/servers/{server_id}/agent" Nothing Heat;
    ServerAgentIssue Some("server_agent.issue"), "POST" "/v1/{project_id}/servers/{server_id}/agent" Nothing Heat;
    ServerAgentRevoke Some("server_agent.revoke"), "DELETE" "/v1/{project_id}/servers/{server_id}/agent" Nothing Heat;
    TemplateValidate Some("template.validate"), "POST" "/v1/{project_id}/validate" Body Heat;
    ApplicationCreate Some("application.create"), "POST" "/v1/applications" Body CodeArts;
    ApplicationUpdate Some("application.update"), "PUT" "/v1/applications" Body CodeArts;
    ApplicationList Some("application.list"), "POST" "/v1/applications/list" Body CodeArts;
    ApplicationExist Some("application.exist"), "GET" "/v1/applications/exist" Query CodeArts;
    ApplicationInfo Some("application.info"), "GET" "/v1/applications/{app_id}/info" Nothing CodeArts;
    ApplicationDelete Some("application.delete"), "DELETE" "/v1/applications/{app_id}" Nothing CodeArts;
    ApplicationDisable Some("application.disable"), "PUT" "/v1/applications/{app_id}/disable" Body CodeArts;
    ApplicationDuplicate Some("application.duplicate"), "POST" "/v1/applications/{app_id}/duplicate" Nothing CodeArts;
    ApplicationBatchDelete Some("application.batch_delete"), "POST" "/v2/applications/batch-delete" Body CodeArts;
    TokenList None, "GET" "/admin/v1/projects/{project_id}/tokens" Nothing Admin;
    TokenIssue None, "POST" "/admin/v1/projects/{project_id}/tokens" Nothing Admin;
    TokenRevoke None, "DELETE" "/admin/v1/projects/{project_id}/tokens/{id}" Nothing Admin;
    CredentialList None, "GET" "/admin/v1/projects/{project_id}/credentials" Nothing Admin;
    CredentialIssue None, "POST" "/admin/v1/projects/{project_id}/credentials" Nothing Admin;
    CredentialRevoke None, "DELETE" "/admin/v1/projects/{project_id}/credentials/{access_key}" Nothing Admin;
    AgentPoll None, "GET" "/agent/v1/{project_id}/{server_ref}/{secret}" Nothing Agent;
    AgentPoll None, "HEAD" "/agent/v1/{project_id}/{server_ref}/{secret}" Nothing Agent;
    AgentSignal None, "PUT" "/agent/v1/{project_id}/{server_ref}/{secret}/signal/{derived_id}" Body Agent;
    AgentSignal None, "POST" "/agent/v1/{project_id}/{server_ref}/{secret}/signal/{derived_id}" Body Agent;
    Health None, "GET" "/healthz" Nothing Meta;
    Health None, "HEAD" "/healthz" Nothing Meta;
    Versions None, "GET" "/v1" Nothing Meta;
    Versions None, "HEAD" "/v1" Nothing Meta;
}

/// The operations a project's Durable Object answers ([`crate::object`]): every write whose
/// correctness depends on what is stored (each decided alone, on the object's own records), the
/// writes of the records only the object keeps (configs), and the reads of what only the object
/// holds (an agent's last contact). Everything else is answered at the edge, over KV. The admin
/// API writes nothing a project's object checks.
const IN_OBJECT: &[Operation] = &[
    Operation::SoftwareConfigCreate,
    Operation::SoftwareConfigDelete,
    Operation::SoftwareDeploymentCreate,
    Operation::SoftwareDeploymentUpdate,
    Operation::SoftwareDeploymentDelete,
    Operation::ServerAgentShow,
    Operation::ServerAgentIssue,
    Operation::ServerAgentRevoke,
    Operation::AgentSignal,
    Operation::ApplicationCreate,
    Operation::ApplicationUpdate,
    Operation::ApplicationDelete,
    Operation::ApplicationDisable,
    Operation::ApplicationDuplicate,
    Operation::ApplicationBatchDelete,
];

impl Operation {
    /// True for an operation its project's object answers (see [`crate::object`]).
    pub fn in_object(self) -> bool {
        IN_OBJECT.contains(&self)
    }

    /// The operation's first row: its method and path for clients.
    pub fn route(self) -> &'static Route {
        ROUTES
            .iter()
            .find(|r| r.operation == self)
            .unwrap_or(&ROUTES[0])
    }
    /// The API it belongs to.
    pub fn api(self) -> Api {
        self.route().api
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.route().kind.unwrap_or(self.route().path))
    }
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
    /// No operation has this path.
    NotFound,
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

/// A template's segments: a literal, or the name of an id (see [`segments`]).
type Parts = Vec<Result<&'static str, &'static str>>;

/// Each distinct path template of [`ROUTES`] with its segments, split once per process: matching
/// runs on every request.
fn templates() -> &'static [(&'static str, Parts)] {
    static TEMPLATES: std::sync::OnceLock<Vec<(&'static str, Parts)>> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let mut all: Vec<(&'static str, Parts)> = Vec::new();
        for route in ROUTES {
            if !all.iter().any(|(path, _)| *path == route.path) {
                all.push((route.path, segments(route.path).collect()));
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

/// Finds the operation for a method and a path's decoded segments. Heat answers HEAD as GET.
pub fn resolve(method: &str, path: &[String]) -> Resolved {
    let Some((template, parts)) = templates()
        .iter()
        .filter_map(|t| specificity(&t.1, path).map(|s| (s, t)))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, (template, parts))| (*template, parts))
    else {
        return Resolved::NotFound;
    };
    let rows: Vec<&Route> = ROUTES.iter().filter(|r| r.path == template).collect();
    let found = rows.iter().find(|r| r.method == method).or_else(|| {
        rows.iter()
            .find(|r| method == "HEAD" && r.method == "GET" && r.api == Api::Heat)
    });
    match found {
        Some(route) => {
            let ids = parts
                .iter()
                .zip(path)
                .filter_map(|(part, seg)| part.err().map(|name| (name, seg.clone())))
                .collect();
            Resolved::Operation(route.operation, PathIds(ids))
        }
        None => Resolved::MethodNotAllowed {
            api: rows[0].api,
            allow: rows.iter().map(|r| r.method).collect::<Vec<_>>().join(", "),
        },
    }
}

/// The words of the API's paths (every other segment of a path is an id or a secret).
pub fn path_words() -> impl Iterator<Item = &'static str> {
    ROUTES
        .iter()
        .flat_map(|r| segments(r.path).filter_map(Result::ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_that_checks_what_is_stored_is_answered_by_the_projects_object() {
        for route in ROUTES {
            let writes = matches!(route.method, "POST" | "PUT" | "DELETE");
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
        assert_eq!(resolve("GET", &segs("/v1/p/nothing")), Resolved::NotFound);
    }

    #[test]
    fn every_operation_has_a_route_and_kind_names_are_unique() {
        let mut kinds: Vec<&str> = ROUTES.iter().filter_map(|r| r.kind).collect();
        let n = kinds.len();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), n);
        for r in ROUTES {
            assert_eq!(r.operation.route().path, r.path);
        }
    }
}
