//! `scs_cluster_kubeconfig` (ephemeral): a workload cluster's kubeconfig for other providers in
//! the same run, in no plan and no state.

use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{Ctx, Opened, TypedEphemeralResource};
use tfplugin::model::Model as _;
use tfplugin::schema::Schema;

use crate::data_sources::cluster_kubeconfig::KubeconfigModel;

pub struct ClusterKubeconfigResource;

#[async_trait]
impl TypedEphemeralResource for ClusterKubeconfigResource {
    type Model = KubeconfigModel;
    const TYPE_NAME: &'static str = "scs_cluster_kubeconfig";

    fn schema(&self) -> Schema {
        let mut schema = KubeconfigModel::schema();
        schema.block = schema.block.description(
            "The admin kubeconfig of a workload cluster (secret `<cluster>-kubeconfig` on the \
             management cluster) and its parts, for the kubernetes and helm providers in the same \
             run. It is read when the client opens it and is in no plan and no state, so the \
             credentials Cluster API rotates never go stale there.",
        );
        schema
    }

    async fn open(
        &self,
        ctx: &Ctx,
        config: KubeconfigModel,
    ) -> Result<Opened<KubeconfigModel>, Diagnostics> {
        Ok(Opened {
            result: config.fill(ctx).await?,
            private: None,
            renew_at: None,
        })
    }
}
