//! `scs_subnet` data source: exactly one Neutron subnet found by filters.

use async_trait::async_trait;
use scs_client::network as neutron;
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{Ctx, TypedDataSource};
use tfplugin::value::Attr;

use crate::support::{attr_of, client_for, find_one, set_filters};

pub struct SubnetDataSource;

/// Looks up exactly one Neutron subnet.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SubnetLookup {
    /// The region to search in. Defaults to the provider's region.
    #[tf(optional, computed)]
    region: Attr<String>,
    /// The subnet's ID.
    #[tf(optional, computed)]
    id: Attr<String>,
    /// The subnet's exact name.
    #[tf(optional, computed)]
    name: Attr<String>,
    /// The ID of the subnet's network.
    #[tf(optional, computed)]
    network_id: Attr<String>,
    /// The subnet's address range in CIDR notation.
    #[tf(optional, computed)]
    cidr: Attr<String>,
    /// `4` or `6`.
    #[tf(optional, computed)]
    ip_version: Attr<i64>,
    /// The subnet's description.
    #[tf(computed)]
    description: Attr<String>,
    /// The gateway address, if the subnet has one.
    #[tf(computed)]
    gateway_ip: Attr<String>,
    /// Whether DHCP is enabled.
    #[tf(computed)]
    enable_dhcp: Attr<bool>,
    /// The DNS servers handed out by DHCP.
    #[tf(computed)]
    dns_nameservers: Attr<Vec<String>>,
    /// The address ranges Neutron allocates from, a list of objects with `start` and `end`.
    #[tf(computed)]
    allocation_pools: Attr<Vec<Pool>>,
    /// The static routes handed out by DHCP, a list of objects with `destination_cidr` and
    /// `next_hop`.
    #[tf(computed)]
    host_routes: Attr<Vec<Route>>,
    /// The subnet's tags.
    #[tf(computed, set)]
    tags: Attr<Vec<String>>,
}

#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pool {
    start: String,
    end: String,
}

#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
pub struct Route {
    destination_cidr: String,
    next_hop: String,
}

#[async_trait]
impl TypedDataSource for SubnetDataSource {
    type Model = SubnetLookup;
    const TYPE_NAME: &'static str = "scs_subnet";

    async fn read(&self, ctx: &Ctx, want: SubnetLookup) -> Result<SubnetLookup, Diagnostics> {
        let (client, region) = client_for(ctx, &want.region)?;
        let version = want.ip_version.known().map(i64::to_string);
        let filters = set_filters([
            ("id", want.id.known()),
            ("name", want.name.known()),
            ("network_id", want.network_id.known()),
            ("cidr", want.cidr.known()),
            ("ip_version", version.as_ref()),
        ]);
        let list = neutron::list_subnets(&client, &filters);
        let subnet = find_one(ctx, "subnet", &filters, list, |s| {
            format!("{} ({:?}, {})", s.id, s.name, s.cidr)
        })
        .await?;
        let out = SubnetLookup {
            region,
            id: Attr::Known(subnet.id),
            name: Attr::Known(subnet.name),
            network_id: Attr::Known(subnet.network_id),
            cidr: Attr::Known(subnet.cidr),
            ip_version: Attr::Known(i64::from(subnet.ip_version)),
            description: Attr::Known(subnet.description),
            gateway_ip: attr_of(subnet.gateway_ip),
            enable_dhcp: Attr::Known(subnet.enable_dhcp),
            dns_nameservers: Attr::Known(subnet.dns_nameservers),
            allocation_pools: Attr::Known(
                subnet
                    .allocation_pools
                    .into_iter()
                    .map(|p| Pool {
                        start: p.start,
                        end: p.end,
                    })
                    .collect(),
            ),
            host_routes: Attr::Known(
                subnet
                    .host_routes
                    .into_iter()
                    .map(|r| Route {
                        destination_cidr: r.destination,
                        next_hop: r.nexthop,
                    })
                    .collect(),
            ),
            tags: Attr::Known(subnet.tags),
        };
        Ok(out)
    }
}
