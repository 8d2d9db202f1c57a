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
pub mod security_group;
pub mod subnet;

pub use floating_ip::*;
pub use networks::*;
pub use port::*;
pub use router::*;
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

    pub const NETWORKS: Objects<Network, CreateNetwork, UpdateNetwork> =
        Objects::new(super::NETWORKS);
    pub const SUBNETS: Objects<Subnet, CreateSubnet, UpdateSubnet> = Objects::new(super::SUBNETS);
    pub const ROUTERS: Objects<Router, CreateRouter, UpdateRouter> = Objects::new(super::ROUTERS);
    pub const PORTS: Objects<Port, CreatePort, UpdatePort> = Objects::new(super::PORTS);
    pub const FLOATING_IPS: Objects<FloatingIp, CreateFloatingIp, UpdateFloatingIp> =
        Objects::new(super::FLOATING_IPS);
    pub const SECURITY_GROUPS: Objects<SecurityGroup, CreateSecurityGroup, UpdateSecurityGroup> =
        Objects::new(super::SECURITY_GROUPS);
    pub const SECURITY_GROUP_RULES: Objects<SecurityGroupRule, CreateSecurityGroupRule, ()> =
        Objects::new(super::SECURITY_GROUP_RULES);
}
