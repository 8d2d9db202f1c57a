//! `scs_port`: a Neutron port (`/v2.0/ports`).

use async_trait::async_trait;
use scs_client::network::{
    self as neutron, AllowedAddressPair, CreatePort, FixedIp, Port, UpdatePort,
};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, PlanChange, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema, TimeoutKind};
use tfplugin::value::{Attr, Type, Value, from_value};

use super::net_common::{Cidr, parse_ip};
use super::shared::{
    applied_with_tags, attr_of, call, changed, changed_nullable, changed_tags, client_for,
    config_for_checks, id_attribute, list_from_api, region_attribute, still_there, stored_object,
    string_from_api, tags_attribute, timeouts, with_timeout,
};
use crate::try_apply;

pub struct PortResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct PortModel {
    id: Attr<String>,
    region: Attr<String>,
    network_id: Attr<String>,
    name: Attr<String>,
    description: Attr<String>,
    admin_state_up: Attr<bool>,
    fixed_ip: Attr<Vec<FixedIpModel>>,
    security_group_ids: Attr<Vec<String>>,
    no_security_groups: Attr<bool>,
    port_security_enabled: Attr<bool>,
    allowed_address_pair: Attr<Vec<PairModel>>,
    mac_address: Attr<String>,
    tags: Attr<Vec<String>>,
    all_fixed_ips: Attr<Vec<String>>,
    device_id: Attr<String>,
    device_owner: Attr<String>,
    status: Attr<String>,
    timeouts: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct FixedIpModel {
    subnet_id: Attr<String>,
    ip_address: Attr<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct PairModel {
    ip_address: Attr<String>,
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
fn order_like_prior(api: &[FixedIp], prior: &[FixedIpModel]) -> Vec<FixedIpModel> {
    let mut left: Vec<&FixedIp> = api.iter().collect();
    let mut out = Vec::new();
    for block in prior {
        let found = left.iter().position(|ip| {
            Some(&ip.subnet_id) == block.subnet_id.known()
                && block
                    .ip_address
                    .known()
                    .is_none_or(|want| same_ip(want, &ip.ip_address))
        });
        if let Some(i) = found {
            let ip = left.remove(i);
            let ip_address = match block.ip_address.known() {
                Some(want) => want.clone(),
                None => ip.ip_address.clone(),
            };
            out.push(FixedIpModel {
                subnet_id: Attr::Known(ip.subnet_id.clone()),
                ip_address: Attr::Known(ip_address),
            });
        }
    }
    out.extend(left.into_iter().map(|ip| FixedIpModel {
        subnet_id: Attr::Known(ip.subnet_id.clone()),
        ip_address: Attr::Known(ip.ip_address.clone()),
    }));
    out
}

fn pairs_like_prior(api: &[AllowedAddressPair], prior: &[PairModel]) -> Vec<PairModel> {
    let mut left: Vec<&AllowedAddressPair> = api.iter().collect();
    let mut out = Vec::new();
    for pair in prior {
        if let Some(i) = left
            .iter()
            .position(|p| pair.ip_address.known() == Some(&p.ip_address))
        {
            let p = left.remove(i);
            out.push(PairModel {
                ip_address: Attr::Known(p.ip_address.clone()),
                mac_address: attr_of(p.mac_address.clone()),
            });
        }
    }
    out.extend(left.into_iter().map(|p| PairModel {
        ip_address: Attr::Known(p.ip_address.clone()),
        mac_address: attr_of(p.mac_address.clone()),
    }));
    out
}

impl PortModel {
    fn from_api(port: Port, prior: &PortModel) -> PortModel {
        let prior_ips = prior.fixed_ip.known().cloned().unwrap_or_default();
        // A fresh import knows nothing but the ID: take the addresses as blocks.
        let imported = prior.network_id.is_null();
        let fixed_ip = if prior_ips.is_empty() && !imported {
            Vec::new()
        } else {
            order_like_prior(&port.fixed_ips, &prior_ips)
        };
        let prior_pairs = prior
            .allowed_address_pair
            .known()
            .cloned()
            .unwrap_or_default();
        PortModel {
            id: Attr::Known(port.id),
            region: prior.region.clone(),
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
                &port.allowed_address_pairs,
                &prior_pairs,
            )),
            mac_address: Attr::Known(port.mac_address),
            tags: list_from_api(port.tags, &prior.tags),
            all_fixed_ips: Attr::Known(
                port.fixed_ips.into_iter().map(|ip| ip.ip_address).collect(),
            ),
            device_id: Attr::Known(port.device_id),
            device_owner: Attr::Known(port.device_owner),
            status: Attr::Known(port.status),
            timeouts: prior.timeouts.clone(),
        }
    }
}

fn fixed_ips_of(model: &PortModel) -> Vec<FixedIp> {
    model
        .fixed_ip
        .known()
        .into_iter()
        .flatten()
        .map(|b| FixedIp {
            subnet_id: b.subnet_id.known().cloned().unwrap_or_default(),
            ip_address: b.ip_address.known().cloned().unwrap_or_default(),
        })
        .collect()
}

fn pairs_of(model: &PortModel) -> Vec<AllowedAddressPair> {
    model
        .allowed_address_pair
        .known()
        .into_iter()
        .flatten()
        .map(|p| AllowedAddressPair {
            ip_address: p.ip_address.known().cloned().unwrap_or_default(),
            mac_address: p.mac_address.known().cloned(),
        })
        .collect()
}

fn check_config(port: &PortModel) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (i, block) in port.fixed_ip.known().into_iter().flatten().enumerate() {
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
    for (i, pair) in port
        .allowed_address_pair
        .known()
        .into_iter()
        .flatten()
        .enumerate()
    {
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

/// For a list block whose `computed` attribute may be left to the cloud: the
/// prior value for an element that still has the same `key`, else unknown.
fn plan_block_computed(plan: &mut PlanChange, block: &str, key: &str, computed: &str) {
    let config = plan
        .config
        .attr(block)
        .and_then(Value::as_elements)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let prior = plan
        .prior
        .attr(block)
        .and_then(Value::as_elements)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let Some(Value::List(planned)) = plan.planned.get_path_mut(&AttributePath::attr(block)) else {
        return;
    };
    for (i, element) in planned.iter_mut().enumerate() {
        let configured = config
            .get(i)
            .and_then(|c| c.attr(computed))
            .is_some_and(|v| !v.is_null());
        if configured {
            continue;
        }
        let wanted_key = element.attr(key).cloned();
        let from_prior = prior
            .get(i)
            .filter(|p| p.attr(key).cloned() == wanted_key)
            .or_else(|| prior.iter().find(|p| p.attr(key).cloned() == wanted_key))
            .and_then(|p| p.attr(computed).cloned())
            .filter(Value::is_known);
        if let Value::Object(fields) = element {
            fields.insert(computed.to_owned(), from_prior.unwrap_or(Value::Unknown));
        }
    }
}

fn set_planned(plan: &mut PlanChange, name: &str, value: Value) {
    if let Some(v) = plan.planned.get_path_mut(&AttributePath::attr(name)) {
        *v = value;
    }
}

impl PortResource {
    async fn refresh(
        &self,
        ctx: &Ctx,
        client: &scs_client::Client,
        id: &str,
        prior: &PortModel,
    ) -> Result<Option<Value>, Diagnostics> {
        let found = call(ctx, "Cannot read port", neutron::get_port(client, id)).await?;
        found
            .map(|p| ctx.to_value(&PortModel::from_api(p, prior)))
            .transpose()
    }
}

#[async_trait]
impl Resource for PortResource {
    fn type_name(&self) -> &str {
        "scs_port"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("A Neutron port.")
                .attribute(id_attribute("port"))
                .attribute(region_attribute())
                .attribute(
                    Attribute::string("network_id")
                        .required()
                        .requires_replace(),
                )
                .attribute(Attribute::string("name").optional())
                .attribute(Attribute::string("description").optional())
                .attribute(Attribute::bool("admin_state_up").default(true))
                .attribute(
                    Attribute::set("security_group_ids", Type::String)
                        .optional()
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(Attribute::bool("no_security_groups").default(false))
                .attribute(
                    Attribute::bool("port_security_enabled")
                        .optional()
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(
                    Attribute::string("mac_address")
                        .optional()
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(tags_attribute())
                .attribute(
                    Attribute::list("all_fixed_ips", Type::String)
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(
                    Attribute::string("device_id")
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(
                    Attribute::string("device_owner")
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(Attribute::string("status").computed())
                .block(NestedBlock::list(
                    "fixed_ip",
                    Block::new()
                        .attribute(Attribute::string("subnet_id").required())
                        .attribute(Attribute::string("ip_address").optional().computed()),
                ))
                .block(NestedBlock::list(
                    "allowed_address_pair",
                    Block::new()
                        .attribute(Attribute::string("ip_address").required())
                        .attribute(Attribute::string("mac_address").optional().computed()),
                ))
                .block(timeouts()),
        )
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        match config_for_checks::<PortModel>(config) {
            Ok(port) => check_config(&port),
            Err(e) => e,
        }
    }

    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        plan_block_computed(plan, "fixed_ip", "subnet_id", "ip_address");
        plan_block_computed(plan, "allowed_address_pair", "ip_address", "mac_address");
        let no_groups = plan
            .planned
            .attr("no_security_groups")
            .and_then(Value::as_bool)
            == Some(true);
        let groups_configured = plan
            .config
            .attr("security_group_ids")
            .is_some_and(|v| !v.is_null());
        let had_no_groups = plan
            .prior
            .attr("no_security_groups")
            .and_then(Value::as_bool)
            == Some(true);
        if no_groups {
            set_planned(plan, "security_group_ids", Value::Set(Vec::new()));
        } else if had_no_groups && !groups_configured {
            // Back from "no groups": Neutron applies the default group.
            set_planned(plan, "security_group_ids", Value::Unknown);
        }
        if !plan.is_create() && plan.planned.attr("fixed_ip") != plan.prior.attr("fixed_ip") {
            set_planned(plan, "all_fixed_ips", Value::Unknown);
        }
        Ok(())
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: PortModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let fixed_ips = fixed_ips_of(&plan);
        let pairs = pairs_of(&plan);
        let security_groups = if plan.no_security_groups.known() == Some(&true) {
            Some(Vec::new())
        } else {
            plan.security_group_ids.known().cloned()
        };
        let body = CreatePort {
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
        };
        let port = try_apply!(
            call(
                &ctx,
                "Cannot create port",
                neutron::create_port(&client, &body)
            )
            .await
        );
        let id = port.id.clone();
        let state = PortModel::from_api(
            port,
            &PortModel {
                region,
                ..plan.clone()
            },
        );
        applied_with_tags(
            &ctx,
            state,
            &plan.tags,
            |s| &mut s.tags,
            "Cannot tag port",
            |tags| neutron::set_port_tags(&client, &id, tags),
        )
        .await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: PortModel = from_value(&state)?;
        let Some((id, client, region)) = stored_object(ctx, &prior.id, &prior.region)? else {
            return Ok(None);
        };
        self.refresh(ctx, &client, &id, &PortModel { region, ..prior })
            .await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let run = async {
            let prior: PortModel = req.prior_as()?;
            let plan: PortModel = req.planned_as()?;
            let ctx = with_timeout(ctx, &req.planned, TimeoutKind::Update)?;
            let (client, _) = client_for(&ctx, &plan.region)?;
            let id = plan.id.known().cloned().unwrap_or_default();
            let security_groups = if plan.no_security_groups.known() == Some(&true) {
                prior
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
                    as_set(&prior.security_group_ids),
                    as_set(&plan.security_group_ids),
                ) {
                    (old, Some(new)) if old.as_ref() != Some(&new) => {
                        Some(new.into_iter().collect())
                    }
                    _ => None,
                }
            };
            let plan_ips = fixed_ips_of(&plan);
            let fixed_ips =
                (plan.fixed_ip != prior.fixed_ip && !plan_ips.is_empty()).then_some(plan_ips);
            let allowed_address_pairs =
                (pairs_of(&plan) != pairs_of(&prior)).then(|| pairs_of(&plan));
            let body = UpdatePort {
                name: changed_nullable(&prior.name, &plan.name).map(Option::unwrap_or_default),
                description: changed_nullable(&prior.description, &plan.description)
                    .map(Option::unwrap_or_default),
                admin_state_up: changed(&prior.admin_state_up, &plan.admin_state_up),
                fixed_ips,
                security_groups,
                port_security_enabled: changed(
                    &prior.port_security_enabled,
                    &plan.port_security_enabled,
                ),
                allowed_address_pairs,
                mac_address: changed(&prior.mac_address, &plan.mac_address),
                ..Default::default()
            };
            if body != UpdatePort::default() {
                call(
                    &ctx,
                    "Cannot update port",
                    neutron::update_port(&client, &id, &body),
                )
                .await?;
            }
            if let Some(tags) = changed_tags(&prior.tags, &plan.tags) {
                call(
                    &ctx,
                    "Cannot tag port",
                    neutron::set_port_tags(&client, &id, &tags),
                )
                .await?;
            }
            still_there(
                self.refresh(&ctx, &client, &id, &plan).await?,
                "Port disappeared",
                || format!("port {id} was deleted while it was being updated"),
            )
        };
        run.await.into()
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: PortModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        call(
            &ctx,
            "Cannot delete port",
            neutron::delete_port(&client, &id),
        )
        .await
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
        let api = [ip("b", "10.0.1.5"), ip("a", "10.0.0.5")];
        let prior = [block("a", None), block("b", Some("10.0.1.5"))];
        let got = order_like_prior(&api, &prior);
        assert_eq!(
            got,
            [block("a", Some("10.0.0.5")), block("b", Some("10.0.1.5"))]
        );
    }

    #[test]
    fn an_address_changed_behind_our_back_is_drift() {
        let api = [ip("a", "10.0.0.9")];
        let prior = [block("a", Some("10.0.0.5"))];
        assert_eq!(
            order_like_prior(&api, &prior),
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
        let imported = PortModel::from_api(port.clone(), &PortModel::default());
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
            PortModel::from_api(port, &unconfigured).fixed_ip,
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
        assert_eq!(check_config(&port).len(), 1);
    }
}
