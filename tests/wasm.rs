//! The core compiled to wasm32, under wasm-bindgen-test (scripts/test-wasm.sh runs it in Node and
//! in headless Chromium): the payload corpus, request building and the published signing vectors
//! give what they give natively. The JS-facing layer (src/wasm.rs) has its own tests there.
#![cfg(target_arch = "wasm32")]

#[path = "support/corpus.rs"]
mod corpus;

use deploy_edge::payload::{self, Kind};
use deploy_edge::signing::{self, SignableRequest};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

/// Every corpus file (tests/corpus.rs checks that none is missing here).
const CORPUS: &[&str] = &[
    include_str!("corpus/application.batch_delete.json"),
    include_str!("corpus/application.create.json"),
    include_str!("corpus/application.disable.json"),
    include_str!("corpus/application.exist.json"),
    include_str!("corpus/application.list.json"),
    include_str!("corpus/application.update.json"),
    include_str!("corpus/environment.create.json"),
    include_str!("corpus/environment.hosts.json"),
    include_str!("corpus/environment.import_hosts.json"),
    include_str!("corpus/environment.list.json"),
    include_str!("corpus/host.create.json"),
    include_str!("corpus/host.list.json"),
    include_str!("corpus/host_cluster.create.json"),
    include_str!("corpus/host_cluster.list.json"),
    include_str!("corpus/host_cluster.update.json"),
    include_str!("corpus/software_config.create.json"),
    include_str!("corpus/software_config.list.json"),
    include_str!("corpus/software_deployment.create.json"),
    include_str!("corpus/software_deployment.list.json"),
    include_str!("corpus/software_deployment.update.json"),
    include_str!("corpus/task.history.json"),
    include_str!("corpus/task.params.json"),
    include_str!("corpus/task.start.json"),
    include_str!("corpus/task.state.json"),
    include_str!("corpus/task.stop.json"),
    include_str!("corpus/template.validate.json"),
];

#[wasm_bindgen_test]
fn the_core_in_wasm_gives_every_corpus_verdict() {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut kinds = Vec::new();
    for text in CORPUS {
        let (k, n, mut f) = corpus::check_file(text);
        kinds.extend(k);
        count += n;
        failures.append(&mut f);
    }
    assert!(count >= 80, "only {count} cases");
    for kind in corpus::BODY_KINDS {
        assert!(kinds.contains(kind), "no corpus case for {kind}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test]
fn requests_are_built_with_the_servers_defaults() {
    let (req, _) = payload::build_request(
        Kind::SoftwareDeploymentCreate,
        &json!({"project_id": "95d02433133a4c0a87ba6967474a2ad3", "config_id": "c", "server_id": "s"}),
    )
    .expect("valid");
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.path,
        "/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments"
    );
    assert_eq!(
        req.body.as_deref(),
        Some(
            r#"{"action":"INIT","config_id":"c","server_id":"s","status":"COMPLETE","status_reason":""}"#
        )
    );
}

#[wasm_bindgen_test]
fn the_published_signing_vectors_hold_in_wasm() {
    let headers = vec![
        (
            "Host".to_owned(),
            "service.endpoint.myhuaweicloud.com".to_owned(),
        ),
        ("X-Sdk-Date".to_owned(), "20200608T023900Z".to_owned()),
    ];
    let signed = ["host".to_owned(), "x-sdk-date".to_owned()];
    for (method, body, signature) in [
        (
            "GET",
            &b""[..],
            "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842",
        ),
        (
            "POST",
            &br#"{"name":"test","id":1}"#[..],
            "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f",
        ),
    ] {
        let req = SignableRequest {
            method,
            path: "/resources",
            query: "size=1",
            headers: &headers,
            body,
        };
        let auth = signing::sign(&req, "AccessKey", b"SecretKey", "20200608T023900Z", &signed);
        assert!(auth.ends_with(signature), "{method}: {auth}");
    }
}

#[wasm_bindgen_test]
fn dates_format_without_the_system_clock() {
    // SystemTime::now() panics on wasm32-unknown-unknown; the signer only formats given times.
    assert_eq!(signing::format_sdk_date(1_591_583_940), "20200608T023900Z");
}
