//! Cluster API's `Cluster` and `ClusterClass` (`cluster.x-k8s.io`) in `v1beta1` and `v1beta2`,
//! and one view of each that does not depend on the version the management cluster serves.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::meta::{Condition, condition, namespaced_kind};

pub const GROUP: &str = "cluster.x-k8s.io";

/// The Cluster API version used for Clusters and ClusterClasses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapiVersion {
    V1beta1,
    V1beta2,
}

impl CapiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            CapiVersion::V1beta1 => "v1beta1",
            CapiVersion::V1beta2 => "v1beta2",
        }
    }

    /// The version to use among those the management cluster serves: `v1beta2` when served.
    pub fn choose<'a>(served: impl IntoIterator<Item = &'a str>) -> Result<CapiVersion, Error> {
        let served: Vec<&str> = served.into_iter().collect();
        if served.contains(&"v1beta2") {
            Ok(CapiVersion::V1beta2)
        } else if served.contains(&"v1beta1") {
            Ok(CapiVersion::V1beta1)
        } else if served.is_empty() {
            Err(Error::NotServed(
                "the management cluster does not serve Cluster API (cluster.x-k8s.io); install \
                 Cluster API with ClusterTopology enabled"
                    .to_owned(),
            ))
        } else {
            Err(Error::NotServed(format!(
                "the management cluster serves cluster.x-k8s.io only in {}, but v1beta1 or v1beta2 is needed",
                served.join(", ")
            )))
        }
    }
}

/// The pieces both versions share.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopologyMetadata {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ControlPlaneTopology {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<TopologyMetadata>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineDeploymentTopology {
    pub class: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<TopologyMetadata>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkersTopology {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub machine_deployments: Vec<MachineDeploymentTopology>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterVariable {
    pub name: String,
    #[serde(default)]
    pub value: Value,
}

/// How many machines of the control plane or the workers exist, are available and up to date
/// (`status.controlPlane` and `status.workers` in v1beta2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaCounts {
    #[serde(default)]
    pub desired_replicas: Option<i64>,
    #[serde(default)]
    pub replicas: Option<i64>,
    #[serde(default)]
    pub available_replicas: Option<i64>,
    #[serde(default)]
    pub up_to_date_replicas: Option<i64>,
    /// How many machines run each Kubernetes version.
    #[serde(default)]
    pub versions: Vec<VersionCount>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionCount {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub replicas: Option<i64>,
}

impl ReplicaCounts {
    /// Whether `expected` machines (when known) are wanted and all of them are available, up to
    /// date and run `version`.
    fn settled(&self, expected: Option<i64>, version: &str) -> bool {
        let desired = self.desired_replicas.unwrap_or(0);
        expected.is_none_or(|e| e == desired)
            && self.replicas.is_none_or(|r| r == desired)
            && self.available_replicas.unwrap_or(0) >= desired
            && self.up_to_date_replicas.is_none_or(|u| u == desired)
            && self
                .versions
                .iter()
                .all(|v| v.version == version || v.replicas == Some(0))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiEndpoint {
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: i32,
}

/// `cluster.x-k8s.io/v1beta1`.
pub mod v1beta1 {
    use super::*;

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct Cluster {
        #[serde(default)]
        pub metadata: ObjectMeta,
        #[serde(default)]
        pub spec: ClusterSpec,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ClusterStatus>,
    }
    namespaced_kind!(
        Cluster,
        "cluster.x-k8s.io",
        "v1beta1",
        "Cluster",
        "clusters",
        "Cluster (v1beta1)"
    );

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ClusterSpec {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub control_plane_endpoint: Option<ApiEndpoint>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub topology: Option<Topology>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Topology {
        pub class: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub class_namespace: Option<String>,
        pub version: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub control_plane: Option<ControlPlaneTopology>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub workers: Option<WorkersTopology>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub variables: Vec<ClusterVariable>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ClusterStatus {
        #[serde(default)]
        pub phase: Option<String>,
        #[serde(default)]
        pub observed_generation: Option<i64>,
        #[serde(default)]
        pub conditions: Vec<Condition>,
        /// The new-style conditions Cluster API 1.9+ reports next to the old ones.
        #[serde(default)]
        pub v1beta2: Option<NewStyleStatus>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct NewStyleStatus {
        #[serde(default)]
        pub conditions: Vec<Condition>,
        #[serde(default)]
        pub control_plane: Option<ReplicaCounts>,
        #[serde(default)]
        pub workers: Option<ReplicaCounts>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct ClusterClass {
        #[serde(default)]
        pub metadata: ObjectMeta,
        #[serde(default)]
        pub spec: ClusterClassSpec,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ClusterClassStatus>,
    }
    namespaced_kind!(
        ClusterClass,
        "cluster.x-k8s.io",
        "v1beta1",
        "ClusterClass",
        "clusterclasses",
        "ClusterClass (v1beta1)"
    );
}

/// `cluster.x-k8s.io/v1beta2`.
pub mod v1beta2 {
    use super::*;

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct Cluster {
        #[serde(default)]
        pub metadata: ObjectMeta,
        #[serde(default)]
        pub spec: ClusterSpec,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ClusterStatus>,
    }
    namespaced_kind!(
        Cluster,
        "cluster.x-k8s.io",
        "v1beta2",
        "Cluster",
        "clusters",
        "Cluster (v1beta2)"
    );

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ClusterSpec {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub control_plane_endpoint: Option<ApiEndpoint>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub topology: Option<Topology>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct ClassRef {
        pub name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub namespace: Option<String>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Topology {
        pub class_ref: ClassRef,
        pub version: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub control_plane: Option<ControlPlaneTopology>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub workers: Option<WorkersTopology>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub variables: Vec<ClusterVariable>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ClusterStatus {
        #[serde(default)]
        pub phase: Option<String>,
        #[serde(default)]
        pub observed_generation: Option<i64>,
        #[serde(default)]
        pub conditions: Vec<Condition>,
        #[serde(default)]
        pub control_plane: Option<ReplicaCounts>,
        #[serde(default)]
        pub workers: Option<ReplicaCounts>,
    }

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct ClusterClass {
        #[serde(default)]
        pub metadata: ObjectMeta,
        #[serde(default)]
        pub spec: ClusterClassSpec,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<ClusterClassStatus>,
    }
    namespaced_kind!(
        ClusterClass,
        "cluster.x-k8s.io",
        "v1beta2",
        "ClusterClass",
        "clusterclasses",
        "ClusterClass (v1beta2)"
    );
}

/// The parts of a ClusterClass spec read here; the same in both versions.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterClassSpec {
    #[serde(default)]
    pub variables: Vec<ClusterClassVariable>,
    #[serde(default)]
    pub workers: Option<WorkersClass>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkersClass {
    #[serde(default)]
    pub machine_deployments: Vec<MachineDeploymentClass>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MachineDeploymentClass {
    #[serde(default)]
    pub class: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterClassVariable {
    pub name: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub schema: VariableSchema,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct VariableSchema {
    #[serde(rename = "openAPIV3Schema", default)]
    pub open_api_v3_schema: Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterClassStatus {
    #[serde(default)]
    pub variables: Vec<ClusterClassStatusVariable>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClusterClassStatusVariable {
    pub name: String,
    #[serde(default)]
    pub definitions: Vec<StatusVariableDefinition>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StatusVariableDefinition {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub schema: VariableSchema,
}

/// A variable a ClusterClass declares: its name, whether it is required, and its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableDefinition {
    pub name: String,
    pub required: bool,
    pub schema: Value,
}

impl VariableDefinition {
    /// The schema's default value, if it has one.
    pub fn default_value(&self) -> Option<&Value> {
        self.schema.get("default")
    }
}

/// A ClusterClass as this crate uses it, whatever the version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterClassView {
    pub namespace: String,
    pub name: String,
    pub variables: Vec<VariableDefinition>,
    pub worker_classes: Vec<String>,
}

impl ClusterClassView {
    fn from_parts(
        metadata: &ObjectMeta,
        spec: &ClusterClassSpec,
        status: Option<&ClusterClassStatus>,
    ) -> Self {
        // The status holds the variables as the class resolved them (with those its patches add);
        // the spec is what a class that has not been reconciled yet says.
        let from_status: Vec<VariableDefinition> = status
            .map(|s| {
                s.variables
                    .iter()
                    .filter_map(|v| {
                        let d = v.definitions.first()?;
                        Some(VariableDefinition {
                            name: v.name.clone(),
                            required: d.required,
                            schema: d.schema.open_api_v3_schema.clone(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let variables = if from_status.is_empty() {
            spec.variables
                .iter()
                .map(|v| VariableDefinition {
                    name: v.name.clone(),
                    required: v.required,
                    schema: v.schema.open_api_v3_schema.clone(),
                })
                .collect()
        } else {
            from_status
        };
        ClusterClassView {
            namespace: metadata.namespace.clone().unwrap_or_default(),
            name: metadata.name.clone().unwrap_or_default(),
            variables,
            worker_classes: spec
                .workers
                .as_ref()
                .map(|w| {
                    w.machine_deployments
                        .iter()
                        .map(|m| m.class.clone())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    pub fn variable(&self, name: &str) -> Option<&VariableDefinition> {
        self.variables.iter().find(|v| v.name == name)
    }
}

impl From<&v1beta1::ClusterClass> for ClusterClassView {
    fn from(c: &v1beta1::ClusterClass) -> Self {
        Self::from_parts(&c.metadata, &c.spec, c.status.as_ref())
    }
}

impl From<&v1beta2::ClusterClass> for ClusterClassView {
    fn from(c: &v1beta2::ClusterClass) -> Self {
        Self::from_parts(&c.metadata, &c.spec, c.status.as_ref())
    }
}

/// One worker MachineDeployment of a Cluster's topology.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Worker {
    pub name: String,
    pub class: String,
    pub replicas: Option<i64>,
    pub labels: BTreeMap<String, String>,
}

/// A Cluster with topology as this crate uses it, whatever the version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterView {
    pub api_version: Option<CapiVersion>,
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub generation: Option<i64>,
    pub deleting: bool,
    pub class: String,
    pub class_namespace: Option<String>,
    pub version: String,
    pub control_plane_replicas: Option<i64>,
    pub workers: Vec<Worker>,
    pub variables: Vec<ClusterVariable>,
    pub endpoint: Option<ApiEndpoint>,
    pub phase: Option<String>,
    pub observed_generation: Option<i64>,
    /// The new-style conditions (`Available`, `ControlPlaneInitialized`, …) where the cluster
    /// reports them, else the v1beta1 ones (`Ready`, …).
    pub conditions: Vec<Condition>,
    /// The control plane's machines, where the cluster reports them.
    pub control_plane_status: Option<ReplicaCounts>,
    /// The workers' machines, where the cluster reports them.
    pub workers_status: Option<ReplicaCounts>,
}

fn workers_of(w: Option<&WorkersTopology>) -> Vec<Worker> {
    w.map(|w| {
        w.machine_deployments
            .iter()
            .map(|m| Worker {
                name: m.name.clone(),
                class: m.class.clone(),
                replicas: m.replicas.map(i64::from),
                labels: m
                    .metadata
                    .as_ref()
                    .map(|md| md.labels.clone())
                    .unwrap_or_default(),
            })
            .collect()
    })
    .unwrap_or_default()
}

fn meta_view(metadata: &ObjectMeta, view: &mut ClusterView) {
    view.namespace = metadata.namespace.clone().unwrap_or_default();
    view.name = metadata.name.clone().unwrap_or_default();
    view.labels = metadata.labels.clone().unwrap_or_default();
    view.generation = metadata.generation;
    view.deleting = metadata.deletion_timestamp.is_some();
}

impl From<&v1beta1::Cluster> for ClusterView {
    fn from(c: &v1beta1::Cluster) -> Self {
        let mut view = ClusterView {
            api_version: Some(CapiVersion::V1beta1),
            ..Default::default()
        };
        meta_view(&c.metadata, &mut view);
        if let Some(t) = &c.spec.topology {
            view.class = t.class.clone();
            view.class_namespace = t.class_namespace.clone();
            view.version = t.version.clone();
            view.control_plane_replicas = t
                .control_plane
                .as_ref()
                .and_then(|cp| cp.replicas)
                .map(i64::from);
            view.workers = workers_of(t.workers.as_ref());
            view.variables = t.variables.clone();
        }
        view.endpoint = c
            .spec
            .control_plane_endpoint
            .clone()
            .filter(|e| !e.host.is_empty());
        if let Some(s) = &c.status {
            view.phase = s.phase.clone();
            view.observed_generation = s.observed_generation;
            view.conditions = match &s.v1beta2 {
                Some(new) if !new.conditions.is_empty() => new.conditions.clone(),
                _ => s.conditions.clone(),
            };
            if let Some(new) = &s.v1beta2 {
                view.control_plane_status = new.control_plane.clone();
                view.workers_status = new.workers.clone();
            }
        }
        view
    }
}

impl From<&v1beta2::Cluster> for ClusterView {
    fn from(c: &v1beta2::Cluster) -> Self {
        let mut view = ClusterView {
            api_version: Some(CapiVersion::V1beta2),
            ..Default::default()
        };
        meta_view(&c.metadata, &mut view);
        if let Some(t) = &c.spec.topology {
            view.class = t.class_ref.name.clone();
            view.class_namespace = t.class_ref.namespace.clone();
            view.version = t.version.clone();
            view.control_plane_replicas = t
                .control_plane
                .as_ref()
                .and_then(|cp| cp.replicas)
                .map(i64::from);
            view.workers = workers_of(t.workers.as_ref());
            view.variables = t.variables.clone();
        }
        view.endpoint = c
            .spec
            .control_plane_endpoint
            .clone()
            .filter(|e| !e.host.is_empty());
        if let Some(s) = &c.status {
            view.phase = s.phase.clone();
            view.observed_generation = s.observed_generation;
            view.conditions = s.conditions.clone();
            view.control_plane_status = s.control_plane.clone();
            view.workers_status = s.workers.clone();
        }
        view
    }
}

/// How far a Cluster must have come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Nothing: the Cluster object exists.
    None,
    /// The control plane answers and the kubeconfig secret exists (`ControlPlaneInitialized`).
    ControlPlaneInitialized,
    /// The whole cluster is available (`Available`, or `Ready` where only v1beta1 conditions
    /// exist).
    Available,
}

impl Readiness {
    pub fn parse(text: &str) -> Option<Readiness> {
        match text {
            "none" => Some(Readiness::None),
            "control_plane_initialized" => Some(Readiness::ControlPlaneInitialized),
            "available" => Some(Readiness::Available),
            _ => None,
        }
    }
}

impl ClusterView {
    fn is_true(&self, type_: &str) -> bool {
        condition(&self.conditions, type_).is_some_and(Condition::is_true)
    }

    /// Whether the controllers have seen the current spec.
    pub fn is_observed(&self) -> bool {
        match (self.generation, self.observed_generation) {
            (Some(g), Some(o)) => o >= g,
            (None, _) => true,
            (Some(_), None) => false,
        }
    }

    /// Whether the Cluster has reached `readiness` for its current spec.
    pub fn has_reached(&self, readiness: Readiness) -> bool {
        match readiness {
            Readiness::None => true,
            Readiness::ControlPlaneInitialized => self.is_true("ControlPlaneInitialized"),
            Readiness::Available => {
                let available = if condition(&self.conditions, "Available").is_some() {
                    self.is_true("Available")
                } else {
                    self.is_true("Ready")
                };
                available && self.is_observed() && self.rollout_done() && self.machines_settled()
            }
        }
    }

    /// Whether the machines the spec asks for exist, are available and run the wanted version,
    /// as far as the status counts them.
    fn machines_settled(&self) -> bool {
        let workers_expected: Option<i64> = self.workers.iter().map(|w| w.replicas).sum();
        self.control_plane_status
            .as_ref()
            .is_none_or(|c| c.settled(self.control_plane_replicas, &self.version))
            && self
                .workers_status
                .as_ref()
                .is_none_or(|w| w.settled(workers_expected, &self.version))
    }

    /// Whether a rollout, a scale or an upgrade is still going on, as far as the conditions say.
    fn rollout_done(&self) -> bool {
        ["RollingOut", "ScalingUp", "ScalingDown"]
            .iter()
            .all(|t| !self.is_true(t))
    }
}

/// A Cluster as this provider applies it: only what the configuration sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterApply {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub class: String,
    pub class_namespace: Option<String>,
    pub version: String,
    pub control_plane_replicas: Option<i64>,
    pub workers: Vec<Worker>,
    pub variables: Vec<ClusterVariable>,
}

fn to_i32(n: Option<i64>, what: &str) -> Result<Option<i32>, Error> {
    n.map(|n| i32::try_from(n).map_err(|_| Error::Invalid(format!("{what} {n} is out of range"))))
        .transpose()
}

impl ClusterApply {
    fn metadata(&self) -> ObjectMeta {
        ObjectMeta {
            name: Some(self.name.clone()),
            namespace: Some(self.namespace.clone()),
            labels: (!self.labels.is_empty()).then(|| self.labels.clone()),
            ..Default::default()
        }
    }

    fn control_plane(&self) -> Result<Option<ControlPlaneTopology>, Error> {
        Ok(
            to_i32(self.control_plane_replicas, "control plane replicas")?.map(|r| {
                ControlPlaneTopology {
                    replicas: Some(r),
                    metadata: None,
                }
            }),
        )
    }

    fn workers(&self) -> Result<Option<WorkersTopology>, Error> {
        if self.workers.is_empty() {
            return Ok(None);
        }
        let machine_deployments = self
            .workers
            .iter()
            .map(|w| {
                Ok(MachineDeploymentTopology {
                    class: w.class.clone(),
                    name: w.name.clone(),
                    replicas: to_i32(w.replicas, "worker replicas")?,
                    failure_domain: None,
                    metadata: (!w.labels.is_empty()).then(|| TopologyMetadata {
                        labels: w.labels.clone(),
                        annotations: BTreeMap::new(),
                    }),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Some(WorkersTopology {
            machine_deployments,
        }))
    }

    pub fn to_v1beta1(&self) -> Result<v1beta1::Cluster, Error> {
        Ok(v1beta1::Cluster {
            metadata: self.metadata(),
            spec: v1beta1::ClusterSpec {
                control_plane_endpoint: None,
                topology: Some(v1beta1::Topology {
                    class: self.class.clone(),
                    class_namespace: self.class_namespace.clone(),
                    version: self.version.clone(),
                    control_plane: self.control_plane()?,
                    workers: self.workers()?,
                    variables: self.variables.clone(),
                }),
            },
            status: None,
        })
    }

    pub fn to_v1beta2(&self) -> Result<v1beta2::Cluster, Error> {
        Ok(v1beta2::Cluster {
            metadata: self.metadata(),
            spec: v1beta2::ClusterSpec {
                control_plane_endpoint: None,
                topology: Some(v1beta2::Topology {
                    class_ref: v1beta2::ClassRef {
                        name: self.class.clone(),
                        namespace: self.class_namespace.clone(),
                    },
                    version: self.version.clone(),
                    control_plane: self.control_plane()?,
                    workers: self.workers()?,
                    variables: self.variables.clone(),
                }),
            },
            status: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ops::apply_document;

    fn apply() -> ClusterApply {
        ClusterApply {
            namespace: "ns".into(),
            name: "c1".into(),
            class: "docker-inmem-1-36-v1".into(),
            version: "v1.36.0".into(),
            control_plane_replicas: Some(1),
            workers: vec![Worker {
                name: "md-0".into(),
                class: "default-worker".into(),
                replicas: Some(2),
                labels: BTreeMap::new(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn v1beta2_apply_uses_class_ref_and_sends_only_what_is_set() {
        let doc = apply_document(&apply().to_v1beta2().unwrap_or_default());
        assert_eq!(
            doc,
            json!({
                "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
                "metadata": {"name": "c1", "namespace": "ns"},
                "spec": {"topology": {
                    "classRef": {"name": "docker-inmem-1-36-v1"},
                    "version": "v1.36.0",
                    "controlPlane": {"replicas": 1},
                    "workers": {"machineDeployments": [
                        {"class": "default-worker", "name": "md-0", "replicas": 2}
                    ]}
                }}
            })
        );
    }

    #[test]
    fn v1beta1_apply_uses_class() {
        let doc = apply_document(&apply().to_v1beta1().unwrap_or_default());
        assert_eq!(doc["apiVersion"], "cluster.x-k8s.io/v1beta1");
        assert_eq!(doc["spec"]["topology"]["class"], "docker-inmem-1-36-v1");
        assert!(doc["spec"]["topology"].get("classRef").is_none());
    }

    #[test]
    fn views_agree_across_versions_and_readiness_follows_the_conditions() {
        let b2: v1beta2::Cluster = serde_json::from_value(json!({
            "metadata": {"name": "c1", "namespace": "ns", "generation": 2},
            "spec": {"topology": {"classRef": {"name": "k-1"}, "version": "v1.36.0",
                     "controlPlane": {"replicas": 1},
                     "workers": {"machineDeployments": [{"class": "w", "name": "md-0", "replicas": 1}]}},
                     "controlPlaneEndpoint": {"host": "127.0.0.1", "port": 20000}},
            "status": {"phase": "Provisioned", "observedGeneration": 2, "conditions": [
                {"type": "ControlPlaneInitialized", "status": "True"},
                {"type": "Available", "status": "False", "reason": "NotAvailable", "message": "workers not ready"}
            ]}
        }))
        .unwrap_or_default();
        let view = ClusterView::from(&b2);
        assert_eq!(view.class, "k-1");
        let mut scaling = b2.clone();
        if let Some(status) = scaling.status.as_mut() {
            for c in &mut status.conditions {
                c.status = "True".into();
            }
            status.workers = Some(ReplicaCounts {
                desired_replicas: Some(1),
                replicas: Some(1),
                available_replicas: Some(0),
                up_to_date_replicas: Some(1),
                versions: vec![VersionCount {
                    version: "v1.36.0".into(),
                    replicas: Some(1),
                }],
            });
        }
        assert!(
            !ClusterView::from(&scaling).has_reached(Readiness::Available),
            "a worker that is not available yet"
        );
        if let Some(w) = scaling.status.as_mut().and_then(|s| s.workers.as_mut()) {
            w.available_replicas = Some(1);
        }
        assert!(ClusterView::from(&scaling).has_reached(Readiness::Available));
        if let Some(t) = scaling.spec.topology.as_mut() {
            t.version = "v1.36.1".into();
        }
        assert!(
            !ClusterView::from(&scaling).has_reached(Readiness::Available),
            "machines still on the old version"
        );
        assert_eq!(view.workers.len(), 1);
        assert!(view.has_reached(Readiness::ControlPlaneInitialized));
        assert!(!view.has_reached(Readiness::Available));
        assert_eq!(view.endpoint.as_ref().map(|e| e.port), Some(20000));

        let b1: v1beta1::Cluster = serde_json::from_value(json!({
            "metadata": {"name": "c1", "namespace": "ns", "generation": 3},
            "spec": {"topology": {"class": "k-1", "version": "v1.36.0"}},
            "status": {"observedGeneration": 2, "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .unwrap_or_default();
        let view = ClusterView::from(&b1);
        assert_eq!(view.class, "k-1");
        assert!(!view.is_observed());
        assert!(
            !view.has_reached(Readiness::Available),
            "an older generation does not count"
        );
    }

    #[test]
    fn class_variables_come_from_the_status_else_the_spec() {
        let class: v1beta2::ClusterClass = serde_json::from_value(json!({
            "metadata": {"name": "k-1", "namespace": "ns"},
            "spec": {"variables": [{"name": "a", "required": true,
                      "schema": {"openAPIV3Schema": {"type": "string"}}}],
                     "workers": {"machineDeployments": [{"class": "default-worker"}]}},
        }))
        .unwrap_or_default();
        let view = ClusterClassView::from(&class);
        assert_eq!(view.worker_classes, ["default-worker"]);
        assert_eq!(view.variable("a").map(|v| v.required), Some(true));
        assert!(view.variable("b").is_none());
    }

    #[test]
    fn the_served_version_is_chosen_preferring_v1beta2() {
        assert_eq!(
            CapiVersion::choose(["v1beta1", "v1beta2"]).ok(),
            Some(CapiVersion::V1beta2)
        );
        assert_eq!(
            CapiVersion::choose(["v1beta1"]).ok(),
            Some(CapiVersion::V1beta1)
        );
        assert!(CapiVersion::choose([]).is_err());
        assert!(CapiVersion::choose(["v1alpha4"]).is_err());
    }
}
