//! `scs_port`: a Neutron port (`/v2.0/ports`).

use async_trait::async_trait;
use scs_client::network::{AllowedAddressPair, CreatePort, FixedIp, Port, UpdatePort};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::framework::{Ctx, PlanChange};
use tfplugin::model::Timeouts;
use tfplugin::value::{Attr, Value};

use crate::lifecycle::{Change, CloudObject, Plan, Step};
use crate::support::net::{Cidr, parse_ip};
use crate::support::schema::{description, name, region, tags};
use crate::support::{attr_of, in_prior_order, string_from_api};

pub struct PortResource;

/// A Neutron port.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PortModel {
    /// The port's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The ID of the network.
    #[tf(required, requires_replace)]
    network_id: Attr<String>,
    #[tf(schema = name("A name for the port."))]
    name: Attr<String>,
    #[tf(schema = description("Free text describing the port."))]
    description: Attr<String>,
    /// The administrative state of the port.
    #[tf(default = true)]
    admin_state_up: Attr<bool>,
    /// Zero or more addresses for the port. Without any block, Neutron picks an address from each
    /// subnet of the network (see `all_fixed_ips`).
    #[tf(block)]
    fixed_ip: Attr<Vec<FixedIpModel>>,
    /// A set of security group IDs. If unset, Neutron applies the project's `default` group and its
    /// ID is recorded in the state. Conflicts with `no_security_groups`.
    #[tf(optional, computed, use_state_for_unknown, set)]
    security_group_ids: Attr<Vec<String>>,
    /// Set to `true` to create the port with no security group at all. Conflicts with
    /// `security_group_ids`.
    #[tf(default = false)]
    no_security_groups: Attr<bool>,
    /// Whether port security (anti-spoofing and security groups) is enforced. If unset, the
    /// network's default is recorded. Disabling it requires the port to have no security groups.
    #[tf(optional, computed, use_state_for_unknown)]
    port_security_enabled: Attr<bool>,
    /// Zero or more additional addresses the port may send from.
    #[tf(block)]
    allowed_address_pair: Attr<Vec<PairModel>>,
    /// The MAC address. If unset, Neutron picks one and it is recorded in the state. Changing it is
    /// usually allowed for administrators only.
    #[tf(optional, computed, use_state_for_unknown)]
    mac_address: Attr<String>,
    #[tf(schema = tags)]
    tags: Attr<Vec<String>>,
    /// Every address the port has, including ones Neutron picked.
    #[tf(computed, use_state_for_unknown)]
    all_fixed_ips: Attr<Vec<String>>,
    /// The ID of the device (server, router, DHCP agent) using the port.
    #[tf(computed, use_state_for_unknown)]
    device_id: Attr<String>,
    /// The kind of device using the port, e.g. `compute:nova`.
    #[tf(computed, use_state_for_unknown)]
    device_owner: Attr<String>,
    /// The status Neutron reports (`ACTIVE`, `DOWN`, `BUILD`).
    #[tf(computed)]
    status: Attr<String>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FixedIpModel {
    /// The subnet to take the address from.
    #[tf(required)]
    subnet_id: Attr<String>,
    /// The address. If unset, Neutron picks a free one and it is recorded in the state.
    #[tf(optional, computed)]
    ip_address: Attr<String>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PairModel {
    /// An address or CIDR the port may use.
    #[tf(required)]
    ip_address: Attr<String>,
    /// The MAC address for the pair. If unset, the port's own MAC address is used and recorded in
    /// the state.
    #[tf(optional, computed)]
    mac_address: Attr<String>,
}

fn same_ip(a: &str, b: &str) -> bool {
    a == b
        || parse_ip(a)
            .ok()
            .is_some_and(|x| parse_ip(b).ok() == Some(x))
}

/// The port's addresses as blocks, in the order the prior blocks had them
/// (a block whose address was left to Neutron matches by subnet), so a
/// reordered answer is not drift. Addresses no block asked for come last.
fn order_like_prior(api: Vec<FixedIp>, prior: &[FixedIpModel]) -> Vec<FixedIpModel> {
    let answers = |block: &FixedIpModel, ip: &FixedIp| {
        Some(&ip.subnet_id) == block.subnet_id.known()
            && block
                .ip_address
                .known()
                .is_none_or(|want| same_ip(want, &ip.ip_address))
    };
    in_prior_order(api, prior, answers)
        .into_iter()
        .map(|(ip, block)| FixedIpModel {
            subnet_id: Attr::Known(ip.subnet_id),
            // The configured spelling of an address that means the same.
            ip_address: Attr::Known(
                block
                    .and_then(|b| b.ip_address.known().cloned())
                    .unwrap_or(ip.ip_address),
            ),
        })
        .collect()
}

/// The allowed address pairs in the order the prior blocks had them.
fn pairs_like_prior(api: Vec<AllowedAddressPair>, prior: &Attr<Vec<PairModel>>) -> Vec<PairModel> {
    in_prior_order(api, prior.items(), |pair, p| {
        pair.ip_address.known() == Some(&p.ip_address)
    })
    .into_iter()
    .map(|(p, _)| PairModel {
        ip_address: Attr::Known(p.ip_address),
        mac_address: attr_of(p.mac_address),
    })
    .collect()
}

fn fixed_ips_of(model: &PortModel) -> Vec<FixedIp> {
    model.fixed_ip.map_items(|b| FixedIp {
        subnet_id: b.subnet_id.known().cloned().unwrap_or_default(),
        ip_address: b.ip_address.known().cloned().unwrap_or_default(),
    })
}

fn pairs_of(model: &PortModel) -> Vec<AllowedAddressPair> {
    model
        .allowed_address_pair
        .map_items(|p| AllowedAddressPair {
            ip_address: p.ip_address.known().cloned().unwrap_or_default(),
            mac_address: p.mac_address.known().cloned(),
        })
}

#[async_trait]
impl CloudObject for PortResource {
    type Model = PortModel;
    type Api = Port;
    const TYPE_NAME: &'static str = "scs_port";

    fn state_from(&self, port: Port, prior: &PortModel) -> PortModel {
        let prior_ips = prior.fixed_ip.known().map_or(&[][..], Vec::as_slice);
        let all_fixed_ips = port.fixed_ips.iter().map(|ip| ip.ip_address.clone());
        let all_fixed_ips = Attr::Known(all_fixed_ips.collect());
        // A fresh import knows nothing but the ID: take the addresses as blocks.
        let imported = prior.network_id.is_null();
        let fixed_ip = if prior_ips.is_empty() && !imported {
            Vec::new()
        } else {
            order_like_prior(port.fixed_ips, prior_ips)
        };
        PortModel {
            network_id: Attr::Known(port.network_id),
            name: string_from_api(port.name, &prior.name),
            description: string_from_api(port.description, &prior.description),
            admin_state_up: Attr::Known(port.admin_state_up),
            fixed_ip: Attr::Known(fixed_ip),
            security_group_ids: Attr::Known(port.security_groups),
            no_security_groups: Attr::Known(
                prior.no_security_groups.known().copied().unwrap_or(false),
            ),
            port_security_enabled: attr_of(port.port_security_enabled),
            allowed_address_pair: Attr::Known(pairs_like_prior(
                port.allowed_address_pairs,
                &prior.allowed_address_pair,
            )),
            mac_address: Attr::Known(port.mac_address),
            all_fixed_ips,
            device_id: Attr::Known(port.device_id),
            device_owner: Attr::Known(port.device_owner),
            status: Attr::Known(port.status),
            ..Default::default()
        }
    }

    fn validate(&self, port: &PortModel) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for (i, block) in port.fixed_ip.items().enumerate() {
            if let Some(ip) = block.ip_address.known()
                && let Err(e) = parse_ip(ip)
            {
                let index = i64::try_from(i).unwrap_or(i64::MAX);
                diags.error_at(
                    AttributePath::attr("fixed_ip")
                        .join_index(index)
                        .join_attr("ip_address"),
                    "Invalid IP address",
                    e,
                );
            }
        }
        for (i, pair) in port.allowed_address_pair.items().enumerate() {
            if let Some(ip) = pair.ip_address.known()
                && parse_ip(ip).is_err()
                && let Err(e) = Cidr::parse(ip)
            {
                let index = i64::try_from(i).unwrap_or(i64::MAX);
                diags.error_at(
                    AttributePath::attr("allowed_address_pair")
                        .join_index(index)
                        .join_attr("ip_address"),
                    "Invalid address",
                    e,
                );
            }
        }
        let has_groups = port
            .security_group_ids
            .known()
            .is_some_and(|g| !g.is_empty());
        if port.no_security_groups.known() == Some(&true) && has_groups {
            diags.error_at(
                AttributePath::attr("no_security_groups"),
                "Conflicting arguments",
                "no_security_groups = true conflicts with security_group_ids; set one of them",
            );
        }
        if port.port_security_enabled.known() == Some(&false) && has_groups {
            diags.error_at(
                AttributePath::attr("security_group_ids"),
                "Security groups need port security",
                "a port with port_security_enabled = false cannot have security groups",
            );
        }
        diags
    }

    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        plan.carry_computed("fixed_ip", "subnet_id", "ip_address");
        plan.carry_computed("allowed_address_pair", "ip_address", "mac_address");
        let flag = |v: &Value| v.attr("no_security_groups").and_then(Value::as_bool) == Some(true);
        let (no_groups, had_no_groups) = (flag(&plan.planned), flag(&plan.prior));
        if no_groups {
            plan.set_planned("security_group_ids", Value::Set(Vec::new()));
        } else if had_no_groups && !plan.configured("security_group_ids") {
            // Back from "no groups": Neutron applies the default group.
            plan.set_planned("security_group_ids", Value::Unknown);
        }
        if !plan.is_create() && plan.planned.attr("fixed_ip") != plan.prior.attr("fixed_ip") {
            plan.set_planned("all_fixed_ips", Value::Unknown);
        }
        Ok(())
    }

    fn create_body(&self, plan: Plan<'_, PortModel>) -> Step<CreatePort> {
        let fixed_ips = fixed_ips_of(plan.planned);
        let pairs = pairs_of(plan.planned);
        let security_groups = if plan.no_security_groups.known() == Some(&true) {
            Some(Vec::new())
        } else {
            plan.security_group_ids.known().cloned()
        };
        Ok(CreatePort {
            network_id: plan.network_id.known().cloned().unwrap_or_default(),
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            admin_state_up: plan.admin_state_up.known().copied(),
            mac_address: plan.mac_address.known().cloned(),
            fixed_ips: (!fixed_ips.is_empty()).then_some(fixed_ips),
            security_groups,
            port_security_enabled: plan.port_security_enabled.known().copied(),
            allowed_address_pairs: (!pairs.is_empty()).then_some(pairs),
            ..Default::default()
        })
    }

    fn update_body(&self, change: Change<'_, PortModel>) -> Step<UpdatePort> {
        let security_groups = if change.no_security_groups.known() == Some(&true) {
            change
                .prior
                .security_group_ids
                .known()
                .is_some_and(|g| !g.is_empty())
                .then(Vec::new)
        } else {
            let as_set = |a: &Attr<Vec<String>>| {
                a.known()
                    .map(|v| v.iter().cloned().collect::<std::collections::BTreeSet<_>>())
            };
            match (
                as_set(&change.prior.security_group_ids),
                as_set(&change.security_group_ids),
            ) {
                (old, Some(new)) if old.as_ref() != Some(&new) => Some(new.into_iter().collect()),
                _ => None,
            }
        };
        let plan_ips = fixed_ips_of(change.planned);
        let fixed_ips =
            (change.fixed_ip != change.prior.fixed_ip && !plan_ips.is_empty()).then_some(plan_ips);
        let allowed_address_pairs =
            (pairs_of(change.planned) != pairs_of(change.prior)).then(|| pairs_of(change.planned));
        Ok(UpdatePort {
            name: change.changed_or_cleared(|m| &m.name),
            description: change.changed_or_cleared(|m| &m.description),
            admin_state_up: change.changed(|m| &m.admin_state_up),
            fixed_ips,
            security_groups,
            port_security_enabled: change.changed(|m| &m.port_security_enabled),
            allowed_address_pairs,
            mac_address: change.changed(|m| &m.mac_address),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(subnet: &str, address: &str) -> FixedIp {
        FixedIp {
            subnet_id: subnet.into(),
            ip_address: address.into(),
        }
    }

    fn block(subnet: &str, address: Option<&str>) -> FixedIpModel {
        FixedIpModel {
            subnet_id: Attr::Known(subnet.into()),
            ip_address: address.map_or(Attr::Null, |a| Attr::Known(a.into())),
        }
    }

    #[test]
    fn addresses_keep_the_configured_order() {
        let api = vec![ip("b", "10.0.1.5"), ip("a", "10.0.0.5")];
        let prior = [block("a", None), block("b", Some("10.0.1.5"))];
        let got = order_like_prior(api, &prior);
        assert_eq!(
            got,
            [block("a", Some("10.0.0.5")), block("b", Some("10.0.1.5"))]
        );
    }

    #[test]
    fn an_address_changed_behind_our_back_is_drift() {
        let api = vec![ip("a", "10.0.0.9")];
        let prior = [block("a", Some("10.0.0.5"))];
        assert_eq!(
            order_like_prior(api, &prior),
            [block("a", Some("10.0.0.9"))]
        );
    }

    #[test]
    fn import_takes_addresses_as_blocks_but_unconfigured_stays_empty() {
        let port = Port {
            id: "p".into(),
            network_id: "n".into(),
            fixed_ips: vec![ip("a", "10.0.0.5")],
            ..Default::default()
        };
        let imported = PortResource.state_from(port.clone(), &PortModel::default());
        assert_eq!(
            imported.fixed_ip,
            Attr::Known(vec![block("a", Some("10.0.0.5"))])
        );
        let unconfigured = PortModel {
            network_id: Attr::Known("n".into()),
            fixed_ip: Attr::Known(vec![]),
            ..Default::default()
        };
        assert_eq!(
            PortResource.state_from(port, &unconfigured).fixed_ip,
            Attr::Known(vec![])
        );
    }

    #[test]
    fn conflicting_security_settings_fail_at_plan() {
        let port = PortModel {
            no_security_groups: Attr::Known(true),
            security_group_ids: Attr::Known(vec!["g".into()]),
            ..Default::default()
        };
        assert_eq!(PortResource.validate(&port).len(), 1);
    }
}
