//! `scs_subnet` data source: exactly one Neutron subnet found by filters.

use async_trait::async_trait;
use scs_client::network as neutron;
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{Ctx, DataSource};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Attr, Type, Value, from_value};

use super::network::exactly_one;
use crate::resources::shared::{attr_of, call, client_for};

pub struct SubnetDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct SubnetLookup {
    region: Attr<String>,
    id: Attr<String>,
    name: Attr<String>,
    network_id: Attr<String>,
    cidr: Attr<String>,
    ip_version: Attr<i64>,
    description: Attr<String>,
    gateway_ip: Attr<String>,
    enable_dhcp: Attr<bool>,
    dns_nameservers: Attr<Vec<String>>,
    allocation_pools: Attr<Vec<Pool>>,
    host_routes: Attr<Vec<Route>>,
    tags: Attr<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Pool {
    start: String,
    end: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Route {
    destination_cidr: String,
    next_hop: String,
}

#[async_trait]
impl DataSource for SubnetDataSource {
    fn type_name(&self) -> &str {
        "scs_subnet"
    }

    fn schema(&self) -> Schema {
        let pool = Type::object([("start", Type::String), ("end", Type::String)]);
        let route = Type::object([
            ("destination_cidr", Type::String),
            ("next_hop", Type::String),
        ]);
        Schema::new(
            Block::new()
                .description("Looks up exactly one Neutron subnet.")
                .attribute(Attribute::string("region").optional().computed())
                .attribute(Attribute::string("id").optional().computed())
                .attribute(Attribute::string("name").optional().computed())
                .attribute(Attribute::string("network_id").optional().computed())
                .attribute(Attribute::string("cidr").optional().computed())
                .attribute(Attribute::number("ip_version").optional().computed())
                .attribute(Attribute::string("description").computed())
                .attribute(Attribute::string("gateway_ip").computed())
                .attribute(Attribute::bool("enable_dhcp").computed())
                .attribute(Attribute::list("dns_nameservers", Type::String).computed())
                .attribute(Attribute::new("allocation_pools", Type::list(pool)).computed())
                .attribute(Attribute::new("host_routes", Type::list(route)).computed())
                .attribute(Attribute::set("tags", Type::String).computed()),
        )
    }

    async fn read(&self, ctx: &Ctx, config: Value) -> Result<Value, Diagnostics> {
        let want: SubnetLookup = from_value(&config)?;
        let (client, region) = client_for(ctx, &want.region)?;
        let version = want.ip_version.known().map(i64::to_string);
        let mut filters: Vec<(&str, &str)> = Vec::new();
        for (key, value) in [
            ("id", want.id.known()),
            ("name", want.name.known()),
            ("network_id", want.network_id.known()),
            ("cidr", want.cidr.known()),
            ("ip_version", version.as_ref()),
        ] {
            if let Some(v) = value {
                filters.push((key, v));
            }
        }
        let described: Vec<String> = filters.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        let described = if described.is_empty() {
            "no filter".to_owned()
        } else {
            described.join(", ")
        };
        let found = call(
            ctx,
            "Cannot list subnets",
            neutron::list_subnets(&client, &filters),
        )
        .await?;
        let subnet = exactly_one("subnet", &described, found, |s| {
            format!("{} ({:?}, {})", s.id, s.name, s.cidr)
        })?;
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
        ctx.to_value(&out)
    }
}
