//! `scs_cluster`: a Cluster API `Cluster` with a managed topology on a ClusterClass, usually one a
//! cluster stack made.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use scs_kube::capi::{CapiVersion, ClusterApply, ClusterVariable, ClusterView, Readiness, Worker};
use scs_kube::cso::ClusterStackRelease;
use scs_kube::naming::{self, StackVersion};
use scs_kube::{Client, Management, ops, schema, wait};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Applied, Ctx, PlanChange};
use tfplugin::model::{Timeouts, timeout_of};
use tfplugin::schema::TimeoutKind;
use tfplugin::schema::validators::one_of;
use tfplugin::value::{Attr, Value};
use tfplugin::{Model, TfObject};

use super::cluster_stack::{
    dns_label_validator, minor_validator, stack_word_validator, version_validator,
};
use crate::support::ProviderData;
use crate::support::kube::{
    Apply, KubeObject, ReadResult, connect, kube_call, namespace_of, split_id, wait_deadline,
};

pub struct ClusterResource;

const CREATE_TIMEOUT: Duration = Duration::from_secs(45 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(60 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A Kubernetes cluster managed by Cluster API on the management cluster (the provider's
/// `kubernetes` block): a `Cluster` with `spec.topology` on a ClusterClass, usually one that an
/// `scs_cluster_stack` made. The Cluster Stack Operator's rules are checked at plan time: the
/// class may only move to another version of the same stack, with the Kubernetes minor staying or
/// going up by one.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterModel {
    /// `namespace/name`.
    id: Attr<String>,
    /// The namespace of the Cluster: the namespace of its cluster stack.
    #[tf(default = "default", requires_replace, validator = dns_label_validator)]
    namespace: Attr<String>,
    /// The Cluster's name.
    #[tf(required, requires_replace, validator = dns_label_validator)]
    name: Attr<String>,
    /// Labels of the Cluster object (for example the `managed-secret` label the cloud
    /// credentials' ClusterResourceSet selects).
    #[tf(optional)]
    labels: Attr<BTreeMap<String, String>>,
    /// The ClusterClass, such as `openstack-scs2-1-33-v1` (`releases[...].cluster_class` of an
    /// `scs_cluster_stack`). Derived from `cluster_stack` when that is set instead. Changing it
    /// upgrades the cluster in place.
    #[tf(optional, computed, use_state_for_unknown)]
    cluster_class: Attr<String>,
    /// The cluster stack version whose ClusterClass to use, instead of `cluster_class`.
    #[tf(block, max_items = 1)]
    cluster_stack: Attr<Vec<StackRefModel>>,
    /// The namespace of the ClusterClass when it is not the Cluster's.
    #[tf(optional)]
    class_namespace: Attr<String>,
    /// The Kubernetes version, such as `v1.33.4`. When unset, the version the class's cluster
    /// stack release ships (which the Cluster Stack Operator demands anyway).
    #[tf(optional, computed, use_state_for_unknown)]
    kubernetes_version: Attr<String>,
    /// The control plane.
    #[tf(block, max_items = 1)]
    control_plane: Attr<Vec<ControlPlaneModel>>,
    /// Worker machine deployments, each by name.
    #[tf(block)]
    worker: Attr<Vec<WorkerModel>>,
    /// Values of the ClusterClass's variables, each JSON-encoded (`jsonencode(...)`), by variable
    /// name. Checked against the class's schemas at plan time when the management cluster can
    /// be reached.
    #[tf(optional)]
    variables: Attr<BTreeMap<String, String>>,
    /// How far create and update wait: `available` (default), `control_plane_initialized` (the
    /// API answers and the kubeconfig exists) or `none`.
    #[tf(default = "available", validator = one_of(&["none", "control_plane_initialized", "available"]))]
    wait_for: Attr<String>,
    /// The Cluster API version the provider used (`v1beta2` when served, else `v1beta1`).
    #[tf(computed)]
    api_version: Attr<String>,
    /// The Cluster's phase (`Provisioning`, `Provisioned`, `Deleting`, …), informational.
    #[tf(computed)]
    phase: Attr<String>,
    /// The Cluster's conditions: `type`, `status`, `reason`, `message`.
    #[tf(computed)]
    conditions: Attr<Vec<ConditionModel>>,
    /// The workload cluster's API server, `https://host:port` (empty until Cluster API set it).
    #[tf(computed)]
    control_plane_endpoint: Attr<String>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StackRefModel {
    /// The stack's infrastructure provider, such as `openstack`.
    #[tf(required, validator = stack_word_validator)]
    infrastructure_provider: Attr<String>,
    /// The stack's name, such as `scs2`.
    #[tf(required, validator = stack_word_validator)]
    name: Attr<String>,
    /// The Kubernetes minor version, such as `"1.33"`.
    #[tf(required, validator = minor_validator)]
    kubernetes_version: Attr<String>,
    /// The stack version, such as `v1`.
    #[tf(required, validator = version_validator)]
    version: Attr<String>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ControlPlaneModel {
    /// The number of control plane machines (1, 3, 5). The class's default when unset.
    #[tf(optional)]
    replicas: Attr<i64>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkerModel {
    /// The machine deployment's name, unique in the cluster.
    #[tf(required, validator = dns_label_validator)]
    name: Attr<String>,
    /// The worker class of the ClusterClass; the SCS stacks have `default-worker`.
    #[tf(default = "default-worker")]
    class: Attr<String>,
    /// The number of machines. Changing it scales in place.
    #[tf(optional)]
    replicas: Attr<i64>,
    /// Labels of the machine deployment's machines and nodes.
    #[tf(optional)]
    labels: Attr<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfObject)]
pub struct ConditionModel {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

impl StackRefModel {
    fn stack_version(&self) -> Option<StackVersion> {
        Some(StackVersion {
            provider: self.infrastructure_provider.known()?.clone(),
            name: self.name.known()?.clone(),
            kubernetes_version: self.kubernetes_version.known()?.clone(),
            version: self.version.known()?.clone(),
        })
    }
}

impl ClusterModel {
    fn namespace(&self) -> String {
        namespace_of(&self.namespace)
    }

    fn readiness(&self) -> Readiness {
        self.wait_for
            .known()
            .and_then(|w| Readiness::parse(w))
            .unwrap_or(Readiness::Available)
    }

    /// The class the configuration names, directly or through `cluster_stack`.
    fn class(&self) -> Attr<String> {
        if let Some(stack) = self.cluster_stack.known().and_then(|s| s.first()) {
            return match stack.stack_version() {
                Some(v) => Attr::Known(v.cluster_class()),
                None => Attr::Unknown,
            };
        }
        self.cluster_class.clone()
    }

    fn class_namespace(&self) -> String {
        self.class_namespace
            .known()
            .cloned()
            .unwrap_or_else(|| self.namespace())
    }

    /// The variables as JSON values; `Err` names the first that is not JSON.
    fn variable_values(&self) -> Result<Vec<ClusterVariable>, Diagnostics> {
        let mut out = Vec::new();
        for (name, text) in self.variables.known().into_iter().flatten() {
            let value = serde_json::from_str(text).map_err(|e| {
                Diagnostics::from(
                    Diagnostic::error(
                        "Invalid variable value",
                        format!(
                            "The value of {name:?} is not JSON ({e}); write it as jsonencode(...)."
                        ),
                    )
                    .with_path(AttributePath::attr("variables").join_key(name.clone())),
                )
            })?;
            out.push(ClusterVariable {
                name: name.clone(),
                value,
            });
        }
        Ok(out)
    }

    fn to_apply(&self, class: String, version: String) -> Result<ClusterApply, Diagnostics> {
        Ok(ClusterApply {
            namespace: self.namespace(),
            name: self.name.known().cloned().unwrap_or_default(),
            labels: self.labels.known().cloned().unwrap_or_default(),
            class,
            class_namespace: self.class_namespace.known().cloned(),
            version,
            control_plane_replicas: self
                .control_plane
                .known()
                .and_then(|c| c.first())
                .and_then(|c| c.replicas.known().copied()),
            workers: self
                .worker
                .items()
                .map(|w| Worker {
                    name: w.name.known().cloned().unwrap_or_default(),
                    class: w
                        .class
                        .known()
                        .cloned()
                        .unwrap_or_else(|| "default-worker".to_owned()),
                    replicas: w.replicas.known().copied(),
                    labels: w.labels.known().cloned().unwrap_or_default(),
                })
                .collect(),
            variables: self.variable_values()?,
        })
    }

    /// The state for `view`, keeping what only the configuration knows from `prior`: its form of
    /// the variables (and only the variables it sets: Cluster API adds the class's defaults),
    /// the `cluster_stack` block, `wait_for` and `timeouts`.
    fn from_view(view: &ClusterView, prior: &ClusterModel) -> ClusterModel {
        let prior_vars = prior.variables.known();
        let variables: BTreeMap<String, String> = view
            .variables
            .iter()
            .filter(|v| prior.name.is_null() || prior_vars.is_some_and(|p| p.contains_key(&v.name)))
            .map(|v| {
                let text = prior_vars
                    .and_then(|p| p.get(&v.name))
                    .filter(|t| {
                        serde_json::from_str::<serde_json::Value>(t).ok().as_ref() == Some(&v.value)
                    })
                    .cloned()
                    .unwrap_or_else(|| v.value.to_string());
                (v.name.clone(), text)
            })
            .collect();
        let prior_workers = prior.worker.known();
        let workers: Vec<WorkerModel> = view
            .workers
            .iter()
            .map(|w| {
                let before =
                    prior_workers.and_then(|p| p.iter().find(|m| m.name.known() == Some(&w.name)));
                // What the configuration leaves unset stays unset, whatever defaults the
                // controllers fill in.
                let unset = |f: fn(&WorkerModel) -> bool| before.is_some_and(f);
                let fresh = prior.name.is_null();
                WorkerModel {
                    name: Attr::Known(w.name.clone()),
                    class: Attr::Known(w.class.clone()),
                    replicas: match w.replicas {
                        Some(_) if unset(|b| b.replicas.is_null()) => Attr::Null,
                        Some(r) => Attr::Known(r),
                        None => Attr::Null,
                    },
                    labels: if unset(|b| b.labels.is_null())
                        || (!fresh && before.is_none())
                        || w.labels.is_empty() && before.is_none()
                    {
                        Attr::Null
                    } else {
                        Attr::Known(w.labels.clone())
                    },
                }
            })
            .collect();
        let cluster_stack = match (
            prior.cluster_stack.known(),
            StackVersion::parse_class(&view.class),
        ) {
            (Some(blocks), Some(v)) if !blocks.is_empty() => Attr::Known(vec![StackRefModel {
                infrastructure_provider: Attr::Known(v.provider),
                name: Attr::Known(v.name),
                kubernetes_version: Attr::Known(v.kubernetes_version),
                version: Attr::Known(v.version),
            }]),
            (Some(_), _) => prior.cluster_stack.clone(),
            (None, _) => Attr::Known(Vec::new()),
        };
        // After an import the prior state has nothing but the ID: everything comes from the
        // Cluster.
        let fresh = prior.name.is_null();
        let prior_control_plane = prior.control_plane.known().and_then(|b| b.first());
        let control_plane = match (prior_control_plane, view.control_plane_replicas) {
            (Some(b), _) if b.replicas.is_null() => Attr::Known(vec![ControlPlaneModel {
                replicas: Attr::Null,
            }]),
            (Some(_), r) => Attr::Known(vec![ControlPlaneModel {
                replicas: r.map_or(Attr::Null, Attr::Known),
            }]),
            (None, Some(r)) if fresh => Attr::Known(vec![ControlPlaneModel {
                replicas: Attr::Known(r),
            }]),
            (None, _) => Attr::Known(Vec::new()),
        };
        // Only the labels the configuration sets: controllers add their own.
        let labels = match prior.labels.known() {
            Some(mine) => Attr::Known(
                view.labels
                    .iter()
                    .filter(|(k, _)| mine.contains_key(*k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            None => Attr::Null,
        };
        let class_namespace = match (&view.class_namespace, prior.class_namespace.known()) {
            (Some(ns), Some(_)) if !ns.is_empty() => Attr::Known(ns.clone()),
            (Some(ns), None) if fresh && !ns.is_empty() && *ns != view.namespace => {
                Attr::Known(ns.clone())
            }
            _ => Attr::Null,
        };
        ClusterModel {
            id: Attr::Known(format!("{}/{}", view.namespace, view.name)),
            namespace: Attr::Known(view.namespace.clone()),
            name: Attr::Known(view.name.clone()),
            labels,
            cluster_class: Attr::Known(view.class.clone()),
            cluster_stack,
            class_namespace,
            kubernetes_version: Attr::Known(view.version.clone()),
            control_plane,
            worker: Attr::Known(workers),
            variables: if prior_vars.is_some() || (fresh && !variables.is_empty()) {
                Attr::Known(variables)
            } else {
                Attr::Null
            },
            wait_for: prior
                .wait_for
                .clone()
                .known()
                .cloned()
                .map_or(Attr::Known("available".to_owned()), Attr::Known),
            api_version: Attr::Known(view.api_version.map_or("", CapiVersion::as_str).to_owned()),
            phase: Attr::Known(view.phase.clone().unwrap_or_default()),
            conditions: Attr::Known(
                view.conditions
                    .iter()
                    .map(|c| ConditionModel {
                        type_: c.type_.clone(),
                        status: c.status.clone(),
                        reason: c.reason.clone().unwrap_or_default(),
                        message: c.message.clone().unwrap_or_default(),
                    })
                    .collect(),
            ),
            control_plane_endpoint: view
                .endpoint
                .as_ref()
                .map_or(Attr::Known(String::new()), |e| {
                    Attr::Known(format!("https://{}:{}", e.host, e.port))
                }),
            timeouts: prior.timeouts.clone(),
        }
    }
}

/// The Kubernetes version the class's cluster stack release ships; `None` when the class is not
/// a cluster stack's or its release has none (yet).
async fn release_version(
    client: &Client,
    namespace: &str,
    class: &str,
) -> Result<Option<String>, scs_kube::Error> {
    let release =
        ops::get::<ClusterStackRelease>(client, namespace, &naming::release_name_of_class(class))
            .await?;
    Ok(release
        .as_ref()
        .and_then(ClusterStackRelease::kubernetes_version))
}

/// The client when the management cluster is configured and answers; plan-time checks are
/// skipped otherwise (the cluster may not exist yet).
async fn reachable(ctx: &Ctx) -> Option<(Client, CapiVersion)> {
    let management: std::sync::Arc<Management> = ctx
        .provider_data::<ProviderData>()
        .ok()?
        .management_if_known()?
        .clone();
    let probe = async {
        let client = management.client().await.ok()?;
        let version = management.capi_version().await.ok()?;
        Some((client, version))
    };
    tokio::time::timeout(Duration::from_secs(20), probe)
        .await
        .ok()
        .flatten()
}

fn with_default(ctx: &Ctx, model: &ClusterModel, kind: TimeoutKind, default: Duration) -> Ctx {
    match timeout_of(model, kind) {
        Ok(Some(_)) => ctx.clone(),
        _ => ctx.with_timeout(default),
    }
}

/// Plan-time checks against the management cluster: the class's variables, and the Kubernetes
/// version of a new class.
async fn check_against_cluster(
    ctx: &Ctx,
    plan: &mut PlanChange,
    config: &ClusterModel,
    planned: &ClusterModel,
    prior: Option<&ClusterModel>,
) -> Result<(), Diagnostics> {
    let Some(class) = planned.class().known().cloned() else {
        return Ok(());
    };
    let class_changed = prior.is_none_or(|p| p.cluster_class.known() != Some(&class));
    let needs_version = config.kubernetes_version.is_null() && class_changed;
    let has_variables = config.variables.known().is_some_and(|v| !v.is_empty());
    if !needs_version && !has_variables {
        return Ok(());
    }
    let Some((client, capi)) = reachable(ctx).await else {
        if needs_version {
            plan.set_planned("kubernetes_version", Value::Unknown);
        }
        return Ok(());
    };
    let namespace = planned.class_namespace();
    if needs_version {
        let version = release_version(&client, &namespace, &class)
            .await
            .ok()
            .flatten();
        plan.set_planned(
            "kubernetes_version",
            version.map_or(Value::Unknown, Value::from),
        );
    }
    if !has_variables {
        return Ok(());
    }
    let Ok(Some(class_view)) = ops::get_cluster_class(&client, capi, &namespace, &class).await
    else {
        return Ok(());
    };
    let mut diags = Diagnostics::new();
    for (name, text) in config.variables.known().into_iter().flatten() {
        let path = AttributePath::attr("variables").join_key(name.clone());
        let Some(definition) = class_view.variable(name) else {
            let known: Vec<&str> = class_view
                .variables
                .iter()
                .map(|v| v.name.as_str())
                .collect();
            diags.push(
                Diagnostic::error(
                    "Unknown cluster variable",
                    format!(
                        "ClusterClass {class} has no variable {name:?}. Its variables: {}.",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ),
                )
                .with_path(path),
            );
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            continue; // validate reports it
        };
        for problem in schema::check(&definition.schema, &value) {
            diags.push(
                Diagnostic::error(
                    "Invalid cluster variable",
                    format!(
                        "Variable {name:?}{} {} (ClusterClass {class}).",
                        problem.path_text(),
                        problem.message
                    ),
                )
                .with_path(path.clone()),
            );
        }
    }
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}

#[async_trait]
impl KubeObject for ClusterResource {
    type Model = ClusterModel;
    const TYPE_NAME: &'static str = "scs_cluster";
    const DEFAULT_TIMEOUT: Duration = UPDATE_TIMEOUT;

    async fn validate(&self, config: &ClusterModel) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let has_stack = config.cluster_stack.known().is_some_and(|s| !s.is_empty());
        if has_stack && !config.cluster_class.is_null() {
            diags.push(
                Diagnostic::error(
                    "Conflicting arguments",
                    "Set either cluster_class or a cluster_stack block, not both.",
                )
                .with_path(AttributePath::attr("cluster_class")),
            );
        }
        if !has_stack && config.cluster_class.is_null() {
            diags.push(Diagnostic::error(
                "Missing ClusterClass",
                "Set cluster_class, or a cluster_stack block to derive it from.",
            ));
        }
        if let Err(d) = config.variable_values() {
            diags.extend(d);
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, w) in config.worker.items().enumerate() {
            if let Some(name) = w.name.known()
                && !names.insert(name.clone())
            {
                diags.push(
                    Diagnostic::error(
                        "Duplicate worker name",
                        format!("Two worker blocks are named {name:?}."),
                    )
                    .with_path(
                        AttributePath::attr("worker")
                            .join_index(i as i64)
                            .join_attr("name"),
                    ),
                );
            }
        }
        diags
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        let config: ClusterModel = plan.config_as()?;
        let planned: ClusterModel = plan.planned_as()?;
        let prior: Option<ClusterModel> = if plan.is_create() {
            None
        } else {
            Some(plan.prior_as()?)
        };
        // The class follows the cluster_stack block.
        if config.cluster_class.is_null() {
            match planned.class() {
                Attr::Known(class) => plan.set_planned("cluster_class", Value::from(class)),
                Attr::Unknown => plan.set_planned("cluster_class", Value::Unknown),
                Attr::Null => {}
            }
        }
        let planned: ClusterModel = plan.planned_as()?;
        if let (Some(prior), Some(new)) = (&prior, planned.cluster_class.known())
            && let Some(old) = prior.cluster_class.known()
            && let Err(why) = naming::check_class_change(old, new)
        {
            let path = if config.cluster_class.is_null() {
                AttributePath::attr("cluster_stack")
            } else {
                AttributePath::attr("cluster_class")
            };
            return Err(Diagnostic::error(
                "Cluster cannot move to this ClusterClass",
                format!(
                    "Moving from {old} to {new} is refused by the Cluster Stack Operator: {why}."
                ),
            )
            .with_path(path)
            .into());
        }
        check_against_cluster(ctx, plan, &config, &planned, prior.as_ref()).await
    }

    async fn read(&self, ctx: &Ctx, state: ClusterModel) -> ReadResult<ClusterModel> {
        let Some((namespace, name)) = state.id.known().and_then(|id| split_id(id)) else {
            return Ok(None);
        };
        let summary = "Cannot read cluster";
        let (client, capi) = connect(ctx, summary).await?;
        let view = kube_call(
            ctx,
            summary,
            ops::get_cluster(&client, capi, namespace, name),
        )
        .await?;
        let Some(view) = view.filter(|v| !v.deleting) else {
            return Ok(None);
        };
        let mut model = ClusterModel::from_view(&view, &state);
        if state.name.is_null() {
            // An import: Cluster API writes the class's defaults into the Cluster's variables;
            // what equals the default is left to the class, as a configuration would.
            let namespace = view
                .class_namespace
                .clone()
                .unwrap_or_else(|| view.namespace.clone());
            let class = kube_call(
                ctx,
                summary,
                ops::get_cluster_class(&client, capi, &namespace, &view.class),
            )
            .await?;
            if let (Some(class), Some(vars)) = (class, model.variables.known()) {
                let mine: BTreeMap<String, String> = vars
                    .iter()
                    .filter(|(name, text)| {
                        let value = serde_json::from_str::<serde_json::Value>(text).ok();
                        let default = class.variable(name).and_then(|d| d.default_value());
                        value.as_ref() != default
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                model.variables = if mine.is_empty() {
                    Attr::Null
                } else {
                    Attr::Known(mine)
                };
            }
        }
        Ok(Some(model))
    }

    async fn delete(&self, ctx: &Ctx, state: ClusterModel) -> Result<(), Diagnostics> {
        let Some((namespace, name)) = state.id.known().and_then(|id| split_id(id)) else {
            return Ok(());
        };
        let ctx = with_default(ctx, &state, TimeoutKind::Delete, DELETE_TIMEOUT);
        let summary = "Cannot delete cluster";
        let (client, capi) = connect(&ctx, summary).await?;
        kube_call(
            &ctx,
            summary,
            ops::delete_cluster(&client, capi, namespace, name),
        )
        .await?;
        kube_call(
            &ctx,
            summary,
            wait::cluster_deleted(&client, capi, namespace, name, wait_deadline(&ctx)),
        )
        .await
    }

    async fn apply(&self, ctx: &Ctx, planned: ClusterModel, how: Apply) -> Applied<ClusterModel> {
        // A create waits for the machines to boot: it gets longer than an update.
        let ctx = &match how {
            Apply::Create => with_default(ctx, &planned, TimeoutKind::Create, CREATE_TIMEOUT),
            Apply::Update => ctx.clone(),
        };
        let summary = format!("Cannot {} cluster", how.verb());
        let (client, capi) = match connect(ctx, &summary).await {
            Ok(c) => c,
            Err(d) => return Applied::failed(d),
        };
        let Some(class) = planned.class().known().cloned() else {
            return Applied::failed(Diagnostic::error(
                summary,
                "Neither cluster_class nor cluster_stack names a ClusterClass.",
            ));
        };
        let version = match planned.kubernetes_version.known() {
            Some(v) => v.clone(),
            None => {
                let found = kube_call(
                    ctx,
                    &summary,
                    release_version(&client, &planned.class_namespace(), &class),
                )
                .await;
                match found {
                    Ok(Some(v)) => v,
                    Ok(None) => {
                        return Applied::failed(
                            Diagnostic::error(
                                summary,
                                format!(
                                    "kubernetes_version is not set and ClusterClass {class} has no \
                                     ready cluster stack release to take it from; set it."
                                ),
                            )
                            .with_path(AttributePath::attr("kubernetes_version")),
                        );
                    }
                    Err(d) => return Applied::failed(d),
                }
            }
        };
        let body = match planned.to_apply(class, version) {
            Ok(b) => b,
            Err(d) => return Applied::failed(d),
        };
        let applied = match kube_call(ctx, &summary, ops::apply_cluster(&client, capi, &body)).await
        {
            Ok(v) => v,
            Err(d) => return Applied::failed(d),
        };
        let state = ClusterModel::from_view(&applied, &planned);
        let readiness = planned.readiness();
        let waited = kube_call(
            ctx,
            &summary,
            wait::cluster_ready(
                &client,
                capi,
                &body.namespace,
                &body.name,
                readiness,
                wait_deadline(ctx),
            ),
        )
        .await;
        match waited {
            Ok(view) => Applied::ok(ClusterModel::from_view(&view, &planned)),
            Err(d) => Applied::partial(state, d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(type_: &str, status: &str) -> scs_kube::Condition {
        scs_kube::Condition {
            type_: type_.to_owned(),
            status: status.to_owned(),
            ..Default::default()
        }
    }

    fn view() -> ClusterView {
        ClusterView {
            api_version: Some(CapiVersion::V1beta2),
            namespace: "ns".into(),
            name: "c1".into(),
            labels: BTreeMap::from([
                ("managed-secret".to_owned(), "clouds-yaml".to_owned()),
                ("cluster.x-k8s.io/cluster-name".to_owned(), "c1".to_owned()),
            ]),
            class: "docker-inmem-1-36-v1".into(),
            version: "v1.36.0".into(),
            control_plane_replicas: Some(1),
            workers: vec![Worker {
                name: "md-0".into(),
                class: "default-worker".into(),
                replicas: Some(2),
                labels: BTreeMap::new(),
            }],
            variables: vec![
                ClusterVariable {
                    name: "flavor".into(),
                    value: serde_json::json!({"b": 1, "a": "x"}),
                },
                ClusterVariable {
                    name: "defaulted".into(),
                    value: serde_json::json!(true),
                },
            ],
            conditions: vec![cond("Available", "True")],
            ..Default::default()
        }
    }

    fn planned() -> ClusterModel {
        ClusterModel {
            id: Attr::Unknown,
            namespace: Attr::Known("ns".into()),
            name: Attr::Known("c1".into()),
            labels: Attr::Known(BTreeMap::from([(
                "managed-secret".to_owned(),
                "clouds-yaml".to_owned(),
            )])),
            cluster_class: Attr::Known("docker-inmem-1-36-v1".into()),
            cluster_stack: Attr::Known(Vec::new()),
            control_plane: Attr::Known(vec![ControlPlaneModel {
                replicas: Attr::Known(1),
            }]),
            worker: Attr::Known(vec![WorkerModel {
                name: Attr::Known("md-0".into()),
                class: Attr::Known("default-worker".into()),
                replicas: Attr::Known(2),
                labels: Attr::Null,
            }]),
            variables: Attr::Known(BTreeMap::from([(
                "flavor".to_owned(),
                "{\"a\":\"x\",\"b\":1}".to_owned(),
            )])),
            wait_for: Attr::Known("available".into()),
            ..Default::default()
        }
    }

    /// A text attribute's value, as the assertions compare it.
    fn text(attr: &Attr<String>) -> Option<&str> {
        attr.known().map(String::as_str)
    }

    #[test]
    fn the_state_keeps_the_configurations_shape_and_ignores_what_controllers_add() {
        let state = ClusterModel::from_view(&view(), &planned());
        assert_eq!(text(&state.id), Some("ns/c1"));
        assert_eq!(state.labels, planned().labels);
        assert_eq!(
            state.variables,
            planned().variables,
            "the user's JSON text is kept"
        );
        assert_eq!(state.worker, planned().worker);
        assert_eq!(state.control_plane, planned().control_plane);
        assert_eq!(text(&state.kubernetes_version), Some("v1.36.0"));
        assert_eq!(text(&state.api_version), Some("v1beta2"));
    }

    #[test]
    fn drift_in_what_the_configuration_sets_shows() {
        let mut live = view();
        live.workers[0].replicas = Some(5);
        live.variables[0].value = serde_json::json!("changed");
        let state = ClusterModel::from_view(&live, &planned());
        let workers = state.worker.known().cloned().unwrap_or_default();
        assert_eq!(workers[0].replicas, Attr::Known(5));
        let flavor = state.variables.known().and_then(|v| v.get("flavor"));
        assert_eq!(flavor.map(String::as_str), Some("\"changed\""));
    }

    #[test]
    fn an_import_takes_everything_from_the_cluster() {
        let prior = ClusterModel {
            id: Attr::Known("ns/c1".into()),
            ..Default::default()
        };
        let state = ClusterModel::from_view(&view(), &prior);
        assert_eq!(text(&state.name), Some("c1"));
        assert_eq!(state.labels, Attr::Null);
        let workers = state.worker.known().cloned().unwrap_or_default();
        assert_eq!(workers.len(), 1);
        assert_eq!(workers[0].replicas, Attr::Known(2));
        assert_eq!(
            state
                .control_plane
                .known()
                .and_then(|c| c.first())
                .map(|c| c.replicas.clone()),
            Some(Attr::Known(1))
        );
        assert_eq!(state.variables.known().map(BTreeMap::len), Some(2));
        assert_eq!(text(&state.wait_for), Some("available"));
    }

    #[test]
    fn the_class_follows_the_stack_block() {
        let mut model = planned();
        model.cluster_class = Attr::Null;
        model.cluster_stack = Attr::Known(vec![StackRefModel {
            infrastructure_provider: Attr::Known("openstack".into()),
            name: Attr::Known("scs2".into()),
            kubernetes_version: Attr::Known("1.33".into()),
            version: Attr::Known("v2".into()),
        }]);
        assert_eq!(model.class(), Attr::Known("openstack-scs2-1-33-v2".into()));
    }
}
