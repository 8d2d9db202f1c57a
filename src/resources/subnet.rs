//! `scs_subnet`: a Neutron subnet (`/v2.0/subnets`).

use std::net::IpAddr;

use async_trait::async_trait;
use scs_client::network::{AllocationPool, CreateSubnet, HostRoute, Subnet, UpdateSubnet};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::framework::{Ctx, PlanChange};
use tfplugin::model::Timeouts;
use tfplugin::value::{Attr, Value};

use crate::lifecycle::{Change, CloudObject, Plan, Step};
use crate::support::net::{
    Cidr, check_pool, cidr_validator, default_allocation_pools, ip_validator, ip_version, parse_ip,
};
use crate::support::schema::{description, name, region, tags};
use crate::support::{in_prior_order, list_from_api, string_from_api};

pub struct SubnetResource;

/// A Neutron subnet.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SubnetModel {
    /// The subnet's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The ID of the network the subnet belongs to.
    #[tf(required, requires_replace)]
    network_id: Attr<String>,
    #[tf(schema = name("A name for the subnet."))]
    name: Attr<String>,
    #[tf(schema = description("Free text describing the subnet."))]
    description: Attr<String>,
    /// The address range in CIDR notation, e.g. `10.20.0.0/24` or `2001:db8::/64`. The host bits
    /// must be zero. It must match `ip_version`; both are checked when planning.
    #[tf(required, requires_replace, validator = cidr_validator)]
    cidr: Attr<String>,
    /// `4` or `6`.
    #[tf(default = 4, requires_replace)]
    ip_version: Attr<i64>,
    /// The gateway address. It must lie inside `cidr`. If unset (and `no_gateway` is not `true`),
    /// Neutron uses the first address of the range, and that address is recorded in the state.
    #[tf(optional, computed, use_state_for_unknown, validator = ip_validator)]
    gateway_ip: Attr<String>,
    /// Set to `true` to create the subnet without a gateway. Conflicts with `gateway_ip`.
    #[tf(default = false)]
    no_gateway: Attr<bool>,
    /// Whether DHCP is enabled.
    #[tf(default = true)]
    enable_dhcp: Attr<bool>,
    /// An ordered list of DNS server addresses handed out by DHCP.
    #[tf(optional)]
    dns_nameservers: Attr<Vec<String>>,
    /// Zero or more address ranges from which Neutron allocates addresses. Each pool must lie
    /// inside `cidr`, which is checked when planning. Without any block Neutron allocates from the
    /// whole range except the gateway; that default pool is not recorded in the state.
    #[tf(block)]
    allocation_pool: Attr<Vec<PoolModel>>,
    /// Zero or more static routes handed out by DHCP.
    #[tf(block)]
    host_route: Attr<Vec<RouteModel>>,
    #[tf(schema = tags)]
    tags: Attr<Vec<String>>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolModel {
    /// The first address of the pool.
    #[tf(required, validator = ip_validator)]
    start: Attr<String>,
    /// The last address of the pool.
    #[tf(required, validator = ip_validator)]
    end: Attr<String>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteModel {
    /// The destination of the route in CIDR notation.
    #[tf(required, validator = cidr_validator)]
    destination_cidr: Attr<String>,
    /// The address of the next hop.
    #[tf(required, validator = ip_validator)]
    next_hop: Attr<String>,
}

/// The configured spelling of an address when it means the same as the
/// cloud's (IPv6 can be written many ways; a respelling is not drift).
fn keep_spelling(api: String, prior: Option<&String>) -> String {
    match prior {
        Some(p)
            if parse_ip(p)
                .ok()
                .is_some_and(|p| parse_ip(&api).ok() == Some(p)) =>
        {
            p.clone()
        }
        Some(p)
            if Cidr::parse(p)
                .ok()
                .is_some_and(|p| Cidr::parse(&api).ok() == Some(p)) =>
        {
            p.clone()
        }
        _ => api,
    }
}

/// A block of two addresses: a pool's start and end, a route's destination
/// and next hop.
trait AddressPair {
    fn pair(&self) -> (Option<&String>, Option<&String>);
    fn from_pair(first: String, second: String) -> Self;
}

impl AddressPair for PoolModel {
    fn pair(&self) -> (Option<&String>, Option<&String>) {
        (self.start.known(), self.end.known())
    }
    fn from_pair(start: String, end: String) -> Self {
        PoolModel {
            start: Attr::Known(start),
            end: Attr::Known(end),
        }
    }
}

impl AddressPair for RouteModel {
    fn pair(&self) -> (Option<&String>, Option<&String>) {
        (self.destination_cidr.known(), self.next_hop.known())
    }
    fn from_pair(destination: String, hop: String) -> Self {
        RouteModel {
            destination_cidr: Attr::Known(destination),
            next_hop: Attr::Known(hop),
        }
    }
}

/// Address pairs from the cloud as blocks, in the order the prior state had
/// them and with the prior spelling: Neutron does not keep the order of pools
/// and routes, and a reordering is not a change. Pairs the prior state lacks
/// come last (drift), in ascending order.
fn like_prior<B: AddressPair>(mut api: Vec<(String, String)>, prior: &Attr<Vec<B>>) -> Vec<B> {
    // Neutron's own order is arbitrary; ascending addresses are how people write them.
    api.sort_by_key(|(a1, a2)| (sort_key(a1), sort_key(a2)));
    let same =
        |a: &str, p: Option<&String>| p.is_some_and(|p| keep_spelling(a.to_owned(), Some(p)) == *p);
    let answers = |block: &B, (a1, a2): &(String, String)| {
        let (p1, p2) = block.pair();
        same(a1, p1) && same(a2, p2)
    };
    in_prior_order(api, prior.items(), answers)
        .into_iter()
        .map(|((a1, a2), block)| {
            let (p1, p2) = block.map_or((None, None), B::pair);
            B::from_pair(keep_spelling(a1, p1), keep_spelling(a2, p2))
        })
        .collect()
}

fn sort_key(text: &str) -> (u8, u128, String) {
    let addr = text.split('/').next().unwrap_or(text);
    match parse_ip(addr) {
        Ok(IpAddr::V4(v4)) => (4, u128::from(u32::from(v4)), text.to_owned()),
        Ok(IpAddr::V6(v6)) => (6, u128::from(v6), text.to_owned()),
        Err(_) => (0, 0, text.to_owned()),
    }
}

fn pools_of(model: &Attr<Vec<PoolModel>>) -> Vec<AllocationPool> {
    model.map_items(|p| AllocationPool {
        start: p.start.known().cloned().unwrap_or_default(),
        end: p.end.known().cloned().unwrap_or_default(),
    })
}

fn routes_of(model: &Attr<Vec<RouteModel>>) -> Vec<HostRoute> {
    model.map_items(|r| HostRoute {
        destination: r.destination_cidr.known().cloned().unwrap_or_default(),
        nexthop: r.next_hop.known().cloned().unwrap_or_default(),
    })
}

/// Whether `pools` are exactly the ones Neutron makes by itself for this subnet.
fn are_default_pools(subnet: &Subnet, pools: &[AllocationPool]) -> bool {
    let Ok(cidr) = Cidr::parse(&subnet.cidr) else {
        return false;
    };
    let gateway = subnet
        .gateway_ip
        .as_deref()
        .and_then(|g| g.parse::<IpAddr>().ok());
    let defaults = default_allocation_pools(&cidr, gateway);
    defaults.len() == pools.len()
        && defaults
            .iter()
            .zip(pools)
            .all(|((s, e), p)| p.start.parse().ok() == Some(*s) && p.end.parse().ok() == Some(*e))
}

#[async_trait]
impl CloudObject for SubnetResource {
    type Model = SubnetModel;
    type Api = Subnet;
    const TYPE_NAME: &'static str = "scs_subnet";

    fn state_from(&self, subnet: Subnet, prior: &SubnetModel) -> SubnetModel {
        let unconfigured = prior.allocation_pool.known().is_none_or(Vec::is_empty);
        let pools = if unconfigured && are_default_pools(&subnet, &subnet.allocation_pools) {
            Vec::new()
        } else {
            let api = subnet
                .allocation_pools
                .into_iter()
                .map(|p| (p.start, p.end));
            like_prior(api.collect(), &prior.allocation_pool)
        };
        let api = subnet
            .host_routes
            .into_iter()
            .map(|r| (r.destination, r.nexthop));
        let routes = like_prior(api.collect(), &prior.host_route);
        let prior_dns = prior.dns_nameservers.known();
        let dns: Vec<String> = subnet
            .dns_nameservers
            .iter()
            .enumerate()
            .map(|(i, d)| keep_spelling(d.clone(), prior_dns.and_then(|p| p.get(i))))
            .collect();
        SubnetModel {
            network_id: Attr::Known(subnet.network_id),
            name: string_from_api(subnet.name, &prior.name),
            description: string_from_api(subnet.description, &prior.description),
            cidr: Attr::Known(keep_spelling(subnet.cidr, prior.cidr.known())),
            ip_version: Attr::Known(i64::from(subnet.ip_version)),
            no_gateway: Attr::Known(subnet.gateway_ip.is_none()),
            gateway_ip: subnet.gateway_ip.map_or(Attr::Null, |g| {
                Attr::Known(keep_spelling(g, prior.gateway_ip.known()))
            }),
            enable_dhcp: Attr::Known(subnet.enable_dhcp),
            dns_nameservers: list_from_api(dns, &prior.dns_nameservers),
            allocation_pool: Attr::Known(pools),
            host_route: Attr::Known(routes),
            ..Default::default()
        }
    }

    /// The checks that need several attributes: addresses against the range
    /// and the IP version.
    fn validate(&self, config: &SubnetModel) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let Some(cidr) = config.cidr.known().and_then(|c| Cidr::parse(c).ok()) else {
            return diags;
        };
        if let Some(version) = config.ip_version.known()
            && *version != cidr.version()
        {
            diags.error_at(
                AttributePath::attr("ip_version"),
                "IP version does not match the CIDR",
                format!(
                    "cidr {cidr} is IPv{}, but ip_version is {version}",
                    cidr.version()
                ),
            );
        }
        if let Some(version) = config.ip_version.known()
            && *version != 4
            && *version != 6
        {
            diags.error_at(
                AttributePath::attr("ip_version"),
                "Invalid IP version",
                "ip_version must be 4 or 6",
            );
        }
        if let Some(gw) = config.gateway_ip.known() {
            if config.no_gateway.known() == Some(&true) {
                diags.error_at(
                    AttributePath::attr("no_gateway"),
                    "Conflicting arguments",
                    "no_gateway = true conflicts with gateway_ip; set one of them",
                );
            }
            if let Ok(ip) = parse_ip(gw)
                && !cidr.contains(ip)
            {
                diags.error_at(
                    AttributePath::attr("gateway_ip"),
                    "Gateway outside the subnet",
                    format!("gateway_ip {ip} is not inside cidr {cidr}"),
                );
            }
        }
        for (i, pool) in config.allocation_pool.items().enumerate() {
            if let (Some(start), Some(end)) = (pool.start.known(), pool.end.known())
                && let Err(e) = check_pool(&cidr, start, end)
            {
                let index = i64::try_from(i).unwrap_or(i64::MAX);
                diags.error_at(
                    AttributePath::attr("allocation_pool")
                        .join_index(index)
                        .join_attr("start"),
                    "Invalid allocation pool",
                    e,
                );
            }
        }
        for (i, route) in config.host_route.items().enumerate() {
            let index = i64::try_from(i).unwrap_or(i64::MAX);
            if let Some(hop) = route.next_hop.known().and_then(|h| parse_ip(h).ok())
                && ip_version(hop) != cidr.version()
            {
                diags.error_at(
                    AttributePath::attr("host_route")
                        .join_index(index)
                        .join_attr("next_hop"),
                    "Next hop of the wrong IP version",
                    format!(
                        "next_hop {hop} is not an IPv{} address like the subnet",
                        cidr.version()
                    ),
                );
            }
        }
        for (i, server) in config.dns_nameservers.items().enumerate() {
            if let Err(e) = parse_ip(server) {
                let index = i64::try_from(i).unwrap_or(i64::MAX);
                diags.error_at(
                    AttributePath::attr("dns_nameservers").join_index(index),
                    "Invalid DNS server",
                    e,
                );
            }
        }
        diags
    }

    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        let no_gateway = plan.planned.attr("no_gateway").and_then(Value::as_bool);
        let had_gateway = plan.prior.attr("gateway_ip").is_some_and(Value::is_known);
        if no_gateway == Some(true) {
            plan.set_planned("gateway_ip", Value::Null);
        } else if !plan.configured("gateway_ip") && !plan.is_create() && !had_gateway {
            // Turning no_gateway off: Neutron picks the gateway.
            plan.set_planned("gateway_ip", Value::Unknown);
        }
        Ok(())
    }

    fn create_body(&self, plan: Plan<'_, SubnetModel>) -> Step<CreateSubnet> {
        let gateway_ip = if plan.no_gateway.known() == Some(&true) {
            Some(None)
        } else {
            plan.gateway_ip.known().map(|g| Some(g.clone()))
        };
        let pools = pools_of(&plan.allocation_pool);
        let routes = routes_of(&plan.host_route);
        Ok(CreateSubnet {
            network_id: plan.network_id.known().cloned().unwrap_or_default(),
            cidr: plan.cidr.known().cloned().unwrap_or_default(),
            ip_version: plan
                .ip_version
                .known()
                .and_then(|v| u8::try_from(*v).ok())
                .unwrap_or(4),
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            gateway_ip,
            enable_dhcp: plan.enable_dhcp.known().copied(),
            dns_nameservers: plan.dns_nameservers.known().cloned(),
            allocation_pools: (!pools.is_empty()).then_some(pools),
            host_routes: (!routes.is_empty()).then_some(routes),
            ..Default::default()
        })
    }

    fn update_body(&self, change: Change<'_, SubnetModel>) -> Step<UpdateSubnet> {
        let gateway_ip = if change.no_gateway.known() == Some(&true) {
            (change.prior.gateway_ip.is_known()).then_some(None)
        } else {
            change.changed(|m| &m.gateway_ip).map(Some)
        };
        let allocation_pools = (pools_of(&change.prior.allocation_pool)
            != pools_of(&change.allocation_pool))
        .then(|| {
            let pools = pools_of(&change.allocation_pool);
            if !pools.is_empty() {
                return pools;
            }
            // No blocks any more: back to the pool Neutron would have made.
            let cidr = change.cidr.known().and_then(|c| Cidr::parse(c).ok());
            let gateway = change.gateway_ip.known().and_then(|g| parse_ip(g).ok());
            cidr.map(|c| default_allocation_pools(&c, gateway))
                .unwrap_or_default()
                .into_iter()
                .map(|(s, e)| AllocationPool {
                    start: s.to_string(),
                    end: e.to_string(),
                })
                .collect()
        });
        let host_routes = (routes_of(&change.prior.host_route) != routes_of(&change.host_route))
            .then(|| routes_of(&change.host_route));
        Ok(UpdateSubnet {
            name: change.changed_or_cleared(|m| &m.name),
            description: change.changed_or_cleared(|m| &m.description),
            gateway_ip,
            enable_dhcp: change.changed(|m| &m.enable_dhcp),
            dns_nameservers: change.changed_or_cleared(|m| &m.dns_nameservers),
            allocation_pools,
            host_routes,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn config(cidr: &str, version: i64) -> SubnetModel {
        SubnetModel {
            cidr: Attr::Known(cidr.into()),
            ip_version: Attr::Known(version),
            ..Default::default()
        }
    }

    #[test]
    fn version_must_match_cidr() {
        assert!(
            SubnetResource
                .validate(&config("10.0.0.0/24", 4))
                .is_empty()
        );
        let d = SubnetResource.validate(&config("fd00::/64", 4));
        assert_eq!(d.attribute_paths(), ["ip_version"]);
    }

    #[test]
    fn pools_and_gateway_inside_the_range() {
        let mut c = config("10.0.0.0/24", 4);
        c.gateway_ip = Attr::Known("10.0.1.1".into());
        c.allocation_pool = Attr::Known(vec![PoolModel {
            start: Attr::Known("10.0.0.10".into()),
            end: Attr::Known("10.0.1.10".into()),
        }]);
        let d = SubnetResource.validate(&c);
        assert_eq!(
            d.attribute_paths(),
            ["gateway_ip", "allocation_pool[0].start"]
        );
    }

    #[test]
    fn default_pools_are_not_state() {
        let subnet = Subnet {
            id: "s".into(),
            cidr: "10.0.0.0/24".into(),
            ip_version: 4,
            gateway_ip: Some("10.0.0.1".into()),
            allocation_pools: vec![AllocationPool {
                start: "10.0.0.2".into(),
                end: "10.0.0.254".into(),
            }],
            ..Default::default()
        };
        let state = SubnetResource.state_from(subnet.clone(), &SubnetModel::default());
        assert_eq!(state.allocation_pool, Attr::Known(vec![]));
        let mut custom = subnet;
        custom.allocation_pools[0].start = "10.0.0.100".into();
        let state = SubnetResource.state_from(custom, &SubnetModel::default());
        assert_eq!(state.allocation_pool.known().map(Vec::len), Some(1));
    }

    #[test]
    fn pools_and_routes_keep_the_configured_order() {
        let s = |t: &str| t.to_owned();
        let pool = |start: &str, end: &str| PoolModel::from_pair(s(start), s(end));
        let api = || {
            vec![
                (s("10.0.0.10"), s("10.0.0.49")),
                (s("10.0.0.100"), s("10.0.0.149")),
            ]
        };
        // The configured order, even where it is not ascending.
        let prior = vec![
            pool("10.0.0.100", "10.0.0.149"),
            pool("10.0.0.10", "10.0.0.49"),
        ];
        assert_eq!(like_prior(api(), &Attr::Known(prior.clone())), prior);
        // A pool the configuration does not have shows up (drift), after the known ones.
        let mut api = api();
        api.insert(0, (s("10.0.0.200"), s("10.0.0.210")));
        assert_eq!(
            like_prior(api, &Attr::Known(prior[..1].to_vec())),
            [
                pool("10.0.0.100", "10.0.0.149"),
                pool("10.0.0.10", "10.0.0.49"),
                pool("10.0.0.200", "10.0.0.210")
            ]
        );
        // An IPv6 route keeps its configured spelling.
        let route = RouteModel::from_pair(s("FD00:0::/64"), s("fd00::1"));
        let api = vec![(s("fd00::/64"), s("fd00::1"))];
        assert_eq!(like_prior(api, &Attr::Known(vec![route.clone()])), [route]);
    }

    #[test]
    fn ipv6_spelling_is_kept() {
        assert_eq!(
            keep_spelling("fd00::1".into(), Some(&"FD00:0::1".to_string())),
            "FD00:0::1"
        );
        assert_eq!(
            keep_spelling("fd00::2".into(), Some(&"fd00::1".to_string())),
            "fd00::2"
        );
    }
}
