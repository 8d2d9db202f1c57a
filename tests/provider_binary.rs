//! The provider binary as a person sees it when running it by hand.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_terraform-provider-scs"))
        .args(args)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap_or_else(|e| panic!("cannot start the provider binary: {e}"))
}

#[test]
fn run_by_hand_it_explains_that_it_is_a_plugin_and_fails() {
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("plugin"), "{stderr}");
    assert!(stderr.contains("--debug"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing may look like a handshake line"
    );
}

#[test]
fn version_flag_prints_the_crate_version() {
    let out = run(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("terraform-provider-scs {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_arguments_are_refused_with_usage() {
    let out = run(&["--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--frobnicate") && stderr.contains("Usage"),
        "{stderr}"
    );
}
