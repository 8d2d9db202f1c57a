//! `scs_security_group`: a Neutron security group (`/v2.0/security-groups`).
//! Its rules are `scs_security_group_rule` resources.

use async_trait::async_trait;
use scs_client::network::{
    self as neutron, CreateSecurityGroup, SecurityGroup, UpdateSecurityGroup,
};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind};
use tfplugin::value::{Attr, Value, from_value};

use super::shared::{
    applied_with_tags, attr_of, call, changed, changed_nullable, changed_tags, client_for,
    id_attribute, list_from_api, partial, region_attribute, retry_conflicts, still_there,
    stored_object, string_from_api, tags_attribute, timeouts, with_timeout,
};
use crate::try_apply;

pub struct SecurityGroupResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct SecurityGroupModel {
    id: Attr<String>,
    region: Attr<String>,
    name: Attr<String>,
    description: Attr<String>,
    stateful: Attr<bool>,
    delete_default_rules: Attr<bool>,
    tags: Attr<Vec<String>>,
    timeouts: Value,
}

impl SecurityGroupModel {
    fn from_api(group: SecurityGroup, prior: &SecurityGroupModel) -> SecurityGroupModel {
        SecurityGroupModel {
            id: Attr::Known(group.id),
            region: prior.region.clone(),
            name: string_from_api(group.name, &prior.name),
            description: string_from_api(group.description, &prior.description),
            stateful: attr_of(group.stateful),
            // Not visible in the cloud: what the configuration said, false after an import.
            delete_default_rules: Attr::Known(
                prior.delete_default_rules.known().copied().unwrap_or(false),
            ),
            tags: list_from_api(group.tags, &prior.tags),
            timeouts: prior.timeouts.clone(),
        }
    }
}

impl SecurityGroupResource {
    async fn refresh(
        &self,
        ctx: &Ctx,
        client: &scs_client::Client,
        id: &str,
        prior: &SecurityGroupModel,
    ) -> Result<Option<Value>, Diagnostics> {
        let found = call(
            ctx,
            "Cannot read security group",
            neutron::get_security_group(client, id),
        )
        .await?;
        found
            .map(|g| ctx.to_value(&SecurityGroupModel::from_api(g, prior)))
            .transpose()
    }
}

/// Deletes the rules Neutron put into a new group, all at once.
async fn delete_default_rules(
    ctx: &Ctx,
    client: &scs_client::Client,
    group: &SecurityGroup,
) -> Result<(), Diagnostics> {
    let mut deletions = tokio::task::JoinSet::new();
    for rule in &group.security_group_rules {
        let (ctx, client, id) = (ctx.clone(), client.clone(), rule.id.clone());
        deletions.spawn(async move {
            call(
                &ctx,
                "Cannot delete default rule",
                neutron::delete_security_group_rule(&client, &id),
            )
            .await
        });
    }
    while let Some(joined) = deletions.join_next().await {
        joined.map_err(|e| Diagnostic::error("Cannot delete default rule", e.to_string()))??;
    }
    Ok(())
}

#[async_trait]
impl Resource for SecurityGroupResource {
    fn type_name(&self) -> &str {
        "scs_security_group"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("A Neutron security group.")
                .attribute(id_attribute("security group"))
                .attribute(region_attribute())
                .attribute(Attribute::string("name").optional())
                .attribute(Attribute::string("description").optional())
                .attribute(
                    Attribute::bool("stateful")
                        .optional()
                        .computed()
                        .use_state_for_unknown(),
                )
                .attribute(
                    Attribute::bool("delete_default_rules")
                        .default(false)
                        .requires_replace(),
                )
                .attribute(tags_attribute())
                .block(timeouts()),
        )
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: SecurityGroupModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let body = CreateSecurityGroup {
            name: plan.name.known().cloned().unwrap_or_default(),
            description: plan.description.known().cloned(),
            stateful: plan.stateful.known().copied(),
        };
        let group = try_apply!(
            call(
                &ctx,
                "Cannot create security group",
                neutron::create_security_group(&client, &body)
            )
            .await
        );
        let id = group.id.clone();
        let state = SecurityGroupModel::from_api(
            group.clone(),
            &SecurityGroupModel {
                region,
                ..plan.clone()
            },
        );
        if plan.delete_default_rules.known() == Some(&true)
            && let Err(d) = delete_default_rules(&ctx, &client, &group).await
        {
            return partial(&ctx, &state, d);
        }
        applied_with_tags(
            &ctx,
            state,
            &plan.tags,
            |s| &mut s.tags,
            "Cannot tag security group",
            |tags| neutron::set_security_group_tags(&client, &id, tags),
        )
        .await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: SecurityGroupModel = from_value(&state)?;
        let Some((id, client, region)) = stored_object(ctx, &prior.id, &prior.region)? else {
            return Ok(None);
        };
        self.refresh(ctx, &client, &id, &SecurityGroupModel { region, ..prior })
            .await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let run = async {
            let prior: SecurityGroupModel = req.prior_as()?;
            let plan: SecurityGroupModel = req.planned_as()?;
            let ctx = with_timeout(ctx, &req.planned, TimeoutKind::Update)?;
            let (client, _) = client_for(&ctx, &plan.region)?;
            let id = plan.id.known().cloned().unwrap_or_default();
            let body = UpdateSecurityGroup {
                name: changed_nullable(&prior.name, &plan.name).map(Option::unwrap_or_default),
                description: changed_nullable(&prior.description, &plan.description)
                    .map(Option::unwrap_or_default),
                stateful: changed(&prior.stateful, &plan.stateful),
            };
            if body != UpdateSecurityGroup::default() {
                call(
                    &ctx,
                    "Cannot update security group",
                    neutron::update_security_group(&client, &id, &body),
                )
                .await?;
            }
            if let Some(tags) = changed_tags(&prior.tags, &plan.tags) {
                call(
                    &ctx,
                    "Cannot tag security group",
                    neutron::set_security_group_tags(&client, &id, &tags),
                )
                .await?;
            }
            still_there(
                self.refresh(&ctx, &client, &id, &plan).await?,
                "Security group disappeared",
                || format!("security group {id} was deleted while it was being updated"),
            )
        };
        run.await.into()
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: SecurityGroupModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        retry_conflicts(&ctx, "Cannot delete security group", || {
            neutron::delete_security_group(&client, &id)
        })
        .await
    }
}
