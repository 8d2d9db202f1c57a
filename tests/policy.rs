//! The project's policies hold and their checks bite: cargo-deny (`deny.toml`: licenses, bans,
//! sources) passes on the workspace and fails on a copy with a wildcard dependency or a disallowed
//! license; Zuul's own loader accepts `.zuul.yaml` and refuses a copy with an unknown key.
//!
//! The tools come from `make policy-tools` (cached); `make policy` runs these tests with their
//! paths in `CARGO_DENY` and `ZUUL_PYTHON`. A plain `cargo test` lists them as ignored.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tool(var: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) => PathBuf::from(p),
        None => panic!("{var} is not set: run these tests with `make policy`"),
    }
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out: Output = match cmd.output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run {cmd:?}: {e}"),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// cargo-deny's offline checks on the workspace whose manifest is in `dir`.
fn deny(dir: &Path) -> (bool, String) {
    run(Command::new(tool("CARGO_DENY"))
        .arg("deny")
        .arg("--offline")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--config")
        .arg(dir.join("deny.toml"))
        .args(["check", "licenses", "bans", "sources"]))
}

/// A copy of everything cargo needs to describe the workspace.
fn workspace_copy() -> tempfile::TempDir {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    };
    let mut cp = Command::new("cp");
    cp.arg("-r");
    for part in [
        "Cargo.toml",
        "Cargo.lock",
        "deny.toml",
        "src",
        "crates",
        "proto",
    ] {
        cp.arg(repo().join(part));
    }
    let (ok, text) = run(cp.arg(dir.path()));
    assert!(ok, "copying the workspace failed: {text}");
    dir
}

/// Replaces the first `from` in `file` by `to`; panics when `from` is not there, so that a test
/// whose change no longer applies fails instead of passing on an unchanged file.
fn edit(file: &Path, from: &str, to: &str) {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", file.display()),
    };
    assert!(text.contains(from), "{} has no {from:?}", file.display());
    if let Err(e) = std::fs::write(file, text.replacen(from, to, 1)) {
        panic!("cannot write {}: {e}", file.display());
    }
}

#[test]
#[ignore = "needs cargo-deny: make policy"]
fn deny_accepts_the_workspace() {
    let (ok, text) = deny(&repo());
    assert!(ok, "cargo-deny refuses the workspace:\n{text}");
}

#[test]
#[ignore = "needs cargo-deny: make policy"]
fn deny_refuses_a_wildcard_dependency() {
    let copy = workspace_copy();
    edit(
        &copy.path().join("Cargo.toml"),
        "url = \"2\"",
        "url = \"*\"",
    );
    let (ok, text) = deny(copy.path());
    assert!(!ok, "cargo-deny accepted a wildcard dependency:\n{text}");
    assert!(
        text.contains("wildcard"),
        "not refused as a wildcard:\n{text}"
    );
}

#[test]
#[ignore = "needs cargo-deny: make policy"]
fn deny_refuses_a_disallowed_license() {
    let copy = workspace_copy();
    edit(
        &copy.path().join("crates/scs-standards/Cargo.toml"),
        "license.workspace = true",
        "license = \"GPL-3.0-only\"",
    );
    let (ok, text) = deny(copy.path());
    assert!(!ok, "cargo-deny accepted a GPL crate:\n{text}");
    assert!(
        text.contains("rejected") && text.contains("GPL-3.0-only"),
        "not refused for its license:\n{text}"
    );
}

fn zuul_validate(file: &Path) -> (bool, String) {
    run(Command::new(tool("ZUUL_PYTHON"))
        .arg(repo().join("scripts/zuul-validate.py"))
        .arg(file))
}

#[test]
#[ignore = "needs Zuul: make policy"]
fn zuul_accepts_the_project_config() {
    let (ok, text) = zuul_validate(&repo().join(".zuul.yaml"));
    assert!(ok, "Zuul refuses .zuul.yaml:\n{text}");
}

#[test]
#[ignore = "needs Zuul: make policy"]
fn zuul_refuses_an_unknown_job_key() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    };
    let copy = dir.path().join(".zuul.yaml");
    if let Err(e) = std::fs::copy(repo().join(".zuul.yaml"), &copy) {
        panic!("cannot copy .zuul.yaml: {e}");
    }
    edit(&copy, "    run: ", "    runn: ");
    let (ok, text) = zuul_validate(&copy);
    assert!(!ok, "Zuul accepted an unknown key:\n{text}");
    assert!(
        text.contains("extra keys not allowed @ data['runn']"),
        "not refused for the key:\n{text}"
    );
}

#[test]
#[ignore = "needs Zuul: make policy"]
fn zuul_refuses_a_duplicate_key() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    };
    let copy = dir.path().join(".zuul.yaml");
    if let Err(e) = std::fs::copy(repo().join(".zuul.yaml"), &copy) {
        panic!("cannot copy .zuul.yaml: {e}");
    }
    edit(&copy, "    timeout: ", "    timeout: 60\n    timeout: ");
    let (ok, text) = zuul_validate(&copy);
    assert!(!ok, "Zuul accepted a duplicate key:\n{text}");
    assert!(text.contains("appears more than once"), "{text}");
}
