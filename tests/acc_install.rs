//! Installing a release as users do: `required_providers { scs = { source =
//! "sovereigncloudstack/scs" } }` and `init`, from a provider registry on 127.0.0.1 that serves the
//! release `make release` wrote (`TF_ACC_RELEASE_DIR`), on Terraform 1.0.3, the newest Terraform and
//! OpenTofu. The client checks the signature of SHA256SUMS against the registry's key and the zip
//! against SHA256SUMS; a lie in any of them must stop `init` with the client's own error.

mod harness;

use std::fs;

use harness::registry::{Registry, Release, Tamper};
use harness::{Client, Scenario};

/// Every client we support, unless `TF_ACC_CLIENTS` narrows it.
fn clients() -> Vec<Client> {
    Client::selected_or(&Client::ALL)
}

/// Points the scenario's client at `registry` (CLI configuration and CA bundle) and writes a
/// configuration with one network, so that `plan` needs the provider to reach the cloud.
fn prepare(s: &mut Scenario, registry: &Registry, cli_config: &str) {
    let config = s.root().join("registry.tfrc");
    if let Err(e) = fs::write(&config, cli_config) {
        panic!("cannot write {}: {e}", config.display());
    }
    let bundle = s.root().join("ca-bundle.pem");
    registry.write_ca_bundle(&bundle);
    s.set_env("TF_CLI_CONFIG_FILE", &config);
    s.remove_env("TOFU_CLI_CONFIG_FILE");
    s.set_env("SSL_CERT_FILE", &bundle);
    s.remove_env("SSL_CERT_DIR");
    // Without keys OpenTofu would skip the signature check for its own registry host.
    s.set_env("OPENTOFU_ENFORCE_GPG_VALIDATION", "true");
    s.write_config(
        r#"resource "scs_network" "probe" {
  name = "${var.prefix}-probe"
}
"#,
    );
}

fn lock_file(s: &Scenario) -> String {
    let path = s.workdir().join(".terraform.lock.hcl");
    match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

/// The line `init` prints for an installed, signed provider: Terraform calls every key that is
/// not HashiCorp's or a partner's "self-signed".
fn installed_line(client: Client, release: &Release) -> String {
    let how = match client {
        Client::Tofu => "signed",
        Client::Terraform | Client::TerraformLatest => "self-signed",
    };
    format!(
        "- Installed sovereigncloudstack/scs v{} ({how}, key ID {})",
        release.version, release.key_id
    )
}

fn provider_address(client: Client) -> String {
    format!("{}/sovereigncloudstack/scs", client.default_registry())
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a release (make acceptance)"]
fn install_from_registry_signed() {
    let release = Release::from_env();
    let registry = Registry::start(&release, Tamper::None);
    harness::on_clients("install_registry", &clients(), |s| {
        prepare(s, &registry, &registry.cli_config());
        let init = s.init();
        init.assert_contains(&installed_line(s.client(), &release));
        eprintln!(
            "install_registry [{}]: {}",
            s.client(),
            init.all()
                .lines()
                .find(|l| l.contains("- Installed"))
                .unwrap_or_default()
        );

        // The lock file pins what the client checked: the h1: of the unpacked package it
        // installed, and the zh: of every zip the signed SHA256SUMS lists.
        let lock = lock_file(s);
        let pinned = format!("version = \"{}\"", release.version);
        assert!(
            lock.lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") == pinned),
            "lock file lacks {pinned}:\n{lock}"
        );
        let here = harness_platform();
        let h1 = release.h1(&here.0, &here.1);
        assert!(lock.contains(&h1), "lock file lacks {h1}:\n{lock}");
        for (os, arch) in &release.platforms {
            let sum = &release.shasums[&release.zip_name(os, arch)];
            assert!(
                lock.contains(&format!("zh:{sum}")),
                "lock file lacks zh:{sum}:\n{lock}"
            );
        }

        // The installed plugin answers: its schema, a validate and a plan against the cloud.
        let schema = s.ok(&["providers", "schema", "-json"]).json();
        let provider = &schema["provider_schemas"][provider_address(s.client())];
        assert!(
            provider["resource_schemas"]["scs_network"].is_object(),
            "the installed provider's schema lacks scs_network: {provider:#}"
        );
        s.validate().assert_success();
        assert_eq!(s.planned_actions("scs_network.probe"), ["create"]);

        // A lock for every platform of the release, from the registry's signed checksums.
        let platforms: Vec<String> = release
            .platforms
            .iter()
            .map(|(os, arch)| format!("-platform={os}_{arch}"))
            .collect();
        let mut args = vec!["providers", "lock"];
        args.extend(platforms.iter().map(String::as_str));
        s.ok(&args);
        let lock = lock_file(s);
        for (os, arch) in &release.platforms {
            let sum = &release.shasums[&release.zip_name(os, arch)];
            assert!(
                lock.contains(&format!("zh:{sum}")),
                "lock file lacks zh:{sum}:\n{lock}"
            );
        }
    });
}

/// Runs `init` against a registry that lies as `tamper` says; it must fail with `error`.
fn init_refuses(name: &str, tamper: impl Fn(&Release) -> Tamper, error: &str) {
    let release = Release::from_env();
    let registry = Registry::start(&release, tamper(&release));
    harness::on_clients(name, &clients(), |s| {
        prepare(s, &registry, &registry.cli_config());
        let out = s.run(&["init", "-input=false", "-no-color"]);
        out.assert_failure();
        out.assert_contains(error);
        // The client's own words, unwrapped, for the log.
        let said = out
            .all()
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|p| p.contains(error));
        eprintln!("{name} [{}]: {}", s.client(), said.unwrap_or_default());
        assert!(
            !out.contains("- Installed sovereigncloudstack/scs"),
            "init reported an install:\n{out}"
        );
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a release (make acceptance)"]
fn install_refuses_tampered_zip() {
    init_refuses(
        "install_tampered_zip",
        |_| Tamper::Zip,
        "archive has incorrect checksum",
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a release (make acceptance)"]
fn install_refuses_corrupted_signature() {
    init_refuses(
        "install_corrupted_signature",
        |_| Tamper::Signature,
        "openpgp: invalid signature",
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a release (make acceptance)"]
fn install_refuses_unknown_key() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    };
    let script = harness_root().join("scripts/release-test-key.sh");
    let made = std::process::Command::new("bash")
        .arg(&script)
        .arg(dir.path())
        .output();
    assert!(
        made.as_ref().is_ok_and(|o| o.status.success()),
        "{} failed: {made:?}",
        script.display()
    );
    let other = match fs::read_to_string(dir.path().join("public.asc")) {
        Ok(k) => k,
        Err(e) => panic!("the other key: {e}"),
    };
    init_refuses(
        "install_unknown_key",
        |_| Tamper::Key(other.clone()),
        "authentication signature from unknown issuer",
    );
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a release (make acceptance)"]
fn install_from_network_mirror() {
    let release = Release::from_env();
    let registry = Registry::start(&release, Tamper::None);
    harness::on_clients("install_mirror", &clients(), |s| {
        prepare(s, &registry, &registry.mirror_cli_config());
        let init = s.init();
        init.assert_contains(&format!(
            "- Installed sovereigncloudstack/scs v{} (verified checksum)",
            release.version
        ));
        let here = harness_platform();
        let h1 = release.h1(&here.0, &here.1);
        let lock = lock_file(s);
        assert!(lock.contains(&h1), "lock file lacks {h1}:\n{lock}");
        s.validate().assert_success();
    });
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a release (make acceptance)"]
fn install_refuses_tampered_zip_from_mirror() {
    let release = Release::from_env();
    let registry = Registry::start(&release, Tamper::Zip);
    harness::on_clients("install_mirror_tampered", &clients(), |s| {
        prepare(s, &registry, &registry.mirror_cli_config());
        let out = s.run(&["init", "-input=false", "-no-color"]);
        out.assert_failure();
        // The mirror's h1: hash is of the unpacked package: the changed zip fails while the
        // client unpacks it to compute that hash.
        out.assert_contains("failed to verify provider package checksums");
    });
}

fn harness_platform() -> (String, String) {
    let p = harness::target_platform();
    match p.split_once('_') {
        Some((os, arch)) => (os.to_owned(), arch.to_owned()),
        None => panic!("platform {p} has no arch"),
    }
}

fn harness_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
