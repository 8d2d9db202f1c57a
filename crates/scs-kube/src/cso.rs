//! The Cluster Stack Operator's kinds, `clusterstack.x-k8s.io/v1alpha1`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use crate::meta::{Condition, namespaced_kind};

pub const GROUP: &str = "clusterstack.x-k8s.io";
pub const VERSION: &str = "v1alpha1";

/// A ClusterStack: which stack (provider, name, Kubernetes minor) and which of its versions the
/// operator should make available as ClusterClasses.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterStack {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ClusterStackSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ClusterStackStatus>,
}
namespaced_kind!(
    ClusterStack,
    "clusterstack.x-k8s.io",
    "v1alpha1",
    "ClusterStack",
    "clusterstacks",
    "ClusterStack"
);

/// The spec as read and as applied: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStackSpec {
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kubernetes_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_subscribe: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_provider: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_ref: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStackStatus {
    #[serde(default)]
    pub latest_release: Option<String>,
    #[serde(default)]
    pub usable_versions: Option<String>,
    #[serde(default)]
    pub summary: Vec<ReleaseSummary>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReleaseSummary {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub phase: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ClusterStack {
    pub fn conditions(&self) -> &[Condition] {
        self.status.as_ref().map_or(&[], |s| &s.conditions)
    }
}

/// A ClusterStackRelease: one version of a stack, made by the operator.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterStackRelease {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ClusterStackReleaseStatus>,
}
namespaced_kind!(
    ClusterStackRelease,
    "clusterstack.x-k8s.io",
    "v1alpha1",
    "ClusterStackRelease",
    "clusterstackreleases",
    "ClusterStackRelease"
);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStackReleaseStatus {
    #[serde(default)]
    pub kubernetes_version: Option<String>,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

impl ClusterStackRelease {
    pub fn is_ready(&self) -> bool {
        self.status.as_ref().is_some_and(|s| s.ready)
    }

    /// The Kubernetes patch version the release ships, as a Cluster's `topology.version` takes
    /// it (`v1.33.4`; the assets may leave out the `v`).
    pub fn kubernetes_version(&self) -> Option<String> {
        self.status
            .as_ref()
            .and_then(|s| s.kubernetes_version.as_deref())
            .filter(|v| !v.is_empty())
            .map(|v| {
                if v.starts_with('v') {
                    v.to_owned()
                } else {
                    format!("v{v}")
                }
            })
    }

    pub fn conditions(&self) -> &[Condition] {
        self.status.as_ref().map_or(&[], |s| &s.conditions)
    }
}

/// A ClusterAddon: the operator's add-ons of one Cluster (`cluster-addon-<cluster>`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterAddon {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ClusterAddonSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ClusterAddonStatus>,
}
namespaced_kind!(
    ClusterAddon,
    "clusterstack.x-k8s.io",
    "v1alpha1",
    "ClusterAddon",
    "clusteraddons",
    "ClusterAddon"
);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAddonSpec {
    #[serde(default)]
    pub cluster_stack: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub hook: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterAddonStatus {
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

impl ClusterAddon {
    /// The name the operator gives the add-ons of cluster `cluster`.
    pub fn name_for(cluster: &str) -> String {
        format!("cluster-addon-{cluster}")
    }

    pub fn is_ready(&self) -> bool {
        self.status.as_ref().is_some_and(|s| s.ready)
    }

    pub fn conditions(&self) -> &[Condition] {
        self.status.as_ref().map_or(&[], |s| &s.conditions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_stack_applies_only_the_fields_that_are_set() {
        let spec = ClusterStackSpec {
            provider: "docker".into(),
            name: "inmem".into(),
            kubernetes_version: "1.36".into(),
            versions: Some(vec!["v1".into()]),
            auto_subscribe: Some(false),
            ..Default::default()
        };
        let json = serde_json::to_value(&spec).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "provider": "docker", "name": "inmem", "kubernetesVersion": "1.36",
                "versions": ["v1"], "autoSubscribe": false
            })
        );
    }

    #[test]
    fn a_release_reads_its_kubernetes_version_and_readiness() {
        let release: ClusterStackRelease = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "docker-inmem-1-36-v1", "namespace": "ns"},
            "spec": {},
            "status": {"kubernetesVersion": "v1.36.0", "ready": true,
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .unwrap_or_default();
        assert!(release.is_ready());
        assert_eq!(release.kubernetes_version().as_deref(), Some("v1.36.0"));
        assert_eq!(release.conditions().len(), 1);
    }
}
