//! Registry of data sources: one module per data source type, one line per data source in [`all`].

use std::sync::Arc;

use tfplugin::framework::{DataSource, typed_data_source};

pub mod cluster_class;
pub mod cluster_kubeconfig;
pub mod flavor;
pub mod image;
pub mod network;
pub mod subnet;

/// Every data source type the provider offers.
pub fn all() -> Vec<Arc<dyn DataSource>> {
    vec![
        typed_data_source(network::NetworkDataSource),
        typed_data_source(subnet::SubnetDataSource),
        typed_data_source(flavor::FlavorDataSource),
        typed_data_source(image::ImageDataSource),
        typed_data_source(cluster_class::ClusterClassDataSource),
        typed_data_source(cluster_kubeconfig::ClusterKubeconfigDataSource),
    ]
}

#[cfg(test)]
mod testing {
    #![allow(clippy::unwrap_used)]
    use serde::Serialize;
    use tfplugin::diagnostics::Diagnostics;
    use tfplugin::framework::validate::validate_config;
    use tfplugin::model::Model;
    use tfplugin::value::to_untyped_value;

    /// What validation reports for a data source's configuration: the schema's block rules, then
    /// `check`, the data source's own checks.
    pub fn validation_problems<M: Model + Serialize>(
        config: &M,
        check: impl Fn(&M) -> Diagnostics,
    ) -> Diagnostics {
        let block = M::block();
        let value = to_untyped_value(config)
            .unwrap()
            .conform(&block.value_type())
            .unwrap();
        let mut d = validate_config(&block, &value);
        d.extend(check(config));
        d
    }
}
