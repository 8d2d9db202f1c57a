//! Neutron networks (`/v2.0/networks`).

use serde::{Deserialize, Serialize};

use super::NETWORKS;
use crate::error::Result;
use crate::model::{Filters, null_default};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Network {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    pub admin_state_up: bool,
    pub shared: bool,
    #[serde(rename = "router:external")]
    pub external: bool,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    #[serde(deserialize_with = "null_default")]
    pub subnets: Vec<String>,
    pub mtu: Option<u32>,
    pub port_security_enabled: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
    #[serde(deserialize_with = "null_default")]
    pub availability_zone_hints: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub availability_zones: Vec<String>,
    #[serde(rename = "provider:network_type")]
    pub network_type: Option<String>,
    #[serde(rename = "provider:physical_network")]
    pub physical_network: Option<String>,
    #[serde(rename = "provider:segmentation_id")]
    pub segmentation_id: Option<u32>,
    pub is_default: Option<bool>,
    pub dns_domain: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub revision_number: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateNetwork {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
    #[serde(rename = "router:external", skip_serializing_if = "Option::is_none")]
    pub external: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_security_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone_hints: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_domain: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateNetwork {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_state_up: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<bool>,
    #[serde(rename = "router:external", skip_serializing_if = "Option::is_none")]
    pub external: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_security_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_domain: Option<String>,
}

/// All networks, every page.
pub async fn list_networks(client: &Client, filters: Filters<'_>) -> Result<Vec<Network>> {
    NETWORKS.list(client, filters).await
}

/// `None` when the network does not exist.
pub async fn get_network(client: &Client, id: &str) -> Result<Option<Network>> {
    NETWORKS.get(client, id).await
}

pub async fn create_network(client: &Client, req: &CreateNetwork) -> Result<Network> {
    NETWORKS
        .create(client, req, req.name.as_deref().unwrap_or_default())
        .await
}

pub async fn update_network(client: &Client, id: &str, req: &UpdateNetwork) -> Result<Network> {
    NETWORKS.update(client, id, req).await
}

/// Deleting a network that is already gone succeeds.
pub async fn delete_network(client: &Client, id: &str) -> Result<()> {
    NETWORKS.delete(client, id).await
}

/// Replaces every tag of the network.
pub async fn set_network_tags(client: &Client, id: &str, tags: &[String]) -> Result<()> {
    NETWORKS.set_tags(client, id, tags).await
}
