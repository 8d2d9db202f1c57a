//! Registry of ephemeral resources: objects that live for one run of the client and are in no
//! plan and no state.

use std::sync::Arc;

use tfplugin::framework::{EphemeralResource, typed_ephemeral_resource};

pub mod application_credential;
pub mod cluster_kubeconfig;

/// Every ephemeral resource type the provider offers.
pub fn all() -> Vec<Arc<dyn EphemeralResource>> {
    vec![
        typed_ephemeral_resource(application_credential::ApplicationCredentialResource),
        typed_ephemeral_resource(cluster_kubeconfig::ClusterKubeconfigResource),
    ]
}
