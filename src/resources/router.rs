//! `scs_router`: a Neutron router (`/v2.0/routers`) and its external gateway.

use async_trait::async_trait;
use scs_client::network::{CreateRouter, GatewayRequest, Router, UpdateRouter};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{Ctx, PlanChange};
use tfplugin::model::Timeouts;
use tfplugin::value::{Attr, Value};

use crate::lifecycle::{Change, CloudObject, Plan, Step};
use crate::support::schema::{description, name, region, tags};
use crate::support::string_from_api;

pub struct RouterResource;

/// A Neutron router.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RouterModel {
    /// The router's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    #[tf(schema = name("A name for the router."))]
    name: Attr<String>,
    #[tf(schema = description("Free text describing the router."))]
    description: Attr<String>,
    /// The administrative state of the router.
    #[tf(default = true)]
    admin_state_up: Attr<bool>,
    /// The ID of the external network the router's gateway connects to. Setting, changing and
    /// removing it sets, moves and clears the gateway in place.
    #[tf(optional)]
    external_network_id: Attr<String>,
    /// Whether source NAT is done on the gateway. Only meaningful with `external_network_id`;
    /// changing it is usually allowed for administrators only. If unset, Neutron's choice is
    /// recorded in the state.
    #[tf(optional, computed, use_state_for_unknown)]
    enable_snat: Attr<bool>,
    #[tf(schema = tags)]
    tags: Attr<Vec<String>>,
    /// The addresses of the router's gateway port: `subnet_id` is the subnet of the external
    /// network the address is from, `ip_address` the address.
    #[tf(computed, use_state_for_unknown)]
    external_fixed_ips: Attr<Vec<ExternalIpModel>>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalIpModel {
    subnet_id: Attr<String>,
    ip_address: Attr<String>,
}

/// The gateway to set: the network, and SNAT only when configured (changing
/// it is usually an administrator's right, so it is not sent otherwise).
fn gateway_request(plan: &RouterModel, config: &RouterModel) -> Option<GatewayRequest> {
    plan.external_network_id
        .known()
        .map(|network_id| GatewayRequest {
            network_id: network_id.clone(),
            enable_snat: config.enable_snat.known().copied(),
            external_fixed_ips: None,
        })
}

#[async_trait]
impl CloudObject for RouterResource {
    type Model = RouterModel;
    type Api = Router;
    const TYPE_NAME: &'static str = "scs_router";

    fn state_from(&self, router: Router, prior: &RouterModel) -> RouterModel {
        RouterModel {
            name: string_from_api(router.name, &prior.name),
            description: string_from_api(router.description, &prior.description),
            admin_state_up: Attr::Known(router.admin_state_up),
            external_network_id: router
                .external_gateway_info
                .as_ref()
                .map_or(Attr::Null, |g| Attr::Known(g.network_id.clone())),
            enable_snat: router
                .external_gateway_info
                .as_ref()
                .and_then(|g| g.enable_snat)
                .map_or(Attr::Null, Attr::Known),
            external_fixed_ips: Attr::Known(
                router
                    .external_gateway_info
                    .into_iter()
                    .flat_map(|g| g.external_fixed_ips)
                    .map(|ip| ExternalIpModel {
                        subnet_id: Attr::Known(ip.subnet_id),
                        ip_address: Attr::Known(ip.ip_address),
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_create() {
            return Ok(());
        }
        let gateway = plan
            .planned
            .attr("external_network_id")
            .cloned()
            .unwrap_or_default();
        let moved = plan.prior.attr("external_network_id") != Some(&gateway);
        if gateway.is_null() {
            // No gateway: no SNAT setting and no gateway addresses.
            plan.set_planned("enable_snat", Value::Null);
            plan.set_planned("external_fixed_ips", Value::List(Vec::new()));
        } else if moved {
            if !plan.configured("enable_snat") {
                plan.set_planned("enable_snat", Value::Unknown);
            }
            plan.set_planned("external_fixed_ips", Value::Unknown);
        }
        Ok(())
    }

    fn create_body(&self, plan: Plan<'_, RouterModel>) -> Step<CreateRouter> {
        Ok(CreateRouter {
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            admin_state_up: plan.admin_state_up.known().copied(),
            external_gateway_info: gateway_request(plan.planned, plan.config),
            ..Default::default()
        })
    }

    fn update_body(&self, change: Change<'_, RouterModel>) -> Step<UpdateRouter> {
        let gateway_changed = change.prior.external_network_id != change.external_network_id
            || (change.config.enable_snat.is_known()
                && change.prior.enable_snat != change.enable_snat);
        Ok(UpdateRouter {
            name: change.changed_or_cleared(|m| &m.name),
            description: change.changed_or_cleared(|m| &m.description),
            admin_state_up: change.changed(|m| &m.admin_state_up),
            external_gateway_info: gateway_changed
                .then(|| gateway_request(change.planned, change.config)),
            routes: None,
        })
    }
}
