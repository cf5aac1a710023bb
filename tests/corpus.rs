//! The shared payload corpus (`tests/corpus/*.json`, see its README) against the native core:
//! every case's verdict, error paths and codes, and warnings must be what the corpus says. The npm
//! package and the running Worker (tests/js/corpus.test.mjs) and the core compiled to wasm
//! (tests/wasm.rs) are held to the same files.

#[path = "support/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_native_core_gives_every_corpus_verdict() {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut kinds_seen = std::collections::BTreeSet::new();
    for file in corpus_files() {
        let text = std::fs::read_to_string(&file).expect("read corpus file");
        let (kinds, n, mut f) = corpus::check_file(&text);
        kinds_seen.extend(kinds);
        count += n;
        failures.append(&mut f);
    }
    assert!(count >= 80, "the corpus shrank to {count} cases");
    for kind in corpus::BODY_KINDS {
        assert!(kinds_seen.contains(kind), "no corpus case for {kind}");
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_wasm_test_embeds_every_corpus_file() {
    let wasm_test =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasm.rs"))
            .expect("tests/wasm.rs");
    for file in corpus_files() {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        assert!(
            wasm_test.contains(&format!("corpus/{name}")),
            "tests/wasm.rs does not include_str! corpus/{name}"
        );
    }
}
