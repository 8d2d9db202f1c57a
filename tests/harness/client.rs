//! The CLIs scenarios run on, and where their binaries are.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// The oldest Terraform we support (1.0.3).
    Terraform,
    Tofu,
    /// The newest Terraform `make tools` builds.
    TerraformLatest,
}

impl Client {
    pub const ALL: [Client; 3] = [Client::Terraform, Client::Tofu, Client::TerraformLatest];
    /// What scenarios run on unless `TF_ACC_CLIENTS` says otherwise: a run of every scenario on the
    /// newest Terraform too would add a third to the suite's time.
    pub const DEFAULT: [Client; 2] = [Client::Terraform, Client::Tofu];
    /// The registry hosts a bare `namespace/type` source can mean, each once.
    pub const REGISTRIES: [&'static str; 2] = ["registry.terraform.io", "registry.opentofu.org"];

    pub fn name(self) -> &'static str {
        match self {
            Client::Terraform => "terraform",
            Client::Tofu => "tofu",
            Client::TerraformLatest => "terraform-latest",
        }
    }

    /// The registry host that a bare `namespace/type` source means to this client.
    pub fn default_registry(self) -> &'static str {
        match self {
            Client::Terraform | Client::TerraformLatest => "registry.terraform.io",
            Client::Tofu => "registry.opentofu.org",
        }
    }

    fn path_override_var(self) -> &'static str {
        match self {
            Client::Terraform => "TF_ACC_TERRAFORM_PATH",
            Client::Tofu => "TF_ACC_TOFU_PATH",
            Client::TerraformLatest => "TF_ACC_TERRAFORM_LATEST_PATH",
        }
    }

    /// Clients named in `TF_ACC_CLIENTS` (comma separated), or [`Client::DEFAULT`].
    pub fn selected() -> Vec<Client> {
        Client::named().unwrap_or_else(|| Client::DEFAULT.to_vec())
    }

    /// Of the clients a scenario can run on (`capable`, for a feature only some have), those
    /// named in `TF_ACC_CLIENTS`, or all of them when it is unset. Empty when the selection names
    /// none of them: a run on one client at a time (`make acceptance-cloud` runs the clients
    /// side by side that way) skips what that client cannot do.
    pub fn selected_or(capable: &[Client]) -> Vec<Client> {
        match Client::named() {
            Some(named) => capable
                .iter()
                .copied()
                .filter(|c| named.contains(c))
                .collect(),
            None => capable.to_vec(),
        }
    }

    /// The clients `TF_ACC_CLIENTS` names, `None` when it is unset.
    fn named() -> Option<Vec<Client>> {
        let list = std::env::var("TF_ACC_CLIENTS").ok()?;
        let chosen: Vec<Client> = Client::ALL
            .into_iter()
            .filter(|c| list.split(',').any(|n| n.trim() == c.name()))
            .collect();
        assert!(
            !chosen.is_empty(),
            "TF_ACC_CLIENTS={list:?} names no client; use terraform, tofu, terraform-latest"
        );
        Some(chosen)
    }

    /// The binary to run. Panics with a hint when it is missing: with `TF_ACC`
    /// set a missing client is a test failure, never a silent skip.
    pub fn binary(self) -> PathBuf {
        let path = match std::env::var_os(self.path_override_var()) {
            Some(p) => PathBuf::from(p),
            None => repo_root().join("acceptance/tools/bin").join(self.name()),
        };
        assert!(
            path.is_file(),
            "{} not found at {} (run `make tools`, or set {})",
            self.name(),
            path.display(),
            self.path_override_var()
        );
        path
    }
}

/// A client version as (major, minor, patch).
pub type Version = (u32, u32, u32);

/// Client features that not every supported client version has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// `provider::NAME::FUNCTION(...)`: Terraform 1.8, OpenTofu 1.7.
    Functions,
    /// `ephemeral` blocks: Terraform 1.10, OpenTofu 1.11.
    EphemeralResources,
    /// Write-only attributes: Terraform 1.11, OpenTofu 1.11.
    WriteOnlyAttributes,
    /// `moved` blocks between resource types (MoveResourceState): Terraform 1.8, OpenTofu 1.12.
    CrossTypeMoves,
}

impl Client {
    /// The version the binary reports (`version -json`), as (major, minor, patch).
    pub fn version(self) -> Version {
        static VERSIONS: OnceLock<std::sync::Mutex<Vec<(PathBuf, Version)>>> = OnceLock::new();
        let binary = self.binary();
        let cache = VERSIONS.get_or_init(Default::default);
        if let Ok(known) = cache.lock()
            && let Some((_, v)) = known.iter().find(|(b, _)| *b == binary)
        {
            return *v;
        }
        let out = std::process::Command::new(&binary)
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {} version: {e}", binary.display()));
        // Warnings about the CLI configuration may come first.
        let stdout = String::from_utf8_lossy(&out.stdout);
        let text = stdout
            .get(stdout.find('{').unwrap_or(0)..)
            .unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| {
            panic!(
                "{} version -json printed no JSON ({e}): {}",
                binary.display(),
                stdout
            )
        });
        let text = json["terraform_version"].as_str().unwrap_or_default();
        let mut parts = text
            .split(['.', '-'])
            .map(|p| p.parse::<u32>().unwrap_or(0));
        let version = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        assert!(
            version.0 > 0,
            "{} reports no version: {json}",
            binary.display()
        );
        if let Ok(mut known) = cache.lock() {
            known.push((binary, version));
        }
        version
    }

    /// The first version of this client with `feature`.
    pub fn first_with(self, feature: Feature) -> Version {
        match (self, feature) {
            (Client::Terraform | Client::TerraformLatest, Feature::Functions) => (1, 8, 0),
            (Client::Tofu, Feature::Functions) => (1, 7, 0),
            (Client::Terraform | Client::TerraformLatest, Feature::EphemeralResources) => {
                (1, 10, 0)
            }
            (_, Feature::EphemeralResources | Feature::WriteOnlyAttributes) => (1, 11, 0),
            (Client::Terraform | Client::TerraformLatest, Feature::CrossTypeMoves) => (1, 8, 0),
            (Client::Tofu, Feature::CrossTypeMoves) => (1, 12, 0),
        }
    }

    /// Whether this client's binary has `feature`.
    pub fn supports(self, feature: Feature) -> bool {
        self.version() >= self.first_with(feature)
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The provider binary cargo built for this test run, as a snapshot private to
/// this test process.
///
/// Clients pin the binary's checksum in `.terraform.lock.hcl` at `init`; a
/// `cargo build` by someone else in the same target dir mid-scenario would
/// otherwise make every later command fail with a checksum mismatch. Cargo
/// replaces the file rather than rewriting it, so a hard link keeps this build's
/// bytes at no cost (a copy where linking is impossible).
pub fn provider_binary() -> PathBuf {
    static SNAPSHOT: OnceLock<PathBuf> = OnceLock::new();
    SNAPSHOT.get_or_init(snapshot_provider_binary).clone()
}

fn snapshot_provider_binary() -> PathBuf {
    let built = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-scs"));
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tfacc-provider");
    remove_stale_snapshots(&root);
    let dir = root.join(std::process::id().to_string());
    let _ = fs::remove_dir_all(&dir);
    if let Err(e) = fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    let snapshot = dir.join("terraform-provider-scs");
    if fs::hard_link(&built, &snapshot).is_err()
        && let Err(e) = fs::copy(&built, &snapshot)
    {
        panic!("cannot snapshot {}: {e}", built.display());
    }
    snapshot
}

/// Snapshots of earlier test processes, once they are a day old (a running
/// process never keeps one that long).
fn remove_stale_snapshots(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(24 * 3600));
        if old {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
