//! Registry of data sources: one module per data source type, one line per data source in [`all`].

use std::sync::Arc;

use tfplugin::framework::DataSource;

pub mod flavor;
pub mod image;
pub mod network;
pub mod subnet;

/// Every data source type the provider offers.
pub fn all() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(network::NetworkDataSource),
        Arc::new(subnet::SubnetDataSource),
        Arc::new(flavor::FlavorDataSource),
        Arc::new(image::ImageDataSource),
    ]
}
