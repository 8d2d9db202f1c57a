//! Acceptance: the managed `scs_application_credential` on the real clients and the local cloud.
//! Apply, an empty plan, the generated `clouds_yaml` used by the openstack CLI, the secret in no
//! provider log line, import of both credentials, a credential deleted behind Terraform's back,
//! and destroy leaving neither credential nor access rule in Keystone.

mod harness;

use std::process::Command;

use harness::Scenario;
use serde_json::Value;

/// `openstack ARGS -f json` as the local cloud's password user (the credentials' owner).
fn as_owner(s: &Scenario, args: &[&str]) -> Value {
    let mut env = s.cloud_env();
    env.retain(|(k, _)| k != "OS_CLOUD");
    let out = Command::new("openstack")
        .args(args)
        .args(["-f", "json"])
        .envs(env)
        .env("OS_CLOUD", "scs-local-password")
        .output()
        .unwrap_or_else(|e| panic!("cannot run openstack: {e}"));
    assert!(
        out.status.success(),
        "openstack {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("openstack {args:?}: {e}"))
}

/// The values of column `column` of an `openstack ... list -f json`.
fn column(listing: &Value, column: &str) -> Vec<String> {
    listing
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| row[column].as_str().map(str::to_owned))
        .collect()
}

/// The actions a `show -json` plan has for `address`.
fn actions(plan: &Value, address: &str) -> Vec<String> {
    plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rc| rc["address"] == address)
        .flat_map(|rc| {
            rc["change"]["actions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect()
}

fn credential_names(s: &Scenario) -> Vec<String> {
    column(&as_owner(s, &["application", "credential", "list"]), "Name")
}

/// `openstack --os-cloud CLOUD ARGS` with nothing but the clouds.yaml at `file`.
fn with_clouds_yaml(s: &Scenario, file: &std::path::Path, cloud: &str, args: &[&str]) -> String {
    let out = Command::new("openstack")
        .arg("--os-cloud")
        .arg(cloud)
        .args(args)
        .env_remove("OS_CLOUD")
        .env("OS_CLIENT_CONFIG_FILE", file)
        .current_dir(s.workdir())
        .output()
        .unwrap_or_else(|e| panic!("cannot run openstack: {e}"));
    assert!(
        out.status.success(),
        "openstack --os-cloud {cloud} {args:?} with the generated clouds.yaml failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and the local cloud"]
fn application_credential_for_a_cluster() {
    harness::on_both_clients_concurrently_locally(
        "application_credential",
        "the scs-local-password entry of its clouds.yaml",
        |s| {
            s.use_scenario("application_credential");
            let prefix = s.name_prefix();
            let k8s = format!("{prefix}-k8s");
            let limited = format!("{prefix}-limited");
            let own_secret = format!("{prefix}-Limited-S3cret");
            s.init();
            s.set_env("TF_LOG_PROVIDER", "TRACE");
            let apply = s.apply();
            s.remove_env("TF_LOG_PROVIDER");
            assert!(s.plan_is_empty(), "plan after apply");

            // The generated clouds.yaml works with the openstack CLI as it is.
            let yaml = s.ok(&["output", "-raw", "clouds_yaml"]).stdout;
            let file = s.workdir().join("cluster-clouds.yaml");
            std::fs::write(&file, &yaml).unwrap_or_else(|e| panic!("cannot write: {e}"));
            let token = with_clouds_yaml(s, &file, "openstack", &["token", "issue", "-f", "json"]);
            assert!(token.contains("\"project_id\""), "{token}");
            let networks = with_clouds_yaml(
                s,
                &file,
                "openstack",
                &["network", "list", "-f", "value", "-c", "Name"],
            );
            assert!(networks.lines().any(|n| n == "public"), "{networks}");

            // Neither secret is in the provider's trace log.
            let generated = yaml
                .lines()
                .find_map(|l| l.trim().strip_prefix("application_credential_secret: "))
                .map(|v| v.trim_matches('"').to_owned())
                .unwrap_or_else(|| panic!("no secret in {} bytes of clouds_yaml", yaml.len()));
            assert!(generated.len() >= 16, "a generated secret");
            assert!(
                apply.stderr.contains("terraform-provider-scs"),
                "the provider logged nothing at TRACE ({} bytes of stderr)",
                apply.stderr.len()
            );
            for secret in [&generated, &own_secret] {
                assert!(
                    !apply.all().contains(secret.as_str()),
                    "a secret is in the apply's output"
                );
            }
            let names = credential_names(s);
            assert!(
                names.contains(&k8s) && names.contains(&limited),
                "{names:?}"
            );

            // Import: the generated secret is unknown, so nothing changes; the configured one is
            // recorded in place.
            let outputs = s.ok(&["output", "-json"]).json();
            let k8s_id = outputs["k8s_id"]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let limited_id = outputs["limited_id"]["value"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            for address in [
                "scs_application_credential.k8s",
                "scs_application_credential.limited",
            ] {
                s.ok(&["state", "rm", "-no-color", address]);
            }
            s.import("scs_application_credential.k8s", &k8s_id);
            s.import("scs_application_credential.limited", &limited_id);
            let plan = s.plan_json();
            assert_eq!(
                actions(&plan, "scs_application_credential.k8s"),
                ["no-op"],
                "{plan:#}"
            );
            assert_eq!(
                actions(&plan, "scs_application_credential.limited"),
                ["update"],
                "{plan:#}"
            );
            s.apply();
            assert!(s.plan_is_empty(), "plan after import and apply");
            let rules = column(&as_owner(s, &["access", "rule", "list"]), "Path");
            let rule_path = format!("/v2.1/os-keypairs/{prefix}");
            assert!(rules.contains(&rule_path), "{rules:?}");

            // Deleted behind Terraform's back: planned anew, not an error.
            let out = Command::new("openstack")
                .args(["application", "credential", "delete", &k8s])
                .envs(s.cloud_env().into_iter().filter(|(k, _)| k != "OS_CLOUD"))
                .env("OS_CLOUD", "scs-local-password")
                .output()
                .unwrap_or_else(|e| panic!("cannot run openstack: {e}"));
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                s.planned_actions("scs_application_credential.k8s"),
                ["create"]
            );

            s.destroy();
            let names = credential_names(s);
            assert!(
                !names.iter().any(|n| n.starts_with(&prefix)),
                "credentials left after destroy: {names:?}"
            );
            let rules = column(&as_owner(s, &["access", "rule", "list"]), "Path");
            assert!(!rules.contains(&rule_path), "access rule left: {rules:?}");
        },
    );
}
