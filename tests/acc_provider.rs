//! The provider itself, run against real terraform and tofu: the freshly built
//! binary serves its schema, rejects a bad `auth_url` with a diagnostic on that
//! attribute, and explains a configuration that cannot authenticate.

mod harness;

use harness::Scenario;

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn providers_schema_json_shows_provider_arguments() {
    harness::on_both_clients("provider_schema", |s| {
        s.use_scenario("provider/schema");
        s.init();
        let out = s.ok(&["providers", "schema", "-json"]);
        let schemas = out.json();
        let key = format!("{}/sovereigncloudstack/scs", s.client().default_registry());
        let block = &schemas["provider_schemas"][&key]["provider"]["block"];
        let attrs = &block["attributes"];
        assert!(attrs.is_object(), "no provider schema under {key}:\n{out}");
        for name in [
            "cloud",
            "auth_url",
            "region",
            "user_name",
            "password",
            "project_name",
            "project_id",
            "application_credential_id",
            "application_credential_secret",
            "token",
            "insecure",
            "endpoint_overrides",
            "max_retries",
        ] {
            assert_eq!(
                attrs[name]["optional"], true,
                "provider argument {name} missing or not optional: {:#}",
                attrs[name]
            );
        }
        for secret in ["password", "application_credential_secret", "token"] {
            assert_eq!(
                attrs[secret]["sensitive"], true,
                "{secret} must be sensitive"
            );
        }
        assert_eq!(attrs["auth_url"]["type"], "string");
        assert_eq!(attrs["insecure"]["type"], "bool");
        assert_eq!(attrs["max_retries"]["type"], "number");
        assert_eq!(
            attrs["endpoint_overrides"]["type"],
            serde_json::json!(["map", "string"])
        );
        assert!(
            attrs["auth_url"]["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "auth_url has no description"
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn validate_reports_bad_auth_url_on_the_attribute() {
    harness::on_both_clients("provider_bad_auth_url", |s| {
        s.use_scenario("provider/invalid_auth_url");
        s.init();
        let out = s.validate();
        out.assert_failure().assert_contains("auth_url");
        // The client quotes the source line of the attribute the diagnostic's path
        // names; without a path it would quote the `provider "scs" {` line instead.
        out.assert_contains(r#"auth_url = "not a url""#);

        let json = s.run(&["validate", "-json", "-no-color"]).json();
        let diag = json["diagnostics"]
            .as_array()
            .and_then(|ds| ds.iter().find(|d| d["severity"] == "error"));
        let Some(diag) = diag else {
            panic!("validate -json has no error diagnostic: {json:#}")
        };
        let line = attribute_line(s, "auth_url");
        assert_eq!(
            diag["range"]["start"]["line"], line,
            "diagnostic is not on the auth_url line: {diag:#}"
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn plan_without_credentials_says_what_is_missing_and_where_it_looked() {
    harness::on_both_clients("provider_no_auth", |s| {
        s.use_scenario("provider/no_auth");
        s.init();
        isolate_from_user_cloud_config(s);
        let out = s.plan();
        out.assert_failure();
        // What is missing: a cloud or an auth_url, as argument or environment variable.
        for needle in ["auth_url", "cloud", "OS_AUTH_URL", "OS_CLOUD"] {
            out.assert_contains(needle);
        }
        // Where it looked: the provider block and the environment; no cloud is
        // named, so there was no clouds.yaml to read.
        for needle in ["looked in", "provider configuration", "environment"] {
            out.assert_contains(needle);
        }
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn plan_with_a_cloud_but_no_clouds_yaml_lists_the_files_it_searched() {
    harness::on_both_clients("provider_no_clouds_yaml", |s| {
        s.use_scenario("provider/no_auth");
        s.init();
        isolate_from_user_cloud_config(s);
        s.set_env("OS_CLOUD", "nowhere");
        let out = s.plan();
        out.assert_failure().assert_contains("nowhere");
        let explicit = s.root().join("no-such-clouds.yaml");
        let in_home = s.root().join("home/.config/openstack/clouds.yaml");
        for searched in [explicit, in_home] {
            out.assert_contains(&searched.display().to_string());
        }
    });
}

/// Leaves the provider nothing to authenticate with: no OS_* variables, a
/// clouds.yaml path that does not exist, and an empty HOME (so no
/// ~/.config/openstack/clouds.yaml either).
fn isolate_from_user_cloud_config(s: &mut Scenario) {
    s.clear_env_prefix("OS_");
    let missing = s.root().join("no-such-clouds.yaml");
    s.set_env("OS_CLIENT_CONFIG_FILE", &missing);
    let home = s.root().join("home");
    if let Err(e) = std::fs::create_dir_all(&home) {
        panic!("cannot create {}: {e}", home.display());
    }
    s.set_env("HOME", &home);
}

/// 1-based line of `name = ...` in the scenario's main.tf.
fn attribute_line(s: &Scenario, name: &str) -> u64 {
    let path = s.workdir().join("main.tf");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    let found = text
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{name} ")));
    match found {
        Some(i) => i as u64 + 1,
        None => panic!("{name} not in {}", path.display()),
    }
}

/// Not a check: records what real clients send, for tfplugin's golden value
/// tests. Run on demand against a cloud:
/// `TF_ACC=1 TFPLUGIN_GOLDEN_OUT=/some/dir cargo test --test acc_provider -- --ignored capture`
/// and every DynamicValue of validate, plan, apply, refresh and destroy lands in
/// `/some/dir/<client>/` (see TFPLUGIN_CAPTURE_DIR in tfplugin's dispatch).
#[test]
#[ignore = "records golden vectors on demand; needs a cloud"]
fn on_demand_capture_golden_dynamic_values() {
    let Some(out) = std::env::var_os("TFPLUGIN_GOLDEN_OUT") else {
        panic!("set TFPLUGIN_GOLDEN_OUT to the directory that receives the captures")
    };
    harness::on_both_clients("golden", |s| {
        let dir = std::path::Path::new(&out).join(s.client().name());
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot create {}: {e}", dir.display());
        }
        s.use_scenario("provider/golden");
        s.init();
        s.set_env("TFPLUGIN_CAPTURE_DIR", &dir);
        s.validate().assert_success();
        assert_eq!(
            s.planned_actions("scs_network.second"),
            ["create"],
            "second network"
        );
        s.apply();
        assert!(s.plan_is_empty(), "plan after apply is not empty");
    });
}

/// The harness itself against a cloud: apply, empty plan, a change behind the
/// provider's back that the next plan must see, and the CLI import round trip.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn harness_round_trip_with_out_of_band_change_and_import() {
    harness::on_both_clients("harness", |s| {
        s.use_scenario("provider/harness");
        s.init();
        s.apply();
        assert!(s.plan_is_empty(), "plan after apply is not empty");
        let net = s.state_resource("scs_network.this");
        assert_eq!(net["name"], format!("{}-net", s.name_prefix()));
        let Some(id) = net["id"].as_str().map(str::to_owned) else {
            panic!("network has no id: {net:#}")
        };

        let cloud = s.cloud();
        cloud.change(
            "delete the network",
            scs_client::network::delete_network(cloud.client(), &id),
        );
        assert_eq!(s.planned_actions("scs_network.this"), ["create"]);

        s.apply();
        let id = match s.state_resource("scs_network.this")["id"].as_str() {
            Some(id) => id.to_owned(),
            None => panic!("re-created network has no id"),
        };
        s.ok(&["state", "rm", "scs_network.this"]);
        s.import("scs_network.this", &id);
        assert_eq!(s.state_resource("scs_network.this")["id"], id.as_str());
        assert!(s.plan_is_empty(), "plan after import is not empty");
    });
}

/// With `cache: {auth: true}` in clouds.yaml the provider processes of one command and of the
/// next ones share one token, kept in a file only the user can read; a revoked or changed
/// credential is never served from it.
#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a cloud"]
fn clouds_yaml_cache_auth_keeps_one_token_for_every_process() {
    use std::os::unix::fs::PermissionsExt;
    harness::on_both_clients("token_cache", |s| {
        s.use_scenario("provider/harness");
        let env = s.cloud_env();
        let Some((_, file)) = env.iter().find(|(k, _)| k == "OS_CLIENT_CONFIG_FILE") else {
            panic!("no OS_CLIENT_CONFIG_FILE for the scenario: {env:?}")
        };
        let original =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        let mut doc: serde_yaml::Value =
            serde_yaml::from_str(&original).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"));
        let mut cache = serde_yaml::Mapping::new();
        cache.insert("auth".into(), true.into());
        match doc.as_mapping_mut() {
            Some(m) => m.insert("cache".into(), cache.into()),
            None => panic!("{file} is not a mapping"),
        };
        let clouds = s.root().join("clouds-cache-auth.yaml");
        let text = serde_yaml::to_string(&doc).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&clouds, text).unwrap_or_else(|e| panic!("{e}"));
        s.set_env("OS_CLIENT_CONFIG_FILE", &clouds);
        let run = s.root().join("run");
        std::fs::create_dir_all(&run).unwrap_or_else(|e| panic!("{e}"));
        s.set_env("XDG_RUNTIME_DIR", &run);
        let tokens = run.join("terraform-provider-scs/tokens");
        let kept = || -> Vec<(std::path::PathBuf, String)> {
            let Ok(entries) = std::fs::read_dir(&tokens) else {
                return Vec::new();
            };
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .map(|p| {
                    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{e}"));
                    (p, text)
                })
                .collect()
        };

        s.init();
        s.apply();
        let after_apply = kept();
        assert_eq!(after_apply.len(), 1, "one kept token: {after_apply:?}");
        let (path, token) = &after_apply[0];
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p)
                .unwrap_or_else(|e| panic!("{e}"))
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(path), 0o600, "{}", path.display());
        assert_eq!(mode(&tokens), 0o700, "{}", tokens.display());
        // The credentials this clouds.yaml carries (secure.yaml may hold them instead) are
        // never written.
        let secrets: Vec<&str> = doc["clouds"]
            .as_mapping()
            .into_iter()
            .flat_map(|clouds| clouds.values())
            .flat_map(|cloud| {
                ["password", "application_credential_secret"].map(|k| &cloud["auth"][k])
            })
            .filter_map(serde_yaml::Value::as_str)
            .collect();
        for secret in secrets {
            assert!(
                !token.contains(secret),
                "a credential was written to {}",
                path.display()
            );
        }

        // The plan's processes found the token: none of them issued a new one.
        assert!(s.plan_is_empty(), "plan after apply is not empty");
        assert_eq!(
            kept(),
            after_apply,
            "the next command reused the kept token"
        );
        s.destroy();
        assert_eq!(kept(), after_apply);
    });
}
