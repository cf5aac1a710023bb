//! The npm package's types (`pkg-template/index.d.ts`) are written by hand; this holds what they
//! restate to the Rust it restates: the kinds, the error codes and each code's params, the
//! methods and path ids, and every enumeration. How the types are used is checked by
//! `tsc --strict` over tests/types/ (scripts/test-types.sh).

use deploy_edge::domain::{codearts, heat};
use deploy_edge::payload::Kind;
use deploy_edge::validate::{Code, Rule};
use std::collections::BTreeSet;

const DTS: &str = include_str!("../pkg-template/index.d.ts");

/// The text from `start` to the first `end` after it.
fn block(start: &str, end: &str) -> &'static str {
    let from = DTS
        .find(start)
        .unwrap_or_else(|| panic!("index.d.ts has no `{start}`"));
    let rest = &DTS[from + start.len()..];
    &rest[..rest.find(end).expect("block end")]
}

/// The string literals of `export type NAME = 'a' | 'b';` (on one line or one a line), in order.
fn union(name: &str) -> Vec<&'static str> {
    block(&format!("export type {name} ="), ";")
        .split('|')
        .map(str::trim)
        .filter(|member| !member.is_empty())
        .map(|member| {
            member
                .strip_prefix('\'')
                .and_then(|m| m.strip_suffix('\''))
                .unwrap_or_else(|| panic!("{name}: `{member}` is not a string literal"))
        })
        .collect()
}

/// The keys of `export interface NAME { ... }` (its top-level members), in order.
fn keys(name: &str) -> Vec<&'static str> {
    block(&format!("export interface {name} {{"), "\n}")
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| {
            let line = line.trim_start();
            let key = line.split(':').next()?;
            let key = key.trim_end_matches('?');
            let key = key.trim_matches('\'');
            (!key.starts_with('/') && !key.starts_with('*') && !key.starts_with('|')).then_some(key)
        })
        .collect()
}

#[test]
fn the_kinds_are_the_operation_tables() {
    let names: Vec<&str> = Kind::names().collect();
    assert_eq!(keys("Payloads"), names, "Payloads");
    assert_eq!(keys("Inputs"), names, "Inputs");
    let methods: BTreeSet<&str> = Kind::kinds().map(Kind::method).collect();
    assert_eq!(
        union("Method").into_iter().collect::<BTreeSet<_>>(),
        methods
    );
    let ids: BTreeSet<&str> = Kind::kinds()
        .flat_map(|k| k.path_ids().into_iter().map(|(name, _)| name))
        .collect();
    assert_eq!(union("PathId").into_iter().collect::<BTreeSet<_>>(), ids);
}

#[test]
fn the_error_codes_and_their_params_are_the_validators() {
    assert_eq!(union("ErrorCode"), Code::NAMES);
    let samples = [
        Rule::Required,
        Rule::Type { expected: "string" },
        Rule::TooLong { limit: 1 },
        Rule::TooShort { limit: 1 },
        Rule::Pattern { pattern: "p" },
        Rule::one_of(&["a"]),
        Rule::OutOfRange { min: 0, max: 1 },
        Rule::UnknownField,
        Rule::InvalidJson,
        Rule::Duplicate,
    ];
    let declared = block("export interface ErrorParams {", "\n}");
    let with_params: Vec<&str> = keys("ErrorParams");
    for rule in &samples {
        let code = rule.code().as_str();
        let names: Vec<&str> = rule.params().iter().map(|(name, _)| *name).collect();
        if names.is_empty() {
            assert!(!with_params.contains(&code), "{code} has no params");
            continue;
        }
        let line = declared
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{code}: {{")))
            .unwrap_or_else(|| panic!("ErrorParams has no {code}"));
        let members: Vec<&str> = line
            .split(['{', ';'])
            .skip(1)
            .filter_map(|m| m.split(':').next())
            .map(str::trim)
            .filter(|m| !m.is_empty() && *m != "}")
            .collect();
        assert_eq!(members, names, "{code}");
    }
    assert_eq!(
        with_params.len(),
        samples.iter().filter(|r| !r.params().is_empty()).count()
    );
}

#[test]
fn every_enumeration_is_the_constant_validation_uses() {
    for (name, values) in [
        ("IoType", heat::IO_TYPES),
        ("DeploymentStatus", heat::STATUSES),
        ("TemplateResourceType", heat::TEMPLATE_RESOURCE_TYPES),
        ("TriggerSource", codearts::TRIGGER_SOURCES),
        ("ArtifactSourceSystem", codearts::ARTIFACT_SOURCE_SYSTEMS),
        ("ArtifactType", codearts::ARTIFACT_TYPES),
        ("DeploySystem", codearts::DEPLOY_SYSTEMS),
        ("CreateType", codearts::CREATE_TYPES),
        ("SortName", codearts::SORT_NAMES),
        ("SortBy", codearts::SORT_BYS),
        ("ApplicationState", codearts::STATES),
    ] {
        assert_eq!(union(name), values, "{name}");
    }
}
