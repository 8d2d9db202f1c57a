//! `scs_server_group`: a Nova server group, the way to ask the scheduler to
//! keep servers together or apart.

use async_trait::async_trait;
use scs_client::compute::{self as nova, ServerGroup};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind, timeouts_block, validators};
use tfplugin::value::{Attr, Type, Value, from_value};

use crate::try_apply;

use super::shared::{applied, call, client_for, id_attribute, region_attribute, with_timeout};

pub struct ServerGroupResource;

const POLICIES: &[&str] = &[
    "affinity",
    "anti-affinity",
    "soft-affinity",
    "soft-anti-affinity",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct ServerGroupModel {
    id: Attr<String>,
    region: Attr<String>,
    name: Attr<String>,
    policy: Attr<String>,
    members: Attr<Vec<String>>,
    timeouts: Value,
}

impl ServerGroupModel {
    fn from_api(group: ServerGroup, prior: &ServerGroupModel) -> ServerGroupModel {
        ServerGroupModel {
            policy: group
                .effective_policy()
                .map_or(Attr::Null, |p| Attr::Known(p.to_owned())),
            id: Attr::Known(group.id),
            region: prior.region.clone(),
            name: Attr::Known(group.name),
            members: Attr::Known(group.members),
            timeouts: prior.timeouts.clone(),
        }
    }
}

#[async_trait]
impl Resource for ServerGroupResource {
    fn type_name(&self) -> &str {
        "scs_server_group"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("A Nova server group with a scheduling policy.")
                .attribute(id_attribute("server group"))
                .attribute(region_attribute())
                .attribute(
                    Attribute::string("name")
                        .required()
                        .requires_replace()
                        .description("The group's name; changing it creates a new group."),
                )
                .attribute(
                    Attribute::string("policy")
                        .required()
                        .requires_replace()
                        .validator(validators::one_of(POLICIES))
                        .description(
                            "`affinity`, `anti-affinity`, `soft-affinity` or `soft-anti-affinity`; changing it creates a new group.",
                        ),
                )
                .attribute(
                    Attribute::set("members", Type::String)
                        .computed()
                        .description("IDs of the servers in the group."),
                )
                .block(timeouts_block(&[TimeoutKind::Create, TimeoutKind::Delete])),
        )
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: ServerGroupModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let name = plan.name.known().cloned().unwrap_or_default();
        let policy = plan.policy.known().cloned().unwrap_or_default();
        let group = try_apply!(
            call(
                &ctx,
                "Cannot create server group",
                nova::create_server_group(&client, &name, &policy)
            )
            .await
        );
        applied(
            &ctx,
            &ServerGroupModel::from_api(group, &ServerGroupModel { region, ..plan }),
        )
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: ServerGroupModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(None);
        };
        let (client, region) = client_for(ctx, &prior.region)?;
        let prior = ServerGroupModel { region, ..prior };
        let found = call(
            ctx,
            "Cannot read server group",
            nova::get_server_group(&client, &id),
        )
        .await?;
        found
            .map(|g| ctx.to_value(&ServerGroupModel::from_api(g, &prior)))
            .transpose()
    }

    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        // Every argument forces replacement; only `timeouts` can change in place.
        ApplyResult::ok(req.planned)
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: ServerGroupModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        call(
            &ctx,
            "Cannot delete server group",
            nova::delete_server_group(&client, &id),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_valid() {
        assert!(ServerGroupResource.schema().validate().is_empty());
    }

    #[test]
    fn old_and_new_policy_forms_read_the_same() {
        let old = ServerGroup {
            id: "g".into(),
            policies: vec!["anti-affinity".into()],
            ..Default::default()
        };
        let m = ServerGroupModel::from_api(old, &ServerGroupModel::default());
        assert_eq!(m.policy, Attr::Known("anti-affinity".into()));
    }
}
