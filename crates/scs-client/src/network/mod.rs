//! Neutron (network service): networks, subnets, routers, ports, floating IPs, security groups.
//!
//! Every resource has `list_*` (all pages, with optional query filters such as
//! `[("name", "x")]`), `get_*` (`None` when it does not exist), `create_*` (one attempt),
//! `update_*`, `delete_*` (already gone counts as deleted) and, where Neutron has tags,
//! `set_*_tags` (replaces all tags).

pub mod floating_ip;
pub mod networks;
pub mod port;
pub mod router;
mod rule_batch;
mod rule_deletes;
pub mod security_group;
pub mod subnet;

pub use floating_ip::*;
pub use networks::*;
pub use port::*;
pub use router::*;
pub use rule_deletes::delete_group_rule;
pub use security_group::*;
pub use subnet::*;

use crate::model::{Collection, Objects};
use crate::session::{Client, ServiceClient};

fn service(client: &Client) -> ServiceClient {
    client.network()
}

const fn neutron(path: &'static str, one: &'static str, label: &'static str) -> Collection {
    Collection {
        service,
        path,
        list_path: path,
        one,
        many: path,
        label,
        microversion: None,
    }
}

const NETWORKS: Collection = neutron("networks", "network", "network");
const SUBNETS: Collection = neutron("subnets", "subnet", "subnet");
const ROUTERS: Collection = neutron("routers", "router", "router");
const PORTS: Collection = neutron("ports", "port", "port");
const FLOATING_IPS: Collection = neutron("floatingips", "floatingip", "floating IP");
const SECURITY_GROUPS: Collection = Collection {
    many: "security_groups",
    ..neutron("security-groups", "security_group", "security group")
};
const SECURITY_GROUP_RULES: Collection = Collection {
    many: "security_group_rules",
    ..neutron(
        "security-group-rules",
        "security_group_rule",
        "security group rule",
    )
};

/// Typed handles on Neutron's collections, for generic life-cycle code.
pub mod collections {
    use super::*;

    pub static NETWORKS: Objects<Network> = Objects::new(super::NETWORKS);
    pub static SUBNETS: Objects<Subnet> = Objects::new(super::SUBNETS);
    pub static ROUTERS: Objects<Router> = Objects::new(super::ROUTERS);
    pub static PORTS: Objects<Port> = Objects::new(super::PORTS);
    pub static FLOATING_IPS: Objects<FloatingIp> = Objects::new(super::FLOATING_IPS);
    pub static SECURITY_GROUPS: Objects<SecurityGroup> = Objects::new(super::SECURITY_GROUPS);
    pub static SECURITY_GROUP_RULES: Objects<SecurityGroupRule> =
        Objects::new(super::SECURITY_GROUP_RULES);
}

/// Declares a Neutron object kind: its request bodies, its collection, whether deleting it
/// waits for its dependants (Neutron answers 409 while ports or interfaces still use it), and the
/// list filters that find what a create made.
macro_rules! neutron_object {
    ($api:ty, $create:ty, $update:ty, $objects:ident, waits_for_dependants: $waits:literal,
     tagged: $tagged:tt, identity: |$body:ident| $identity:expr) => {
        impl ApiObject for $api {
            type Create = $create;
            type Update = $update;
            const KIND: &'static str = super::$objects.label;
            const DELETE_WAITS_FOR_DEPENDANTS: bool = $waits;

            fn id(&self) -> &str {
                &self.id
            }

            fn objects() -> Option<&'static Objects<Self>> {
                Some(&collections::$objects)
            }

            fn identity($body: &$create) -> Option<Vec<(&'static str, String)>> {
                Some(present($identity))
            }

            fn created_at(&self) -> Option<&str> {
                self.created_at.as_deref()
            }

            fn tags(&self) -> Option<&[String]> {
                neutron_object!(@tags self $tagged)
            }

            fn listing_filters(project_id: &str) -> Option<Vec<(&'static str, String)>> {
                Some(vec![("project_id", project_id.to_owned())])
            }
        }
    };
    (@tags $self:ident true) => {
        Some(&$self.tags)
    };
    (@tags $self:ident false) => {
        None
    };
}

/// The filters that have a value.
fn present<const N: usize>(
    filters: [(&'static str, Option<String>); N],
) -> Vec<(&'static str, String)> {
    filters
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .collect()
}

/// A name filter; an unnamed object is found by its empty name.
fn named(name: &Option<String>) -> (&'static str, Option<String>) {
    ("name", Some(name.clone().unwrap_or_default()))
}

mod kinds {
    use super::*;
    use crate::model::ApiObject;

    neutron_object!(Network, CreateNetwork, UpdateNetwork, NETWORKS, waits_for_dependants: true,
        tagged: true,
        identity: |b| [named(&b.name)]);
    neutron_object!(Subnet, CreateSubnet, UpdateSubnet, SUBNETS, waits_for_dependants: true,
    tagged: true,
    identity: |b| [
        named(&b.name),
        ("network_id", Some(b.network_id.clone())),
        ("cidr", Some(b.cidr.clone()).filter(|c| !c.is_empty())),
    ]);
    neutron_object!(Router, CreateRouter, UpdateRouter, ROUTERS, waits_for_dependants: true,
        tagged: true,
        identity: |b| [named(&b.name)]);
    neutron_object!(Port, CreatePort, UpdatePort, PORTS, waits_for_dependants: false,
    tagged: true,
    identity: |b| [
        named(&b.name),
        ("network_id", Some(b.network_id.clone())),
        ("device_id", b.device_id.clone()),
        ("mac_address", b.mac_address.clone()),
    ]);
    neutron_object!(FloatingIp, CreateFloatingIp, UpdateFloatingIp, FLOATING_IPS,
    waits_for_dependants: false,
    tagged: true,
    identity: |b| [
        ("floating_network_id", Some(b.floating_network_id.clone())),
        ("floating_ip_address", b.floating_ip_address.clone()),
        ("port_id", b.port_id.clone()),
        ("description", b.description.clone()),
    ]);
    neutron_object!(SecurityGroup, CreateSecurityGroup, UpdateSecurityGroup, SECURITY_GROUPS,
        waits_for_dependants: true,
        tagged: true,
        identity: |b| [("name", Some(b.name.clone()))]);
    neutron_object!(SecurityGroupRule, CreateSecurityGroupRule, (), SECURITY_GROUP_RULES,
    waits_for_dependants: false,
    tagged: false,
    identity: |b| [
        ("security_group_id", Some(b.security_group_id.clone())),
        ("direction", Some(b.direction.clone())),
        ("ethertype", b.ethertype.clone()),
        ("protocol", b.protocol.clone()),
        ("port_range_min", b.port_range_min.map(|p| p.to_string())),
        ("port_range_max", b.port_range_max.map(|p| p.to_string())),
        ("remote_ip_prefix", b.remote_ip_prefix.clone()),
        ("remote_group_id", b.remote_group_id.clone()),
    ]);
}
