//! Glance images (`/v2/images`) with their free-form properties.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{Filters, found, null_default, segment};
use crate::scs::ImageCandidate;
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Image {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    pub status: String,
    pub visibility: String,
    pub protected: bool,
    pub os_hidden: bool,
    /// GiB.
    #[serde(deserialize_with = "null_default")]
    pub min_disk: u64,
    /// MiB.
    #[serde(deserialize_with = "null_default")]
    pub min_ram: u64,
    pub size: Option<u64>,
    pub virtual_size: Option<u64>,
    pub disk_format: Option<String>,
    pub container_format: Option<String>,
    pub checksum: Option<String>,
    pub os_hash_algo: Option<String>,
    pub os_hash_value: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub owner: String,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// Every other attribute: the image properties (`os_distro`, `image_build_date`, …). Glance
    /// sends most as strings; the few that are not keep their JSON form.
    #[serde(flatten)]
    pub properties: BTreeMap<String, serde_json::Value>,
}

/// Attributes of Glance's own that are not image properties.
const GLANCE_LINKS: [&str; 4] = ["self", "file", "schema", "locations"];

impl Image {
    /// A property as a string (`"ubuntu"`; a non-string value in its JSON text).
    pub fn property(&self, key: &str) -> Option<String> {
        self.properties.get(key).and_then(|v| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
    }

    /// The image properties as strings, without Glance's link attributes.
    pub fn string_properties(&self) -> BTreeMap<String, String> {
        self.properties
            .keys()
            .filter(|k| !GLANCE_LINKS.contains(&k.as_str()))
            .filter_map(|k| self.property(k).map(|v| (k.clone(), v)))
            .collect()
    }
}

impl From<&Image> for ImageCandidate {
    fn from(i: &Image) -> Self {
        ImageCandidate {
            id: i.id.clone(),
            name: i.name.clone(),
            status: i.status.clone(),
            visibility: i.visibility.clone(),
            tags: i.tags.clone(),
            created_at: i.created_at.clone(),
            properties: i.string_properties(),
        }
    }
}

/// All images the caller can see, every page. Glance filters by any property
/// (`[("os_distro", "ubuntu")]`) as well as `name`, `visibility`, `tag`, `status` and
/// `os_hidden`; hidden images are only listed with `("os_hidden", "true")`.
pub async fn list_images(client: &Client, filters: Filters<'_>) -> Result<Vec<Image>> {
    client
        .image()
        .get("images")
        .query(filters.iter().copied())
        .operation("list images")
        .paginate("images")
        .await
}

/// `None` when the image does not exist (or is not visible to the caller). Glance answers with
/// the bare image, without an envelope. This client never changes an image, so one lookup per
/// id serves the whole command.
pub async fn get_image(client: &Client, id: &str) -> Result<Option<Image>> {
    client
        .lookups()
        .get("image", client.region(), id, || async {
            found(
                client
                    .image()
                    .get(format!("images/{}", segment(id)))
                    .operation(format!("get image {id}"))
                    .json()
                    .await,
            )
        })
        .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn properties_are_collected() {
        let i: Image = serde_json::from_value(json!({
            "id": "i", "name": "Ubuntu 24.04", "status": "active", "visibility": "public",
            "protected": false, "os_hidden": false, "min_disk": 3, "min_ram": 512, "tags": [],
            "os_distro": "ubuntu", "os_version": "24.04", "hw_rng_model": "virtio",
            "image_build_date": "2025-06-01", "hotfix_hours": 0, "owner_specified.x": null,
            "self": "/v2/images/i", "file": "/v2/images/i/file", "schema": "/v2/schemas/image"
        }))
        .unwrap();
        assert_eq!(i.min_disk, 3);
        assert_eq!(i.property("os_distro").as_deref(), Some("ubuntu"));
        assert_eq!(i.property("hotfix_hours").as_deref(), Some("0"));
        let props = i.string_properties();
        assert!(!props.contains_key("self"));
        assert!(!props.contains_key("owner_specified.x"));
        let c = ImageCandidate::from(&i);
        assert_eq!(c.properties["image_build_date"], "2025-06-01");
    }
}
