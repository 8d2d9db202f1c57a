//! Registry of managed resources: one module per resource type, one line per resource in [`all`].

use std::sync::Arc;

use tfplugin::framework::Resource;

pub mod floating_ip;
pub mod keypair;
pub mod net_common;
pub mod network;
pub mod port;
pub mod router;
pub mod router_interface;
pub mod security_group;
pub mod security_group_rule;
pub mod server;
pub mod server_group;
pub mod shared;
pub mod subnet;
pub mod volume;
pub mod volume_attachment;

/// Every resource type the provider offers.
pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(network::NetworkResource),
        Arc::new(subnet::SubnetResource),
        Arc::new(router::RouterResource),
        Arc::new(router_interface::RouterInterfaceResource),
        Arc::new(security_group::SecurityGroupResource),
        Arc::new(security_group_rule::SecurityGroupRuleResource),
        Arc::new(port::PortResource),
        Arc::new(floating_ip::FloatingIpResource),
        Arc::new(server::ServerResource),
        Arc::new(keypair::KeypairResource),
        Arc::new(server_group::ServerGroupResource),
        Arc::new(volume::VolumeResource),
        Arc::new(volume_attachment::VolumeAttachmentResource),
    ]
}
