//! Acceptance for moving from terraform-provider-openstack: a realistic configuration applied with
//! terraform-provider-openstack 3.4.0, migrated with `terraform-provider-scs migrate`, whose plan
//! then only moves state (no create, no destroy, no replace, no update); after the apply the plan
//! is empty and every cloud object still has its ID. Cross-type `moved` blocks need Terraform 1.8
//! or OpenTofu 1.12, so the scenario runs on OpenTofu and the newest Terraform.
//!
//! terraform-provider-openstack comes from [`harness::tpo`].

#![allow(clippy::unwrap_used)]

mod harness;

use std::collections::BTreeMap;

use harness::{Client, Feature, Scenario};
use serde_json::Value;

/// Managed resources of the state: address -> ID.
fn ids(s: &Scenario) -> BTreeMap<String, String> {
    let state = s.state_json();
    let mut out = BTreeMap::new();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for r in resources.iter().filter(|r| r["mode"] == "managed") {
        let address = r["address"].as_str().unwrap().to_owned();
        let id = r["values"]["id"].as_str().unwrap_or_default().to_owned();
        out.insert(address, id);
    }
    out
}

/// The `moved` blocks of the migrated configuration: source address -> target address.
fn moves(config: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut from = None;
    for line in config.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("from") {
            from = Some(v.trim_start_matches([' ', '=']).trim().to_owned());
        } else if let Some(v) = line.strip_prefix("to")
            && let Some(f) = from.take()
        {
            out.insert(f, v.trim_start_matches([' ', '=']).trim().to_owned());
        }
    }
    out
}

/// Migrates the configuration in the working directory (a copy of the scenario's) in place with
/// `terraform-provider-scs migrate`; returns the migrated `*.tf` files' text.
fn migrate(s: &Scenario) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_terraform-provider-scs"))
        .arg("migrate")
        .arg(s.workdir())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "migrate failed:\n{report}");
    eprintln!("[{}] migrate:\n{report}", s.client());
    let mut files: Vec<_> = std::fs::read_dir(s.workdir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn openstack_configuration_moves_without_recreating_anything() {
    let clients = Client::selected_or(&[Client::Tofu, Client::TerraformLatest]);
    harness::on_clients("migration", &clients, |s| {
        if !s.client().supports(Feature::CrossTypeMoves) {
            eprintln!(
                "{} {:?} cannot move state between resource types; the scenario needs Terraform \
                 1.8 or OpenTofu 1.12",
                s.client(),
                s.client().version()
            );
            return;
        }
        s.mirror_provider(harness::tpo::provider());
        s.use_scenario("migration/openstack");
        s.init();
        s.apply();
        let before = ids(s);
        assert_eq!(before.len(), 13, "{before:#?}");
        assert!(before.keys().all(|a| a.starts_with("openstack_")));

        let migrated = migrate(s);
        let moves = moves(&migrated);
        assert_eq!(
            moves.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "every resource is moved"
        );
        s.init();
        // What the old state holds without a counterpart here is said, not lost silently: the
        // server's boot volume was written with destination_type = "volume".
        // The machine-readable log has every diagnostic (the human one folds similar warnings).
        let shown = s.ok(&["plan", "-input=false", "-no-color", "-json"]);
        assert!(
            shown.contains("Attributes without a counterpart")
                && shown.contains("block_device.destination_type"),
            "{}",
            shown.all()
        );
        let plan = s.plan_json();
        let changes = plan["resource_changes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut moved = Vec::new();
        let mut not_only_moved = Vec::new();
        for change in changes.iter().filter(|c| c["mode"] == "managed") {
            let address = change["address"].as_str().unwrap();
            let actions: Vec<&str> = change["change"]["actions"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            if actions != ["no-op"] {
                not_only_moved.push(format!(
                    "{address}: {actions:?}\nbefore: {}\nafter:  {}",
                    change["change"]["before"], change["change"]["after"]
                ));
            }
            let from = change["previous_address"].as_str().unwrap_or_default();
            assert_eq!(moves.get(from).map(String::as_str), Some(address));
            moved.push(address.to_owned());
        }
        assert!(
            not_only_moved.is_empty(),
            "not only moved:\n{}",
            not_only_moved.join("\n")
        );
        assert_eq!(moved.len(), before.len(), "every resource is in the plan");

        s.apply();
        assert!(s.plan_is_empty(), "plan after the move is not empty");
        let after = ids(s);
        for (from, to) in &moves {
            assert_eq!(
                after.get(to),
                before.get(from),
                "{from} -> {to}: ID changed"
            );
        }
        let server = &after["scs_server.vm"];
        let cloud = s.cloud();
        let found = cloud
            .run(scs_client::compute::get_server(cloud.client(), server))
            .map(|srv| srv.id);
        assert_eq!(
            found.as_deref(),
            Some(server.as_str()),
            "the server is still there"
        );
    });
}
