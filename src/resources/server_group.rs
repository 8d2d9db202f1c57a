//! `scs_server_group`: a Nova server group, the way to ask the scheduler to
//! keep servers together or apart.

use async_trait::async_trait;
use scs_client::compute::{self as nova, ServerGroup};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::model::Timeouts;
use tfplugin::schema::validators::one_of;
use tfplugin::value::Attr;

use crate::lifecycle::{CloudObject, Plan, Step};
use crate::support::schema::region;
use crate::support::text::nova_name_validator;

pub struct ServerGroupResource;

const POLICIES: &[&str] = &[
    "affinity",
    "anti-affinity",
    "soft-affinity",
    "soft-anti-affinity",
];

/// A Nova server group with a scheduling policy.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerGroupModel {
    /// The group's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The group's name.
    #[tf(required, requires_replace, validator = nova_name_validator)]
    name: Attr<String>,
    /// One of `affinity`, `anti-affinity`, `soft-affinity`, `soft-anti-affinity`. On clouds older
    /// than compute microversion 2.64 the policy is sent in the older `policies` form.
    #[tf(required, requires_replace, validator = one_of(POLICIES))]
    policy: Attr<String>,
    /// The IDs of the servers in the group.
    #[tf(computed, set)]
    members: Attr<Vec<String>>,
    #[tf(timeouts(create, delete))]
    timeouts: Attr<Timeouts>,
}

#[async_trait]
impl CloudObject for ServerGroupResource {
    type Model = ServerGroupModel;
    type Api = ServerGroup;
    const TYPE_NAME: &'static str = "scs_server_group";

    fn state_from(&self, group: ServerGroup, _prior: &ServerGroupModel) -> ServerGroupModel {
        ServerGroupModel {
            policy: group
                .effective_policy()
                .map_or(Attr::Null, |p| Attr::Known(p.to_owned())),
            name: Attr::Known(group.name),
            members: Attr::Known(group.members),
            ..Default::default()
        }
    }

    async fn create(&self, plan: Plan<'_, ServerGroupModel>) -> Step<ServerGroup> {
        let name = plan.name.known().cloned().unwrap_or_default();
        let policy = plan.policy.known().cloned().unwrap_or_default();
        Ok(nova::create_server_group(plan.cloud, &name, &policy).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_policy_forms_read_the_same() {
        let old = ServerGroup {
            id: "g".into(),
            policies: vec!["anti-affinity".into()],
            ..Default::default()
        };
        let m = ServerGroupResource.state_from(old, &ServerGroupModel::default());
        assert_eq!(m.policy, Attr::Known("anti-affinity".into()));
    }
}
