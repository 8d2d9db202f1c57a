//! `scs_cluster_stack`: a Cluster Stack Operator `ClusterStack` on the management cluster, ready
//! when each listed version has a ready ClusterStackRelease and its ClusterClass.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use scs_kube::capi::{self, CapiVersion};
use scs_kube::cso::{ClusterStack, ClusterStackRelease, ClusterStackSpec};
use scs_kube::naming::{self, StackVersion};
use scs_kube::wait::{self, ReleaseState};
use scs_kube::{Client, ops};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Applied, Ctx, PlanChange};
use tfplugin::model::Timeouts;
use tfplugin::schema::validators::one_of;
use tfplugin::value::{Attr, Value};
use tfplugin::{Model, TfObject};

use crate::support::kube::{
    Apply, KubeObject, ReadResult, connect, kube_call, kube_error, namespace_of, split_id,
    wait_deadline,
};
use crate::support::schema::check_string;

pub struct ClusterStackResource;

/// A cluster stack on the Cluster API management cluster (the provider's `kubernetes` block): a
/// Cluster Stack Operator `ClusterStack`. Create and update wait until every listed version has a
/// ready `ClusterStackRelease` and its `ClusterClass` exists, so clusters can use it right away.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterStackModel {
    /// `namespace/object_name`.
    id: Attr<String>,
    /// The namespace of the ClusterStack; clusters using the stack live in the same namespace.
    #[tf(default = "default", requires_replace, validator = dns_label_validator)]
    namespace: Attr<String>,
    /// The stack's infrastructure provider, such as `openstack` or `docker` (the ClusterStack's
    /// `spec.provider`). Cannot change.
    #[tf(required, requires_replace, validator = stack_word_validator)]
    infrastructure_provider: Attr<String>,
    /// The stack's name, such as `scs2` (`spec.name`). Cannot change.
    #[tf(required, requires_replace, validator = stack_word_validator)]
    name: Attr<String>,
    /// The Kubernetes minor version, such as `"1.33"`. Cannot change: a new minor is a new
    /// stack.
    #[tf(required, requires_replace, validator = minor_validator)]
    kubernetes_version: Attr<String>,
    /// `stable`, or `custom` for hash-versioned builds (`v0-sha.…`). Cannot change.
    #[tf(default = "stable", requires_replace, validator = one_of(&["stable", "custom"]))]
    channel: Attr<String>,
    /// The versions to make available, such as `["v1", "v2"]`. Adding one is how clusters are
    /// upgraded; a version still used by a cluster must stay.
    #[tf(required, min_items = 1, validator = versions_validator)]
    versions: Attr<Vec<String>>,
    /// Whether the operator adds new releases on its own. Default `false`, so that what exists is
    /// what the configuration says.
    #[tf(default = false)]
    auto_subscribe: Attr<bool>,
    /// Whether the stack has no provider-specific release objects (`spec.noProvider`). Default
    /// `true`, as the current SCS stacks need.
    #[tf(default = true)]
    no_provider: Attr<bool>,
    /// The ClusterStack's object name: `<provider>-<name>-<major>-<minor>`.
    #[tf(computed, use_state_for_unknown)]
    object_name: Attr<String>,
    /// Each listed version: `cluster_class` (the ClusterClass name clusters use),
    /// `kubernetes_version` (the Kubernetes patch version it ships, such as `v1.33.4`) and
    /// `ready`.
    #[tf(computed)]
    releases: Attr<BTreeMap<String, Release>>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

/// One version of the stack as `releases` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfObject)]
pub struct Release {
    pub cluster_class: String,
    pub kubernetes_version: String,
    pub ready: bool,
}

/// A Kubernetes namespace or object name (RFC 1123 label).
pub(crate) fn dns_label_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if let Some(text) = v.as_str() {
        let ok = !text.is_empty()
            && text.len() <= 63
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !text.starts_with('-')
            && !text.ends_with('-');
        if !ok {
            diags.error_at(
                path.clone(),
                "Invalid name",
                format!(
                    "{text:?} is not a Kubernetes name: up to 63 lower-case letters, digits and \
                     \"-\", starting and ending with a letter or digit."
                ),
            );
        }
    }
}

/// A validator's check by one of the cluster stack naming rules, whose
/// messages are sentences without the full stop.
fn check_naming<E: std::fmt::Display>(
    v: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
    summary: &str,
    rule: fn(&str) -> Result<(), E>,
) {
    check_string(v, path, diags, summary, |text| {
        rule(text).map_err(|e| format!("{e}."))
    });
}

pub(crate) fn stack_word_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_naming(
        v,
        path,
        diags,
        "Invalid cluster stack name",
        naming::check_stack_word,
    );
}

pub(crate) fn minor_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_naming(
        v,
        path,
        diags,
        "Invalid Kubernetes version",
        naming::check_kubernetes_minor,
    );
}

pub(crate) fn version_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_naming(
        v,
        path,
        diags,
        "Invalid cluster stack version",
        naming::check_version,
    );
}

fn versions_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if let Some(items) = v.as_elements() {
        for (i, item) in items.iter().enumerate() {
            version_validator(item, &path.clone().join_index(i as i64), diags);
        }
    }
}

impl ClusterStackModel {
    fn namespace(&self) -> String {
        namespace_of(&self.namespace)
    }

    fn object_name(&self) -> String {
        naming::cluster_stack_object_name(
            self.infrastructure_provider
                .known()
                .map_or("", String::as_str),
            self.name.known().map_or("", String::as_str),
            self.kubernetes_version.known().map_or("", String::as_str),
        )
    }

    fn stack_versions(&self) -> Vec<StackVersion> {
        let provider = self
            .infrastructure_provider
            .known()
            .cloned()
            .unwrap_or_default();
        let name = self.name.known().cloned().unwrap_or_default();
        let k8s = self.kubernetes_version.known().cloned().unwrap_or_default();
        self.versions
            .items()
            .map(|v| StackVersion {
                provider: provider.clone(),
                name: name.clone(),
                kubernetes_version: k8s.clone(),
                version: v.clone(),
            })
            .collect()
    }

    fn to_object(&self) -> ClusterStack {
        let mut stack = ClusterStack::default();
        stack.metadata.name = Some(self.object_name());
        stack.metadata.namespace = Some(self.namespace());
        stack.spec = ClusterStackSpec {
            provider: self
                .infrastructure_provider
                .known()
                .cloned()
                .unwrap_or_default(),
            name: self.name.known().cloned().unwrap_or_default(),
            kubernetes_version: self.kubernetes_version.known().cloned().unwrap_or_default(),
            channel: self.channel.known().cloned(),
            versions: self.versions.known().cloned(),
            auto_subscribe: self.auto_subscribe.known().copied(),
            no_provider: self.no_provider.known().copied(),
            provider_ref: None,
        };
        stack
    }

    /// The state for `stack` as the server has it, with `states` for its versions.
    fn from_object(stack: &ClusterStack, states: &[ReleaseState], prior: &Self) -> Self {
        let namespace = stack.metadata.namespace.clone().unwrap_or_default();
        let object_name = stack.metadata.name.clone().unwrap_or_default();
        let spec = &stack.spec;
        let releases = states
            .iter()
            .map(|s| {
                (
                    s.version.version.clone(),
                    Release {
                        cluster_class: s.version.cluster_class(),
                        kubernetes_version: s
                            .release
                            .as_ref()
                            .and_then(|r| r.kubernetes_version())
                            .unwrap_or_default(),
                        ready: s.is_ready(),
                    },
                )
            })
            .collect();
        ClusterStackModel {
            id: Attr::Known(format!("{namespace}/{object_name}")),
            namespace: Attr::Known(namespace),
            infrastructure_provider: Attr::Known(spec.provider.clone()),
            name: Attr::Known(spec.name.clone()),
            kubernetes_version: Attr::Known(spec.kubernetes_version.clone()),
            channel: Attr::Known(spec.channel.clone().unwrap_or_else(|| "stable".to_owned())),
            versions: Attr::Known(spec.versions.clone().unwrap_or_default()),
            auto_subscribe: Attr::Known(spec.auto_subscribe.unwrap_or(false)),
            no_provider: Attr::Known(spec.no_provider.unwrap_or(false)),
            object_name: Attr::Known(object_name),
            releases: Attr::Known(releases),
            timeouts: prior.timeouts.clone(),
        }
    }
}

/// The versions of `stack` as its spec lists them.
fn versions_of(stack: &ClusterStack) -> Vec<StackVersion> {
    stack
        .spec
        .versions
        .iter()
        .flatten()
        .map(|v| StackVersion {
            provider: stack.spec.provider.clone(),
            name: stack.spec.name.clone(),
            kubernetes_version: stack.spec.kubernetes_version.clone(),
            version: v.clone(),
        })
        .collect()
}

async fn read_stack(
    ctx: &Ctx,
    client: &Client,
    capi: CapiVersion,
    namespace: &str,
    name: &str,
    prior: &ClusterStackModel,
) -> Result<Option<ClusterStackModel>, Diagnostics> {
    let summary = "Cannot read cluster stack";
    let Some(stack) = kube_call(
        ctx,
        summary,
        ops::get::<ClusterStack>(client, namespace, name),
    )
    .await?
    else {
        return Ok(None);
    };
    if stack.metadata.deletion_timestamp.is_some() {
        return Ok(None);
    }
    let states = kube_call(
        ctx,
        summary,
        wait::release_states(client, capi, namespace, &versions_of(&stack)),
    )
    .await?;
    Ok(Some(ClusterStackModel::from_object(&stack, &states, prior)))
}

#[async_trait]
impl KubeObject for ClusterStackResource {
    type Model = ClusterStackModel;
    const TYPE_NAME: &'static str = "scs_cluster_stack";
    const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

    async fn validate(&self, config: &ClusterStackModel) -> Diagnostics {
        let mut diags = Diagnostics::new();
        // An unset channel is the default, `stable`.
        let channel = match &config.channel {
            Attr::Known(c) => Some(c.as_str()),
            Attr::Null => Some("stable"),
            Attr::Unknown => None,
        };
        if let (Some(channel), Some(versions)) = (channel, config.versions.known()) {
            for (i, v) in versions.iter().enumerate() {
                if naming::check_version(v).is_ok() && naming::channel_of(v) != channel {
                    diags.push(
                        Diagnostic::error(
                            "Version does not match the channel",
                            format!(
                                "{v:?} is a version of the {} channel, but channel is {channel:?}.",
                                naming::channel_of(v)
                            ),
                        )
                        .with_path(AttributePath::attr("versions").join_index(i as i64)),
                    );
                }
            }
        }
        diags
    }

    /// The class names of the releases are known at plan time: clusters that refer to a version
    /// that stays do not plan a change when another version is added or removed.
    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        let planned: ClusterStackModel = plan.planned_as()?;
        if planned.infrastructure_provider.is_unknown()
            || planned.name.is_unknown()
            || planned.kubernetes_version.is_unknown()
            || !planned.versions.is_known()
        {
            return Ok(());
        }
        let prior_releases: BTreeMap<String, Release> = if plan.is_create() {
            BTreeMap::new()
        } else {
            plan.prior_as::<ClusterStackModel>()?
                .releases
                .into_known()
                .unwrap_or_default()
        };
        let entries = planned.stack_versions().into_iter().map(|v| {
            let class = v.cluster_class();
            let value = match prior_releases.get(&v.version) {
                Some(r) if r.cluster_class == class && r.ready => Value::object([
                    ("cluster_class", Value::from(class)),
                    (
                        "kubernetes_version",
                        Value::from(r.kubernetes_version.clone()),
                    ),
                    ("ready", Value::Bool(true)),
                ]),
                _ => Value::object([
                    ("cluster_class", Value::from(class)),
                    ("kubernetes_version", Value::Unknown),
                    ("ready", Value::Unknown),
                ]),
            };
            (v.version, value)
        });
        plan.set_planned("releases", Value::Map(entries.collect()));
        Ok(())
    }

    async fn read(&self, ctx: &Ctx, state: ClusterStackModel) -> ReadResult<ClusterStackModel> {
        let Some((namespace, name)) = state.id.known().and_then(|id| split_id(id)) else {
            return Ok(None);
        };
        let (client, capi) = connect(ctx, "Cannot read cluster stack").await?;
        read_stack(ctx, &client, capi, namespace, name, &state).await
    }

    async fn delete(&self, ctx: &Ctx, state: ClusterStackModel) -> Result<(), Diagnostics> {
        let Some((namespace, name)) = state.id.known().and_then(|id| split_id(id)) else {
            return Ok(());
        };
        let summary = "Cannot delete cluster stack";
        let (client, capi) = connect(ctx, summary).await?;
        let deleted = ctx
            .run(ops::delete::<ClusterStack>(&client, namespace, name))
            .await;
        match deleted {
            Ok(Ok(_)) => {}
            Ok(Err(e)) if matches!(e.code(), Some(400 | 403 | 422)) => {
                let message = match &e {
                    scs_kube::Error::Api { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                return Err(Diagnostic::error(
                    summary,
                    format!(
                        "The management cluster refused to delete ClusterStack {namespace}/{name}: \
                         {message}. Delete or move the clusters that use this stack first."
                    ),
                )
                .into());
            }
            Ok(Err(e)) => return Err(kube_error(summary, &e)),
            Err(why) => return Err(crate::support::interrupted(summary, why)),
        }
        kube_call(
            ctx,
            summary,
            wait::deleted::<ClusterStack>(&client, namespace, name, wait_deadline(ctx), |s| {
                format!(
                    "it still has finalizers {:?}",
                    s.metadata.finalizers.clone().unwrap_or_default()
                )
            }),
        )
        .await?;
        // The operator removes the releases (their finalizers run after the stack is gone) but
        // leaves their ClusterClasses behind; no cluster uses them any more (it refuses the
        // delete while one does).
        let versions = match state.versions.known() {
            Some(_) => state.stack_versions(),
            None => Vec::new(),
        };
        for version in &versions {
            let release = version.release_name();
            kube_call(
                ctx,
                summary,
                wait::deleted::<ClusterStackRelease>(
                    &client,
                    namespace,
                    &release,
                    wait_deadline(ctx),
                    |r| {
                        format!(
                            "the operator has not removed it yet: {}",
                            scs_kube::meta::describe_conditions(r.conditions())
                        )
                    },
                ),
            )
            .await?;
        }
        for version in versions {
            let class = version.cluster_class();
            let gone = match capi {
                CapiVersion::V1beta1 => {
                    ops::delete::<capi::v1beta1::ClusterClass>(&client, namespace, &class).await
                }
                CapiVersion::V1beta2 => {
                    ops::delete::<capi::v1beta2::ClusterClass>(&client, namespace, &class).await
                }
            };
            if let Err(e) = gone {
                ctx.warn(
                    "ClusterClass left behind",
                    format!(
                        "The ClusterStack is deleted, but its ClusterClass {class} is not: {e}."
                    ),
                );
            }
        }
        Ok(())
    }

    /// Applies the plan and waits for its versions; the state is recorded as soon as the
    /// ClusterStack exists.
    async fn apply(
        &self,
        ctx: &Ctx,
        planned: ClusterStackModel,
        how: Apply,
    ) -> Applied<ClusterStackModel> {
        let summary = format!("Cannot {} cluster stack", how.verb());
        let (client, capi) = match connect(ctx, &summary).await {
            Ok(c) => c,
            Err(d) => return Applied::failed(d),
        };
        let applied =
            match kube_call(ctx, &summary, ops::apply(&client, &planned.to_object())).await {
                Ok(s) => s,
                Err(d) => return Applied::failed(d),
            };
        let namespace = planned.namespace();
        let versions = planned.stack_versions();
        let pending: Vec<ReleaseState> = versions
            .iter()
            .map(|v| ReleaseState {
                version: v.clone(),
                release: None,
                class_exists: false,
            })
            .collect();
        let state = ClusterStackModel::from_object(&applied, &pending, &planned);
        let waited = kube_call(
            ctx,
            &summary,
            wait::cluster_stack_ready(
                &client,
                capi,
                &namespace,
                &planned.object_name(),
                &versions,
                wait_deadline(ctx),
            ),
        )
        .await;
        match waited {
            Ok(states) => Applied::ok(ClusterStackModel::from_object(&applied, &states, &planned)),
            Err(d) => Applied::partial(state, d),
        }
    }
}
