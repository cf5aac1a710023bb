//! The field rules: strings, closed sets, booleans, integers, objects and arrays of one object.

use super::*;
use serde_json::{Map, Value};

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
        let parent = self.path;
        check_str_at(s, || child(parent, key), rule, self.report).then_some(s)
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
        self.one_of(key, T::NAMES, required).and_then(T::parse)
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
        match number.as_i64() {
            Some(i) if (min..=max).contains(&i) => return Some(i),
            Some(_) => self.report.error(
                &self.at(key),
                Rule::OutOfRange { min, max },
                format_args!("must be between {min} and {max}"),
            ),
            None => self.report.error(
                &self.at(key),
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

    /// Every member's spelling, in the order of [`Choice::ALL`].
    const NAMES: &'static [&'static str];

    /// The member's wire spelling.
    fn as_str(self) -> &'static str;

    /// The member spelled `s`.
    fn parse(s: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
    }
}

/// Checks a string against a rule, recording problems; true when it passes.
pub fn check_str(s: &str, path: &str, rule: StrRule, report: &mut Report) -> bool {
    check_str_at(s, || path, rule, report)
}

/// [`check_str`] with the path made only for a problem (most strings pass).
fn check_str_at<P: AsRef<str>>(
    s: &str,
    path: impl FnOnce() -> P,
    rule: StrRule,
    report: &mut Report,
) -> bool {
    let len = char_len(s);
    if len < rule.min {
        let broken = Rule::TooShort { limit: rule.min };
        if rule.min == 1 {
            report.error(path().as_ref(), broken, "must not be empty");
        } else {
            report.error(
                path().as_ref(),
                broken,
                format_args!("must be at least {} characters", rule.min),
            );
        }
        return false;
    }
    if len > rule.max {
        report.error(
            path().as_ref(),
            Rule::TooLong { limit: rule.max },
            format_args!("must be at most {} characters", rule.max),
        );
        return false;
    }
    if let Some((check, describe)) = rule.pattern {
        if !check(s) {
            report.error(
                path().as_ref(),
                Rule::Pattern { pattern: describe },
                format_args!("must be {describe}"),
            );
            return false;
        }
    }
    true
}
