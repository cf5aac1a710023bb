//! The validation vocabulary shared by the Worker, the native tests and the npm package.
//!
//! Validators walk a `serde_json::Value` and collect every problem, in document order, as a
//! [`FieldError`] whose `path` is a JSON pointer (RFC 6901) into the payload. Nothing stops at the
//! first error, so a form can show every message at once.
//!
//! - `report`: [`Code`], [`Rule`] (with its params), [`FieldError`], [`Report`], [`Expected`];
//! - `fields`: [`Fields`], [`StrRule`], [`Choice`] and the checks each field type gets;
//! - `json`: [`parse_json`], strict about duplicate keys and nesting.

mod fields;
mod json;
mod report;

pub use fields::*;
pub use json::*;
pub use report::*;

use serde_json::Value;

/// The JSON pointer of `key` inside the object at `parent` (escaping `~` and `/`).
pub fn child(parent: &str, key: &str) -> String {
    let mut out = String::with_capacity(parent.len() + key.len() + 1);
    out.push_str(parent);
    out.push('/');
    for ch in key.chars() {
        match ch {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The JSON pointer of item `index` of the array at `parent`.
pub fn item(parent: &str, index: usize) -> String {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(index);
    let mut out = String::with_capacity(parent.len() + 1 + digits.len());
    out.push_str(parent);
    out.push('/');
    out.push_str(digits);
    out
}

/// Appends a readable name for a JSON pointer to `out`: `/inputs/0/type` → `inputs[0].type`;
/// `""` → `body`.
pub fn write_display_path(out: &mut String, pointer: &str) {
    if pointer.is_empty() {
        out.push_str("body");
        return;
    }
    for (i, raw) in pointer.split('/').skip(1).enumerate() {
        let seg = if raw.contains('~') {
            std::borrow::Cow::Owned(raw.replace("~1", "/").replace("~0", "~"))
        } else {
            std::borrow::Cow::Borrowed(raw)
        };
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(if i == 0 { "item " } else { "[" });
            out.push_str(&seg);
            if i > 0 {
                out.push(']');
            }
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
}

/// The name of a JSON value's type, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Character count, as the Huawei docs and JSON Schema count lengths (not bytes).
pub fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        assert_eq!(child("", "a/b~c"), "/a~1b~0c");
        assert_eq!(item("/inputs", 3), "/inputs/3");
    }

    #[test]
    fn display_paths_read_like_code() {
        let display_path = |pointer: &str| {
            let mut out = String::new();
            write_display_path(&mut out, pointer);
            out
        };
        assert_eq!(display_path("/inputs/0/type"), "inputs[0].type");
        assert_eq!(display_path("/0/server_id"), "item 0.server_id");
        assert_eq!(display_path(""), "body");
        assert_eq!(display_path("/a~1b"), "a/b");
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut r = Report::default();
        assert!(check_str("ééé", "/x", StrRule::optional(3), &mut r));
        assert!(!check_str("éééé", "/x", StrRule::optional(3), &mut r));
        assert_eq!(r.errors[0].code(), Code::TooLong);
        assert_eq!(r.errors[0].message, "x must be at most 3 characters");
    }

    #[test]
    fn every_problem_is_collected_in_document_order() {
        let v = json!({"a": 1, "b": "x", "c": "long string"});
        let mut r = Report::default();
        let mut f = Fields::of(&v, "", &mut r).unwrap();
        f.str("a", StrRule::optional(10));
        f.bool("b", false);
        f.str("c", StrRule::optional(4));
        f.str("d", StrRule::required(4));
        let codes: Vec<_> = r
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.code()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("/a", Code::Type),
                ("/b", Code::Type),
                ("/c", Code::TooLong),
                ("/d", Code::Required)
            ]
        );
    }

    #[test]
    fn each_error_carries_the_parameters_of_its_rule() {
        let v = json!({
            "s": 1, "long": "abcd", "e": "c", "n": 7, "f": 1.5, "a": [1, 2, 3], "p": "no", "o": [],
            "b": "yes", "extra": true
        });
        let mut r = Report::default();
        let mut f = Fields::of(&v, "", &mut r).unwrap();
        f.unknown_keys(
            &["s", "long", "e", "n", "f", "a", "p", "o", "b", "short"],
            true,
        );
        f.str("s", StrRule::optional(3));
        f.str("long", StrRule::optional(3));
        f.str("short", StrRule::required(3));
        f.one_of("e", &["a", "b"], false);
        f.int("n", false, 1, 5);
        f.int("f", false, 1, 5);
        f.array("a", false, 2);
        f.str(
            "p",
            StrRule::optional(9).pattern(|s| s == "yes", "the word yes"),
        );
        f.object("o", false);
        f.bool("b", false);
        let got: Vec<Value> = r.errors.iter().map(|e| json!(e)).collect();
        assert_eq!(
            got,
            vec![
                json!({"path": "/extra", "code": "unknown_field",
                    "message": "extra is not a known field (known: s, long, e, n, f, a, p, o, b, short)"}),
                json!({"path": "/s", "code": "type", "message": "s must be a string, not a number",
                    "params": {"expected": "string"}}),
                json!({"path": "/long", "code": "too_long", "message": "long must be at most 3 characters",
                    "params": {"limit": 3}}),
                json!({"path": "/short", "code": "required", "message": "short is required"}),
                json!({"path": "/e", "code": "enum", "message": "e must be one of: a, b",
                    "params": {"allowed": ["a", "b"]}}),
                json!({"path": "/n", "code": "out_of_range", "message": "n must be between 1 and 5",
                    "params": {"min": 1, "max": 5}}),
                json!({"path": "/f", "code": "type", "message": "f must be a whole number",
                    "params": {"expected": "integer"}}),
                json!({"path": "/a", "code": "too_long", "message": "a must have at most 2 items",
                    "params": {"limit": 2}}),
                json!({"path": "/p", "code": "pattern", "message": "p must be the word yes",
                    "params": {"pattern": "the word yes"}}),
                json!({"path": "/o", "code": "type", "message": "o must be a JSON object, not an array",
                    "params": {"expected": "object"}}),
                json!({"path": "/b", "code": "type", "message": "b must be a boolean, not a string",
                    "params": {"expected": "boolean"}}),
            ]
        );
        let mut r = Report::default();
        check_str("", "/x", StrRule::required(3), &mut r);
        check_str("ab", "/x", StrRule::required(3).min(3), &mut r);
        let params: Vec<_> = r
            .errors
            .iter()
            .map(|e| (e.code(), e.rule.params()))
            .collect();
        assert_eq!(
            params,
            vec![
                (Code::TooShort, vec![("limit", Param::Number(1))]),
                (Code::TooShort, vec![("limit", Param::Number(3))])
            ]
        );
        let deep = parse_json(&"[".repeat(100)).unwrap_err();
        assert_eq!(
            deep.rule,
            Rule::TooLong {
                limit: MAX_JSON_DEPTH
            }
        );
    }

    #[test]
    fn null_counts_as_absent() {
        let v = json!({"a": null});
        let mut r = Report::default();
        let mut f = Fields::of(&v, "", &mut r).unwrap();
        assert_eq!(f.str("a", StrRule::optional(1)), None);
        assert!(r.is_valid());
    }

    #[test]
    fn a_key_given_twice_is_a_duplicate_at_its_path_at_any_depth() {
        for (text, path) in [
            (r#"{"name": "a", "name": "b"}"#, "/name"),
            (
                r#"{"inputs": [{"name": "x"}, {"name": "y", "type": "String", "name": "z"}]}"#,
                "/inputs/1/name",
            ),
            (r#"[{"a": {"b/c": 1, "b/c": 2}}]"#, "/0/a/b~1c"),
        ] {
            let e = parse_json(text).unwrap_err();
            assert_eq!(
                (e.path.as_str(), e.code()),
                (path, Code::Duplicate),
                "{text}"
            );
        }
        let v = parse_json(r#"{"a": [1, 2.5, -3, true, null, "s", {"a": {}}], "b": {"a": 1}}"#)
            .unwrap();
        assert_eq!(
            v,
            json!({"a": [1, 2.5, -3, true, null, "s", {"a": {}}], "b": {"a": 1}})
        );
        assert_eq!(parse_json("{} x").unwrap_err().code(), Code::InvalidJson);
    }

    #[test]
    fn a_document_nested_deeper_than_the_limit_is_refused_at_the_deep_value() {
        let nested =
            |depth: usize| format!("{{\"config\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse_json(&nested(MAX_JSON_DEPTH - 1)).is_ok());
        let e = parse_json(&nested(MAX_JSON_DEPTH)).unwrap_err();
        let path = format!("/config{}", "/0".repeat(MAX_JSON_DEPTH - 1));
        assert_eq!((e.path.as_str(), e.code()), (path.as_str(), Code::TooLong));
        assert_eq!(parse_json(&nested(126)).unwrap_err().code(), Code::TooLong);
        assert_eq!(
            parse_json(&"[".repeat(10_000)).unwrap_err().code(),
            Code::TooLong
        );
    }

    #[test]
    fn invalid_json_is_reported_at_the_root() {
        let e = parse_json("{\"a\":").unwrap_err();
        assert_eq!(e.path, "");
        assert_eq!(e.code(), Code::InvalidJson);
    }
}
