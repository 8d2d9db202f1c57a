//! `scs_router`: a Neutron router (`/v2.0/routers`) and its external gateway.

use async_trait::async_trait;
use scs_client::network::{self as neutron, CreateRouter, GatewayRequest, Router, UpdateRouter};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, PlanChange, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind};
use tfplugin::value::{Attr, Type, Value, from_value};

use super::shared::{
    applied_with_tags, call, changed, changed_nullable, changed_tags, client_for, id_attribute,
    list_from_api, region_attribute, retry_conflicts, still_there, stored_object, string_from_api,
    tags_attribute, timeouts, with_timeout,
};
use crate::try_apply;

pub struct RouterResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct RouterModel {
    id: Attr<String>,
    region: Attr<String>,
    name: Attr<String>,
    description: Attr<String>,
    admin_state_up: Attr<bool>,
    external_network_id: Attr<String>,
    enable_snat: Attr<bool>,
    tags: Attr<Vec<String>>,
    external_fixed_ips: Attr<Vec<ExternalIpModel>>,
    timeouts: Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct ExternalIpModel {
    subnet_id: Attr<String>,
    ip_address: Attr<String>,
}

impl RouterModel {
    fn from_api(router: Router, prior: &RouterModel) -> RouterModel {
        let gateway = router.external_gateway_info;
        RouterModel {
            id: Attr::Known(router.id),
            region: prior.region.clone(),
            name: string_from_api(router.name, &prior.name),
            description: string_from_api(router.description, &prior.description),
            admin_state_up: Attr::Known(router.admin_state_up),
            external_network_id: gateway
                .as_ref()
                .map_or(Attr::Null, |g| Attr::Known(g.network_id.clone())),
            enable_snat: gateway
                .as_ref()
                .and_then(|g| g.enable_snat)
                .map_or(Attr::Null, Attr::Known),
            external_fixed_ips: Attr::Known(
                gateway
                    .into_iter()
                    .flat_map(|g| g.external_fixed_ips)
                    .map(|ip| ExternalIpModel {
                        subnet_id: Attr::Known(ip.subnet_id),
                        ip_address: Attr::Known(ip.ip_address),
                    })
                    .collect(),
            ),
            tags: list_from_api(router.tags, &prior.tags),
            timeouts: prior.timeouts.clone(),
        }
    }
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

impl RouterResource {
    async fn refresh(
        &self,
        ctx: &Ctx,
        client: &scs_client::Client,
        id: &str,
        prior: &RouterModel,
    ) -> Result<Option<Value>, Diagnostics> {
        let found = call(ctx, "Cannot read router", neutron::get_router(client, id)).await?;
        found
            .map(|r| ctx.to_value(&RouterModel::from_api(r, prior)))
            .transpose()
    }
}

#[async_trait]
impl Resource for RouterResource {
    fn type_name(&self) -> &str {
        "scs_router"
    }

    fn schema(&self) -> Schema {
        let fixed_ip = Type::object([("subnet_id", Type::String), ("ip_address", Type::String)]);
        Schema::new(
            Block::new()
                .description("A Neutron router.")
                .attribute(id_attribute("router"))
                .attribute(region_attribute())
                .attribute(Attribute::string("name").optional())
                .attribute(Attribute::string("description").optional())
                .attribute(Attribute::bool("admin_state_up").default(true))
                .attribute(
                    Attribute::string("external_network_id")
                        .optional()
                        .description(
                            "The external network of the gateway; set, moved and cleared in place.",
                        ),
                )
                .attribute(
                    Attribute::bool("enable_snat")
                        .optional()
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(tags_attribute())
                .attribute(
                    Attribute::new("external_fixed_ips", Type::list(fixed_ip))
                        .computed()
                        .use_state_for_unknown(),
                )
                .block(timeouts()),
        )
    }

    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_destroy() || plan.is_create() {
            return Ok(());
        }
        let gateway = plan
            .planned
            .attr("external_network_id")
            .cloned()
            .unwrap_or_default();
        let moved = plan.prior.attr("external_network_id") != Some(&gateway);
        let snat_configured = plan
            .config
            .attr("enable_snat")
            .is_some_and(|v| !v.is_null());
        if gateway.is_null() {
            // No gateway: no SNAT setting and no gateway addresses.
            if let Some(v) = plan
                .planned
                .get_path_mut(&AttributePath::attr("enable_snat"))
            {
                *v = Value::Null;
            }
            if let Some(v) = plan
                .planned
                .get_path_mut(&AttributePath::attr("external_fixed_ips"))
            {
                *v = Value::List(Vec::new());
            }
        } else if moved {
            if !snat_configured
                && let Some(v) = plan
                    .planned
                    .get_path_mut(&AttributePath::attr("enable_snat"))
            {
                *v = Value::Unknown;
            }
            if let Some(v) = plan
                .planned
                .get_path_mut(&AttributePath::attr("external_fixed_ips"))
            {
                *v = Value::Unknown;
            }
        }
        Ok(())
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: RouterModel = try_apply!(req.planned_as());
        let config: RouterModel = try_apply!(req.config_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let body = CreateRouter {
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            admin_state_up: plan.admin_state_up.known().copied(),
            external_gateway_info: gateway_request(&plan, &config),
            ..Default::default()
        };
        let router = try_apply!(
            call(
                &ctx,
                "Cannot create router",
                neutron::create_router(&client, &body)
            )
            .await
        );
        let id = router.id.clone();
        let state = RouterModel::from_api(
            router,
            &RouterModel {
                region,
                ..plan.clone()
            },
        );
        applied_with_tags(
            &ctx,
            state,
            &plan.tags,
            |s| &mut s.tags,
            "Cannot tag router",
            |tags| neutron::set_router_tags(&client, &id, tags),
        )
        .await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: RouterModel = from_value(&state)?;
        let Some((id, client, region)) = stored_object(ctx, &prior.id, &prior.region)? else {
            return Ok(None);
        };
        self.refresh(ctx, &client, &id, &RouterModel { region, ..prior })
            .await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let run = async {
            let prior: RouterModel = req.prior_as()?;
            let plan: RouterModel = req.planned_as()?;
            let config: RouterModel = req.config_as()?;
            let ctx = with_timeout(ctx, &req.planned, TimeoutKind::Update)?;
            let (client, _) = client_for(&ctx, &plan.region)?;
            let id = plan.id.known().cloned().unwrap_or_default();
            let gateway_changed = prior.external_network_id != plan.external_network_id
                || (config.enable_snat.is_known() && prior.enable_snat != plan.enable_snat);
            let body = UpdateRouter {
                name: changed_nullable(&prior.name, &plan.name).map(Option::unwrap_or_default),
                description: changed_nullable(&prior.description, &plan.description)
                    .map(Option::unwrap_or_default),
                admin_state_up: changed(&prior.admin_state_up, &plan.admin_state_up),
                external_gateway_info: gateway_changed.then(|| gateway_request(&plan, &config)),
                routes: None,
            };
            if body != UpdateRouter::default() {
                call(
                    &ctx,
                    "Cannot update router",
                    neutron::update_router(&client, &id, &body),
                )
                .await?;
            }
            if let Some(tags) = changed_tags(&prior.tags, &plan.tags) {
                call(
                    &ctx,
                    "Cannot tag router",
                    neutron::set_router_tags(&client, &id, &tags),
                )
                .await?;
            }
            still_there(
                self.refresh(&ctx, &client, &id, &plan).await?,
                "Router disappeared",
                || format!("router {id} was deleted while it was being updated"),
            )
        };
        run.await.into()
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: RouterModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        retry_conflicts(&ctx, "Cannot delete router", || {
            neutron::delete_router(&client, &id)
        })
        .await
    }
}
