//! The state move behind `moved` blocks from terraform-provider-openstack's resource types.
