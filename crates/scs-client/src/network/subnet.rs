//! Neutron subnets (`/v2.0/subnets`).

use serde::{Deserialize, Serialize};

use super::SUBNETS;
use crate::error::Result;
use crate::model::{Filters, null_default};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AllocationPool {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct HostRoute {
    pub destination: String,
    pub nexthop: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Subnet {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    pub network_id: String,
    pub cidr: String,
    pub ip_version: u8,
    /// `None`: the subnet has no gateway.
    pub gateway_ip: Option<String>,
    pub enable_dhcp: bool,
    #[serde(deserialize_with = "null_default")]
    pub dns_nameservers: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub allocation_pools: Vec<AllocationPool>,
    #[serde(deserialize_with = "null_default")]
    pub host_routes: Vec<HostRoute>,
    pub ipv6_address_mode: Option<String>,
    pub ipv6_ra_mode: Option<String>,
    pub subnetpool_id: Option<String>,
    pub segment_id: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub service_types: Vec<String>,
    #[serde(deserialize_with = "null_default")]
    pub project_id: String,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub revision_number: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateSubnet {
    pub network_id: String,
    pub cidr: String,
    pub ip_version: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `None`: Neutron picks the first address; `Some(None)`: no gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_ip: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_dhcp: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_nameservers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation_pools: Option<Vec<AllocationPool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_routes: Option<Vec<HostRoute>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_address_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_ra_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnetpool_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateSubnet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `Some(None)` removes the gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway_ip: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_dhcp: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_nameservers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation_pools: Option<Vec<AllocationPool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_routes: Option<Vec<HostRoute>>,
}

/// All subnets, every page.
pub async fn list_subnets(client: &Client, filters: Filters<'_>) -> Result<Vec<Subnet>> {
    SUBNETS.list(client, filters).await
}

/// `None` when the subnet does not exist.
pub async fn get_subnet(client: &Client, id: &str) -> Result<Option<Subnet>> {
    SUBNETS.get(client, id).await
}

pub async fn create_subnet(client: &Client, req: &CreateSubnet) -> Result<Subnet> {
    SUBNETS.create(client, req, &req.cidr).await
}

pub async fn update_subnet(client: &Client, id: &str, req: &UpdateSubnet) -> Result<Subnet> {
    SUBNETS.update(client, id, req).await
}

/// Deleting a subnet that is already gone succeeds.
pub async fn delete_subnet(client: &Client, id: &str) -> Result<()> {
    SUBNETS.delete(client, id).await
}

/// Replaces every tag of the subnet.
pub async fn set_subnet_tags(client: &Client, id: &str, tags: &[String]) -> Result<()> {
    SUBNETS.set_tags(client, id, tags).await
}
