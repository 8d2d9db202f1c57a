//! Moving from terraform-provider-openstack: which of its resource types become which of ours and
//! what happens to each of their attributes ([`openstack`], one declarative table), the state
//! move that `moved` blocks ask for ([`mover`]), and the `migrate` command that rewrites
//! configuration with the same table ([`hcl`], [`cli`], [`rules`]).

pub mod cli;
pub mod guide;
pub mod hcl;
pub mod mover;
pub mod openstack;
pub mod rules;

pub use openstack::{AttributeMapping, ResourceMapping, Target, Transform};
pub use rules::rules;
