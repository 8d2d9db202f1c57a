//! Moving configurations from terraform-provider-openstack to this provider.

pub mod cli;
pub mod hcl;

/// The table the command translates with.
pub fn rules() -> hcl::Rules {
    hcl::Rules::new([])
}
