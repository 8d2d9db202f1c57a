//! Acceptance: resource identity and list resources on the real clients and the local cloud.
//!
//! On the newest Terraform and on OpenTofu (both store identities and read `import { identity =
//! { ... } }`), a network, a volume and a server are created, forgotten, and imported again by
//! identity, with the same identity in state as before and an empty plan after. On the newest
//! Terraform, `terraform query` then finds the server by name and writes configuration for it
//! that imports it with an empty plan after (OpenTofu has no `query` command). Terraform 1.0.3,
//! which knows neither, still creates, imports by ID and plans such resources as always, and
//! refuses an `import` block with an error of its own.

mod harness;

use harness::{Client, Scenario};
use serde_json::Value;

/// `output -json NAME` of the working directory.
fn output(s: &Scenario, name: &str) -> Value {
    s.ok(&["output", "-json", "-no-color", name]).json()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v:#}"))
}

/// The identity every instance of the state file holds, by resource address.
fn identities(s: &Scenario) -> Vec<(String, Value)> {
    let path = s.workdir().join("terraform.tfstate");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let state: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("state: {e}"));
    let mut found = Vec::new();
    for r in state["resources"].as_array().cloned().unwrap_or_default() {
        let address = format!("{}.{}", str_of(&r, "type"), str_of(&r, "name"));
        for i in r["instances"].as_array().cloned().unwrap_or_default() {
            found.push((address.clone(), i["identity"].clone()));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The identity of `address` in the state: its ID and the region it lives in.
fn identity_of(s: &Scenario, address: &str, id: &str) -> Value {
    let all = identities(s);
    let (_, identity) = all
        .iter()
        .find(|(a, _)| a == address)
        .unwrap_or_else(|| panic!("no {address} in the state: {all:?}"));
    assert_eq!(identity["id"], Value::from(id), "{address}: {identity}");
    assert!(
        identity["region"].as_str().is_some_and(|r| !r.is_empty()),
        "{address} has its region in its identity: {identity}"
    );
    identity.clone()
}

fn no_crash(out: &harness::CmdOutput) {
    let all = out.all();
    assert!(
        !all.contains("plugin crashed") && !all.contains("panic"),
        "{all}"
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and the local cloud"]
fn objects_import_by_identity_and_servers_are_found_by_query() {
    let clients = Client::selected_or(&[Client::TerraformLatest, Client::Tofu]);
    harness::on_clients("identity_import_and_query", &clients, |s| {
        if s.client() != Client::Tofu && s.client().version() < (1, 12, 0) {
            refuses_import_by_identity(s);
            return;
        }
        s.use_scenario("identity");
        s.init();
        s.apply();
        assert!(s.plan_is_empty(), "plan after create");
        let ids = output(s, "ids");
        let (net, vol) = (str_of(&ids, "network"), str_of(&ids, "volume"));
        let server = output(s, "server_id");
        let server = server.as_str().unwrap_or_default();
        let before = [
            identity_of(s, "scs_network.app", net),
            identity_of(s, "scs_volume.data", vol),
            identity_of(s, "scs_server.web", server),
        ];
        assert_eq!(
            identities(s).len(),
            4,
            "every instance has an identity (the subnet too)"
        );

        // Forgotten, then imported again by identity: the network and the server by their ID
        // alone (the region is the provider's), the volume with its region written out.
        s.ok(&[
            "state",
            "rm",
            "-no-color",
            "scs_network.app",
            "scs_volume.data",
            "scs_server.web",
        ]);
        let region = before[1]["region"].as_str().unwrap_or_default();
        s.write_file(
            "imports.tf",
            &format!(
                r#"import {{
  to       = scs_network.app
  identity = {{ id = "{net}" }}
}}

import {{
  to       = scs_volume.data
  identity = {{ id = "{vol}", region = "{region}" }}
}}

import {{
  to       = scs_server.web
  identity = {{ id = "{server}" }}
}}
"#
            ),
        );
        let plan = s.plan();
        plan.assert_contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy.");
        s.apply();
        assert!(s.plan_is_empty(), "plan after the import by identity");
        let after = [
            identity_of(s, "scs_network.app", net),
            identity_of(s, "scs_volume.data", vol),
            identity_of(s, "scs_server.web", server),
        ];
        assert_eq!(after, before, "the same identities after the import");

        let query = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("acceptance/scenarios/identity/query/servers.tfquery.hcl"),
        )
        .unwrap_or_else(|e| panic!("query file: {e}"))
        .replace("PREFIX", &s.name_prefix());
        s.write_file("servers.tfquery.hcl", &query);
        if s.client() == Client::Tofu {
            // OpenTofu has no list resources: the command does not exist.
            let out = s.run(&["query", "-no-color"]);
            out.assert_failure();
            no_crash(&out);
            eprintln!("tofu has no query command; it reports:\n{}", out.all());
            std::fs::remove_file(s.workdir().join("servers.tfquery.hcl"))
                .unwrap_or_else(|e| panic!("{e}"));
            return;
        }
        let found = s.ok(&["query", "-no-color"]);
        let line = found
            .stdout
            .lines()
            .find(|l| l.contains("list.scs_server.web"))
            .unwrap_or_else(|| panic!("no server found:\n{}", found.all()));
        assert!(line.contains(&format!("id={server}")), "{line}");
        assert!(line.contains(&format!("{}-web", s.name_prefix())), "{line}");
        assert_eq!(
            found.stdout.matches("list.scs_server.web").count(),
            1,
            "only the server of this name:\n{}",
            found.stdout
        );

        // Forgotten again, and imported with the configuration the query generates.
        std::fs::remove_file(s.workdir().join("imports.tf")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::remove_file(s.workdir().join("server.tf")).unwrap_or_else(|e| panic!("{e}"));
        s.ok(&["state", "rm", "-no-color", "scs_server.web"]);
        s.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
        let generated = std::fs::read_to_string(s.workdir().join("generated.tf"))
            .unwrap_or_else(|e| panic!("generated.tf: {e}"));
        assert!(
            generated.contains("resource \"scs_server\"") && generated.contains("identity"),
            "{generated}"
        );
        assert!(
            !generated.contains("flavor_name"),
            "one way to name the flavor: {generated}"
        );
        let plan = s.plan();
        plan.assert_contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.");
        s.apply();
        assert!(
            s.plan_is_empty(),
            "plan after importing the generated server"
        );
    });
}

/// A client without resource identities (Terraform before 1.12) refuses an `import` block by
/// identity with an error of its own, before anything reaches the cloud.
fn refuses_import_by_identity(s: &mut Scenario) {
    s.write_config(
        r#"resource "scs_network" "app" {
  name = "${var.prefix}-app"
}

import {
  to       = scs_network.app
  identity = { id = "00000000-0000-4000-8000-000000000000" }
}
"#,
    );
    let init = s.run(&["init", "-input=false", "-no-color"]);
    let out = if init.success() {
        s.run(&["plan", "-input=false", "-no-color"])
    } else {
        init
    };
    out.assert_failure();
    no_crash(&out);
    assert!(
        out.contains("import") || out.contains("identity"),
        "{}",
        out.all()
    );
    eprintln!(
        "{} {:?} cannot import by identity; it reports:\n{}",
        s.client(),
        s.client().version(),
        out.all()
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and the local cloud"]
fn terraform_1_0_manages_resources_with_identity_as_always() {
    harness::on_clients(
        "identity_on_terraform_1_0",
        &Client::selected_or(&[Client::Terraform]),
        |s| {
            s.write_config(
                r#"resource "scs_network" "app" {
  name = "${var.prefix}-app"
}
"#,
            );
            s.init();
            s.apply();
            assert!(s.plan_is_empty(), "plan after create");
            let id = s.state_resource("scs_network.app")["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            s.ok(&["state", "rm", "-no-color", "scs_network.app"]);
            s.import("scs_network.app", &id);
            assert!(s.plan_is_empty(), "plan after the import by ID");

            if s.client().version() < (1, 5, 0) {
                // Import blocks came with Terraform 1.5.
                s.write_file(
                    "imports.tf",
                    &format!(
                        "import {{\n  to       = scs_network.app\n  identity = {{ id = \"{id}\" }}\n}}\n"
                    ),
                );
                let out = s.run(&["plan", "-input=false", "-no-color"]);
                out.assert_failure();
                no_crash(&out);
                out.assert_contains("import");
                eprintln!(
                    "{} {:?} has no import blocks; it reports:\n{}",
                    s.client(),
                    s.client().version(),
                    out.all()
                );
                std::fs::remove_file(s.workdir().join("imports.tf"))
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        },
    );
}
