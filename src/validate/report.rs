//! What a validation finds: the codes and rules, field errors with their params, the report.

use super::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
        let mut message = String::with_capacity(path.len() + 32);
        write_display_path(&mut message, path);
        message.push(' ');
        let _ = fmt::Write::write_fmt(&mut message, format_args!("{text}"));
        FieldError {
            path: path.to_owned(),
            rule,
            message,
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
