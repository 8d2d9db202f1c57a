//! terraform-provider-openstack, the provider migrations start from: the binary
//! `acceptance/bench/install_tpo.sh` builds (or `TF_ACC_TPO_PATH`), as a provider for the
//! scenario's mirror.

use std::path::PathBuf;

use super::install::MirroredProvider;

pub const VERSION: &str = "3.4.0";

/// The binary: `TF_ACC_TPO_PATH`, else the cache `acceptance/bench/install_tpo.sh` builds into.
pub fn binary() -> PathBuf {
    let path = match std::env::var_os("TF_ACC_TPO_PATH") {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
                });
            cache
                .join("terraform-provider-scs")
                .join(format!("tpo-{VERSION}"))
                .join("terraform-provider-openstack")
        }
    };
    assert!(
        path.is_file(),
        "terraform-provider-openstack not found at {} (run acceptance/bench/install_tpo.sh, or set \
         TF_ACC_TPO_PATH)",
        path.display()
    );
    path
}

/// terraform-provider-openstack for [`super::Scenario::mirror_provider`].
pub fn provider() -> MirroredProvider {
    MirroredProvider {
        namespace: "terraform-provider-openstack".into(),
        type_name: "openstack".into(),
        version: VERSION.into(),
        binary: binary(),
    }
}
