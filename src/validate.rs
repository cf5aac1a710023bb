//! The validation vocabulary shared by the Worker, the native tests and the npm package.
//!
//! Validators walk a `serde_json::Value` and collect every problem, in document order, as a
//! [`FieldError`] whose `path` is a JSON pointer (RFC 6901) into the payload. Nothing stops at the
//! first error, so a form can show every message at once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// A stable, machine-readable name for the rule a field broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// The field is missing (or null where a value is needed).
    Required,
    /// The field has the wrong JSON type.
    Type,
    /// The field has too many characters or items.
    TooLong,
    /// The field has too few characters or items.
    TooShort,
    /// The field does not match its pattern.
    Pattern,
    /// The field is not one of the allowed values.
    Enum,
    /// A number outside its allowed range.
    OutOfRange,
    /// A key the API does not know (an error where the API rejects it, a warning where it ignores it).
    UnknownField,
    /// The payload is not valid JSON.
    InvalidJson,
    /// A value that must be unique appears twice.
    Duplicate,
}

impl Code {
    /// Every code, in the order the package's `ErrorCode` lists them.
    pub const ALL: [Code; 10] = [
        Code::Required,
        Code::Type,
        Code::TooLong,
        Code::TooShort,
        Code::Pattern,
        Code::Enum,
        Code::OutOfRange,
        Code::UnknownField,
        Code::InvalidJson,
        Code::Duplicate,
    ];

    /// Every code's wire word, in the same order.
    pub const NAMES: [&'static str; 10] = {
        let mut names = [""; 10];
        let mut i = 0;
        while i < names.len() {
            names[i] = Code::ALL[i].as_str();
            i += 1;
        }
        names
    };

    /// The snake_case word used on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::Type => "type",
            Code::TooLong => "too_long",
            Code::TooShort => "too_short",
            Code::Pattern => "pattern",
            Code::Enum => "enum",
            Code::OutOfRange => "out_of_range",
            Code::UnknownField => "unknown_field",
            Code::InvalidJson => "invalid_json",
            Code::Duplicate => "duplicate",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rule a field broke, with the parameters a client needs to say so in its own words (as ajv's
/// and validator's `params` do): the `code` of an error and its `params`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Required,
    /// `expected`: the type the field must have: a JSON type (`string`, `integer`, `boolean`,
    /// `object`, `array`, `object or array`) or, for an input's `default`, its declared Heat type.
    Type {
        expected: &'static str,
    },
    /// At most `limit` characters, items or levels of nesting.
    TooLong {
        limit: usize,
    },
    /// At least `limit` characters or items.
    TooShort {
        limit: usize,
    },
    /// `pattern`: what the pattern accepts, in words (`32 letters and digits`).
    Pattern {
        pattern: &'static str,
    },
    Enum {
        allowed: Vec<String>,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    UnknownField,
    InvalidJson,
    Duplicate,
}

/// The value of one rule parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    Text(&'a str),
    Number(i64),
    List(&'a [String]),
}

impl Serialize for Param<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Param::Text(t) => s.serialize_str(t),
            Param::Number(n) => s.serialize_i64(*n),
            Param::List(items) => items.serialize(s),
        }
    }
}

impl Rule {
    /// `enum`: one of `allowed`.
    pub fn one_of<S: AsRef<str>>(allowed: &[S]) -> Rule {
        Rule::Enum {
            allowed: allowed.iter().map(|a| a.as_ref().to_owned()).collect(),
        }
    }

    /// The code that names the rule.
    pub fn code(&self) -> Code {
        match self {
            Rule::Required => Code::Required,
            Rule::Type { .. } => Code::Type,
            Rule::TooLong { .. } => Code::TooLong,
            Rule::TooShort { .. } => Code::TooShort,
            Rule::Pattern { .. } => Code::Pattern,
            Rule::Enum { .. } => Code::Enum,
            Rule::OutOfRange { .. } => Code::OutOfRange,
            Rule::UnknownField => Code::UnknownField,
            Rule::InvalidJson => Code::InvalidJson,
            Rule::Duplicate => Code::Duplicate,
        }
    }

    /// The rule's parameters as `(name, value)` pairs, in wire order; empty for rules without any.
    pub fn params(&self) -> Vec<(&'static str, Param<'_>)> {
        let count = |n: usize| Param::Number(i64::try_from(n).unwrap_or(i64::MAX));
        match self {
            Rule::Type { expected } => vec![("expected", Param::Text(expected))],
            Rule::TooLong { limit } | Rule::TooShort { limit } => vec![("limit", count(*limit))],
            Rule::Pattern { pattern } => vec![("pattern", Param::Text(pattern))],
            Rule::Enum { allowed } => vec![("allowed", Param::List(allowed))],
            Rule::OutOfRange { min, max } => {
                vec![("min", Param::Number(*min)), ("max", Param::Number(*max))]
            }
            Rule::Required | Rule::UnknownField | Rule::InvalidJson | Rule::Duplicate => Vec::new(),
        }
    }
}

/// One problem with one field: where it is, which rule it broke (with the rule's parameters), and
/// a sentence for people. Serialised as `{path, code, message, params}`, `params` only when the
/// rule has any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer to the field (`/inputs/0/type`); `""` is the whole payload.
    pub path: String,
    /// The rule that was broken.
    pub rule: Rule,
    /// A sentence naming the field and the rule, e.g. `inputs[0].type must be one of: String, Number`.
    pub message: String,
}

impl FieldError {
    /// Builds an error whose message starts with the field's readable name.
    pub fn new(path: &str, rule: Rule, text: impl fmt::Display) -> Self {
        FieldError {
            path: path.to_owned(),
            rule,
            message: format!("{} {text}", display_path(path)),
        }
    }

    /// The code of the rule that was broken.
    pub fn code(&self) -> Code {
        self.rule.code()
    }
}

impl Serialize for FieldError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Params<'a>(&'a [(&'static str, Param<'a>)]);
        impl Serialize for Params<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        let params = self.rule.params();
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("path", &self.path)?;
        m.serialize_entry("code", &self.code())?;
        m.serialize_entry("message", &self.message)?;
        if !params.is_empty() {
            m.serialize_entry("params", &Params(&params))?;
        }
        m.end()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Everything found in one payload: errors make it invalid, warnings name what the server ignores.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
}

impl Report {
    /// True when no error was found (warnings do not count).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
    /// Records an error.
    pub fn error(&mut self, path: &str, rule: Rule, text: impl fmt::Display) {
        self.errors.push(FieldError::new(path, rule, text));
    }
    /// Records a warning.
    pub fn warn(&mut self, path: &str, rule: Rule, text: impl fmt::Display) {
        self.warnings.push(FieldError::new(path, rule, text));
    }
    /// Records that the value at `path` has another type than `expected`: `must be a string, not a
    /// number`.
    pub fn type_error(&mut self, path: &str, expected: Expected, got: &Value) {
        self.error(
            path,
            Rule::Type {
                expected: expected.name,
            },
            format_args!("must be {}, not {}", expected.noun, type_name(got)),
        );
    }
    /// Records that the value at `path` is none of `allowed`: `must be one of: a, b`.
    pub fn not_one_of(&mut self, path: &str, allowed: &[&str]) {
        self.error(
            path,
            Rule::one_of(allowed),
            format_args!("must be one of: {}", allowed.join(", ")),
        );
    }
}

/// A JSON type a field must have: its name in `params.expected` and its noun in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub name: &'static str,
    pub noun: &'static str,
}

impl Expected {
    const fn of(name: &'static str, noun: &'static str) -> Expected {
        Expected { name, noun }
    }
    pub const STRING: Expected = Expected::of("string", "a string");
    pub const BOOLEAN: Expected = Expected::of("boolean", "a boolean");
    pub const INTEGER: Expected = Expected::of("integer", "a whole number");
    pub const OBJECT: Expected = Expected::of("object", "a JSON object");
    pub const ARRAY: Expected = Expected::of("array", "an array");
}

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
    format!("{parent}/{index}")
}

/// A readable name for a JSON pointer: `/inputs/0/type` → `inputs[0].type`; `""` → `body`.
pub fn display_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "body".to_owned();
    }
    let mut out = String::new();
    for (i, raw) in pointer.split('/').skip(1).enumerate() {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            if i == 0 {
                out.push_str(&format!("item {seg}"));
            } else {
                out.push_str(&format!("[{seg}]"));
            }
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
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

/// A pattern check: a predicate and how to describe what it accepts ("32 letters and digits").
pub type Pattern = (fn(&str) -> bool, &'static str);

/// Rules for one string field.
#[derive(Debug, Clone, Copy)]
pub struct StrRule {
    pub required: bool,
    pub min: usize,
    pub max: usize,
    /// Checked after the length; `(predicate, human description of the pattern)`.
    pub pattern: Option<Pattern>,
}

impl StrRule {
    /// An optional string of at most `max` characters.
    pub const fn optional(max: usize) -> Self {
        StrRule {
            required: false,
            min: 0,
            max,
            pattern: None,
        }
    }
    /// A required, non-empty string of at most `max` characters.
    pub const fn required(max: usize) -> Self {
        StrRule {
            required: true,
            min: 1,
            max,
            pattern: None,
        }
    }
    /// The same rule with a pattern.
    pub const fn pattern(mut self, check: fn(&str) -> bool, describe: &'static str) -> Self {
        self.pattern = Some((check, describe));
        self
    }
    /// The same rule with a minimum length.
    pub const fn min(mut self, min: usize) -> Self {
        self.min = min;
        self
    }
}

/// A view of one JSON object being validated, recording problems into a report.
pub struct Fields<'a, 'r> {
    pub obj: &'a Map<String, Value>,
    pub path: &'a str,
    pub report: &'r mut Report,
}

impl<'a, 'r> Fields<'a, 'r> {
    /// Starts validating `value` as an object at `path`; records a type error and returns None otherwise.
    pub fn of(value: &'a Value, path: &'a str, report: &'r mut Report) -> Option<Self> {
        match value {
            Value::Object(obj) => Some(Fields { obj, path, report }),
            other => {
                report.type_error(path, Expected::OBJECT, other);
                None
            }
        }
    }

    /// The pointer of one of this object's keys.
    pub fn at(&self, key: &str) -> String {
        child(self.path, key)
    }

    /// The value of `key`, treating JSON null as absent.
    pub fn present(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    /// Records `unknown_field` for keys outside `known`: as errors when `strict`, else as warnings
    /// saying the server ignores them.
    pub fn unknown_keys(&mut self, known: &[&str], strict: bool) {
        for key in self.obj.keys() {
            if !known.contains(&key.as_str()) {
                let path = child(self.path, key);
                if strict {
                    self.report.error(
                        &path,
                        Rule::UnknownField,
                        format_args!("is not a known field (known: {})", known.join(", ")),
                    );
                } else {
                    self.report.warn(
                        &path,
                        Rule::UnknownField,
                        "is not read by the server and will be ignored",
                    );
                }
            }
        }
    }

    /// The value of `key` when it is present and `accept` takes it. The one place where a field's
    /// presence and type are checked: records `required` when the key is absent (or null) but
    /// `required`, and `type` (naming `expected`) when `accept` refuses the value.
    fn typed<T>(
        &mut self,
        key: &str,
        required: bool,
        expected: Expected,
        accept: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Option<T> {
        let Some(value) = self.present(key) else {
            if required {
                let path = self.at(key);
                self.report.error(&path, Rule::Required, "is required");
            }
            return None;
        };
        let accepted = accept(value);
        if accepted.is_none() {
            let path = self.at(key);
            self.report.type_error(&path, expected, value);
        }
        accepted
    }

    /// Validates a string field.
    pub fn str(&mut self, key: &str, rule: StrRule) -> Option<&'a str> {
        let s = self.typed(key, rule.required, Expected::STRING, Value::as_str)?;
        check_str(s, &self.at(key), rule, self.report).then_some(s)
    }

    /// Validates a field that must be one of `allowed` strings.
    pub fn one_of(
        &mut self,
        key: &str,
        allowed: &[&'static str],
        required: bool,
    ) -> Option<&'static str> {
        let s = self.typed(key, required, Expected::STRING, Value::as_str)?;
        let found = allowed.iter().find(|a| **a == s).copied();
        if found.is_none() {
            self.report.not_one_of(&self.at(key), allowed);
        }
        found
    }

    /// Validates a field that must spell one member of the closed set `T`.
    pub fn choice<T: Choice>(&mut self, key: &str, required: bool) -> Option<T> {
        self.one_of(key, &T::names(), required).and_then(T::parse)
    }

    /// Validates a boolean field.
    pub fn bool(&mut self, key: &str, required: bool) -> Option<bool> {
        self.typed(key, required, Expected::BOOLEAN, Value::as_bool)
    }

    /// Validates an integer field within `min..=max`.
    pub fn int(&mut self, key: &str, required: bool, min: i64, max: i64) -> Option<i64> {
        let number = self.typed(key, required, Expected::INTEGER, |v| match v {
            Value::Number(n) => Some(n),
            _ => None,
        })?;
        let path = self.at(key);
        match number.as_i64() {
            Some(i) if (min..=max).contains(&i) => return Some(i),
            Some(_) => self.report.error(
                &path,
                Rule::OutOfRange { min, max },
                format_args!("must be between {min} and {max}"),
            ),
            None => self.report.error(
                &path,
                Rule::Type {
                    expected: Expected::INTEGER.name,
                },
                "must be a whole number",
            ),
        }
        None
    }

    /// Validates an object field (a map of arbitrary JSON values).
    pub fn object(&mut self, key: &str, required: bool) -> Option<&'a Map<String, Value>> {
        self.typed(key, required, Expected::OBJECT, Value::as_object)
    }

    /// Validates an array field of at most `max` items.
    pub fn array(&mut self, key: &str, required: bool, max: usize) -> Option<&'a Vec<Value>> {
        let items = self.typed(key, required, Expected::ARRAY, Value::as_array)?;
        if items.len() > max {
            self.report.error(
                &self.at(key),
                Rule::TooLong { limit: max },
                format_args!("must have at most {max} items"),
            );
            return None;
        }
        Some(items)
    }
}

/// The rule an `enum` error states: `must be one of: a, b`.
pub fn one_of_rule(allowed: &[&str]) -> String {
    format!("must be one of: {}", allowed.join(", "))
}

/// A closed set of strings on the wire, as an enum whose members each have one spelling
/// (`#[serde(rename)]` to the same string). Read with [`Fields::choice`].
pub trait Choice: Copy + 'static {
    /// Every member, in the order an `enum` error lists them.
    const ALL: &'static [Self];

    /// The member's wire spelling.
    fn as_str(self) -> &'static str;

    /// The member spelled `s`.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// Every member's spelling.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|c| c.as_str()).collect()
    }
}

/// Checks a string against a rule, recording problems; true when it passes.
pub fn check_str(s: &str, path: &str, rule: StrRule, report: &mut Report) -> bool {
    let len = char_len(s);
    if len < rule.min {
        let broken = Rule::TooShort { limit: rule.min };
        if rule.min == 1 {
            report.error(path, broken, "must not be empty");
        } else {
            report.error(
                path,
                broken,
                format_args!("must be at least {} characters", rule.min),
            );
        }
        return false;
    }
    if len > rule.max {
        report.error(
            path,
            Rule::TooLong { limit: rule.max },
            format_args!("must be at most {} characters", rule.max),
        );
        return false;
    }
    if let Some((check, describe)) = rule.pattern {
        if !check(s) {
            report.error(
                path,
                Rule::Pattern { pattern: describe },
                format_args!("must be {describe}"),
            );
            return false;
        }
    }
    true
}

/// How deep a request document may nest (objects and arrays). Stored records wrap what they keep
/// in a few levels of their own, and must stay readable under serde_json's limit of 128.
pub const MAX_JSON_DEPTH: usize = 64;

/// Parses a JSON payload, reporting a syntax error at the root with the line and column. A key
/// that appears twice in one object is refused (`duplicate`, at the second one's path): a proxy
/// that reads the first and a server that reads the last would see two different documents. A
/// value nested deeper than [`MAX_JSON_DEPTH`] is refused (`too_long`, at its path).
pub fn parse_json(text: &str) -> Result<Value, FieldError> {
    let problem = std::cell::RefCell::new(None);
    let seed = StrictValue {
        path: String::new(),
        depth: 0,
        problem: &problem,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    if let Some(found) = problem.into_inner() {
        return Err(found);
    }
    parsed.map_err(|e| {
        FieldError::new(
            "",
            Rule::InvalidJson,
            format_args!("is not valid JSON ({e})"),
        )
    })
}

/// Builds a [`Value`] like serde_json does, but stops at the first duplicate object key or at a
/// value nested too deep, and records the problem with its path.
struct StrictValue<'d> {
    path: String,
    depth: usize,
    problem: &'d std::cell::RefCell<Option<FieldError>>,
}

impl StrictValue<'_> {
    /// The seed of a value inside this one, or the problem when it would be too deep.
    fn enter<E: serde::de::Error>(&self, path: String) -> Result<StrictValue<'_>, E> {
        Ok(StrictValue {
            path,
            depth: self.depth + 1,
            problem: self.problem,
        })
    }
    fn refuse<E: serde::de::Error>(&self, error: FieldError) -> E {
        *self.problem.borrow_mut() = Some(error);
        E::custom("refused")
    }
    fn check_depth<E: serde::de::Error>(&self) -> Result<(), E> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(self.refuse(FieldError::new(
                &self.path,
                Rule::TooLong {
                    limit: MAX_JSON_DEPTH,
                },
                format_args!("must be nested at most {MAX_JSON_DEPTH} levels deep"),
            )));
        }
        Ok(())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.check_depth()?;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self.enter(item(&self.path, items.len()))?)? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.check_depth()?;
        let mut obj = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = child(&self.path, &key);
            if obj.contains_key(&key) {
                return Err(self.refuse(FieldError::new(
                    &path,
                    Rule::Duplicate,
                    format_args!("appears twice: the key \"{key}\" may be given once per object"),
                )));
            }
            let value = map.next_value_seed(self.enter(path)?)?;
            obj.insert(key, value);
        }
        Ok(Value::Object(obj))
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
