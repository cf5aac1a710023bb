//! Parsing a request document: strict JSON (no duplicate keys, bounded nesting).

use super::*;
use serde_json::{Map, Value};
use std::fmt;

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
        at: At::Root,
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

/// Where a value sits in the document being parsed: a chain up to the root, written out as a
/// JSON pointer only for a problem (most documents have none, and most values are never named).
enum At<'p> {
    Root,
    Key(&'p At<'p>, &'p str),
    Item(&'p At<'p>, usize),
}

impl At<'_> {
    fn pointer(&self) -> String {
        match self {
            At::Root => String::new(),
            At::Key(parent, key) => child(&parent.pointer(), key),
            At::Item(parent, index) => item(&parent.pointer(), *index),
        }
    }
}

/// Builds a [`Value`] like serde_json does, but stops at the first duplicate object key or at a
/// value nested too deep, and records the problem with its path.
struct StrictValue<'p> {
    at: At<'p>,
    depth: usize,
    problem: &'p std::cell::RefCell<Option<FieldError>>,
}

impl StrictValue<'_> {
    /// The seed of a value inside this one, at `at`.
    fn enter<'c>(&'c self, at: At<'c>) -> StrictValue<'c> {
        StrictValue {
            at,
            depth: self.depth + 1,
            problem: self.problem,
        }
    }
    fn refuse<E: serde::de::Error>(&self, error: FieldError) -> E {
        *self.problem.borrow_mut() = Some(error);
        E::custom("refused")
    }
    fn check_depth<E: serde::de::Error>(&self) -> Result<(), E> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(self.refuse(FieldError::new(
                &self.at.pointer(),
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
        while let Some(v) = seq.next_element_seed(self.enter(At::Item(&self.at, items.len())))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.check_depth()?;
        let mut obj = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if obj.contains_key(&key) {
                return Err(self.refuse(FieldError::new(
                    &At::Key(&self.at, &key).pointer(),
                    Rule::Duplicate,
                    format_args!("appears twice: the key \"{key}\" may be given once per object"),
                )));
            }
            let value = map.next_value_seed(self.enter(At::Key(&self.at, &key)))?;
            obj.insert(key, value);
        }
        Ok(Value::Object(obj))
    }
}
