//! A validated payload as a client sends it (the npm package's `buildRequest`): the body given,
//! normalised by what its parse found, so the normal forms are decided once, by the parse.

use super::request::{ApplicationUpdate, BatchDelete, ExistQuery, ListQuery, NewApplication};
use serde_json::{Map, Value};

/// The validated payload of one CodeArts request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Create(NewApplication),
    Update(ApplicationUpdate),
    List(ListQuery),
    Disable(bool),
    BatchDelete(BatchDelete),
    Exist(ExistQuery),
}

impl Payload {
    /// The body to send: `given` (the body that parsed into `self`) with nulls, which the server
    /// reads as absent, left out at the top level and in `trigger`; `trigger.trigger_source` as the
    /// string the SDK models declare (a number is accepted on input); a listing's `sort_name` and
    /// `sort_by` made explicit, defaults included. Everything else is sent as given.
    pub fn sent_body(&self, given: &Value) -> Value {
        let mut body = given.clone();
        let Value::Object(m) = &mut body else {
            return body;
        };
        *m = without_nulls(std::mem::take(m));
        let trigger = match self {
            Payload::Create(new) => new.trigger.as_ref(),
            Payload::Update(update) => update.trigger.as_ref(),
            _ => None,
        };
        if let (Some(Value::Object(sent)), Some(parsed)) = (m.get_mut("trigger"), trigger) {
            *sent = without_nulls(std::mem::take(sent));
            if let Some(source) = parsed.trigger_source {
                sent.insert("trigger_source".into(), source.as_str().into());
            }
        }
        if let Payload::List(query) = self {
            m.insert("sort_name".into(), query.sort_name.as_str().into());
            m.insert("sort_by".into(), query.sort_by.as_str().into());
        }
        body
    }
}

/// `map` without its null members. Built anew rather than with `retain`: removing from a B-tree
/// brings its rebalancing code, about 4 KB, into the package's wasm for this alone.
fn without_nulls(map: Map<String, Value>) -> Map<String, Value> {
    crate::domain::json_object(map.into_iter().filter(|(_, value)| !value.is_null()))
}

#[cfg(test)]
mod tests {
    use super::super::tests::P;
    use crate::payload::{build_request, Kind};
    use serde_json::{json, Value};

    #[test]
    fn a_built_request_body_keeps_its_bytes() {
        let id = "e".repeat(32);
        let merged = |mut b: Value, extra: Value| {
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        let with = |extra: Value| {
            merged(
                json!({"project_id": P, "name": "abc", "is_draft": false, "create_type": "template"}),
                extra,
            )
        };
        let list = |extra: Value| merged(json!({"project_id": P, "page": 1, "size": 1}), extra);
        let cases = [
            (
                Kind::ApplicationCreate,
                with(
                    json!({"description": null, "group_id": "", "trigger": {"trigger_source": 0, "artifact_type": null}, "timeout": null}),
                ),
                format!(
                    r#"{{"create_type":"template","group_id":"","is_draft":false,"name":"abc","project_id":"{P}","trigger":{{"trigger_source":"0"}}}}"#
                ),
            ),
            (
                Kind::ApplicationCreate,
                with(
                    json!({"trigger": {"trigger_source": null}, "arrange_infos": [{"deploy_system": null, "operation_list": [{"name": null, "params": "{}"}]}]}),
                ),
                format!(
                    r#"{{"arrange_infos":[{{"deploy_system":null,"operation_list":[{{"name":null,"params":"{{}}"}}]}}],"create_type":"template","is_draft":false,"name":"abc","project_id":"{P}","trigger":{{}}}}"#
                ),
            ),
            (
                Kind::ApplicationUpdate,
                with(json!({"id": id, "trigger": {"trigger_source": 1}, "arrange_infos": null})),
                format!(
                    r#"{{"create_type":"template","id":"{id}","is_draft":false,"name":"abc","project_id":"{P}","trigger":{{"trigger_source":"1"}}}}"#
                ),
            ),
            (
                Kind::ApplicationList,
                list(json!({})),
                format!(
                    r#"{{"page":1,"project_id":"{P}","size":1,"sort_by":"DESC","sort_name":"startTime"}}"#
                ),
            ),
            (
                Kind::ApplicationList,
                list(json!({"sort_name": null, "sort_by": null, "search": "", "group_id": ""})),
                format!(
                    r#"{{"group_id":"","page":1,"project_id":"{P}","search":"","size":1,"sort_by":"DESC","sort_name":"startTime"}}"#
                ),
            ),
            (
                Kind::ApplicationList,
                list(json!({"sort_name": "name"})),
                format!(
                    r#"{{"page":1,"project_id":"{P}","size":1,"sort_by":"ASC","sort_name":"name"}}"#
                ),
            ),
            (
                Kind::ApplicationList,
                list(json!({"sort_name": "name", "sort_by": "DESC", "states": []})),
                format!(
                    r#"{{"page":1,"project_id":"{P}","size":1,"sort_by":"DESC","sort_name":"name","states":[]}}"#
                ),
            ),
            (
                Kind::ApplicationDisable,
                json!({"app_id": id, "is_disable": true}),
                r#"{"is_disable":true}"#.to_owned(),
            ),
        ];
        for (kind, input, want) in cases {
            let (req, _) = build_request(kind, &input).unwrap();
            assert_eq!(req.body.as_deref(), Some(want.as_str()), "{kind}");
        }
    }
}
