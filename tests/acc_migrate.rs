//! Acceptance for `terraform-provider-scs migrate` on the real clients: the terraform-provider-openstack
//! configuration of `acceptance/scenarios/migrate/openstack` is valid as it is, and after the
//! command has rewritten it in the working directory it is valid again, with this provider and
//! terraform-provider-openstack 3.4.0 installed (the `moved` blocks still name the latter's
//! resources). Cross-type `moved` blocks need Terraform 1.8 or OpenTofu 1.12, so the scenario runs on
//! OpenTofu and the newest Terraform. Nothing is applied: `tests/acc_migration.rs` moves real state.

mod harness;

use std::process::Command;

use harness::{Client, Feature, Scenario};

fn migrate(s: &Scenario, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_terraform-provider-scs"))
        .arg("migrate")
        .args(args)
        .arg(s.workdir())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .unwrap_or_else(|e| panic!("cannot start the provider binary: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and the clients"]
fn the_migrated_configuration_validates() {
    let clients = Client::selected_or(&[Client::Tofu, Client::TerraformLatest]);
    harness::on_clients("migrate_validate", &clients, |s| {
        if !s.client().supports(Feature::CrossTypeMoves) {
            eprintln!(
                "{} {:?} cannot move state between resource types; the migrated configuration needs \
                 Terraform 1.8 or OpenTofu 1.12",
                s.client(),
                s.client().version()
            );
            return;
        }
        s.mirror_provider(harness::tpo::provider());
        s.use_scenario("migrate/openstack");
        s.init();
        let before = s.validate();
        assert!(before.success(), "the input is not valid: {}", before.all());

        let (code, report) = migrate(s, &[]);
        assert_eq!(code, Some(0), "{report}");
        assert!(report.contains("14 resource(s) moved"), "{report}");
        s.init();
        let after = s.validate();
        assert!(
            after.success(),
            "the migrated configuration is not valid: {}",
            after.all()
        );

        let (code, report) = migrate(s, &["--check"]);
        assert_eq!(code, Some(0), "a second run would change files: {report}");
    });
}
