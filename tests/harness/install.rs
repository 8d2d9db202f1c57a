//! How the clients find our provider: an unpacked filesystem mirror holding the
//! freshly built binary, and a CLI config that takes `sovereigncloudstack/scs`
//! from that mirror only. `init` then installs it exactly as it would for a user.

use std::path::{Path, PathBuf};

use super::client::{Client, provider_binary};
use super::scenario::{create_dir, write_file};

const NAMESPACE: &str = "sovereigncloudstack";
const TYPE: &str = "scs";
const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Writes `root/mirror/...` and `root/cli.tfrc`; returns the CLI config's path
/// (for `TF_CLI_CONFIG_FILE`).
pub fn write_cli_config(root: &Path) -> PathBuf {
    let mirror = root.join("mirror");
    write_mirror(&mirror);
    let sources: Vec<String> = Client::REGISTRIES
        .map(|host| format!("\"{host}/{NAMESPACE}/{TYPE}\""))
        .to_vec();
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

/// Unpacked layout HOST/NAMESPACE/TYPE/VERSION/TARGET/terraform-provider-TYPE_vVERSION,
/// under both registry hosts so the bare source address works on either client.
fn write_mirror(mirror: &Path) {
    for host in Client::REGISTRIES {
        let dir = mirror
            .join(host)
            .join(NAMESPACE)
            .join(TYPE)
            .join(PROVIDER_VERSION)
            .join(target_platform());
        create_dir(&dir);
        let link = dir.join(format!("terraform-provider-{TYPE}_v{PROVIDER_VERSION}"));
        if let Err(e) = std::os::unix::fs::symlink(provider_binary(), &link) {
            panic!("cannot link {}: {e}", link.display());
        }
    }
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
