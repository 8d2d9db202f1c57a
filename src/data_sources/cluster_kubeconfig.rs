//! `scs_cluster_kubeconfig` data source: a workload cluster's kubeconfig and its parts.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{Ctx, TypedDataSource};
use tfplugin::value::Attr;

use crate::support::kube::{namespace_of, workload_kubeconfig};

pub struct ClusterKubeconfigDataSource;

/// The admin kubeconfig of a workload cluster, as Cluster API stores it (secret
/// `<cluster>-kubeconfig`), and its parts for the kubernetes and helm providers. It lands in the
/// state; the ephemeral resource of the same name keeps it out.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KubeconfigModel {
    /// The Cluster's namespace; default `default`.
    #[tf(optional)]
    pub namespace: Attr<String>,
    /// The Cluster's name.
    #[tf(required)]
    pub cluster_name: Attr<String>,
    /// The kubeconfig file's text.
    #[tf(computed, sensitive)]
    pub raw: Attr<String>,
    /// The workload cluster's API server URL.
    #[tf(computed, sensitive)]
    pub host: Attr<String>,
    /// The PEM CA certificate of the API server.
    #[tf(computed, sensitive)]
    pub cluster_ca_certificate: Attr<String>,
    /// The PEM client certificate.
    #[tf(computed, sensitive)]
    pub client_certificate: Attr<String>,
    /// The PEM private key of the client certificate.
    #[tf(computed, sensitive)]
    pub client_key: Attr<String>,
}

impl KubeconfigModel {
    /// Fills the computed attributes from the cluster's secret.
    pub async fn fill(mut self, ctx: &Ctx) -> Result<Self, Diagnostics> {
        let namespace = namespace_of(&self.namespace);
        let cluster = self.cluster_name.known().cloned().unwrap_or_default();
        let access = workload_kubeconfig(ctx, &namespace, &cluster).await?;
        self.raw = Attr::Known(access.raw.clone());
        self.host = Attr::Known(access.host.clone());
        self.cluster_ca_certificate = Attr::Known(access.cluster_ca_certificate.clone());
        self.client_certificate = Attr::Known(access.client_certificate.clone());
        self.client_key = Attr::Known(access.client_key.clone());
        Ok(self)
    }
}

#[async_trait]
impl TypedDataSource for ClusterKubeconfigDataSource {
    type Model = KubeconfigModel;
    const TYPE_NAME: &'static str = "scs_cluster_kubeconfig";

    async fn read(&self, ctx: &Ctx, want: KubeconfigModel) -> Result<KubeconfigModel, Diagnostics> {
        want.fill(ctx).await
    }
}
