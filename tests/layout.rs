//! The source tree keeps its shape: no two source files import each other (each layer only
//! imports the ones below it), and no file has over 600 lines of non-test code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/service/agent/mod.rs` → `["service", "agent"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The code before the first test module, without comment lines.
fn non_test_code(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    let end = text.find("#[cfg(all(test").map_or(end, |i| i.min(end));
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b` and `super::a` path in `code`, with `crate::{a::b, c}` groups expanded.
fn paths(code: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for root in ["crate", "super"] {
        let pattern = format!("{root}::");
        let mut rest = code;
        while let Some(i) = rest.find(&pattern) {
            let boundary = i == 0
                || !rest.as_bytes()[i - 1].is_ascii_alphanumeric()
                    && rest.as_bytes()[i - 1] != b'_';
            rest = &rest[i + pattern.len()..];
            if !boundary {
                continue;
            }
            let mut heads = vec![String::new()];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let end = group
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '{' => 1,
                            '}' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .map_or(group.len(), |(i, _)| i);
                heads = group[..end]
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .collect();
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                heads[0] = rest[..end].to_owned();
            }
            for head in heads {
                let segments: Vec<String> = head
                    .split("::")
                    .map(|s| s.trim().to_owned())
                    .filter(|s| {
                        !s.is_empty()
                            && s.chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    })
                    .collect();
                out.push((root.to_owned(), segments));
            }
        }
    }
    out
}

#[test]
fn no_two_source_files_import_each_other_and_none_is_over_600_lines_of_non_test_code() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let mut imports: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    let mut too_long = Vec::new();
    for file in &files {
        let code = non_test_code(&std::fs::read_to_string(file).unwrap());
        let lines = code.lines().count();
        if lines > MAX_LINES {
            too_long.push(format!("{} ({lines} lines)", file.display()));
        }
        let me = module_of(&src, file);
        for (root, segments) in paths(&code) {
            let mut full: Vec<String> = match root.as_str() {
                "crate" => Vec::new(),
                _ => me[..me.len().saturating_sub(1)].to_vec(),
            };
            full.extend(segments);
            if let Some(target) = (1..=full.len()).rev().find_map(|n| modules.get(&full[..n])) {
                if target != file {
                    imports
                        .entry(file.clone())
                        .or_default()
                        .insert(target.clone());
                }
            }
        }
    }
    let mut circles = Vec::new();
    for (a, targets) in &imports {
        for b in targets {
            if a < b && imports.get(b).is_some_and(|t| t.contains(a)) {
                circles.push(format!("{} <-> {}", a.display(), b.display()));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "files that import each other: {circles:#?}"
    );
    assert!(
        too_long.is_empty(),
        "over {MAX_LINES} lines of non-test code: {too_long:#?}"
    );
}
