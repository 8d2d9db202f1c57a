//! The provider's modules depend on each other in one direction: `provider` wires the others
//! together and nothing refers back to it, `support` is a leaf that resources and data sources
//! share, and no two modules refer to each other, directly or around a circle. HTTP belongs to
//! the client crate: nothing under `src/` speaks it.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level module a file under `src/` belongs to: `resources` for
/// `src/resources/server/read.rs`, `lifecycle` for `src/lifecycle.rs`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules each `crate::<module>` path in `text` names.
fn referenced(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .filter(|(i, _)| !text[..*i].ends_with(char::is_alphanumeric))
        .map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Which top-level module refers to which.
type Edges = BTreeMap<String, BTreeSet<String>>;

/// The module graph, and the text of every file.
fn graph() -> (Edges, Vec<(PathBuf, String)>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges = Edges::new();
    let mut texts = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let from = module_of(&src, &file);
        let targets = edges.entry(from.clone()).or_default();
        targets.extend(referenced(&text).into_iter().filter(|to| *to != from));
        texts.push((file, text));
    }
    (edges, texts)
}

/// A circle of modules, if there is one.
fn circle(edges: &Edges) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &Edges,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut found = path[start..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn modules_refer_to_each_other_in_one_direction() {
    let (edges, _) = graph();
    assert!(edges.contains_key("resources") && edges.contains_key("support"));
    assert_eq!(circle(&edges), None, "{edges:#?}");
    for (from, to) in &edges {
        assert!(!to.contains("provider"), "{from} refers back to provider");
    }
    let support = &edges["support"];
    assert!(support.is_empty(), "support refers to {support:?}");
}

#[test]
fn no_http_is_spoken_under_src() {
    let (_, texts) = graph();
    for (file, text) in texts {
        for word in ["reqwest", "hyper::", "http::Method"] {
            assert!(!text.contains(word), "{} uses {word}", file.display());
        }
    }
}

#[test]
fn a_circle_is_found_and_a_chain_is_not() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut map = Edges::new();
        for (a, b) in pairs {
            map.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
        }
        map
    };
    let chain = edges(&[("provider", "resources"), ("resources", "support")]);
    assert_eq!(circle(&chain), None);
    let round = edges(&[("a", "b"), ("b", "c"), ("c", "a")]);
    assert_eq!(circle(&round).map(|c| c.len()), Some(4));
    assert_eq!(
        referenced("use crate::support::{a, b};\nlet x = crate::lifecycle::Managed; scs_client::x"),
        BTreeSet::from(["lifecycle".to_owned(), "support".to_owned()])
    );
}
