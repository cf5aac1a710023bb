//! The CodeArts Deploy application API (no project in the path; the project is the caller's): its
//! operations and paths are the `Application*` rows of [`crate::operations::OPERATIONS`].
//!
//! Callers authenticate with a project token (`X-Auth-Token`) or an AK/SK signature
//! (`Authorization: SDK-HMAC-SHA256 ...`, see [`crate::credentials`]). A `project_id` in a body or
//! query that is not the caller's, or an `X-Project-Id` header that is not, is a 403. Errors are
//! Huawei's flat `{"error_code","error_msg"}` plus our `errors` list of field errors.

use super::Ctx;
use crate::auth;
use crate::credentials;
use crate::domain::codearts::environments::EnvironmentView;
use crate::domain::codearts::execution_views::{self as runs, History, HistoryRow, StateAnswer};
use crate::domain::codearts::host_views::{
    ClusterDetail, ClusterRow, ConnectionView, Done, HostDetail, HostRow, Listing, One,
};
use crate::domain::codearts::hosts::Host;
use crate::domain::codearts::{AppBase, AppDetail, AppInfo, AppRow, DeleteResult, Page, Success};
use crate::error::{ApiError, AuthFailure};
use crate::http::{Request, Response};
use crate::operations::{CodeArtsCall, PathIds};
use crate::service::codearts::CodeArtsService;
use crate::service::environments::EnvironmentService;
use crate::service::executions::ExecutionService;
use crate::service::hosts::HostService;
use crate::signing::DEFAULT_MAX_SKEW_SECS;
use serde::Serialize;
use subtle::ConstantTimeEq;

/// The caller's project: from an AK/SK signature, else from `X-Auth-Token`. An `X-Project-Id`
/// header must name the same project.
pub async fn caller_project(req: &Request, ctx: &Ctx<'_>) -> Result<String, ApiError> {
    let project = if credentials::is_signed(req) {
        credentials::authenticate(
            ctx.store,
            req,
            ctx.settings.credentials_key.as_deref(),
            if ctx.settings.refuse_unsealed_keys {
                credentials::Unsealed::Refuse
            } else {
                credentials::Unsealed::Accept
            },
            ctx.clock.now_ms(),
            DEFAULT_MAX_SKEW_SECS,
        )
        .await?
    } else if req.header_value("x-auth-token").is_some() {
        auth::token_project(ctx.store, req.header_value("x-auth-token")).await?
    } else if req.header_value("authorization").is_some() {
        return Err(ApiError::Unauthenticated(AuthFailure::Invalid));
    } else {
        return Err(ApiError::Unauthenticated(AuthFailure::Missing));
    };
    if let Some(claimed) = req.header_value("x-project-id") {
        check_project(&project, claimed.trim())?;
    }
    Ok(project)
}

/// 403 `Deploy.00011154` unless `claimed` is the caller's project.
fn check_project(caller: &str, claimed: &str) -> Result<(), ApiError> {
    if caller.as_bytes().ct_eq(claimed.as_bytes()).into() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "No permission: the credentials are not valid for project {claimed}"
        )))
    }
}

fn success(result: impl Serialize) -> Response {
    Response::json(200, &Success::of(result))
}

/// Answers a CodeArts call ([`Api::CodeArts`](crate::operations::Api::CodeArts)) for
/// `project`, the caller's.
pub async fn answer(
    req: &Request,
    ctx: &Ctx<'_>,
    call: CodeArtsCall,
    ids: &PathIds,
    project: &str,
) -> Result<Response, ApiError> {
    let svc = CodeArtsService::new(ctx.store, project, crate::ids::hex32);
    let hosts = HostService::new(ctx.store, project, crate::ids::hex32);
    let envs = EnvironmentService::new(ctx.store, project, crate::ids::hex32);
    let env = ids.get("environment_id");
    let (id, group) = (ids.get("app_id"), ids.get("group_id"));
    let now_ms = ctx.clock.now_ms();
    Ok(match call {
        CodeArtsCall::ApplicationCreate(new) => {
            check_project(project, &new.project_id)?;
            success(AppBase::from(&svc.create(new, now_ms).await?))
        }
        CodeArtsCall::ApplicationUpdate(update) => {
            check_project(project, &update.project_id)?;
            success(AppBase::from(&svc.update(update, now_ms).await?))
        }
        CodeArtsCall::ApplicationList(query) => {
            check_project(project, &query.project_id)?;
            let (total, page) = svc.list(&query).await?;
            let rows = page.iter().map(AppRow::from).collect();
            Response::json(200, &Page::new(total, rows))
        }
        CodeArtsCall::ApplicationExist(query) => {
            check_project(project, &query.project_id)?;
            success(svc.name_owner(&query.name).await?.is_some())
        }
        CodeArtsCall::ApplicationInfo => success(AppDetail::from(&svc.get(id).await?)),
        CodeArtsCall::ApplicationDelete => {
            let app = svc.delete(id).await?;
            envs.delete_all_of(id).await?;
            success(AppBase::from(&app))
        }
        CodeArtsCall::ApplicationDisable(disabled) => {
            svc.set_disabled(id, disabled, now_ms).await?;
            Response::json(200, &Success::done())
        }
        CodeArtsCall::ApplicationDuplicate => {
            super::check_body_size(req, ctx.settings.max_body_bytes)?;
            success(AppInfo::from(&svc.duplicate(id, now_ms).await?))
        }
        CodeArtsCall::ApplicationBatchDelete(batch) => {
            check_project(project, &batch.project_id)?;
            let outcomes = svc.batch_delete(batch).await?;
            for deleted in outcomes.iter().filter(|o| o.error_reason.is_none()) {
                envs.delete_all_of(&deleted.application_id).await?;
            }
            let rows = outcomes.iter().map(DeleteResult::from).collect();
            Response::json(200, &Page::new(outcomes.len(), rows))
        }
        CodeArtsCall::HostClusterCreate(new) => {
            check_project(project, &new.project_id)?;
            let cluster = hosts.create_cluster(new, now_ms).await?;
            Response::json(200, &Done::new(&cluster.id))
        }
        CodeArtsCall::HostClusterList(query) => {
            check_project(project, &query.project_id)?;
            let (total, page) = hosts.list_clusters(&query).await?;
            let rows = page
                .iter()
                .map(|(c, n)| ClusterRow::new(c, project, *n))
                .collect();
            Response::json(200, &Listing::new(total, rows))
        }
        CodeArtsCall::HostClusterShow => {
            let cluster = hosts.cluster(group).await?;
            Response::json(200, &One::new(ClusterDetail::from(&cluster)))
        }
        CodeArtsCall::HostClusterUpdate(update) => {
            let cluster = hosts.update_cluster(group, update, now_ms).await?;
            Response::json(200, &Done::new(&cluster.id))
        }
        CodeArtsCall::HostClusterDelete => {
            let cluster = hosts.delete_cluster(group).await?;
            Response::json(200, &Done::new(&cluster.id))
        }
        CodeArtsCall::HostCreate(new) => {
            let host = hosts.add_host(group, new, now_ms).await?;
            Response::json(200, &Done::new(&host.id))
        }
        CodeArtsCall::HostList(query) => {
            let (_, total, page) = hosts.list_hosts(group, &query).await?;
            let mut rows = Vec::with_capacity(page.len());
            for host in &page {
                rows.push(HostRow::new(host, connection(&hosts, host, now_ms).await?));
            }
            Response::json(200, &Listing::new(total, rows))
        }
        CodeArtsCall::HostShow => {
            let host = hosts.host(group, ids.get("host_id")).await?;
            let connection = connection(&hosts, &host, now_ms).await?;
            Response::json(200, &One::new(HostDetail::new(&host, connection)))
        }
        CodeArtsCall::HostDelete => {
            let host = hosts.delete_host(group, ids.get("host_id")).await?;
            Response::json(200, &Done::new(&host.id))
        }
        CodeArtsCall::EnvironmentCreate(new) => {
            check_project(project, &new.project_id)?;
            let created = envs.create(id, new, now_ms).await?;
            Response::json(200, &Done::new(&created.id))
        }
        CodeArtsCall::EnvironmentList(query) => {
            check_project(project, &query.project_id)?;
            let (total, page) = envs.list(id, &query).await?;
            let rows = page
                .iter()
                .map(|e| EnvironmentView::new(e, project))
                .collect();
            Response::json(200, &Listing::new(total, rows))
        }
        CodeArtsCall::EnvironmentShow => {
            let found = envs.get(id, env).await?;
            Response::json(200, &One::new(EnvironmentView::new(&found, project)))
        }
        CodeArtsCall::EnvironmentDelete => {
            let deleted = envs.delete(id, env).await?;
            Response::json(200, &Done::new(&deleted.id))
        }
        CodeArtsCall::EnvironmentImportHosts(import) => {
            let imported = envs.import(id, env, import).await?;
            Response::json(200, &One::new(imported))
        }
        CodeArtsCall::EnvironmentHosts(query) => {
            let (total, page) = envs.hosts(id, env, &query).await?;
            let mut rows = Vec::with_capacity(page.len());
            for host in &page {
                let connection = connection(envs.host_service(), host, now_ms).await?;
                rows.push(HostDetail::new(host, connection));
            }
            Response::json(200, &Listing::new(total, rows))
        }
        CodeArtsCall::EnvironmentRemoveHost => {
            envs.remove_host(id, env, ids.get("host_id")).await?;
            Response::json(200, &One::new(env))
        }
        call => return executions(req, ctx, call, ids, project).await,
    })
}

/// Answers the execution operations (`Task*`: start, state, stop, history, parameters).
async fn executions(
    req: &Request,
    ctx: &Ctx<'_>,
    call: CodeArtsCall,
    ids: &PathIds,
    project: &str,
) -> Result<Response, ApiError> {
    let now_ms = ctx.clock.now_ms();
    let runs = ExecutionService::new(ctx.store, project, now_ms, crate::ids::hex32);
    let task = ids.get("task_id");
    Ok(match call {
        CodeArtsCall::TaskStart(start) => {
            let started = runs.start(task, start, &operator(req)).await?;
            Response::json(200, &runs::Started::new(&started))
        }
        CodeArtsCall::TaskState(query) => {
            let state = runs.state(task, query.record_id.as_deref()).await?;
            let rolled = (state.status, state.ended_ms);
            let answer = StateAnswer::new(&state.execution, &state.hosts, rolled, now_ms);
            Response::json(200, &answer)
        }
        CodeArtsCall::TaskStop(()) => {
            let stopped = runs.stop(task, ids.get("record_id")).await?;
            Response::json(200, &runs::Stopped::new(&stopped))
        }
        CodeArtsCall::TaskHistory(query) => {
            check_project(project, ids.get("project_id"))?;
            let (total, page) = runs.history(task, &query).await?;
            let result = page
                .iter()
                .map(|s| HistoryRow::new(&s.execution, s.status, s.ended_ms, now_ms))
                .collect();
            Response::json(
                200,
                &History {
                    result,
                    total_num: total,
                },
            )
        }
        CodeArtsCall::TaskParams(query) => {
            let record = runs.record(task, query.record_id.as_deref()).await?;
            Response::json(200, &runs::params(&record))
        }
        other => unreachable_call(other)?,
    })
}

/// Who started a record: the access key of a signed request, else `token` (a project token).
fn operator(req: &Request) -> String {
    req.header_value("authorization")
        .filter(|_| credentials::is_signed(req))
        .and_then(|h| crate::signing::parse_authorization(h).ok())
        .map_or_else(|| "token".to_owned(), |a| a.access_key)
}

/// A call [`answer`] handles itself never reaches [`executions`].
fn unreachable_call(call: CodeArtsCall) -> Result<Response, ApiError> {
    Err(ApiError::Storage(crate::store::StoreError::Backend(
        format!("{call:?} was routed to the execution handler"),
    )))
}

/// A host's agent connection, as answers show it.
async fn connection(
    hosts: &HostService<'_, dyn crate::store::Store + '_>,
    host: &Host,
    now_ms: u64,
) -> Result<ConnectionView, ApiError> {
    let c = hosts.connection(host, now_ms).await?;
    Ok(ConnectionView::new(c.last_poll_ms, c.connected))
}

#[cfg(test)]
mod tests {
    use crate::api::{handle, Settings};
    use crate::clock::FixedClock;
    use crate::http::{Request, Response};
    use crate::signing::{format_sdk_date, sign, SignableRequest};
    use crate::store::MemoryStore;
    use futures::executor::block_on;
    use serde_json::{json, Value};

    const NOW_MS: u64 = 1_700_000_000_000;
    const P: &str = "0123456789abcdef0123456789abcdef";
    const T: &str = "ec939bdf63194aca9fad45b3ba05643e";

    struct World {
        store: MemoryStore,
        clock: FixedClock,
        settings: Settings,
    }

    impl World {
        fn new() -> Self {
            World {
                store: MemoryStore::new(),
                clock: FixedClock::new(NOW_MS, 0),
                settings: Settings {
                    admin_token: Some("admin".into()),
                    credentials_key: Some("master".into()),
                    ..Settings::default()
                },
            }
        }
        fn send(&self, req: Request) -> Response {
            block_on(handle(&req, &self.store, &self.clock, &self.settings))
        }
        fn admin(&self, what: &str, project: &str) -> Value {
            let r = self.send(
                Request::new("POST", &format!("/admin/v1/projects/{project}/{what}"))
                    .header("authorization", "Bearer admin"),
            );
            assert_eq!(r.status, 201);
            r.json_body()
        }
        fn token(&self, project: &str) -> String {
            self.admin("tokens", project)["token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    }

    fn create_body(name: &str) -> Value {
        json!({"project_id": P, "name": name, "is_draft": false, "create_type": "template",
               "arrange_infos": [{"deploy_system": "deployTemplate", "template_id": T}]})
    }

    fn code(r: &Response) -> String {
        r.json_body()["error_code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    #[test]
    fn an_applications_environments_go_with_it_and_a_host_goes_with_its_cluster() {
        let w = World::new();
        let tok = w.token(P);
        let post = |path: &str, body: Value| {
            let r = w.send(
                Request::new("POST", path)
                    .header("x-auth-token", &tok)
                    .json(&body),
            );
            assert_eq!(
                r.status,
                200,
                "{path}: {}",
                String::from_utf8_lossy(&r.body)
            );
            r.json_body()
        };
        let app = post("/v1/applications", create_body("with_envs"))["result"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let group = post(
            "/v1/resources/host-groups",
            json!({"project_id": P, "name": "hosts", "os": "linux", "is_proxy_mode": 0}),
        )["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let host = post(
            &format!("/v1/resources/host-groups/{group}/hosts"),
            json!({"host_name": "h", "ip": "10.0.0.1", "port": 22, "os": "linux", "as_proxy": false,
                   "authorization": {"username": "u", "password": "secret-not-kept", "trusted_type": 0}}),
        )["id"]
            .as_str()
            .unwrap()
            .to_owned();
        for name in ["one", "two"] {
            let env = post(
                &format!("/v1/applications/{app}/environments"),
                json!({"project_id": P, "name": format!("env_{name}"), "deploy_type": 0, "os": "linux"}),
            )["id"]
                .as_str()
                .unwrap()
                .to_owned();
            post(
                &format!("/v1/applications/{app}/environments/{env}/hosts/import"),
                json!({"group_id": group, "host_ids": [host]}),
            );
        }
        let keys = |word: &str| {
            w.store
                .snapshot()
                .into_iter()
                .filter(|(k, _)| k.contains(word))
                .count()
        };
        assert_eq!(keys("/env/"), 2);
        assert!(w
            .store
            .snapshot()
            .iter()
            .all(|(_, v)| !v.contains("secret-not-kept")));
        let deleted = w.send(
            Request::new("DELETE", &format!("/v1/applications/{app}")).header("x-auth-token", &tok),
        );
        assert_eq!(deleted.status, 200);
        assert_eq!(keys("/env/"), 0, "the application's environments are gone");
        let gone = w.send(
            Request::new("DELETE", &format!("/v1/resources/host-groups/{group}"))
                .header("x-auth-token", &tok),
        );
        assert_eq!(gone.status, 200);
        assert_eq!((keys("/host/"), keys("/hg/")), (0, 0));
    }

    #[test]
    fn the_seed_update_answers_the_seed_shape_and_every_response_has_a_request_id() {
        let w = World::new();
        let tok = w.token(P);
        let created = w.send(
            Request::new("POST", "/v1/applications")
                .header("x-auth-token", &tok)
                .json(&create_body("seed_app")),
        );
        assert_eq!(created.status, 200);
        let c = created.json_body();
        let (id, task) = (
            c["result"]["id"].as_str().unwrap().to_owned(),
            c["result"]["arrange_infos"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        let seed = json!({
          "id" : id, "name" : "deployenv20230822192953", "project_id" : P,
          "description" : "Update an application.",
          "trigger" : {"trigger_source" : 0, "artifact_source_system" : "", "artifact_type" : ""},
          "slave_cluster_id" : "", "create_type" : "template", "is_draft" : true,
          "arrange_infos" : [ {"id" : task, "deploy_system" : "deployTemplate", "template_id" : T, "operation_list" : [ ] } ]
        });
        let r = w.send(
            Request::new("PUT", "/v1/applications")
                .header("x-auth-token", &tok)
                .json(&seed),
        );
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json_body(),
            json!({"status": "success", "result": {"id": id, "name": "deployenv20230822192953",
                   "region": crate::domain::codearts::views::REGION, "is_disable": false, "arrange_infos": [{"id": task}]}})
        );
        let rid = r.header_value("x-request-id").unwrap();
        assert!(rid.len() == 32 && rid.bytes().all(|b| b.is_ascii_hexdigit()));
        let missing = w.send(Request::new("GET", "/v1/applications/nope/info"));
        assert_eq!(missing.header_value("x-request-id").unwrap().len(), 32);
        assert_ne!(
            missing.header_value("x-request-id"),
            r.header_value("x-request-id")
        );
    }

    #[test]
    fn another_projects_id_in_body_or_header_is_forbidden_and_changes_nothing() {
        let w = World::new();
        let tok = w.token(P);
        let before = w.store.snapshot();
        let mut body = create_body("alpha");
        body["project_id"] = json!("f".repeat(32));
        let r = w.send(
            Request::new("POST", "/v1/applications")
                .header("x-auth-token", &tok)
                .json(&body),
        );
        assert_eq!((r.status, code(&r)), (403, "Deploy.00011154".into()));
        let r = w.send(
            Request::new("POST", "/v1/applications")
                .header("x-auth-token", &tok)
                .header("x-project-id", &"f".repeat(32))
                .json(&create_body("alpha")),
        );
        assert_eq!(r.status, 403);
        let r = w.send(
            Request::new(
                "GET",
                &format!(
                    "/v1/applications/exist?name=alpha&project_id={}",
                    "f".repeat(32)
                ),
            )
            .header("x-auth-token", &tok),
        );
        assert_eq!(r.status, 403);
        assert_eq!(w.store.snapshot(), before);
    }

    #[test]
    fn errors_use_the_documented_codes() {
        let w = World::new();
        let tok = w.token(P);
        let post = |body: &Value| {
            w.send(
                Request::new("POST", "/v1/applications")
                    .header("x-auth-token", &tok)
                    .json(body),
            )
        };
        assert_eq!(post(&create_body("alpha")).status, 200);
        let taken = post(&create_body("alpha"));
        assert_eq!(
            (taken.status, code(&taken)),
            (400, "Deploy.00011001".into())
        );
        let bad = post(&json!({"project_id": P, "name": "x"}));
        assert_eq!((bad.status, code(&bad)), (400, "EDGE.00000400".into()));
        assert_eq!(
            bad.json_body()["errors"][0],
            json!({"path": "/name", "code": "too_short", "message": "name must be at least 3 characters",
                "params": {"limit": 3}})
        );
        let none = w.send(
            Request::new("GET", &format!("/v1/applications/{}/info", "a".repeat(32)))
                .header("x-auth-token", &tok),
        );
        assert_eq!((none.status, code(&none)), (404, "Deploy.00011020".into()));
        let anon = w.send(Request::new("POST", "/v1/applications").json(&create_body("beta")));
        assert_eq!((anon.status, code(&anon)), (401, "DEV.00000001".into()));
        let wrong = w.send(
            Request::new("POST", "/v1/applications")
                .header("x-auth-token", "nope")
                .json(&create_body("beta")),
        );
        assert_eq!((wrong.status, code(&wrong)), (401, "DEV.00000002".into()));
        let method = w.send(Request::new("GET", "/v1/applications/list"));
        assert_eq!(
            (method.status, method.header_value("allow")),
            (405, Some("POST"))
        );
        let route = w.send(Request::new("GET", "/v2/applications/x"));
        assert_eq!((route.status, code(&route)), (404, "EDGE.00000404".into()));
    }

    #[test]
    fn a_signed_sdk_style_request_is_accepted_and_a_tampered_one_is_not() {
        let w = World::new();
        let cred = w.admin("credentials", P);
        let (ak, sk) = (
            cred["access_key"].as_str().unwrap(),
            cred["secret_key"].as_str().unwrap(),
        );
        let date = format_sdk_date((NOW_MS / 1000) as i64);
        let build = |body: &Value| {
            let mut req = Request::new("POST", "/v1/applications")
                .header("host", "127.0.0.1:8787")
                .header("content-type", "application/json")
                .header(
                    "user-agent",
                    "huaweicloud-usdk-python/3.0; os/Linux##1_SMP_PREEMPT_DYNAMIC_@0#x86_64",
                )
                .header("x-project-id", P)
                .header("x-sdk-date", &date)
                .raw_body(serde_json::to_vec(body).unwrap());
            let names: Vec<String> = [
                "content-type",
                "host",
                "user-agent",
                "x-project-id",
                "x-sdk-date",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
            let s = SignableRequest {
                method: &req.method,
                path: &req.path,
                query: &req.query,
                headers: &req.headers,
                body: &req.body,
            };
            let value = sign(&s, ak, sk.as_bytes(), &date, &names);
            req.headers.push(("authorization".into(), value));
            req
        };
        let ok = w.send(build(&create_body("signed")));
        assert_eq!(ok.status, 200, "{:?}", ok.json_body());
        let mut tampered = build(&create_body("signed2"));
        tampered.body = serde_json::to_vec(&create_body("signed3")).unwrap();
        let r = w.send(tampered);
        assert_eq!((r.status, code(&r)), (401, "DEV.00000002".into()));
        w.clock.set(NOW_MS + 16 * 60 * 1000);
        let r = w.send(build(&create_body("late")));
        assert_eq!((r.status, code(&r)), (401, "DEV.00000003".into()));
    }
    #[test]
    fn every_success_body_keeps_its_bytes() {
        let w = World::new();
        let tok = w.token(P);
        let send = |method: &str, path: &str, body: Option<Value>| {
            let mut req = Request::new(method, path).header("x-auth-token", &tok);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let r = w.send(req);
            assert_eq!(r.status, 200, "{method} {path}");
            String::from_utf8(r.body).unwrap()
        };
        let mut body = create_body("alpha");
        body.as_object_mut().unwrap().remove("arrange_infos");
        let created = send("POST", "/v1/applications", Some(body));
        let id = serde_json::from_str::<Value>(&created).unwrap()["result"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let base = format!(
            r#"{{"arrange_infos":[],"id":"{id}","is_disable":false,"name":"alpha","region":"deploy-edge"}}"#
        );
        assert_eq!(
            created,
            format!(r#"{{"result":{base},"status":"success"}}"#)
        );
        let exist = format!("/v1/applications/exist?name=alpha&project_id={P}");
        assert_eq!(
            send("GET", &exist, None),
            r#"{"result":true,"status":"success"}"#
        );
        let info = send("GET", &format!("/v1/applications/{id}/info"), None);
        assert!(
            info.starts_with(r#"{"result":{"agency_urn":null,"#),
            "{info}"
        );
        assert!(info.ends_with(r#""timeout":null,"trigger":{},"update_time":"2023-11-14 22:13:20"},"status":"success"}"#), "{info}");
        assert_eq!(
            send(
                "PUT",
                &format!("/v1/applications/{id}/disable"),
                Some(json!({"is_disable": false}))
            ),
            r#"{"status":"success"}"#
        );
        let list = send(
            "POST",
            "/v1/applications/list",
            Some(json!({"project_id": P, "page": 1, "size": 1})),
        );
        assert_eq!(
            list,
            format!(
                r#"{{"result":[{{"arrange_infos":[],"can_copy":true,"can_create_env":true,"can_delete":true,"can_disable":true,"can_execute":true,"can_manage":true,"can_modify":true,"can_view":true,"create_tenant_id":"","create_time":"2023-11-14 22:13:20","create_user_id":"","deploy_system":"deployTemplate","description":"","duration":"","end_time":"","execution_state":"not_executed","execution_time":"","executor_id":"","executor_nick_name":"","id":"{id}","is_care":false,"is_disable":false,"is_draft":false,"name":"alpha","project_id":"{P}","project_name":"","update_time":"2023-11-14 22:13:20"}}],"total_num":1}}"#
            )
        );
        let copy = send("POST", &format!("/v1/applications/{id}/duplicate"), None);
        let copy_id = serde_json::from_str::<Value>(&copy).unwrap()["result"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            copy,
            format!(
                r#"{{"result":{{"id":"{copy_id}","is_disable":false,"name":"alpha_copy","region":"deploy-edge"}},"status":"success"}}"#
            )
        );
        assert_eq!(
            send("DELETE", &format!("/v1/applications/{copy_id}"), None),
            format!(
                r#"{{"result":{{"arrange_infos":[],"id":"{copy_id}","is_disable":false,"name":"alpha_copy","region":"deploy-edge"}},"status":"success"}}"#
            )
        );
        let gone = "f".repeat(32);
        assert_eq!(
            send(
                "POST",
                "/v2/applications/batch-delete",
                Some(json!({"project_id": P, "application_ids": [id, gone]}))
            ),
            format!(
                r#"{{"result":[{{"application_id":"{id}","application_name":"alpha","error_reason":"","status":"success"}},{{"application_id":"{gone}","application_name":"","error_reason":"The application {gone} does not exist","status":"error"}}],"total_num":2}}"#
            )
        );
    }
}
