//! `scs_cluster_kubeconfig` (ephemeral): a workload cluster's kubeconfig for other providers in
//! the same run, in no plan and no state.

use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{Ctx, EphemeralResource, Opened};
use tfplugin::model::Model as _;
use tfplugin::schema::Schema;
use tfplugin::value::{Value, from_value, to_value};

use crate::data_sources::cluster_kubeconfig::KubeconfigModel;

pub struct ClusterKubeconfigResource;

#[async_trait]
impl EphemeralResource for ClusterKubeconfigResource {
    fn type_name(&self) -> &str {
        "scs_cluster_kubeconfig"
    }

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

    async fn open(&self, ctx: &Ctx, config: Value) -> Result<Opened, Diagnostics> {
        let model: KubeconfigModel = from_value(&config)?;
        let model = model.fill(ctx).await?;
        let result = to_value(&model, &self.schema().value_type())?;
        Ok(Opened {
            result,
            private: None,
            renew_at: None,
        })
    }

    async fn close(&self, _ctx: &Ctx, _private: Option<Vec<u8>>) -> Result<(), Diagnostics> {
        Ok(())
    }
}
