//! Neutron ports (`/v2.0/ports`).

use serde::{Deserialize, Serialize};

use super::PORTS;
use crate::error::Result;
use crate::model::{Filters, null_default};
use crate::session::Client;

/// An address on a port (also used for router gateway addresses). On requests either field may
/// be left out: a subnet alone asks Neutron to pick an address from it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct FixedIp {
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub subnet_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub ip_address: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AllowedAddressPair {
    pub ip_address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Port {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    pub network_id: String,
    pub admin_state_up: bool,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    #[serde(deserialize_with = "null_default")]
    pub mac_address: String,
    #[serde(deserialize_with = "null_default")]
    pub fixed_ips: Vec<FixedIp>,
    #[serde(deserialize_with = "null_default")]
    pub device_id: String,
    #[serde(deserialize_with = "null_default")]
    pub device_owner: String,
    #[serde(deserialize_with = "null_default")]
    pub security_groups: Vec<String>,
    pub port_security_enabled: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub allowed_address_pairs: Vec<AllowedAddressPair>,
    #[serde(rename = "binding:vnic_type")]
    pub vnic_type: Option<String>,
    pub dns_name: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub revision_number: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreatePort {
    pub network_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ips: Option<Vec<FixedIp>>,
    /// `Some(vec![])` creates the port without any security group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_security_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_address_pairs: Option<Vec<AllowedAddressPair>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_owner: Option<String>,
    #[serde(rename = "binding:vnic_type", skip_serializing_if = "Option::is_none")]
    pub vnic_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdatePort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ips: Option<Vec<FixedIp>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_security_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_address_pairs: Option<Vec<AllowedAddressPair>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_owner: Option<String>,
    /// Neutron's default policy lets only administrators (and services) change it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
}

/// All ports, every page.
pub async fn list_ports(client: &Client, filters: Filters<'_>) -> Result<Vec<Port>> {
    PORTS.list(client, filters).await
}

/// `None` when the port does not exist.
pub async fn get_port(client: &Client, id: &str) -> Result<Option<Port>> {
    PORTS.get(client, id).await
}

pub async fn create_port(client: &Client, req: &CreatePort) -> Result<Port> {
    PORTS
        .create(client, req, req.name.as_deref().unwrap_or_default())
        .await
}

pub async fn update_port(client: &Client, id: &str, req: &UpdatePort) -> Result<Port> {
    PORTS.update(client, id, req).await
}

/// Deleting a port that is already gone succeeds.
pub async fn delete_port(client: &Client, id: &str) -> Result<()> {
    PORTS.delete(client, id).await
}

/// Replaces every tag of the port.
pub async fn set_port_tags(client: &Client, id: &str, tags: &[String]) -> Result<()> {
    PORTS.set_tags(client, id, tags).await
}
