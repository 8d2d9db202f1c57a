//! Registry of managed resources: one module per resource type, one line per resource in [`all`].

use std::sync::Arc;

use tfplugin::framework::Resource;

/// Every resource type the provider offers.
pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![]
}
