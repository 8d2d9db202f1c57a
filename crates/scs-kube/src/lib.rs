//! Kubernetes access for Cluster Stacks: the management cluster's connection settings and a client
//! created on first use, typed models of the Cluster Stack Operator's objects
//! (`clusterstack.x-k8s.io/v1alpha1`) and of Cluster API's `Cluster` and `ClusterClass` in `v1beta1`
//! and `v1beta2`, server-side apply with this provider's field manager, and waits on conditions
//! that end with the object's own reasons when they time out.
//!
//! The crate knows nothing of Terraform: callers pass plain values and get plain values and
//! [`Error`]s back.

pub mod access;
pub mod capi;
pub mod cso;
mod error;
pub mod kubeconfig;
pub mod meta;
pub mod naming;
pub mod ops;
pub mod schema;
pub mod wait;

pub use access::{Access, Management};
pub use error::Error;
pub use meta::{Condition, KubeResource};

/// The field manager of every server-side apply this crate sends.
pub const FIELD_MANAGER: &str = "terraform-provider-scs";
pub use kube::Client;
/// The client crates, for callers that need more than this crate wraps.
pub use {k8s_openapi, kube};
