//! Compute availability zones (`/os-availability-zone`).

use serde::{Deserialize, Serialize};

use super::service;
use crate::error::Result;
use crate::model::fetch_one;
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ZoneState {
    pub available: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AvailabilityZone {
    #[serde(rename = "zoneName")]
    pub name: String,
    #[serde(rename = "zoneState")]
    pub state: ZoneState,
}

/// The compute availability zones the caller can see (not paginated by Nova).
pub async fn list_availability_zones(client: &Client) -> Result<Vec<AvailabilityZone>> {
    let request = service(client)
        .get("os-availability-zone")
        .operation("list availability zones");
    fetch_one(request, "availabilityZoneInfo").await
}
