//! The engine's folders depend on each other in one direction only: a folder
//! may use the foundation files at the root and the folders before it in
//! [`LAYERS`], never one after it. A newcomer can then read the engine from
//! the bottom up, and a change to the timeline cannot break the store.
//!
//! Checked on the source text: every `crate::` path outside test code
//! (`#[cfg(test)] mod tests` and `tests.rs` files, which may set up any
//! scene they need), including the items of grouped `use crate::{…}`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. The root's files (error, clock, id, text, …) are the
/// foundation, below every folder.
const LAYERS: &[&str] = &[
    "store",
    "team",
    "mail",
    "customers",
    "followups",
    "timeline",
    "pipeline",
    "contracts",
    "support",
    "handoff",
    "leads",
    "sequences",
    "import",
    "dedupe",
    "reports",
    "audit",
    "privacy",
    "overview",
    "app",
    "export",
];

fn rank(module: &str) -> usize {
    LAYERS.iter().position(|l| *l == module).map_or(0, |i| i + 1)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // The tests' fixtures (test builds only) reach for whatever a
            // test needs, the file's own connection included.
            if path.file_name().unwrap() != "bin" && path.file_name().unwrap() != "testutil" {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_name().unwrap().to_str().unwrap();
            if name != "tests.rs" && name != "lib.rs" {
                out.push(path);
            }
        }
    }
}

/// The file's text up to its test module.
fn production_code(text: &str) -> &str {
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "#[cfg(test)]" && lines.get(i + 1).is_some_and(|n| n.trim_start().starts_with("mod ")) {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

/// The first segment of every `crate::` path, with its line number.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    // Comments are not imports.
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            push_head(&mut found, line_of(at), rest);
            continue;
        };
        // A grouped use: each item at its top level, whatever lines it spans.
        let mut depth = 1;
        let mut item = String::new();
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 || (depth == 1 && c == ',') {
                push_head(&mut found, line_of(at), &item);
                item.clear();
                if depth == 0 {
                    break;
                }
            } else {
                item.push(c);
            }
        }
    }
    found
}

fn push_head(found: &mut Vec<(usize, String)>, line: usize, path: &str) {
    let head: String = path
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !head.is_empty() {
        found.push((line, head));
    }
}

#[test]
fn the_engine_folders_depend_on_each_other_in_one_direction() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = BTreeSet::new();
    let mut edges = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let folder = rel
            .components()
            .next()
            .filter(|_| rel.components().count() > 1)
            .map(|c| c.as_os_str().to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(file).unwrap();
        for (line, head) in crate_paths(production_code(&text)) {
            let target = if LAYERS.contains(&head.as_str()) {
                head
            } else {
                String::new()
            };
            if target.is_empty() || target == folder {
                continue;
            }
            edges.insert((folder.clone(), target.clone()));
            if rank(&target) > rank(&folder) {
                wrong.insert(format!("{}:{line} uses {target}", rel.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layering (each folder may use only those before it: {LAYERS:?}):\n{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
    // The check sees the imports it is meant to: the upper folders use the store.
    assert!(edges.contains(&("pipeline".to_string(), "store".to_string())));
}

/// The domain reaches SQLite only through the store (`store::sql`, the
/// connections, the file's own work): its SQL then runs on the team server
/// as on the file (docs/team-server.md, "The seam"). `error.rs` turns
/// SQLite's errors into the engine's typed ones.
#[test]
fn the_domain_reaches_sqlite_only_through_the_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut checked = 0;
    let mut outside = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        // The outbox is this desktop's own file beside its config (work
        // waiting for the team), SQLite whatever the team's store is.
        if rel.starts_with("store") || rel == Path::new("error.rs") || rel == Path::new("app/outbox.rs") {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(file).unwrap();
        for (i, line) in production_code(&text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("rusqlite") {
                outside.push(format!("{}:{}: {}", rel.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(checked > 100, "only {checked} files read");
    assert!(
        outside.is_empty(),
        "SQLite used outside the store (go through store::sql):\n{}",
        outside.join("\n")
    );
}

#[test]
fn the_reader_of_imports_sees_grouped_and_multi_line_uses() {
    let code = "use crate::store::db::Db;\nuse crate::{\n    team::member,\n    timeline::{activity, search},\n    Error,\n};\nfn f() { crate::app::x(); }\n";
    let heads: Vec<String> = crate_paths(code).into_iter().map(|(_, h)| h).collect();
    assert_eq!(heads, ["store", "team", "timeline", "Error", "app"]);
    let with_tests = "use crate::store;\n#[cfg(test)]\nmod tests {\n    use crate::app;\n}\n";
    assert_eq!(crate_paths(production_code(with_tests)).len(), 1);
}
