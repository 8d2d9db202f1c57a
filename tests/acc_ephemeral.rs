//! Acceptance: the ephemeral `scs_application_credential` on the real clients and the local
//! cloud. A client with ephemeral resources (Terraform 1.10+, OpenTofu 1.11+) opens it, a second
//! provider block reads with it, and after every command the credential is gone from Keystone and
//! its secret from every file; an older client refuses the block with an error of its own.

mod harness;

use std::process::Command;

use harness::{Feature, Scenario};

/// The names of the application credentials of the local cloud's password user.
fn credential_names(s: &Scenario) -> Vec<String> {
    let mut env = s.cloud_env();
    env.retain(|(k, _)| k != "OS_CLOUD");
    let out = Command::new("openstack")
        .args([
            "application",
            "credential",
            "list",
            "-f",
            "value",
            "-c",
            "Name",
        ])
        .envs(env)
        .env("OS_CLOUD", "scs-local-password")
        .output()
        .unwrap_or_else(|e| panic!("cannot run openstack: {e}"));
    assert!(
        out.status.success(),
        "openstack application credential list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn assert_gone(s: &Scenario, after: &str) {
    let name = format!("{}-ci", s.name_prefix());
    let left = credential_names(s);
    assert!(
        !left.contains(&name),
        "{name} is still in Keystone after {after}: {left:?}"
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and the local cloud"]
fn application_credential_lives_for_one_run() {
    harness::on_every_client_locally(
        "ephemeral_application_credential",
        "the scs-local-password entry of its clouds.yaml",
        |s| {
            s.use_scenario("ephemeral");
            if !s.client().supports(Feature::EphemeralResources) {
                let init = s.run(&["init", "-input=false", "-no-color"]);
                let out = if init.success() { s.validate() } else { init };
                out.assert_failure();
                assert!(out.contains("ephemeral"), "{}", out.all());
                assert!(
                    !out.contains("plugin crashed") && !out.contains("panic"),
                    "{}",
                    out.all()
                );
                eprintln!(
                    "{} {:?} has no ephemeral resources; it reports:\n{}",
                    s.client(),
                    s.client().version(),
                    out.all()
                );
                return;
            }
            s.init();
            let plan = s.ok(&["plan", "-input=false", "-no-color"]);
            assert!(
                plan.contains("scs_application_credential.ci: Open"),
                "{}",
                plan.all()
            );
            assert_gone(s, "plan");
            let apply = s.apply();
            // OpenTofu says "Close complete", Terraform "Closing complete after 0s".
            assert!(
                apply.contains("Close complete") || apply.contains("Closing complete"),
                "{}",
                apply.all()
            );
            assert_gone(s, "apply");
            let outputs = s.ok(&["output", "-json"]).json();
            assert!(
                outputs["image_id"]["value"]
                    .as_str()
                    .is_some_and(|id| !id.is_empty()),
                "the provider with the credential read nothing: {outputs}"
            );
            let state = std::fs::read_to_string(s.workdir().join("terraform.tfstate"))
                .unwrap_or_else(|e| panic!("no state file: {e}"));
            assert!(!state.contains("scs_application_credential"), "{state}");
            assert!(
                !state.contains("fake") && !state.contains("\"secret\""),
                "{state}"
            );
        },
    );
}
