//! Registry of managed resources: one module per resource type, one line per resource in [`all`].

use std::sync::Arc;

use tfplugin::framework::{Resource, typed_resource};

use crate::lifecycle::Managed;
use crate::support::kube::Kube;

pub mod application_credential;
pub mod cluster;
pub mod cluster_stack;
pub mod floating_ip;
pub mod keypair;
pub mod network;
pub mod port;
pub mod router;
pub mod router_interface;
pub mod security_group;
pub mod security_group_rule;
pub mod server;
pub mod server_group;
pub mod subnet;
pub mod volume;
pub mod volume_attachment;

/// Every resource type the provider offers, each with its resource identity.
pub fn all() -> Vec<Arc<dyn Resource>> {
    let resources: Vec<Arc<dyn Resource>> = vec![
        typed_resource(Managed(network::NetworkResource)),
        typed_resource(Managed(subnet::SubnetResource)),
        typed_resource(Managed(router::RouterResource)),
        typed_resource(Managed(router_interface::RouterInterfaceResource)),
        typed_resource(Managed(security_group::SecurityGroupResource)),
        typed_resource(Managed(security_group_rule::SecurityGroupRuleResource)),
        typed_resource(Managed(port::PortResource)),
        typed_resource(Managed(floating_ip::FloatingIpResource)),
        Arc::new(server::ServerResource),
        typed_resource(Managed(keypair::KeypairResource)),
        typed_resource(Managed(server_group::ServerGroupResource)),
        typed_resource(Managed(volume::VolumeResource)),
        typed_resource(Managed(volume_attachment::VolumeAttachmentResource)),
        typed_resource(Managed(
            application_credential::ApplicationCredentialResource,
        )),
        typed_resource(Kube(cluster_stack::ClusterStackResource)),
        typed_resource(Kube(cluster::ClusterResource)),
    ];
    resources
        .into_iter()
        .map(crate::identity::identified)
        .collect()
}

#[cfg(test)]
mod tests {
    /// Every resource's schema is one Terraform accepts, and its model
    /// holds exactly the schema's attributes (a field missing from either
    /// would lose state without a word).
    #[test]
    fn schemas_are_valid_and_match_their_models() {
        for r in super::all() {
            let problems = r.schema().validate();
            assert!(problems.is_empty(), "{}: {problems:?}", r.type_name());
            let mismatches = r.self_check();
            assert!(mismatches.is_empty(), "{}: {mismatches:?}", r.type_name());
        }
    }

    /// Every resource type has an identity its schema can carry: `id`
    /// required for import, `region` optional where the resource has one.
    #[test]
    fn every_resource_has_a_valid_identity() {
        for r in super::all() {
            let identity = r.identity_schema();
            let identity = identity.as_ref();
            let problems = identity.map(|i| i.problems(&r.schema()));
            assert_eq!(problems, Some(Vec::new()), "{}", r.type_name());
            let names: Vec<&str> = identity
                .map(|i| i.attributes.iter().map(|a| a.name.as_str()).collect())
                .unwrap_or_default();
            let first = match r.type_name() {
                "scs_volume_attachment" => "server_id",
                "scs_cluster" | "scs_cluster_stack" => "namespace",
                _ => "id",
            };
            assert_eq!(names[0], first, "{}", r.type_name());
            let has_region = r.schema().block.get_attribute("region").is_some();
            assert_eq!(names.contains(&"region"), has_region, "{}", r.type_name());
        }
    }
}
