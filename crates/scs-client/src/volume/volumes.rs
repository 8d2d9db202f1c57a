//! Cinder volumes (`/volumes`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{MV_MESSAGES, service};
use crate::error::Result;
use crate::model::{Collection, Filters, fetch_one, null_default, segment};
use crate::session::Client;
use crate::wait::{Poll, wait_for};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct VolumeAttachmentInfo {
    pub id: String,
    pub attachment_id: Option<String>,
    pub server_id: Option<String>,
    pub volume_id: String,
    pub device: Option<String>,
    pub host_name: Option<String>,
    pub attached_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Volume {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub description: String,
    /// GiB.
    pub size: u64,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    pub volume_type: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub availability_zone: String,
    /// Cinder sends `"true"`/`"false"` as strings.
    #[serde(deserialize_with = "loose_bool")]
    pub bootable: bool,
    pub encrypted: Option<bool>,
    pub multiattach: Option<bool>,
    #[serde(deserialize_with = "null_default")]
    pub attachments: Vec<VolumeAttachmentInfo>,
    #[serde(deserialize_with = "null_default")]
    pub metadata: BTreeMap<String, String>,
    /// Properties copied from the image the volume was made from.
    #[serde(deserialize_with = "null_default")]
    pub volume_image_metadata: BTreeMap<String, String>,
    pub snapshot_id: Option<String>,
    pub source_volid: Option<String>,
    pub migration_status: Option<String>,
    #[serde(rename = "os-vol-tenant-attr:tenant_id")]
    pub tenant_id: Option<String>,
    pub user_id: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl Volume {
    /// Statuses from which a volume will not move on by itself.
    pub fn is_error(&self) -> bool {
        self.status.starts_with("error")
    }

    /// The image the volume was made from, if any.
    pub fn image_id(&self) -> Option<&str> {
        self.volume_image_metadata
            .get("image_id")
            .map(String::as_str)
    }
}

fn loose_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Loose>::deserialize(d)? {
        Some(Loose::Bool(b)) => b,
        Some(Loose::Text(t)) => t.eq_ignore_ascii_case("true"),
        None => false,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateVolume {
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(rename = "imageRef", skip_serializing_if = "Option::is_none")]
    pub image_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_volid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateVolume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Replaces all metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// A Cinder user message (`/messages`, microversion 3.3): the only place Cinder explains why a
/// volume went to an error status.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct UserMessage {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub user_message: String,
    pub resource_uuid: Option<String>,
    pub resource_type: Option<String>,
    pub event_id: Option<String>,
    pub message_level: Option<String>,
    pub created_at: Option<String>,
}

// ---- calls -------------------------------------------------------------------------------

const VOLUMES: Collection = Collection {
    service,
    path: "volumes",
    list_path: "volumes/detail",
    one: "volume",
    label: "volume",
    many: "volumes",
    microversion: None,
};

/// All volumes (details), every page.
pub async fn list_volumes(client: &Client, filters: Filters<'_>) -> Result<Vec<Volume>> {
    VOLUMES.list(client, filters).await
}

/// `None` when the volume does not exist.
pub async fn get_volume(client: &Client, id: &str) -> Result<Option<Volume>> {
    VOLUMES.get(client, id).await
}

/// Creates a volume; wait for `available` with [`wait_for_volume`].
pub async fn create_volume(client: &Client, req: &CreateVolume) -> Result<Volume> {
    VOLUMES
        .create(client, req, req.name.as_deref().unwrap_or_default())
        .await
}

pub async fn update_volume(client: &Client, id: &str, req: &UpdateVolume) -> Result<Volume> {
    VOLUMES.update(client, id, req).await
}

/// Deleting a volume that is already gone succeeds. Wait with [`wait_for_volume_deleted`].
pub async fn delete_volume(client: &Client, id: &str) -> Result<()> {
    VOLUMES.delete(client, id).await
}

/// Grows the volume to `new_size_gb`; wait for `available` (or `in-use`) again.
pub async fn extend_volume(client: &Client, id: &str, new_size_gb: u64) -> Result<()> {
    service(client)
        .post(format!("volumes/{}/action", segment(id)))
        .operation(format!("extend volume {id} to {new_size_gb} GiB"))
        .json_body(&serde_json::json!({ "os-extend": { "new_size": new_size_gb } }))
        .send()
        .await
        .map(|_| ())
}

/// Cinder's user messages about one resource, newest last. Empty on clouds without
/// microversion 3.3.
pub async fn list_volume_messages(client: &Client, resource_id: &str) -> Result<Vec<UserMessage>> {
    let svc = service(client);
    if !svc.supports_microversion(MV_MESSAGES).await? {
        return Ok(Vec::new());
    }
    let request = svc
        .get("messages")
        .microversion(MV_MESSAGES)
        .query([("resource_uuid", resource_id)])
        .operation(format!("list messages about {resource_id}"));
    fetch_one(request, "messages").await
}

/// Why a volume is in an error status, as far as Cinder says: its latest user message.
async fn error_reason(client: &Client, volume: &Volume) -> Option<String> {
    // The status itself is the fallback; a failure to read messages must not hide it.
    let messages = list_volume_messages(client, &volume.id).await.ok()?;
    messages
        .into_iter()
        .max_by(|a, b| a.created_at.cmp(&b.created_at))
        .map(|m| m.user_message)
        .filter(|m| !m.is_empty())
}

/// Waits until the volume has one of the `wanted` statuses (e.g. `["available"]`). An `error*`
/// status ends the wait with Cinder's user message where there is one.
pub async fn wait_for_volume(
    client: &Client,
    id: &str,
    wanted: &[&str],
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<Volume> {
    let op = format!("wait for volume {id} to become {}", wanted.join(" or "));
    wait_for(&op, deadline, cancel, || async {
        Ok(match get_volume(client, id).await? {
            None => Poll::failed("deleted", Some("the volume no longer exists".into())),
            Some(v) if wanted.contains(&v.status.as_str()) => Poll::Ready(v),
            Some(v) if v.is_error() => {
                let reason = error_reason(client, &v).await;
                Poll::failed(v.status, reason)
            }
            Some(v) => Poll::pending(v.status),
        })
    })
    .await
}

/// Waits until Cinder no longer knows the volume.
pub async fn wait_for_volume_deleted(
    client: &Client,
    id: &str,
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<()> {
    let op = format!("wait for volume {id} to be deleted");
    wait_for(&op, deadline, cancel, || async {
        Ok(match get_volume(client, id).await? {
            None => Poll::Ready(()),
            Some(v) if v.status == "error_deleting" => {
                let reason = error_reason(client, &v).await;
                Poll::failed(v.status, reason)
            }
            Some(v) => Poll::pending(v.status),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_string_booleans_and_nulls() {
        let v: Volume = serde_json::from_value(json!({
            "id": "v", "name": null, "description": null, "size": 1, "status": "error_extending",
            "bootable": "true", "attachments": [], "metadata": {}, "volume_type": "__DEFAULT__",
            "volume_image_metadata": {"image_id": "img"}
        }))
        .unwrap();
        assert!(v.bootable);
        assert!(v.is_error());
        assert_eq!(v.image_id(), Some("img"));
        assert_eq!(v.name, "");
    }
}
