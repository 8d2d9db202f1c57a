//! How the clients find our provider: an unpacked filesystem mirror holding the
//! freshly built binary, and a CLI config that takes `sovereigncloudstack/scs`
//! from that mirror only. `init` then installs it exactly as it would for a user.

use std::path::{Path, PathBuf};

use super::client::{Client, provider_binary};
use super::scenario::{create_dir, write_file};

const NAMESPACE: &str = "sovereigncloudstack";
const TYPE: &str = "scs";
const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Another provider a scenario installs from the mirror too (e.g. the one it migrates from).
#[derive(Clone, Debug)]
pub struct MirroredProvider {
    pub namespace: String,
    pub type_name: String,
    pub version: String,
    pub binary: PathBuf,
}

/// Writes `root/mirror/...` and `root/cli.tfrc`; returns the CLI config's path
/// (for `TF_CLI_CONFIG_FILE`).
pub fn write_cli_config(root: &Path) -> PathBuf {
    write_cli_config_with(root, &[])
}

/// [`write_cli_config`] with `others` in the mirror as well.
pub fn write_cli_config_with(root: &Path, others: &[MirroredProvider]) -> PathBuf {
    let mirror = root.join("mirror");
    write_mirror(&mirror);
    let mut addresses = vec![(NAMESPACE.to_owned(), TYPE.to_owned())];
    for other in others {
        link_into_mirror(
            &mirror,
            &other.namespace,
            &other.type_name,
            &other.version,
            &other.binary,
        );
        addresses.push((other.namespace.clone(), other.type_name.clone()));
    }
    let sources: Vec<String> = addresses
        .iter()
        .flat_map(|(namespace, type_name)| {
            Client::REGISTRIES.map(|host| format!("\"{host}/{namespace}/{type_name}\""))
        })
        .collect();
    let sources = sources.join(", ");
    let config = format!(
        "# Written by the acceptance harness: our provider comes from the local mirror,\n\
         # everything else (if a scenario needs it) from the registry.\n\
         provider_installation {{\n  \
           filesystem_mirror {{\n    path    = {mirror:?}\n    include = [{sources}]\n  }}\n  \
           direct {{\n    exclude = [{sources}]\n  }}\n\
         }}\n",
        mirror = mirror.display().to_string(),
    );
    let path = root.join("cli.tfrc");
    write_file(&path, &config);
    path
}

/// Links `binary` into the unpacked mirror as `namespace/type_name` `version`, under both
/// registry hosts.
fn link_into_mirror(mirror: &Path, namespace: &str, type_name: &str, version: &str, binary: &Path) {
    for host in Client::REGISTRIES {
        let dir = mirror
            .join(host)
            .join(namespace)
            .join(type_name)
            .join(version)
            .join(target_platform());
        create_dir(&dir);
        let link = dir.join(format!("terraform-provider-{type_name}_v{version}"));
        if link.exists() {
            continue;
        }
        if let Err(e) = std::os::unix::fs::symlink(binary, &link) {
            panic!("cannot link {}: {e}", link.display());
        }
    }
}

/// Unpacked layout HOST/NAMESPACE/TYPE/VERSION/TARGET/terraform-provider-TYPE_vVERSION,
/// under both registry hosts so the bare source address works on either client.
fn write_mirror(mirror: &Path) {
    link_into_mirror(
        mirror,
        NAMESPACE,
        TYPE,
        PROVIDER_VERSION,
        &provider_binary(),
    );
}

/// The clients' name for this machine's platform, e.g. `linux_amd64`, `darwin_arm64`.
pub fn target_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{os}_{arch}")
}
