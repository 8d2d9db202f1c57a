//! Nova server groups (`/os-server-groups`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{MV_SERVER_GROUP_POLICY, service};
use crate::error::Result;
use crate::model::{Collection, Filters, null_default};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerGroup {
    pub id: String,
    pub name: String,
    /// Microversion 2.64+: one policy.
    pub policy: Option<String>,
    /// Before 2.64: a list with one policy.
    #[serde(deserialize_with = "null_default")]
    pub policies: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub members: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub rules: BTreeMap<String, serde_json::Value>,
    pub project_id: Option<String>,
    pub user_id: Option<String>,
}

impl ServerGroup {
    /// The policy whatever the microversion the answer came in.
    pub fn effective_policy(&self) -> Option<&str> {
        self.policy
            .as_deref()
            .or_else(|| self.policies.first().map(String::as_str))
    }
}

/// `affinity`, `anti-affinity`, `soft-affinity` or `soft-anti-affinity` (needs 2.64 for `policy`;
/// older clouds get `policies`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateServerGroup {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<String>>,
}

impl crate::model::ApiObject for ServerGroup {
    type Create = CreateServerGroup;
    /// A server group is only ever replaced.
    type Update = ();
    const KIND: &'static str = "server group";

    fn id(&self) -> &str {
        &self.id
    }

    /// Reads and deletes go through the plain collection; creates have their own function.
    fn objects() -> Option<&'static crate::model::Objects<Self>> {
        Some(&SERVER_GROUP_OBJECTS)
    }
}

static SERVER_GROUP_OBJECTS: crate::model::Objects<ServerGroup> =
    crate::model::Objects::new(SERVER_GROUPS);

const SERVER_GROUPS: Collection = Collection {
    service,
    path: "os-server-groups",
    list_path: "os-server-groups",
    one: "server_group",
    label: "server group",
    many: "server_groups",
    microversion: None,
};

pub async fn list_server_groups(client: &Client, filters: Filters<'_>) -> Result<Vec<ServerGroup>> {
    SERVER_GROUPS.list(client, filters).await
}

pub async fn get_server_group(client: &Client, id: &str) -> Result<Option<ServerGroup>> {
    SERVER_GROUPS.get(client, id).await
}

/// Creates a group with one policy, in the form the cloud understands (`policy` from
/// microversion 2.64, a one-element `policies` list before).
///
/// Server groups carry no tags, metadata or creation time that would tell the group a create made
/// from an older one of the same name, so the groups of that name are listed before the request:
/// when its answer is lost, the one group of that name and policy that was not there before is
/// the one it made. Anything else (none, or several because another client created one at the
/// same time) is an error, never a second create.
pub async fn create_server_group(client: &Client, name: &str, policy: &str) -> Result<ServerGroup> {
    let modern = service(client)
        .supports_microversion(MV_SERVER_GROUP_POLICY)
        .await?;
    let (coll, req) = if modern {
        let coll = Collection {
            microversion: Some(MV_SERVER_GROUP_POLICY),
            ..SERVER_GROUPS
        };
        let req = CreateServerGroup {
            name: name.into(),
            policy: Some(policy.into()),
            policies: None,
        };
        (coll, req)
    } else {
        let req = CreateServerGroup {
            name: name.into(),
            policy: None,
            policies: Some(vec![policy.into()]),
        };
        (SERVER_GROUPS, req)
    };
    let named = |groups: Vec<ServerGroup>| -> Vec<ServerGroup> {
        groups
            .into_iter()
            .filter(|g| g.name == name && g.effective_policy() == Some(policy))
            .collect()
    };
    let before: Vec<String> = named(coll.list(client, &[]).await?)
        .into_iter()
        .map(|g| g.id)
        .collect();
    let e = match coll.create(client, &req, name).await {
        Err(e) if e.may_have_succeeded() => e,
        other => return other,
    };
    let after: Vec<ServerGroup> = named(coll.list(client, &[]).await?)
        .into_iter()
        .filter(|g| !before.contains(&g.id))
        .collect();
    match <[ServerGroup; 1]>::try_from(after) {
        Ok([made]) => {
            tracing::info!(target: "scs_client::retry", server_group = %made.id, "the create's answer was lost; the group it made is used");
            Ok(made)
        }
        Err(_) => Err(e),
    }
}

pub async fn delete_server_group(client: &Client, id: &str) -> Result<()> {
    SERVER_GROUPS.delete(client, id).await
}
