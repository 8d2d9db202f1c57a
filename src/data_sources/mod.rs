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
