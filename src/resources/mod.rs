//! Registry of managed resources: one module per resource type, one line per resource in [`all`].

use std::sync::Arc;

use tfplugin::framework::Resource;

pub mod net_common;
pub mod network;
pub mod shared;
pub mod subnet;

/// Every resource type the provider offers.
pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(network::NetworkResource), Arc::new(subnet::SubnetResource)]
}
