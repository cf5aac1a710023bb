//! Alternative ways across the JS/wasm boundary for the same validation, and its phases, for the
//! benchmark only. `validate` itself (the package's) is exported by deploy-edge and comes along.

use deploy_edge::payload::{self, Kind};
use deploy_edge::validate::{FieldError, Report};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct Verdict<'a> {
    valid: bool,
    errors: &'a [FieldError],
    warnings: &'a [FieldError],
}

fn verdict(report: &Report) -> Verdict<'_> {
    Verdict {
        valid: report.is_valid(),
        errors: &report.errors,
        warnings: &report.warnings,
    }
}

fn kind(name: &str) -> Result<Kind, JsValue> {
    Kind::parse(name).map_err(|e| JsValue::from_str(&e.to_string()))
}

fn text_of(payload: &JsValue) -> Result<String, JsValue> {
    match payload.as_string() {
        Some(t) => Ok(t),
        None => Ok(js_sys::JSON::stringify(payload)?.into()),
    }
}

fn out_walk(report: &Report) -> Result<JsValue, JsValue> {
    verdict(report)
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(JsValue::from)
}

/// serde-wasm-bindgen both ways: the object walked property by property into a `Value`, the
/// report built as JS objects by serde.
#[wasm_bindgen(js_name = validateWalk)]
pub fn validate_walk(name: &str, payload: JsValue) -> Result<JsValue, JsValue> {
    let value: serde_json::Value = serde_wasm_bindgen::from_value(payload)?;
    out_walk(&payload::validate(kind(name)?, &value))
}

/// JSON text in (as shipped), serde-wasm-bindgen out.
#[wasm_bindgen(js_name = validateTextInWalkOut)]
pub fn validate_text_in_walk_out(name: &str, payload: JsValue) -> Result<JsValue, JsValue> {
    out_walk(&payload::validate_json(kind(name)?, &text_of(&payload)?))
}

/// JSON text in, serde_json text + `JSON.parse` out (the package's first version).
#[wasm_bindgen(js_name = validateTextInTextOut)]
pub fn validate_text_in_text_out(name: &str, payload: JsValue) -> Result<JsValue, JsValue> {
    let report = payload::validate_json(kind(name)?, &text_of(&payload)?);
    let text = serde_json::to_string(&verdict(&report)).map_err(|e| e.to_string())?;
    js_sys::JSON::parse(&text)
}

/// Phase: the JSON text copied into wasm memory, nothing else.
#[wasm_bindgen(js_name = transferOnly)]
pub fn transfer_only(text: String) -> usize {
    text.len()
}

/// Phase: the text copied in and parsed into a `serde_json::Value`.
#[wasm_bindgen(js_name = parseOnly)]
pub fn parse_only(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok()
}

/// Phase: the text copied into wasm as UTF-8 bytes (what the package's JS entry does for texts
/// over 2,048 units), nothing else.
#[wasm_bindgen(js_name = transferBytes)]
pub fn transfer_bytes(bytes: &[u8]) -> usize {
    bytes.len()
}
