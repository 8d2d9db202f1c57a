//! Registry of ephemeral resources: objects that live for one run of the client and are in no
//! plan and no state.

use std::sync::Arc;

use tfplugin::framework::EphemeralResource;

pub mod application_credential;
pub mod cluster_kubeconfig;

/// Every ephemeral resource type the provider offers.
pub fn all() -> Vec<Arc<dyn EphemeralResource>> {
    vec![
        Arc::new(application_credential::ApplicationCredentialResource),
        Arc::new(cluster_kubeconfig::ClusterKubeconfigResource),
    ]
}
