//! `scs_network`: a Neutron network (`/v2.0/networks`).

use async_trait::async_trait;
use scs_client::network::{self as neutron, CreateNetwork, Network, UpdateNetwork};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind};
use tfplugin::value::{Attr, Type, Value, from_value};

use crate::try_apply;

use super::shared::{
    applied_with_tags, attr_of, call, changed, changed_nullable, changed_tags, client_for,
    id_attribute, list_from_api, region_attribute, retry_conflicts, still_there, stored_object,
    string_from_api, tags_attribute, timeouts, with_timeout,
};

pub struct NetworkResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct NetworkModel {
    id: Attr<String>,
    region: Attr<String>,
    name: Attr<String>,
    description: Attr<String>,
    admin_state_up: Attr<bool>,
    shared: Attr<bool>,
    external: Attr<bool>,
    mtu: Attr<i64>,
    port_security_enabled: Attr<bool>,
    tags: Attr<Vec<String>>,
    status: Attr<String>,
    subnet_ids: Attr<Vec<String>>,
    timeouts: Value,
}

impl NetworkModel {
    /// The state for `net`, keeping what only the configuration knows.
    fn from_api(net: Network, prior: &NetworkModel) -> NetworkModel {
        NetworkModel {
            id: Attr::Known(net.id),
            region: prior.region.clone(),
            name: string_from_api(net.name, &prior.name),
            description: string_from_api(net.description, &prior.description),
            admin_state_up: Attr::Known(net.admin_state_up),
            shared: Attr::Known(net.shared),
            external: Attr::Known(net.external),
            mtu: attr_of(net.mtu.map(i64::from)),
            port_security_enabled: attr_of(net.port_security_enabled),
            tags: list_from_api(net.tags, &prior.tags),
            status: Attr::Known(net.status),
            subnet_ids: Attr::Known(net.subnets),
            timeouts: prior.timeouts.clone(),
        }
    }
}

fn mtu(value: &Attr<i64>) -> Result<Option<u32>, Diagnostics> {
    value
        .known()
        .map(|m| {
            u32::try_from(*m).map_err(|_| {
                Diagnostics::from(tfplugin::diagnostics::Diagnostic::error(
                    "Invalid MTU",
                    format!("mtu = {m} is not a valid MTU"),
                ))
            })
        })
        .transpose()
}

impl NetworkResource {
    async fn refresh(
        &self,
        ctx: &Ctx,
        client: &scs_client::Client,
        id: &str,
        prior: &NetworkModel,
    ) -> Result<Option<Value>, Diagnostics> {
        let found = call(ctx, "Cannot read network", neutron::get_network(client, id)).await?;
        found
            .map(|net| ctx.to_value(&NetworkModel::from_api(net, prior)))
            .transpose()
    }
}

#[async_trait]
impl Resource for NetworkResource {
    fn type_name(&self) -> &str {
        "scs_network"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("A Neutron network.")
                .attribute(id_attribute("network"))
                .attribute(region_attribute())
                .attribute(
                    Attribute::string("name")
                        .optional()
                        .description("A name for the network."),
                )
                .attribute(Attribute::string("description").optional())
                .attribute(
                    Attribute::bool("admin_state_up")
                        .default(true)
                        .description("The administrative state; defaults to true."),
                )
                .attribute(
                    Attribute::bool("shared")
                        .optional()
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(
                    Attribute::bool("external")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .description("Whether the network is external (router:external)."),
                )
                .attribute(
                    Attribute::number("mtu")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .validator(tfplugin::schema::validators::int_between(68, 65535)),
                )
                .attribute(
                    Attribute::bool("port_security_enabled")
                        .optional()
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(tags_attribute())
                .attribute(Attribute::string("status").computed())
                .attribute(Attribute::set("subnet_ids", Type::String).computed())
                .block(timeouts()),
        )
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: NetworkModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let body = CreateNetwork {
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            admin_state_up: plan.admin_state_up.known().copied(),
            shared: plan.shared.known().copied(),
            external: plan.external.known().copied(),
            mtu: try_apply!(mtu(&plan.mtu)),
            port_security_enabled: plan.port_security_enabled.known().copied(),
            ..Default::default()
        };
        let net = try_apply!(
            call(
                &ctx,
                "Cannot create network",
                neutron::create_network(&client, &body)
            )
            .await
        );
        let id = net.id.clone();
        let state = NetworkModel::from_api(
            net,
            &NetworkModel {
                region,
                ..plan.clone()
            },
        );
        applied_with_tags(
            &ctx,
            state,
            &plan.tags,
            |s| &mut s.tags,
            "Cannot tag network",
            |tags| neutron::set_network_tags(&client, &id, tags),
        )
        .await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: NetworkModel = from_value(&state)?;
        let Some((id, client, region)) = stored_object(ctx, &prior.id, &prior.region)? else {
            return Ok(None);
        };
        let prior = NetworkModel { region, ..prior };
        self.refresh(ctx, &client, &id, &prior).await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let run = async {
            let prior: NetworkModel = req.prior_as()?;
            let plan: NetworkModel = req.planned_as()?;
            let ctx = with_timeout(ctx, &req.planned, TimeoutKind::Update)?;
            let (client, _) = client_for(&ctx, &plan.region)?;
            let id = plan.id.known().cloned().unwrap_or_default();
            let body = UpdateNetwork {
                name: changed_nullable(&prior.name, &plan.name).map(Option::unwrap_or_default),
                description: changed_nullable(&prior.description, &plan.description)
                    .map(Option::unwrap_or_default),
                admin_state_up: changed(&prior.admin_state_up, &plan.admin_state_up),
                shared: changed(&prior.shared, &plan.shared),
                external: changed(&prior.external, &plan.external),
                mtu: mtu(&attr_of(changed(&prior.mtu, &plan.mtu)))?,
                port_security_enabled: changed(
                    &prior.port_security_enabled,
                    &plan.port_security_enabled,
                ),
                ..Default::default()
            };
            if body != UpdateNetwork::default() {
                call(
                    &ctx,
                    "Cannot update network",
                    neutron::update_network(&client, &id, &body),
                )
                .await?;
            }
            if let Some(tags) = changed_tags(&prior.tags, &plan.tags) {
                call(
                    &ctx,
                    "Cannot tag network",
                    neutron::set_network_tags(&client, &id, &tags),
                )
                .await?;
            }
            still_there(
                self.refresh(&ctx, &client, &id, &plan).await?,
                "Network disappeared",
                || format!("network {id} was deleted while it was being updated"),
            )
        };
        run.await.into()
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: NetworkModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        retry_conflicts(&ctx, "Cannot delete network", || {
            neutron::delete_network(&client, &id)
        })
        .await
    }
}
