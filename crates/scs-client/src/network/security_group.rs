//! Neutron security groups and rules (`/v2.0/security-groups`, `/v2.0/security-group-rules`).

use serde::{Deserialize, Serialize};

use super::{SECURITY_GROUP_RULES, SECURITY_GROUPS};
use crate::error::{Error, Result};
use crate::model::{Filters, null_default};
use crate::session::Client;
use crate::session::clock::CloudTime;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SecurityGroup {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    pub stateful: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub security_group_rules: Vec<SecurityGroupRule>,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub revision_number: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateSecurityGroup {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stateful: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateSecurityGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stateful: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SecurityGroupRule {
    pub id: String,
    pub security_group_id: String,
    /// `ingress` or `egress`.
    pub direction: String,
    /// `IPv4` or `IPv6`.
    pub ethertype: String,
    /// A name (`tcp`, `icmp`, …), a number as a string, or `None` for any protocol.
    pub protocol: Option<String>,
    pub port_range_min: Option<u32>,
    pub port_range_max: Option<u32>,
    pub remote_ip_prefix: Option<String>,
    pub remote_group_id: Option<String>,
    pub remote_address_group_id: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub revision_number: Option<u64>,
}

/// Rules cannot be changed after creation; every field replaces.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateSecurityGroupRule {
    pub security_group_id: String,
    pub direction: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethertype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_range_min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_range_max: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_ip_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// All security groups, every page.
pub async fn list_security_groups(
    client: &Client,
    filters: Filters<'_>,
) -> Result<Vec<SecurityGroup>> {
    SECURITY_GROUPS.list(client, filters).await
}

/// `None` when the security group does not exist.
pub async fn get_security_group(client: &Client, id: &str) -> Result<Option<SecurityGroup>> {
    SECURITY_GROUPS.get(client, id).await
}

pub async fn create_security_group(
    client: &Client,
    req: &CreateSecurityGroup,
) -> Result<SecurityGroup> {
    SECURITY_GROUPS.create(client, req, &req.name).await
}

pub async fn update_security_group(
    client: &Client,
    id: &str,
    req: &UpdateSecurityGroup,
) -> Result<SecurityGroup> {
    SECURITY_GROUPS.update(client, id, req).await
}

/// Deleting a security group that is already gone succeeds.
pub async fn delete_security_group(client: &Client, id: &str) -> Result<()> {
    SECURITY_GROUPS.delete(client, id).await
}

/// Replaces every tag of the security group.
pub async fn set_security_group_tags(client: &Client, id: &str, tags: &[String]) -> Result<()> {
    SECURITY_GROUPS.set_tags(client, id, tags).await
}

/// The ids of the security groups `names` (names or ids) as Nova picks them when it makes a
/// server's ports: among the groups of `project_id`, a name matches first, then an id; a name
/// two groups share is refused.
pub async fn security_group_ids(
    client: &Client,
    project_id: &str,
    names: &[String],
) -> Result<Vec<String>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let groups = list_security_groups(client, &[("project_id", project_id)]).await?;
    pick_security_groups(&groups, project_id, names)
}

fn pick_security_groups(
    groups: &[SecurityGroup],
    project_id: &str,
    names: &[String],
) -> Result<Vec<String>> {
    let refuse = |message: String| Error::InvalidRequest {
        operation: format!("find the security groups {names:?} in project {project_id}"),
        message,
    };
    names
        .iter()
        .map(|wanted| {
            let by_name: Vec<&SecurityGroup> =
                groups.iter().filter(|g| g.name == *wanted).collect();
            match by_name.as_slice() {
                [one] => Ok(one.id.clone()),
                [] => groups
                    .iter()
                    .find(|g| g.id == *wanted)
                    .map(|g| g.id.clone())
                    .ok_or_else(|| refuse(format!("there is no security group {wanted:?}"))),
                _ => Err(refuse(format!(
                    "{} security groups are named {wanted:?}; use its id",
                    by_name.len()
                ))),
            }
        })
        .collect()
}

/// All security group rules, every page.
pub async fn list_security_group_rules(
    client: &Client,
    filters: Filters<'_>,
) -> Result<Vec<SecurityGroupRule>> {
    SECURITY_GROUP_RULES.list(client, filters).await
}

/// `None` when the security group rule does not exist.
pub async fn get_security_group_rule(
    client: &Client,
    id: &str,
) -> Result<Option<SecurityGroupRule>> {
    SECURITY_GROUP_RULES.get(client, id).await
}

pub async fn create_security_group_rule(
    client: &Client,
    req: &CreateSecurityGroupRule,
) -> Result<SecurityGroupRule> {
    SECURITY_GROUP_RULES
        .create(client, req, &req.security_group_id)
        .await
}

/// A rule as its create left it: made by the request, or one the group already had.
#[derive(Debug, Clone)]
pub enum RuleCreated {
    Made(SecurityGroupRule),
    /// The group had the same rule already (one of those Neutron gives every new group, say).
    Existing(SecurityGroupRule),
}

/// Creates a rule, never twice (see [`crate::model::Objects::create`]). When the group already
/// has the same rule, Neutron refuses with `SecurityGroupRuleExists` and names it; that rule is
/// the answer. Rules created at the same time go to Neutron together (see `rule_batch`).
pub async fn create_or_find_security_group_rule(
    client: &Client,
    req: &CreateSecurityGroupRule,
) -> Result<RuleCreated> {
    super::rule_batch::create(client, req).await
}

/// One rule's create, on its own. `lost_after`: a bulk create that may have made this rule was
/// sent then and its answer lost, so an existing rule made since is this create's own.
pub(crate) async fn create_alone(
    client: &Client,
    req: &CreateSecurityGroupRule,
    lost_after: Option<CloudTime>,
) -> Result<RuleCreated> {
    let e = match super::collections::SECURITY_GROUP_RULES
        .create(client, req)
        .await
    {
        Ok(rule) => return Ok(RuleCreated::Made(rule)),
        Err(e) if e.error_type() == Some("SecurityGroupRuleExists") => e,
        Err(e) => return Err(e),
    };
    let Some(id) = e.api_message().and_then(existing_rule_id) else {
        return Err(e);
    };
    match super::collections::SECURITY_GROUP_RULES
        .get(client, &id)
        .await?
    {
        Some(rule)
            if lost_after.is_some_and(|sent| sent.may_precede(rule.created_at.as_deref()))
                && client.claim(SECURITY_GROUP_RULES.label, &rule.id) =>
        {
            Ok(RuleCreated::Made(rule))
        }
        Some(existing) => Ok(RuleCreated::Existing(existing)),
        None => Err(e),
    }
}

/// The ID Neutron names in a SecurityGroupRuleExists answer
/// ("Security group rule already exists. Rule id is <uuid>.").
fn existing_rule_id(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("Rule id is ")?;
    let id: String = rest
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    (!id.is_empty()).then_some(id)
}

/// Deleting a security group rule that is already gone succeeds.
pub async fn delete_security_group_rule(client: &Client, id: &str) -> Result<()> {
    SECURITY_GROUP_RULES.delete(client, id).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn group(id: &str, name: &str) -> SecurityGroup {
        SecurityGroup {
            id: id.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn names_win_over_ids_and_must_be_unique() {
        let groups = [
            group("g1", "web"),
            group("g2", "default"),
            group("g3", "g1"),
            group("g4", "twin"),
            group("g5", "twin"),
        ];
        let pick = |names: &[&str]| {
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            pick_security_groups(&groups, "p", &names)
        };
        assert_eq!(pick(&["web", "default"]).unwrap(), ["g1", "g2"]);
        assert_eq!(pick(&["g2"]).unwrap(), ["g2"]);
        // A group named like another's id is the one meant.
        assert_eq!(pick(&["g1"]).unwrap(), ["g3"]);
        let twin = pick(&["twin"]).unwrap_err().to_string();
        assert!(twin.contains("2 security groups"), "{twin}");
        let none = pick(&["nope"]).unwrap_err().to_string();
        assert!(none.contains("\"nope\""), "{none}");
    }
}
