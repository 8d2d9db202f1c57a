//! Cinder volume types (`/types`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::service;
use crate::error::Result;
use crate::model::{Collection, null_default};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct VolumeType {
    pub id: String,
    pub name: String,
    /// scs-0114 puts aspects at its start, e.g. `[scs:encrypted, replicated]`.
    pub description: Option<String>,
    #[serde(rename = "os-volume-type-access:is_public")]
    pub is_public: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub extra_specs: BTreeMap<String, String>,
}

const VOLUME_TYPES: Collection = Collection {
    service,
    path: "types",
    list_path: "types",
    one: "volume_type",
    many: "volume_types",
    microversion: None,
};

/// The volume types the caller may use.
pub async fn list_volume_types(client: &Client) -> Result<Vec<VolumeType>> {
    VOLUME_TYPES.list(client, &[]).await
}

pub async fn get_volume_type(client: &Client, id: &str) -> Result<Option<VolumeType>> {
    VOLUME_TYPES.get(client, id).await
}
