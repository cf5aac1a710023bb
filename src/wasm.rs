//! The npm package's wasm-bindgen API: a thin layer over [`crate::payload`] and
//! [`crate::signing`] that only converts values between JavaScript and Rust.
//!
//! Payloads cross the boundary as JSON text: a JS object is turned into text by the engine's own
//! `JSON.stringify` and parsed here by serde_json. That is several times faster than walking the
//! object property by property (serde-wasm-bindgen), and it validates exactly what `fetch` would
//! send (keys whose value is `undefined` disappear, `Date`s become strings, ...). The package's
//! `validate` writes texts of up to 2,048 units straight into one buffer in this module's memory
//! ([`input_buffer`], with `TextEncoder.encodeInto`) and names the kind by its index
//! ([`validate_input`]): 1.1 to 1.6 times the calls per second of handing the text and the kind
//! over as strings (`bench/validator/ab.mjs`).
//! Reports go back encoded in this module's memory ([`answer`], [`Output`]): nothing for the
//! common verdict, valid without warnings, else a table of numbers and one text, which the JS entry
//! decodes; `buildRequest`'s result is one `JSON.parse` of a string built by serde_json.

use crate::payload::{self, BuiltRequest, Kind};
use crate::signing;
use crate::validate::{Param, Report, Rule};
use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn kind_of(kind: &JsValue) -> Result<Kind, JsValue> {
    let Some(name) = kind.as_string() else {
        let known: Vec<&str> = Kind::names().collect();
        return Err(type_error(&format!(
            "kind must be a string; known kinds: {}",
            known.join(", ")
        )));
    };
    Kind::parse(&name).map_err(|e| js_error(&e.to_string()))
}

/// The payload as JSON text: strings are taken as JSON already, anything else goes through
/// `JSON.stringify`. `Err` carries the report for a value that has no JSON form.
fn payload_text(payload: &JsValue) -> Result<String, Report> {
    if let Some(text) = payload.as_string() {
        return Ok(text);
    }
    let mut report = Report::default();
    // UTF-8 JSON text as bytes (a request body as read; also how the JS wrapper hands over long
    // texts, since copying bytes in is much faster than wasm-bindgen's string copy).
    let bytes = if let Some(a) = payload.dyn_ref::<Uint8Array>() {
        Some(a.to_vec())
    } else if payload.is_instance_of::<js_sys::ArrayBuffer>() {
        Some(Uint8Array::new(payload).to_vec())
    } else {
        None
    };
    if let Some(bytes) = bytes {
        return String::from_utf8(bytes).map_err(|_| not_utf8());
    }
    match JSON::stringify(payload) {
        Ok(text) => match text.as_string() {
            Some(text) => Ok(text),
            // undefined, a function or a symbol: nothing would be sent.
            None => {
                report.error("", Rule::Required, "is required (send a JSON document)");
                Err(report)
            }
        },
        Err(e) => {
            let why = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| "JSON.stringify failed".to_owned());
            report.error(
                "",
                Rule::InvalidJson,
                format_args!("cannot be serialised as JSON ({why})"),
            );
            Err(report)
        }
    }
}

/// Validates `payload` (an object, an array, a JSON string, or UTF-8 JSON bytes as a `Uint8Array`
/// or `ArrayBuffer`) as the body of a `kind` request, giving the report the Worker computes for
/// the same body, as [`answer`] writes it. Throws an `Error` naming the known kinds for an unknown
/// kind.
#[wasm_bindgen(skip_typescript)]
pub fn validate(kind: JsValue, payload: JsValue) -> Result<usize, JsValue> {
    let kind = kind_of(&kind)?;
    let report = match payload_text(&payload) {
        Ok(text) => payload::validate_json(kind, &text),
        Err(report) => report,
    };
    Ok(answer(&report))
}

thread_local! {
    /// The text of the next [`validate_input`], written by the JS entry straight into the module's
    /// memory (`TextEncoder.encodeInto`): no allocation and no per-character copy per call.
    static INPUT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The address of an input buffer of at least `len` bytes (kept for later calls; it moves only
/// when it grows).
#[wasm_bindgen(js_name = inputBuffer, skip_typescript)]
pub fn input_buffer(len: usize) -> *mut u8 {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        if b.len() < len {
            b.resize(len, 0);
        }
        b.as_mut_ptr()
    })
}

/// The module's memory, where [`input_buffer`] lives.
#[wasm_bindgen(js_name = moduleMemory, skip_typescript)]
pub fn module_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// [`validate`] of the first `len` bytes of the input buffer (UTF-8 JSON text), for the kind at
/// `kind` in [`kinds`]'s order.
#[wasm_bindgen(js_name = validateInput, skip_typescript)]
pub fn validate_input(kind: usize, len: usize) -> Result<usize, JsValue> {
    let kind = Kind::kinds()
        .nth(kind)
        .ok_or_else(|| js_error("no kind at that index"))?;
    let report = INPUT.with(|b| {
        let b = b.borrow();
        match b.get(..len).map(std::str::from_utf8) {
            Some(Ok(text)) => payload::validate_json(kind, text),
            _ => not_utf8(),
        }
    });
    Ok(answer(&report))
}

/// The report on bytes that are not UTF-8 text.
fn not_utf8() -> Report {
    let mut report = Report::default();
    report.error("", Rule::InvalidJson, "is not valid UTF-8");
    report
}

/// A verdict for the JS entry: 0 for the common one, valid without warnings, which the entry
/// writes as a literal; else the length of its table in the output buffer ([`Output`]), which
/// the entry decodes into `{ valid, errors: [{path, code, message, params}], warnings }`.
fn answer(report: &Report) -> usize {
    if report.is_valid() && report.warnings.is_empty() {
        return 0;
    }
    encoded(report)
}

/// Writes `report` into the output buffer; the length of its table.
fn encoded(report: &Report) -> usize {
    OUTPUT.with(|out| out.borrow_mut().encode(report))
}

thread_local! {
    static OUTPUT: std::cell::RefCell<Output> = const {
        std::cell::RefCell::new(Output { table: Vec::new(), text: Vec::new() })
    };
}

/// The last verdict [`answer`] wrote: every string of it in one UTF-8 text, which the JS entry
/// decodes once and cuts by the UTF-16 lengths in a table of numbers. One crossing for the whole
/// report, where building it as JS objects from here took a call per string and per property
/// (1.4 to 1.5 times the calls per second on invalid payloads, `bench/validator/ab.mjs`).
///
/// The table: the text's address and byte length; valid (0 or 1); the error count and the warning
/// count; then for each error, then each warning: path, code, message,
/// param count, and for each param its name, a tag (0 text, 1 number, 2 list) and its value (a
/// string; a number; a count and that many strings). A string is its length in UTF-16 units.
struct Output {
    table: Vec<f64>,
    text: Vec<u8>,
}

impl Output {
    /// Writes `report`; the table's length.
    fn encode(&mut self, report: &Report) -> usize {
        self.table.clear();
        self.text.clear();
        self.table.extend([
            0.0,
            0.0,
            f64::from(u8::from(report.is_valid())),
            report.errors.len() as f64,
            report.warnings.len() as f64,
        ]);
        for e in report.errors.iter().chain(&report.warnings) {
            self.string(&e.path);
            self.string(e.code().as_str());
            self.string(&e.message);
            let params = e.rule.params();
            self.table.push(params.len() as f64);
            for (name, value) in params {
                self.string(name);
                match value {
                    Param::Text(t) => {
                        self.table.push(0.0);
                        self.string(t);
                    }
                    Param::Number(n) => self.table.extend([1.0, n as f64]),
                    Param::List(items) => {
                        self.table.extend([2.0, items.len() as f64]);
                        for item in items {
                            self.string(item);
                        }
                    }
                }
            }
        }
        self.table[0] = self.text.as_ptr() as usize as f64;
        self.table[1] = self.text.len() as f64;
        self.table.len()
    }

    fn string(&mut self, s: &str) {
        self.text.extend_from_slice(s.as_bytes());
        let units = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        self.table.push(units as f64);
    }
}

/// The address of the table [`answer`] last wrote.
#[wasm_bindgen(js_name = outputTable, skip_typescript)]
pub fn output_table() -> *const f64 {
    OUTPUT.with(|out| out.borrow().table.as_ptr())
}

/// Builds `{ method, path, headers, body }` for a `kind` request from `input` (the body plus the
/// ids that go in the path). Throws an `Error` whose `errors` (and `warnings`) list the problems.
#[wasm_bindgen(js_name = buildRequest, skip_typescript)]
pub fn build_request(kind: JsValue, input: JsValue) -> Result<JsValue, JsValue> {
    let kind = kind_of(&kind)?;
    let built = payload_text(&input)
        .and_then(|text| payload::parse_body_text(&text))
        .and_then(|value| payload::build_request(kind, &value));
    match built {
        Ok((req, _warnings)) => request_to_js(&req),
        Err(report) => Err(invalid(kind, &report)),
    }
}

fn request_to_js(req: &BuiltRequest) -> Result<JsValue, JsValue> {
    let headers = crate::domain::json_object(
        req.headers()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.into())),
    );
    // Written by hand to keep fetch's order (serde_json's maps sort their keys).
    let text = format!(
        r#"{{"method":{},"path":{},"headers":{},"body":{}}}"#,
        serde_json::Value::from(req.method),
        serde_json::Value::from(req.path.as_str()),
        serde_json::Value::Object(headers),
        req.body
            .as_deref()
            .map_or(serde_json::Value::Null, serde_json::Value::from),
    );
    JSON::parse(&text)
}

/// The `Error` a build throws: its message lists the problems, and `verdict` is [`answer`]'s,
/// which the JS entry decodes into the error's `errors` and `warnings`.
fn invalid(kind: Kind, report: &Report) -> JsValue {
    let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    let err = js_sys::Error::new(&format!("invalid {kind} request: {}", messages.join("; ")));
    let _ = Reflect::set(
        &err,
        &"verdict".into(),
        &JsValue::from(encoded(report) as u32),
    );
    err.into()
}

/// Every kind name, in a fresh array.
#[wasm_bindgen(skip_typescript)]
pub fn kinds() -> Array {
    Kind::names().map(JsValue::from_str).collect()
}

/// The enums and limits validation applies ([`crate::rules::rules`]), as a fresh object.
#[wasm_bindgen(skip_typescript)]
pub fn rules() -> Result<JsValue, JsValue> {
    JSON::parse(&crate::rules::rules_json())
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn optional_string(obj: &JsValue, key: &str, what: &str) -> Result<Option<String>, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| type_error(&format!("{what}.{key} must be a string")))
}

/// Reads headers given as a plain object, a `Headers`/`Map` (anything iterable of pairs) or an
/// array of `[name, value]` pairs.
fn read_headers(headers: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if headers.is_undefined() || headers.is_null() {
        return Ok(Vec::new());
    }
    let pairs: Vec<JsValue> = if let Some(iter) = js_sys::try_iter(headers)? {
        iter.collect::<Result<_, _>>()?
    } else if headers.is_object() {
        Object::entries(headers.unchecked_ref()).iter().collect()
    } else {
        return Err(type_error("request.headers must be an object"));
    };
    pairs
        .into_iter()
        .map(|pair| {
            let name = Reflect::get_u32(&pair, 0)?.as_string();
            let value = Reflect::get_u32(&pair, 1)?.as_string();
            match (name, value) {
                (Some(n), Some(v)) => Ok((n, v)),
                _ => Err(type_error("request.headers values must be strings")),
            }
        })
        .collect()
}

fn body_bytes(body: &JsValue) -> Result<Vec<u8>, JsValue> {
    if body.is_undefined() || body.is_null() {
        Ok(Vec::new())
    } else if let Some(s) = body.as_string() {
        Ok(s.into_bytes())
    } else if let Some(a) = body.dyn_ref::<Uint8Array>() {
        Ok(a.to_vec())
    } else if body.is_instance_of::<js_sys::ArrayBuffer>() {
        Ok(Uint8Array::new(body).to_vec())
    } else {
        Err(type_error(
            "request.body must be a string, a Uint8Array, an ArrayBuffer or null",
        ))
    }
}

/// `X-Sdk-Date` for `credentials.date`: a `YYYYMMDDTHHMMSSZ` string, a `Date`, milliseconds since
/// the epoch, or (absent) now.
fn sdk_date(date: &JsValue) -> Result<String, JsValue> {
    let ms = if date.is_undefined() || date.is_null() {
        js_sys::Date::now()
    } else if let Some(s) = date.as_string() {
        signing::parse_sdk_date(&s).map_err(|_| {
            type_error("credentials.date must be YYYYMMDDTHHMMSSZ, a Date or a number")
        })?;
        return Ok(s);
    } else if let Some(d) = date.dyn_ref::<js_sys::Date>() {
        d.get_time()
    } else if let Some(n) = date.as_f64() {
        n
    } else {
        return Err(type_error(
            "credentials.date must be YYYYMMDDTHHMMSSZ, a Date or a number",
        ));
    };
    if !ms.is_finite() {
        return Err(type_error("credentials.date is not a valid date"));
    }
    Ok(signing::format_sdk_date((ms / 1000.0).floor() as i64))
}

/// Signs a request with an AK/SK pair (`SDK-HMAC-SHA256`, as the Huawei SDKs do) and returns a
/// copy with `X-Sdk-Date`, `X-Project-Id` (when `projectId` is given) and `Authorization` added.
/// Which headers are signed, and where `host` comes from (a `host` header, else `request.path`
/// when it is an absolute URL): [`signing::sign_request`].
#[wasm_bindgen(js_name = signRequest, skip_typescript)]
pub fn sign_request(request: JsValue, credentials: JsValue) -> Result<JsValue, JsValue> {
    if !request.is_object() {
        return Err(type_error("request must be an object"));
    }
    if !credentials.is_object() {
        return Err(type_error("credentials must be an object"));
    }
    let access_key = optional_string(&credentials, "accessKey", "credentials")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| type_error("credentials.accessKey is required"))?;
    let secret_key = optional_string(&credentials, "secretKey", "credentials")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| type_error("credentials.secretKey is required"))?;
    let project_id = optional_string(&credentials, "projectId", "credentials")?;
    let date = sdk_date(&get(&credentials, "date"))?;

    let method = optional_string(&request, "method", "request")?.unwrap_or_else(|| "GET".into());
    let target = optional_string(&request, "path", "request")?
        .or(optional_string(&request, "url", "request")?)
        .ok_or_else(|| type_error("request.path is required"))?;
    let body = body_bytes(&get(&request, "body"))?;
    let headers = read_headers(&get(&request, "headers"))?;
    let credentials = signing::ClientCredentials {
        access_key: &access_key,
        secret_key: secret_key.as_bytes(),
        project_id: project_id.as_deref(),
        date: &date,
    };
    let headers = signing::sign_request(&method, &target, headers, &body, &credentials);

    let out = Object::assign(&Object::new(), request.unchecked_ref());
    let header_obj = Object::new();
    for (k, v) in &headers {
        Reflect::set(&header_obj, &k.into(), &v.into())?;
    }
    Reflect::set(&out, &"headers".into(), &header_obj)?;
    Ok(out.into())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    //! The JS-facing layer, run by wasm-bindgen-test in Node and Chromium (scripts/test-wasm.sh).
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn js(text: &str) -> JsValue {
        JSON::parse(text).expect("test JSON")
    }

    fn text(v: &JsValue) -> String {
        JSON::stringify(v).expect("stringify").into()
    }

    fn s(v: &str) -> JsValue {
        JsValue::from_str(v)
    }

    /// The verdict `answer` gave, read back from the output buffer the way the JS entry reads it
    /// (pkg-template/index.js `verdict`), as JSON text with the keys in the entry's order.
    fn reported(length: usize) -> String {
        if length == 0 {
            return r#"{"valid":true,"errors":[],"warnings":[]}"#.into();
        }
        OUTPUT.with(|out| {
            let out = out.borrow();
            let table = &out.table[..length];
            assert_eq!(table[0], out.text.as_ptr() as usize as f64);
            let text = std::str::from_utf8(&out.text[..table[1] as usize]).unwrap();
            let mut r = Reader {
                table,
                units: text.encode_utf16().collect(),
                t: 5,
                at: 0,
            };
            let errors = r.items(table[3]);
            let warnings = r.items(table[4]);
            format!(
                r#"{{"valid":{},"errors":{errors},"warnings":{warnings}}}"#,
                table[2] == 1.0
            )
        })
    }

    /// A cursor over an encoded verdict: the table, and the text as UTF-16 units.
    struct Reader<'a> {
        table: &'a [f64],
        units: Vec<u16>,
        t: usize,
        at: usize,
    }

    impl Reader<'_> {
        fn number(&mut self) -> f64 {
            self.t += 1;
            self.table[self.t - 1]
        }

        /// The next string, as a JSON string.
        fn string(&mut self) -> String {
            let n = self.number() as usize;
            self.at += n;
            let s = String::from_utf16(&self.units[self.at - n..self.at]).unwrap();
            serde_json::Value::from(s).to_string()
        }

        /// `count` items as a JSON array: `{path, code, message}` and `params` when there are any.
        fn items(&mut self, count: f64) -> String {
            let items: Vec<String> = (0..count as usize)
                .map(|_| {
                    let (path, code, message) = (self.string(), self.string(), self.string());
                    let mut item = format!(r#"{{"path":{path},"code":{code},"message":{message}"#);
                    let params: Vec<String> = (0..self.number() as usize)
                        .map(|_| {
                            let name = self.string();
                            let value = match self.number() as u8 {
                                0 => self.string(),
                                1 => (self.number() as i64).to_string(),
                                _ => {
                                    let values: Vec<String> = (0..self.number() as usize)
                                        .map(|_| self.string())
                                        .collect();
                                    format!("[{}]", values.join(","))
                                }
                            };
                            format!("{name}:{value}")
                        })
                        .collect();
                    if !params.is_empty() {
                        item.push_str(&format!(r#","params":{{{}}}"#, params.join(",")));
                    }
                    item.push('}');
                    item
                })
                .collect();
            format!("[{}]", items.join(","))
        }
    }

    #[wasm_bindgen_test]
    fn objects_and_json_text_give_the_same_verdict() {
        let body = r#"{"status":"DONE","server_id":1,"extra":true}"#;
        let a = reported(validate(s("software_deployment.create"), js(body)).unwrap());
        let b = reported(validate(s("software_deployment.create"), s(body)).unwrap());
        assert_eq!(a, b);
        assert_eq!(
            a,
            concat!(
                r#"{"valid":false,"errors":["#,
                r#"{"path":"/config_id","code":"required","message":"config_id is required"},"#,
                r#"{"path":"/server_id","code":"type","message":"server_id must be a string, not a number","params":{"expected":"string"}},"#,
                r#"{"path":"/status","code":"enum","message":"status must be one of: COMPLETE, IN_PROGRESS, FAILED","params":{"allowed":["COMPLETE","IN_PROGRESS","FAILED"]}}],"#,
                r#""warnings":[{"path":"/extra","code":"unknown_field","message":"extra is not read by the server and will be ignored"}]}"#
            )
        );
    }

    #[wasm_bindgen_test]
    fn reports_read_back_from_the_output_buffer_are_the_reports_serde_writes() {
        let body = format!(
            r#"{{"name":"x","inputs":[{{"name":"a","type":"Strng"}}],"outputs":{{}},"options":1,"group":"{}","x":1}}"#,
            "g".repeat(256)
        );
        let body = body.as_str();
        let js_report = reported(validate(s("software_config.create"), s(body)).unwrap());
        let report = payload::validate_json(Kind::SoftwareConfigCreate, body);
        assert!(report.errors.len() >= 4, "{report:?}");
        let serde = format!(
            r#"{{"valid":false,"errors":{},"warnings":{}}}"#,
            serde_json::to_string(&report.errors).unwrap(),
            serde_json::to_string(&report.warnings).unwrap()
        );
        assert_eq!(js_report, serde);
    }

    #[wasm_bindgen_test]
    fn utf8_bytes_are_json_text_too() {
        let body = r#"{"name":"é","inputs":[{"type":"x"}]}"#;
        let from_text = reported(validate(s("software_config.create"), s(body)).unwrap());
        let bytes = Uint8Array::from(body.as_bytes());
        let from_bytes =
            reported(validate(s("software_config.create"), bytes.clone().into()).unwrap());
        let from_buffer =
            reported(validate(s("software_config.create"), bytes.buffer().into()).unwrap());
        assert_eq!(from_text, from_bytes);
        assert_eq!(from_text, from_buffer);
        let bad = reported(
            validate(
                s("software_config.create"),
                Uint8Array::from(&[0xff, 0xfe][..]).into(),
            )
            .unwrap(),
        );
        assert!(
            bad.contains(r#""code":"invalid_json","message":"body is not valid UTF-8""#),
            "{bad}"
        );
    }

    #[wasm_bindgen_test]
    fn values_without_a_json_form_are_reported_not_thrown() {
        let r = reported(validate(s("application.disable"), JsValue::UNDEFINED).unwrap());
        assert!(r.contains(r#""path":"","code":"required""#), "{r}");
        let bigint = js_sys::BigInt::from(1u32).into();
        let r = reported(validate(s("application.disable"), bigint).unwrap());
        assert!(r.contains(r#""code":"invalid_json""#), "{r}");
        let r = reported(validate(s("application.disable"), s("{oops")).unwrap());
        assert!(r.contains(r#""code":"invalid_json""#), "{r}");
    }

    #[wasm_bindgen_test]
    fn an_unknown_kind_throws_an_error_naming_the_known_kinds() {
        let e = validate(s("software_config.remove"), js("{}")).unwrap_err();
        let e: js_sys::Error = e.dyn_into().expect("an Error");
        let msg = String::from(e.message());
        assert!(msg.contains("software_config.remove"), "{msg}");
        assert!(msg.contains("application.batch_delete"), "{msg}");
        let e = validate(JsValue::from(3), js("{}")).unwrap_err();
        assert!(e.is_instance_of::<js_sys::TypeError>());
    }

    #[wasm_bindgen_test]
    fn build_request_returns_a_fetch_init_or_throws_the_errors() {
        let r = build_request(
            s("software_deployment.update"),
            js(r#"{"project_id":"95d02433133a4c0a87ba6967474a2ad3","id":"d1","status":"FAILED"}"#),
        )
        .unwrap();
        assert_eq!(
            text(&r),
            r#"{"method":"PUT","path":"/v1/95d02433133a4c0a87ba6967474a2ad3/software_deployments/d1","headers":{"Accept":"application/json","Content-Type":"application/json"},"body":"{\"status\":\"FAILED\"}"}"#
        );
        let e = build_request(s("application.disable"), js(r#"{"is_disable":1}"#)).unwrap_err();
        let verdict = Reflect::get(&e, &s("verdict")).unwrap().as_f64().unwrap();
        assert_eq!(
            reported(verdict as usize),
            r#"{"valid":false,"errors":[{"path":"/app_id","code":"required","message":"app_id is required"},{"path":"/is_disable","code":"type","message":"is_disable must be a boolean, not a number","params":{"expected":"boolean"}}],"warnings":[]}"#
        );
        assert!(e.is_instance_of::<js_sys::Error>());
    }

    #[wasm_bindgen_test]
    fn sign_request_matches_the_published_vectors() {
        let creds =
            js(r#"{"accessKey":"AccessKey","secretKey":"SecretKey","date":"20200608T023900Z"}"#);
        let get = sign_request(
            js(r#"{"method":"GET","path":"https://service.endpoint.myhuaweicloud.com/resources?size=1"}"#),
            creds.clone(),
        )
        .unwrap();
        let auth = Reflect::get(
            &Reflect::get(&get, &s("headers")).unwrap(),
            &s("Authorization"),
        )
        .unwrap()
        .as_string()
        .unwrap();
        assert_eq!(
            auth,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );
        // The host from a header instead of the URL, the body as bytes.
        let post = js(
            r#"{"method":"POST","path":"/resources?size=1","headers":[["Host","service.endpoint.myhuaweicloud.com"]]}"#,
        );
        let body = Uint8Array::from(&br#"{"name":"test","id":1}"#[..]);
        Reflect::set(&post, &s("body"), &body).unwrap();
        let signed = sign_request(post, creds).unwrap();
        let auth = Reflect::get(
            &Reflect::get(&signed, &s("headers")).unwrap(),
            &s("Authorization"),
        )
        .unwrap()
        .as_string()
        .unwrap();
        assert!(
            auth.ends_with(
                "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
            ),
            "{auth}"
        );
    }

    #[wasm_bindgen_test]
    fn sign_request_replaces_its_own_headers_and_rejects_bad_input() {
        let signed = sign_request(
            js(r#"{"path":"http://h/x","headers":{"authorization":"old","X-SDK-DATE":"old"}}"#),
            js(r#"{"accessKey":"a","secretKey":"b","projectId":"p","date":0}"#),
        )
        .unwrap();
        let h = text(&Reflect::get(&signed, &s("headers")).unwrap());
        assert!(h.starts_with(r#"{"X-Sdk-Date":"19700101T000000Z","X-Project-Id":"p","Authorization":"SDK-HMAC-SHA256 Access=a, SignedHeaders=host;x-project-id;x-sdk-date, "#), "{h}");
        for creds in [
            r#"{"secretKey":"b"}"#,
            r#"{"accessKey":"a","secretKey":"b","date":"yesterday"}"#,
        ] {
            let e = sign_request(js(r#"{"path":"/"}"#), js(creds)).unwrap_err();
            assert!(e.is_instance_of::<js_sys::TypeError>(), "{creds}");
        }
    }

    #[wasm_bindgen_test]
    fn kinds_lists_every_kind() {
        let k = kinds();
        assert_eq!(k.length() as usize, Kind::kinds().count());
        assert_eq!(
            k.get(0).as_string(),
            Kind::names().next().map(str::to_owned)
        );
    }

    #[wasm_bindgen_test]
    fn rules_is_the_document_rules_json_writes() {
        let r = rules().unwrap();
        assert_eq!(text(&r), crate::rules::rules_json());
    }
}
