//! `scs_floating_ip`: a floating IP (`/v2.0/floatingips`) and its
//! association with a port. This resource is the only owner of the
//! association: binding, moving and unbinding are in-place updates, and an
//! update of anything else never sends `port_id`.

use async_trait::async_trait;
use scs_client::network::{self as neutron, CreateFloatingIp, FloatingIp, UpdateFloatingIp};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, PlanChange, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind};
use tfplugin::value::{Attr, Value, from_value};

use super::net_common::parse_ip;
use super::shared::{
    applied_with_tags, attr_of, call, changed_nullable, changed_tags, client_for, id_attribute,
    list_from_api, partial, region_attribute, still_there, stored_object, string_from_api,
    tags_attribute, timeouts, with_timeout,
};
use crate::data_sources::network::exactly_one;
use crate::try_apply;

pub struct FloatingIpResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct FloatingIpModel {
    id: Attr<String>,
    region: Attr<String>,
    pool: Attr<String>,
    floating_network_id: Attr<String>,
    address: Attr<String>,
    port_id: Attr<String>,
    fixed_ip: Attr<String>,
    description: Attr<String>,
    tags: Attr<Vec<String>>,
    status: Attr<String>,
    timeouts: Value,
}

impl FloatingIpModel {
    fn from_api(fip: FloatingIp, pool: Attr<String>, prior: &FloatingIpModel) -> FloatingIpModel {
        FloatingIpModel {
            id: Attr::Known(fip.id),
            region: prior.region.clone(),
            pool,
            floating_network_id: Attr::Known(fip.floating_network_id),
            address: Attr::Known(fip.floating_ip_address),
            port_id: attr_of(fip.port_id),
            fixed_ip: attr_of(fip.fixed_ip_address),
            description: string_from_api(fip.description, &prior.description),
            tags: list_from_api(fip.tags, &prior.tags),
            status: Attr::Known(fip.status),
            timeouts: prior.timeouts.clone(),
        }
    }
}

/// The external network's ID for a pool name.
async fn network_of_pool(
    ctx: &Ctx,
    client: &scs_client::Client,
    pool: &str,
) -> Result<String, Diagnostics> {
    let filters = [("name", pool), ("router:external", "true")];
    let found = call(
        ctx,
        "Cannot look up the floating IP pool",
        neutron::list_networks(client, &filters),
    )
    .await?;
    let net = exactly_one("external network", &format!("name={pool:?}"), found, |n| {
        format!("{} ({:?})", n.id, n.name)
    })
    .map_err(|d| {
        let mut out = Diagnostics::new();
        for diag in d.iter() {
            out.push(diag.clone().with_path(AttributePath::attr("pool")));
        }
        out
    })?;
    Ok(net.id)
}

/// The pool name to record: the configured one, else the network's name.
async fn pool_name(
    ctx: &Ctx,
    client: &scs_client::Client,
    prior: &FloatingIpModel,
    network_id: &str,
) -> Result<Attr<String>, Diagnostics> {
    if prior.pool.is_known() {
        return Ok(prior.pool.clone());
    }
    let net = call(
        ctx,
        "Cannot read the floating IP network",
        neutron::get_network(client, network_id),
    )
    .await?;
    Ok(net.map_or(Attr::Null, |n| Attr::Known(n.name)))
}

impl FloatingIpResource {
    async fn refresh(
        &self,
        ctx: &Ctx,
        client: &scs_client::Client,
        id: &str,
        prior: &FloatingIpModel,
    ) -> Result<Option<Value>, Diagnostics> {
        let Some(fip) = call(
            ctx,
            "Cannot read floating IP",
            neutron::get_floating_ip(client, id),
        )
        .await?
        else {
            return Ok(None);
        };
        let pool = pool_name(ctx, client, prior, &fip.floating_network_id).await?;
        ctx.to_value(&FloatingIpModel::from_api(fip, pool, prior))
            .map(Some)
    }
}

#[async_trait]
impl Resource for FloatingIpResource {
    fn type_name(&self) -> &str {
        "scs_floating_ip"
    }

    fn schema(&self) -> Schema {
        let ip = |v: &Value, path: &AttributePath, diags: &mut Diagnostics| {
            if let Some(text) = v.as_str()
                && let Err(e) = parse_ip(text)
            {
                diags.error_at(path.clone(), "Invalid IP address", e);
            }
        };
        Schema::new(
            Block::new()
                .description("A floating IP and its association with a port.")
                .attribute(id_attribute("floating IP"))
                .attribute(region_attribute())
                .attribute(
                    Attribute::string("pool")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .requires_replace(),
                )
                .attribute(
                    Attribute::string("floating_network_id")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .requires_replace(),
                )
                .attribute(
                    Attribute::string("address")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .requires_replace()
                        .validator(ip),
                )
                .attribute(Attribute::string("port_id").optional())
                .attribute(
                    Attribute::string("fixed_ip")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .validator(ip),
                )
                .attribute(Attribute::string("description").optional())
                .attribute(tags_attribute())
                .attribute(Attribute::string("status").computed())
                .block(timeouts()),
        )
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let given = |name: &str| config.attr(name).is_some_and(|v| !v.is_null());
        match (given("pool"), given("floating_network_id")) {
            (true, false) | (false, true) => {}
            (false, false) => diags.error_at(
                AttributePath::attr("pool"),
                "Missing pool or floating_network_id",
                "Give the external network to allocate from, as pool (its name) or floating_network_id.",
            ),
            (true, true) => diags.error_at(
                AttributePath::attr("floating_network_id"),
                "Conflicting arguments",
                "Give pool or floating_network_id, not both.",
            ),
        }
        if given("fixed_ip") && !given("port_id") {
            diags.error_at(
                AttributePath::attr("fixed_ip"),
                "fixed_ip needs port_id",
                "fixed_ip selects one of port_id's addresses; set port_id too.",
            );
        }
        diags
    }

    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_destroy() || plan.is_create() {
            return Ok(());
        }
        let port = plan.planned.attr("port_id").cloned().unwrap_or_default();
        let fixed_configured = plan.config.attr("fixed_ip").is_some_and(|v| !v.is_null());
        let moved = plan.prior.attr("port_id") != Some(&port);
        if let Some(fixed) = plan.planned.get_path_mut(&AttributePath::attr("fixed_ip")) {
            if port.is_null() {
                *fixed = Value::Null;
            } else if moved && !fixed_configured {
                *fixed = Value::Unknown;
            }
        }
        if moved && let Some(status) = plan.planned.get_path_mut(&AttributePath::attr("status")) {
            *status = Value::Unknown;
        }
        Ok(())
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: FloatingIpModel = try_apply!(req.planned_as());
        let config: FloatingIpModel = try_apply!(req.config_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let network_id = match (config.floating_network_id.known(), config.pool.known()) {
            (Some(id), _) => id.clone(),
            (None, Some(pool)) => try_apply!(network_of_pool(&ctx, &client, pool).await),
            (None, None) => {
                return ApplyResult::failed(Diagnostic::error(
                    "Missing pool or floating_network_id",
                    "Give the external network to allocate from.",
                ));
            }
        };
        let body = CreateFloatingIp {
            floating_network_id: network_id,
            floating_ip_address: config.address.known().cloned(),
            port_id: config.port_id.known().cloned(),
            fixed_ip_address: config.fixed_ip.known().cloned(),
            description: config.description.known().cloned(),
            subnet_id: None,
        };
        let fip = try_apply!(
            call(
                &ctx,
                "Cannot allocate floating IP",
                neutron::create_floating_ip(&client, &body)
            )
            .await
        );
        let id = fip.id.clone();
        let prior = FloatingIpModel {
            region,
            ..plan.clone()
        };
        let pool = match pool_name(&ctx, &client, &config, &fip.floating_network_id).await {
            Ok(p) => p,
            Err(d) => return partial(&ctx, &FloatingIpModel::from_api(fip, Attr::Null, &prior), d),
        };
        let state = FloatingIpModel::from_api(fip, pool, &prior);
        applied_with_tags(
            &ctx,
            state,
            &plan.tags,
            |s| &mut s.tags,
            "Cannot tag floating IP",
            |tags| neutron::set_floating_ip_tags(&client, &id, tags),
        )
        .await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: FloatingIpModel = from_value(&state)?;
        let Some((id, client, region)) = stored_object(ctx, &prior.id, &prior.region)? else {
            return Ok(None);
        };
        self.refresh(ctx, &client, &id, &FloatingIpModel { region, ..prior })
            .await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let run = async {
            let prior: FloatingIpModel = req.prior_as()?;
            let plan: FloatingIpModel = req.planned_as()?;
            let config: FloatingIpModel = req.config_as()?;
            let ctx = with_timeout(ctx, &req.planned, TimeoutKind::Update)?;
            let (client, _) = client_for(&ctx, &plan.region)?;
            let id = plan.id.known().cloned().unwrap_or_default();
            let port_changed = prior.port_id != plan.port_id;
            let fixed_changed = config.fixed_ip.is_known() && prior.fixed_ip != plan.fixed_ip;
            let (port_id, fixed_ip_address) = if port_changed || fixed_changed {
                // Only a configured fixed_ip is sent; otherwise Neutron picks the port's address.
                (
                    Some(plan.port_id.known().cloned()),
                    config.fixed_ip.known().map(|f| Some(f.clone())),
                )
            } else {
                (None, None)
            };
            let body = UpdateFloatingIp {
                port_id,
                fixed_ip_address,
                description: changed_nullable(&prior.description, &plan.description)
                    .map(Option::unwrap_or_default),
            };
            if body != UpdateFloatingIp::default() {
                call(
                    &ctx,
                    "Cannot update floating IP",
                    neutron::update_floating_ip(&client, &id, &body),
                )
                .await?;
            }
            if let Some(tags) = changed_tags(&prior.tags, &plan.tags) {
                call(
                    &ctx,
                    "Cannot tag floating IP",
                    neutron::set_floating_ip_tags(&client, &id, &tags),
                )
                .await?;
            }
            still_there(
                self.refresh(&ctx, &client, &id, &plan).await?,
                "Floating IP disappeared",
                || format!("floating IP {id} was released while it was being updated"),
            )
        };
        run.await.into()
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: FloatingIpModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        call(
            &ctx,
            "Cannot release floating IP",
            neutron::delete_floating_ip(&client, &id),
        )
        .await
    }
}
