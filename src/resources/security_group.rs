//! `scs_security_group`: a Neutron security group (`/v2.0/security-groups`).
//! Its rules are `scs_security_group_rule` resources.

use async_trait::async_trait;
use scs_client::network::{
    self as neutron, CreateSecurityGroup, SecurityGroup, UpdateSecurityGroup,
};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::Diagnostic;
use tfplugin::model::Timeouts;
use tfplugin::value::Attr;

use crate::lifecycle::{Change, CloudObject, Plan, Step};
use crate::support::schema::{description, name, region, tags};
use crate::support::{attr_of, string_from_api};

pub struct SecurityGroupResource;

/// A Neutron security group.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityGroupModel {
    /// The group's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    #[tf(schema = name(
        "A name for the group. Neutron's own group in each project is called `default`; avoid \
         that name."
    ))]
    name: Attr<String>,
    #[tf(schema = description("Free text describing the group."))]
    description: Attr<String>,
    /// Whether the group tracks connections. If unset, Neutron's default (`true`) is recorded in
    /// the state. Changed in place (Neutron refuses it while ports use the group).
    #[tf(optional, computed, use_state_for_unknown)]
    stateful: Attr<bool>,
    /// Delete the rules Neutron adds to a new group (its egress rules) right after creating it, so
    /// that only the group's `scs_security_group_rule` resources apply.
    #[tf(default = false, requires_replace)]
    delete_default_rules: Attr<bool>,
    #[tf(schema = tags)]
    tags: Attr<Vec<String>>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

#[async_trait]
impl CloudObject for SecurityGroupResource {
    type Model = SecurityGroupModel;
    type Api = SecurityGroup;
    const TYPE_NAME: &'static str = "scs_security_group";

    fn state_from(&self, group: SecurityGroup, prior: &SecurityGroupModel) -> SecurityGroupModel {
        SecurityGroupModel {
            name: string_from_api(group.name, &prior.name),
            description: string_from_api(group.description, &prior.description),
            stateful: attr_of(group.stateful),
            // Not visible in the cloud: what the configuration said, false after an import.
            delete_default_rules: Attr::Known(
                prior.delete_default_rules.known().copied().unwrap_or(false),
            ),
            ..Default::default()
        }
    }

    fn create_body(&self, plan: Plan<'_, SecurityGroupModel>) -> Step<CreateSecurityGroup> {
        Ok(CreateSecurityGroup {
            name: plan.name.known().cloned().unwrap_or_default(),
            description: plan.description.known().cloned(),
            stateful: plan.stateful.known().copied(),
        })
    }

    /// Deletes the rules Neutron put into the new group.
    async fn settle(
        &self,
        group: SecurityGroup,
        plan: Plan<'_, SecurityGroupModel>,
    ) -> Step<SecurityGroup> {
        if plan.delete_default_rules.known() != Some(&true) {
            return Ok(group);
        }
        let mut deletions = tokio::task::JoinSet::new();
        for rule in &group.security_group_rules {
            let (client, id) = (plan.cloud.client.clone(), rule.id.clone());
            let group_id = group.id.clone();
            deletions
                .spawn(async move { neutron::delete_group_rule(&client, &group_id, &id).await });
        }
        while let Some(joined) = deletions.join_next().await {
            joined
                .map_err(|e| Diagnostic::error("Cannot delete default rule", e.to_string()))??;
        }
        Ok(group)
    }

    fn update_body(&self, change: Change<'_, SecurityGroupModel>) -> Step<UpdateSecurityGroup> {
        Ok(UpdateSecurityGroup {
            name: change.changed_or_cleared(|m| &m.name),
            description: change.changed_or_cleared(|m| &m.description),
            stateful: change.changed(|m| &m.stateful),
        })
    }
}
