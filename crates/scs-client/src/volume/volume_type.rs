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

/// The type a user named by name or ID, as Cinder's create and retype accept either (Cinder's
/// `GET /types/{id}` takes IDs only). A name wins over an ID that happens to be equal to it.
pub async fn find_volume_type(client: &Client, name_or_id: &str) -> Result<Option<VolumeType>> {
    let types = list_volume_types(client).await?;
    Ok(pick_by_name_or_id(types, name_or_id))
}

fn pick_by_name_or_id(types: Vec<VolumeType>, name_or_id: &str) -> Option<VolumeType> {
    let by_id = types.iter().position(|t| t.id == name_or_id);
    match types.iter().position(|t| t.name == name_or_id).or(by_id) {
        Some(i) => types.into_iter().nth(i),
        None => None,
    }
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
    fn found_by_name_or_id() {
        let t = |id: &str, name: &str| VolumeType {
            id: id.into(),
            name: name.into(),
            ..Default::default()
        };
        let types = vec![t("1", "__DEFAULT__"), t("2", "replicated"), t("3", "1")];
        let name_of = |key: &str| pick_by_name_or_id(types.clone(), key).map(|t| t.name);
        assert_eq!(name_of("replicated").as_deref(), Some("replicated"));
        assert_eq!(name_of("2").as_deref(), Some("replicated"));
        assert_eq!(name_of("1").as_deref(), Some("1"));
        assert_eq!(name_of("missing"), None);
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
