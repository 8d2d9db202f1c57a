//! The Kubernetes management cluster of the cluster scenarios: the local test bed
//! (`acceptance/kube`, `make kube-up`: Cluster API and the Cluster Stack Operator in local mode on
//! 127.0.0.1) unless `TF_ACC_KUBECONFIG` names the kubeconfig of another one.
//!
//! A scenario calls [`Scenario::use_kube`](super::Scenario::use_kube): its commands then get
//! `KUBECONFIG` and a namespace of their own (`var.namespace`), which the harness creates first and
//! deletes, with everything left in it, after the final destroy.
//!
//! Environment:
//! - `TF_ACC_KUBECONFIG`: the management cluster's kubeconfig (default: the test bed's,
//!   `$KUBE_BED_DIR/admin.kubeconfig`).
//! - `KUBE_BED_DIR`: the test bed's state directory (default
//!   `${XDG_CACHE_HOME:-~/.cache}/terraform-provider-scs/kube-bed`), as `acceptance/kube` uses it.
//! - `TF_ACC_KUBECTL`: the kubectl the harness runs (default: the test bed's, else `kubectl` on
//!   `PATH`).

use std::path::PathBuf;

/// The namespace in which the test bed keeps its shared ClusterStack `inmem`: ClusterClasses
/// `docker-inmem-1-36-v1` (Kubernetes v1.36.0) and `docker-inmem-1-36-v2` (v1.36.1).
pub const STACK_NAMESPACE: &str = "cluster-stacks";

/// Whether the scenarios use the local test bed (`TF_ACC_KUBECONFIG` unset or empty).
pub fn on_kube_bed() -> bool {
    std::env::var_os("TF_ACC_KUBECONFIG").is_none_or(|v| v.is_empty())
}

/// The test bed's state directory.
pub fn kube_bed_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KUBE_BED_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("terraform-provider-scs").join("kube-bed")
}

/// The management cluster's kubeconfig. Panics, saying how to get one, when it does not exist:
/// like a missing cloud, a missing cluster fails a scenario instead of skipping it.
pub fn kubeconfig() -> PathBuf {
    let (path, hint) = match std::env::var_os("TF_ACC_KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(path) => (
            PathBuf::from(path),
            "TF_ACC_KUBECONFIG names a file that does not exist",
        ),
        None => (
            kube_bed_dir().join("admin.kubeconfig"),
            "the Kubernetes test bed is not running: start it with `make kube-up`, or set \
             TF_ACC_KUBECONFIG to the kubeconfig of a management cluster",
        ),
    };
    assert!(
        path.is_file(),
        "no kubeconfig at {}: {hint}",
        path.display()
    );
    path
}

/// The kubectl the harness runs for checks and out-of-band changes.
pub fn kubectl() -> PathBuf {
    if let Some(path) = std::env::var_os("TF_ACC_KUBECTL").filter(|v| !v.is_empty()) {
        return PathBuf::from(path);
    }
    let bed = kube_bed_dir().join("bin").join("kubectl");
    if bed.is_file() {
        bed
    } else {
        PathBuf::from("kubectl")
    }
}

/// A namespace name for `prefix` (a scenario's name prefix): at most 63 characters of lower-case
/// letters, digits and dashes, starting and ending with a letter or digit.
pub fn namespace_for(prefix: &str) -> String {
    let mut name: String = prefix
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() { c } else { '-' }
        })
        .take(63)
        .collect();
    while name.ends_with('-') {
        name.pop();
    }
    let name = name.trim_start_matches('-').to_owned();
    if name.is_empty() {
        "tfacc".to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::namespace_for;

    #[test]
    fn namespaces_are_dns_labels() {
        assert_eq!(
            namespace_for("tfacc-0a1b2c-tofu-cluster-basic"),
            "tfacc-0a1b2c-tofu-cluster-basic"
        );
        assert_eq!(namespace_for("tfacc_X.y"), "tfacc-x-y");
        // Cut at 63 characters right after a dash, which is dropped.
        let long = namespace_for(&format!("tfacc-{}-x", "a".repeat(56)));
        assert_eq!(long.len(), 62, "{long}");
        assert!(!long.ends_with('-'));
        assert_eq!(namespace_for("--"), "tfacc");
    }
}
