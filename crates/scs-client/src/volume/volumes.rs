//! Cinder volumes (`/volumes`).

use std::collections::BTreeMap;
use std::time::Duration;

use http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{MV_EXTEND_ATTACHED, MV_MESSAGES, MV_TIME_FILTERS, service};
use crate::error::{Error, Result};
use crate::model::{Collection, Filters, fetch_one, null_default, segment};
use crate::session::Client;
use crate::wait::{Poll, wait_for};
use crate::watch::{self, Watched};

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
    /// `migrating`, `success`, `error`, ... while and after Cinder moves the volume (also for a
    /// retype that needs a migration); `None` when it never moved. Cinder shows it to admins only.
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

/// A typed handle on the volumes collection, for generic life-cycle code.
pub static VOLUME_OBJECTS: crate::model::Objects<Volume> = crate::model::Objects::new(VOLUMES);

impl crate::model::ApiObject for Volume {
    type Create = CreateVolume;
    type Update = UpdateVolume;
    const KIND: &'static str = VOLUMES.label;

    fn id(&self) -> &str {
        &self.id
    }

    fn objects() -> Option<&'static crate::model::Objects<Self>> {
        Some(&VOLUME_OBJECTS)
    }

    fn identity(body: &CreateVolume) -> Option<Vec<(&'static str, String)>> {
        Some(vec![("name", body.name.clone().unwrap_or_default())])
    }

    fn created_at(&self) -> Option<&str> {
        self.created_at.as_deref()
    }

    /// Cinder lists the project's own volumes.
    fn listing_filters(_project_id: &str) -> Option<Vec<(&'static str, String)>> {
        Some(Vec::new())
    }
}

/// Waits for volumes share their polls (see `watch`): Cinder lists the volumes changed since a
/// moment with its `updated_at` filter (microversion 3.60); a cloud without it gets a GET per
/// poll, as without sharing.
impl Watched for Volume {
    const KIND: &'static str = VOLUMES.label;

    fn watched_id(&self) -> &str {
        &self.id
    }

    async fn read(client: &Client, id: &str) -> Result<Option<Self>> {
        get_volume(client, id).await
    }

    async fn changed_since(
        client: &Client,
        since: std::time::SystemTime,
    ) -> Result<Option<Vec<Self>>> {
        if !service(client)
            .supports_microversion(MV_TIME_FILTERS)
            .await?
        {
            return Ok(None);
        }
        let since = format!("gte:{}", watch::iso_seconds(since));
        Collection {
            microversion: Some(MV_TIME_FILTERS),
            ..VOLUMES
        }
        .list(client, &[("updated_at", since.as_str())])
        .await
        .map(Some)
    }
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

/// Statuses in which Cinder is still working on a volume and refuses to delete it.
const BUSY: [&str; 10] = [
    "creating",
    "downloading",
    "uploading",
    "extending",
    "retyping",
    "reserved",
    "attaching",
    "detaching",
    "backing-up",
    "restoring-backup",
];

/// How long a delete waits for Cinder to finish with a volume it is still working on, when the
/// caller's own timeout does not end the wait first.
const SETTLE_BEFORE_DELETE: Duration = Duration::from_secs(600);

/// Deleting a volume that is already gone succeeds. Cinder refuses (400) to delete a volume it
/// is still working on, such as one still `creating` because its create was interrupted or timed
/// out and it is now replaced: then the delete waits until Cinder is done with it and is sent
/// once more. The second request is sent even when the volume already looks settled at the
/// first look, because Cinder may have finished between its refusal and that look; a volume that
/// really cannot be deleted (attached, with snapshots) is refused again, with Cinder's reason.
/// Wait for the deletion with [`wait_for_volume_deleted`].
pub async fn delete_volume(client: &Client, id: &str) -> Result<()> {
    match VOLUMES.delete(client, id).await {
        Err(Error::Api(e)) if e.status == StatusCode::BAD_REQUEST => {}
        other => return other,
    }
    let op = format!("wait for volume {id} to be deletable");
    let since = client.cloud_now();
    let deadline = Instant::now() + SETTLE_BEFORE_DELETE;
    let gone = wait_for(&op, deadline, client.cancellation(), || async {
        Ok(match watch::poll::<Volume>(client, id, since).await? {
            None => Poll::Ready(true),
            Some(v) if BUSY.contains(&v.status.as_str()) => Poll::pending(v.status),
            Some(_) => Poll::Ready(false),
        })
    })
    .await?;
    if gone {
        return Ok(());
    }
    VOLUMES.delete(client, id).await
}

/// Grows a detached (`available`) volume to `new_size_gb`; wait for `available` again.
pub async fn extend_volume(client: &Client, id: &str, new_size_gb: u64) -> Result<()> {
    send_extend(client, id, new_size_gb, false).await
}

/// Grows an attached (`in-use`) volume to `new_size_gb`; wait for `in-use` again. Needs block
/// storage microversion 3.42: on an older cloud this fails before sending, naming the
/// microversion. Whether it works also depends on the backend's driver; one that cannot extend
/// attached volumes puts the volume into `error_extending`.
pub async fn extend_attached_volume(client: &Client, id: &str, new_size_gb: u64) -> Result<()> {
    send_extend(client, id, new_size_gb, true).await
}

async fn send_extend(client: &Client, id: &str, new_size_gb: u64, attached: bool) -> Result<()> {
    let what = if attached {
        "attached volume"
    } else {
        "volume"
    };
    let mut request = service(client)
        .post(format!("volumes/{}/action", segment(id)))
        .operation(format!("extend {what} {id} to {new_size_gb} GiB"))
        .json_body(&serde_json::json!({ "os-extend": { "new_size": new_size_gb } }));
    if attached {
        request = request.microversion(MV_EXTEND_ATTACHED);
    }
    request.send().await.map(|_| ())
}

/// What Cinder may do when the volume's backend cannot change the type in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MigrationPolicy {
    /// Fail instead of moving the data.
    Never,
    /// Copy the data to a new volume of the new type (for an attached volume, Nova swaps the
    /// server over to the copy).
    OnDemand,
}

/// Changes the volume's type (`os-retype`); the volume must be `available` or `in-use`. Wait
/// with [`wait_for_retype`].
pub async fn retype_volume(
    client: &Client,
    id: &str,
    new_type: &str,
    policy: MigrationPolicy,
) -> Result<()> {
    service(client)
        .post(format!("volumes/{}/action", segment(id)))
        .operation(format!("change the type of volume {id} to {new_type}"))
        .json_body(&serde_json::json!({
            "os-retype": { "new_type": new_type, "migration_policy": policy }
        }))
        .send()
        .await
        .map(|_| ())
}

/// Where a retype stands, judged from one read of the volume. The status is `retyping` until
/// Cinder (and for an attached volume, Nova's swap to the copy) is done. Cinder reports a failed
/// retype only by putting the volume back to its previous status with the old type (and, if it
/// had to migrate, `migration_status` `error`, which only admins see); it writes no user
/// message for it.
fn retype_progress(vol: Volume, new_type: &str, back_to: &str) -> Poll<Volume> {
    let moving = matches!(
        vol.migration_status.as_deref(),
        Some("starting" | "migrating" | "completing")
    );
    if vol.status != back_to || moving {
        return Poll::pending(match vol.migration_status {
            Some(m) if moving => format!("{} (migration {m})", vol.status),
            _ => vol.status,
        });
    }
    if vol.volume_type.as_deref() == Some(new_type) {
        return Poll::Ready(vol);
    }
    let migration = match vol.migration_status.as_deref() {
        Some("error") => " and its migration to a volume of the new type failed",
        _ => "",
    };
    Poll::failed(
        format!("{back_to} (not retyped)"),
        Some(format!(
            "Cinder put the volume back to {back_to} with type {}{migration}; it did not say why \
             to users (its volume service log has the reason)",
            vol.volume_type.as_deref().unwrap_or("<none>"),
        )),
    )
}

/// Waits until a retype to the type named `new_type` has finished: the volume is back to
/// `back_to` (its status before the retype) with the new type. Ends with an error when Cinder
/// put it back with the old type, or when it went to an `error*` status.
pub async fn wait_for_retype(
    client: &Client,
    id: &str,
    new_type: &str,
    back_to: &str,
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<Volume> {
    let op = format!("wait for volume {id} to be retyped to {new_type}");
    let since = client.cloud_now();
    wait_for(&op, deadline, cancel, || async {
        Ok(match watch::poll::<Volume>(client, id, since).await? {
            None => Poll::failed("deleted", Some("the volume no longer exists".into())),
            Some(v) if v.is_error() => {
                let reason = error_reason(client, &v).await;
                Poll::failed(v.status, reason)
            }
            Some(v) => retype_progress(v, new_type, back_to),
        })
    })
    .await
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
    let since = client.cloud_now();
    wait_for(&op, deadline, cancel, || async {
        Ok(match watch::poll::<Volume>(client, id, since).await? {
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
    let since = client.cloud_now();
    wait_for(&op, deadline, cancel, || async {
        Ok(match watch::poll::<Volume>(client, id, since).await? {
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

    fn volume(status: &str, volume_type: &str, migration: Option<&str>) -> Volume {
        Volume {
            id: "v".into(),
            status: status.into(),
            volume_type: Some(volume_type.into()),
            migration_status: migration.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn retype_finishes_when_back_with_the_new_type() {
        let done = retype_progress(volume("in-use", "fast", Some("success")), "fast", "in-use");
        assert!(matches!(done, Poll::Ready(v) if v.volume_type.as_deref() == Some("fast")));
        // A type that needs no data movement leaves migration_status alone.
        let done = retype_progress(volume("available", "fast", None), "fast", "available");
        assert!(matches!(done, Poll::Ready(_)));
    }

    #[test]
    fn retype_is_pending_while_retyping_or_migrating() {
        let p = retype_progress(volume("retyping", "slow", None), "fast", "available");
        assert_eq!(p, Poll::pending("retyping"));
        // A migration still running is not over, whatever the status says.
        let p = retype_progress(
            volume("in-use", "slow", Some("migrating")),
            "fast",
            "in-use",
        );
        assert_eq!(p, Poll::pending("in-use (migration migrating)"));
    }

    #[test]
    fn retype_back_with_the_old_type_is_a_failure_that_says_so() {
        let p = retype_progress(volume("in-use", "slow", Some("error")), "fast", "in-use");
        let Poll::Failed { status, fault } = p else {
            panic!("expected a failure, got {p:?}");
        };
        assert_eq!(status, "in-use (not retyped)");
        let fault = fault.unwrap();
        assert!(fault.contains("type slow"), "{fault}");
        assert!(fault.contains("migration"), "{fault}");
        let p = retype_progress(volume("available", "slow", None), "fast", "available");
        assert!(matches!(p, Poll::Failed { fault: Some(f), .. } if !f.contains("migration")));
    }
}
