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
    label: "volume type",
    many: "volume_types",
    microversion: None,
};

impl VolumeType {
    /// The scs-0114 aspects advertised at the start of the description: `[scs:encrypted,
    /// replicated]` gives `["encrypted", "replicated"]`. Empty when the description has none.
    pub fn scs_aspects(&self) -> Vec<String> {
        let Some(rest) = self
            .description
            .as_deref()
            .and_then(|d| d.trim_start().strip_prefix("[scs:"))
        else {
            return Vec::new();
        };
        let Some((list, _)) = rest.split_once(']') else {
            return Vec::new();
        };
        list.split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect()
    }
}

/// The volume types the caller may use.
pub async fn list_volume_types(client: &Client) -> Result<Vec<VolumeType>> {
    VOLUME_TYPES.list(client, &[]).await
}

pub async fn get_volume_type(client: &Client, id: &str) -> Result<Option<VolumeType>> {
    VOLUME_TYPES.get(client, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_description(d: Option<&str>) -> VolumeType {
        VolumeType {
            description: d.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn scs_0114_aspects() {
        assert_eq!(
            with_description(Some("[scs:encrypted, replicated] Ceph RBD, 3 copies")).scs_aspects(),
            ["encrypted", "replicated"]
        );
        assert_eq!(
            with_description(Some("[scs:encrypted]")).scs_aspects(),
            ["encrypted"]
        );
        assert!(with_description(Some("plain LVM")).scs_aspects().is_empty());
        assert!(
            with_description(Some("[scs:encrypted"))
                .scs_aspects()
                .is_empty()
        );
        assert!(with_description(None).scs_aspects().is_empty());
    }
}
