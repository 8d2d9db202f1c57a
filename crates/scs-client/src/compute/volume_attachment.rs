//! Nova volume attachments (`/servers/{id}/os-volume_attachments`).

use http::StatusCode;
use serde::{Deserialize, Serialize};

use super::{MV_ATTACHMENT_DELETE_ON_TERMINATION, service};
use crate::error::Result;
use crate::model::{fetch_one, found, gone, null_default, segment, wrap};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct VolumeAttachment {
    pub id: String,
    #[serde(rename = "serverId")]
    pub server_id: String,
    #[serde(rename = "volumeId")]
    pub volume_id: String,
    #[serde(deserialize_with = "null_default")]
    pub device: String,
    pub tag: Option<String>,
    /// From microversion 2.79.
    pub delete_on_termination: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AttachVolume {
    #[serde(rename = "volumeId")]
    pub volume_id: String,
    /// A hint only; most hypervisors ignore it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Needs microversion 2.79.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
}

fn attachments_path(server_id: &str) -> String {
    format!("servers/{}/os-volume_attachments", segment(server_id))
}

impl crate::model::ApiObject for VolumeAttachment {
    type Create = AttachVolume;
    /// An attachment is only ever replaced.
    type Update = ();
    const KIND: &'static str = "volume attachment";

    fn id(&self) -> &str {
        &self.id
    }
}

pub async fn list_volume_attachments(
    client: &Client,
    server_id: &str,
) -> Result<Vec<VolumeAttachment>> {
    let request = service(client)
        .get(attachments_path(server_id))
        .operation(format!("list volume attachments of server {server_id}"));
    fetch_one(request, "volumeAttachments").await
}

/// `None` when the volume is not attached to the server (or the server does not exist).
pub async fn get_volume_attachment(
    client: &Client,
    server_id: &str,
    volume_id: &str,
) -> Result<Option<VolumeAttachment>> {
    let request = service(client)
        .get(format!(
            "{}/{}",
            attachments_path(server_id),
            segment(volume_id)
        ))
        .operation(format!(
            "get attachment of volume {volume_id} to server {server_id}"
        ));
    found(fetch_one(request, "volumeAttachment").await)
}

/// Attaches; wait for the volume to become `in-use` in Cinder.
pub async fn attach_volume(
    client: &Client,
    server_id: &str,
    req: &AttachVolume,
) -> Result<VolumeAttachment> {
    let mut request = service(client)
        .post(attachments_path(server_id))
        .operation(format!(
            "attach volume {} to server {server_id}",
            req.volume_id
        ))
        .json_body(&wrap("volumeAttachment", req)?);
    if req.delete_on_termination.is_some() {
        request = request.microversion(MV_ATTACHMENT_DELETE_ON_TERMINATION);
    }
    // A volume is attached to a server at most once: after a lost answer, the attachment (if
    // any) is the one this request made.
    crate::retry::create_with_lookup(
        "attach volume",
        2,
        || fetch_one(request.try_clone(), "volumeAttachment"),
        || get_volume_attachment(client, server_id, &req.volume_id),
    )
    .await
}

/// Detaches; already detached counts as done. Wait for the volume to become `available`.
///
/// Nova refuses (400, 409) to detach a volume that is no longer `in-use`. When Cinder then shows
/// the volume `detaching` or `available`, the detach was already under way or done: typically an
/// earlier attempt of this very request, whose answer was lost and which was therefore sent
/// again, started it. That counts as done too.
pub async fn detach_volume(client: &Client, server_id: &str, volume_id: &str) -> Result<()> {
    let request = service(client)
        .delete_request(format!(
            "{}/{}",
            attachments_path(server_id),
            segment(volume_id)
        ))
        .operation(format!("detach volume {volume_id} from server {server_id}"));
    let refused = match gone(request.send().await.map(|_| ())) {
        Err(e)
            if matches!(
                e.status(),
                Some(StatusCode::BAD_REQUEST | StatusCode::CONFLICT)
            ) =>
        {
            e
        }
        other => return other,
    };
    match crate::volume::get_volume(client, volume_id).await {
        Ok(None) => Ok(()),
        Ok(Some(v)) if v.status == "detaching" || v.status == "available" => Ok(()),
        _ => Err(refused),
    }
}
