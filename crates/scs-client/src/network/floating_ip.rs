//! Neutron floating IPs (`/v2.0/floatingips`).

use serde::{Deserialize, Serialize};

use super::FLOATING_IPS;
use crate::error::Result;
use crate::model::{Filters, null_default};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct FloatingIp {
    pub id: String,
    pub floating_ip_address: String,
    pub floating_network_id: String,
    pub fixed_ip_address: Option<String>,
    pub port_id: Option<String>,
    pub router_id: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    pub dns_name: Option<String>,
    pub dns_domain: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub revision_number: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateFloatingIp {
    pub floating_network_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floating_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateFloatingIp {
    /// `Some(None)` disassociates the address from its port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_id: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ip_address: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// All floating IPs, every page.
pub async fn list_floating_ips(client: &Client, filters: Filters<'_>) -> Result<Vec<FloatingIp>> {
    FLOATING_IPS.list(client, filters).await
}

/// `None` when the floating IP does not exist.
pub async fn get_floating_ip(client: &Client, id: &str) -> Result<Option<FloatingIp>> {
    FLOATING_IPS.get(client, id).await
}

pub async fn create_floating_ip(client: &Client, req: &CreateFloatingIp) -> Result<FloatingIp> {
    FLOATING_IPS
        .create(client, req, &req.floating_network_id)
        .await
}

pub async fn update_floating_ip(
    client: &Client,
    id: &str,
    req: &UpdateFloatingIp,
) -> Result<FloatingIp> {
    FLOATING_IPS.update(client, id, req).await
}

/// Deleting a floating IP that is already gone succeeds.
pub async fn delete_floating_ip(client: &Client, id: &str) -> Result<()> {
    FLOATING_IPS.delete(client, id).await
}

/// Replaces every tag of the floating IP.
pub async fn set_floating_ip_tags(client: &Client, id: &str, tags: &[String]) -> Result<()> {
    FLOATING_IPS.set_tags(client, id, tags).await
}
