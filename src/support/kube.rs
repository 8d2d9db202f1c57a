//! The management cluster as the cluster stack resources reach it: the client, its errors as
//! diagnostics, waits bounded by the operation's timeout, `namespace/name` IDs, and
//! [`KubeObject`], what such a resource implements.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use scs_kube::capi::CapiVersion;
use scs_kube::{Error, Management};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{Applied, Ctx, PlanChange, TypedResource};
use tfplugin::model::Model;
use tfplugin::value::Attr;
use tokio::time::Instant;

use super::{ProviderData, interrupted};

/// The namespace an object's `namespace` attribute names: `default` when unset, as `kubectl` takes
/// it.
pub fn namespace_of(namespace: &Attr<String>) -> String {
    namespace
        .known()
        .cloned()
        .unwrap_or_else(|| "default".to_owned())
}

/// The management cluster of the provider.
pub fn management(ctx: &Ctx) -> Result<Arc<Management>, Diagnostics> {
    Ok(ctx.provider_data::<ProviderData>()?.management()?.clone())
}

/// An error of the management cluster: it already names the operation and carries the API
/// server's message and reason.
pub fn kube_error(summary: &str, err: &Error) -> Diagnostics {
    Diagnostic::error(summary, format!("{err}.")).into()
}

/// Runs one call to the management cluster under the context's deadline and cancellation.
pub async fn kube_call<T>(
    ctx: &Ctx,
    summary: &str,
    fut: impl Future<Output = Result<T, Error>>,
) -> Result<T, Diagnostics> {
    match ctx.run(fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(kube_error(summary, &e)),
        Err(why) => Err(interrupted(summary, why)),
    }
}

/// The client and the Cluster API version of the management cluster.
pub async fn connect(
    ctx: &Ctx,
    summary: &str,
) -> Result<(scs_kube::Client, CapiVersion), Diagnostics> {
    let management = management(ctx)?;
    let client = kube_call(ctx, summary, management.client()).await?;
    let version = match ctx.run(management.capi_version()).await {
        Ok(Ok(v)) => v,
        Ok(Err(e)) if e.is_unreachable() => {
            return Err(Diagnostic::error(
                summary,
                format!(
                    "The management cluster at {} does not answer: {e}.",
                    management.url().unwrap_or("(unknown)")
                ),
            )
            .into());
        }
        Ok(Err(e)) => return Err(kube_error(summary, &e)),
        Err(why) => return Err(interrupted(summary, why)),
    };
    Ok((client, version))
}

/// Where a wait gives up: a little before the operation's deadline, so that the wait's own
/// message (the object's conditions) is what the user sees rather than a bare timeout.
pub fn wait_deadline(ctx: &Ctx) -> Option<Instant> {
    ctx.deadline()
        .map(|d| d.checked_sub(Duration::from_secs(2)).unwrap_or(d))
}

/// `namespace/name` as the two parts.
pub fn split_id(id: &str) -> Option<(&str, &str)> {
    let (namespace, name) = id.split_once('/')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains('/')).then_some((namespace, name))
}

/// The import ID problem for `type_name`.
pub fn bad_import_id(type_name: &str, id: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid import ID",
        format!(
            "Import a {type_name} by namespace and object name: terraform import {type_name}.NAME \
             NAMESPACE/NAME (got {id:?})."
        ),
    )
    .into()
}

/// The kubeconfig of workload cluster `namespace/cluster`, from the secret Cluster API writes.
pub async fn workload_kubeconfig(
    ctx: &Ctx,
    namespace: &str,
    cluster: &str,
) -> Result<scs_kube::kubeconfig::WorkloadAccess, Diagnostics> {
    let summary = "Cannot read the cluster's kubeconfig";
    let management = management(ctx)?;
    let client = kube_call(ctx, summary, management.client()).await?;
    let secret_name = scs_kube::kubeconfig::secret_name(cluster);
    let secret = kube_call(
        ctx,
        summary,
        scs_kube::ops::get_secret(&client, namespace, &secret_name),
    )
    .await?
    .ok_or_else(|| {
        Diagnostics::from(Diagnostic::error(
            summary,
            format!(
                "Secret {namespace}/{secret_name} does not exist: cluster {cluster} does not exist \
                 or its control plane is not initialized yet."
            ),
        ))
    })?;
    let raw = scs_kube::kubeconfig::from_secret(&secret).map_err(|e| kube_error(summary, &e))?;
    scs_kube::kubeconfig::parse(&raw).map_err(|e| kube_error(summary, &e))
}

/// Which apply of a Kubernetes object: the first (a create) or a later one (an update).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    Create,
    Update,
}

impl Apply {
    /// The word messages use for it.
    pub fn verb(self) -> &'static str {
        match self {
            Apply::Create => "create",
            Apply::Update => "update",
        }
    }
}

/// A state read back, `None` when the object is gone.
pub type ReadResult<M> = Result<Option<M>, Diagnostics>;

/// A Kubernetes object of the management cluster as a resource, with a `namespace/name` ID.
/// Creating and updating it are both an apply of the planned object and a wait; an import starts
/// from the ID alone. Register it as `typed_resource(Kube(...))`.
#[async_trait]
pub trait KubeObject: Send + Sync + 'static {
    type Model: Model + Default;
    const TYPE_NAME: &'static str;
    /// How long an operation may take when `timeouts` does not say.
    const DEFAULT_TIMEOUT: Duration;

    /// Checks across attributes beyond the schema's block rules.
    async fn validate(&self, config: &Self::Model) -> Diagnostics;

    /// See [`TypedResource::modify_plan`].
    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics>;

    /// The object's state; `Ok(None)` when it is gone.
    async fn read(&self, ctx: &Ctx, state: Self::Model) -> ReadResult<Self::Model>;

    /// Deletes the object and waits until it is gone.
    async fn delete(&self, ctx: &Ctx, state: Self::Model) -> Result<(), Diagnostics>;

    /// Applies the plan and waits as it asks; the state is recorded as soon as the object exists.
    async fn apply(&self, ctx: &Ctx, planned: Self::Model, how: Apply) -> Applied<Self::Model>;
}

/// A [`KubeObject`] as a resource.
pub struct Kube<T>(pub T);

#[async_trait]
impl<M, T> TypedResource for Kube<T>
where
    M: Model + Default,
    T: KubeObject<Model = M>,
{
    type Model = M;
    const TYPE_NAME: &'static str = T::TYPE_NAME;
    const DEFAULT_TIMEOUT: Duration = T::DEFAULT_TIMEOUT;

    async fn validate(&self, _ctx: &Ctx, config: &M) -> Diagnostics {
        self.0.validate(config).await
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        self.0.modify_plan(ctx, plan).await
    }

    async fn create(&self, ctx: &Ctx, planned: M, _config: &M) -> Applied<M> {
        self.0.apply(ctx, planned, Apply::Create).await
    }

    async fn read(&self, ctx: &Ctx, state: M) -> ReadResult<M> {
        self.0.read(ctx, state).await
    }

    async fn update(&self, ctx: &Ctx, _prior: M, planned: M, _config: &M) -> Applied<M> {
        self.0.apply(ctx, planned, Apply::Update).await
    }

    async fn delete(&self, ctx: &Ctx, state: M) -> Result<(), Diagnostics> {
        self.0.delete(ctx, state).await
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<M, Diagnostics> {
        if split_id(id).is_none() {
            return Err(bad_import_id(T::TYPE_NAME, id));
        }
        let mut model = M::default();
        model.set_id(Attr::Known(id.to_owned()));
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_namespace_slash_name() {
        assert_eq!(split_id("ns/c1"), Some(("ns", "c1")));
        for bad in ["c1", "/c1", "ns/", "ns/a/b"] {
            assert_eq!(split_id(bad), None, "{bad}");
        }
    }
}
