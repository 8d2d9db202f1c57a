//! Moving from terraform-provider-openstack: which of its resource types become which of ours and
//! what happens to each of their attributes ([`openstack`], one declarative table), and the state
//! move that `moved` blocks ask for ([`mover`]). The same table drives the `migrate` command that
//! rewrites configuration and the migration guide.

pub mod mover;
pub mod openstack;

pub use openstack::{AttributeMapping, ResourceMapping, Target, Transform};
