//! Acceptance: the provider functions through the real clients. Clients with provider functions
//! (Terraform 1.8+, OpenTofu 1.7+) evaluate them in outputs; an older client must report the
//! call as an error of its own, and the provider must not crash.

mod harness;

use harness::{Feature, Scenario};

const CONFIG: &str = r#"
output "parsed" {
  value = provider::scs::parse_flavor_name("SCS-16V-64-500s")
}

output "name" {
  value = provider::scs::flavor_name({
    vcpus      = 4
    cpu_type   = "dedicated-core"
    ram_gib    = 16
    disk_count = 2
    disk_gb    = 200
    disk_type  = "nvme"
    cpu_vendor = "arm"
  })
}

output "round_trip" {
  value = provider::scs::flavor_name(merge(
    provider::scs::parse_flavor_name("SCS-2V:4:20s"),
    { ram_gib = 8 },
  ))
}

output "image_problems" {
  value = provider::scs::image_metadata_problems({
    os_distro    = "debian"
    architecture = "amd64"
  })
}
"#;

const INVALID: &str = r#"
output "bad" {
  value = provider::scs::parse_flavor_name("SCS-16V-64-500q")
}
"#;

/// A client without provider functions refuses the configuration (at `init` already, when it
/// cannot even parse the call) with an error of its own.
fn lacks_functions(s: &Scenario) {
    s.write_config(CONFIG);
    let init = s.run(&["init", "-input=false", "-no-color"]);
    let out = if init.success() { s.validate() } else { init };
    out.assert_failure();
    assert!(
        !out.contains("plugin crashed") && !out.contains("panic"),
        "{}",
        out.all()
    );
    eprintln!(
        "{} {:?} has no provider functions; it reports:\n{}",
        s.client(),
        s.client().version(),
        out.all()
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a cloud"]
fn functions_in_outputs() {
    harness::on_every_client("functions_in_outputs", |s| {
        if !s.client().supports(Feature::Functions) {
            lacks_functions(s);
            return;
        }
        s.write_config(CONFIG);
        s.init();
        s.apply();
        let outputs = s.ok(&["output", "-json"]).json();
        let parsed = &outputs["parsed"]["value"];
        assert_eq!(parsed["vcpus"], 16);
        assert_eq!(parsed["cpu_type"], "shared-core");
        assert_eq!(parsed["ram_gib"], 64);
        assert_eq!(parsed["disk_gb"], 500);
        assert_eq!(parsed["disk_type"], "ssd");
        assert_eq!(parsed["name_v1"], "SCS-16V:64:500s");
        assert_eq!(outputs["name"]["value"], "SCS-4C-16-2x200p_a");
        assert_eq!(outputs["round_trip"]["value"], "SCS-2V-8-20s");
        let problems = outputs["image_problems"]["value"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            problems
                .iter()
                .any(|p| p == "os_version: is missing (mandatory)"),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p
                .as_str()
                .is_some_and(|p| p.starts_with("architecture: \"amd64\""))),
            "{problems:?}"
        );

        s.write_config(INVALID);
        let out = s.plan();
        out.assert_failure();
        for expected in [
            "Invalid function argument",
            "is not a valid SCS",
            "at character 15 (\"q\")",
            "extensions start with",
        ] {
            assert!(
                out.contains(expected),
                "{expected:?} missing in:\n{}",
                out.all()
            );
        }
        // The cleanup destroys with a valid configuration.
        s.write_config(CONFIG);
    });
}
