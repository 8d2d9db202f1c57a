//! `scs_volume_attachment`: a Cinder volume attached to a Nova server.

use async_trait::async_trait;
use scs_client::compute::{self as nova, AttachVolume, VolumeAttachment};
use scs_client::volume as cinder;
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::Ctx;
use tfplugin::model::Timeouts;
use tfplugin::value::Attr;

use super::volume::wait_volume;
use crate::lifecycle::{CloudObject, Plan, Step};
use crate::support::Cloud;
use crate::support::call;
use crate::support::schema::region;

pub struct VolumeAttachmentResource;

/// Attaches a volume to a server.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentModel {
    /// The attachment's ID, `<server_id>/<volume_id>`.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The server's ID. Changing it moves the volume: it is detached, then attached to the new
    /// server.
    #[tf(required, requires_replace)]
    server_id: Attr<String>,
    /// The volume's ID.
    #[tf(required, requires_replace)]
    volume_id: Attr<String>,
    /// The device name to ask for, such as `/dev/vdb`. It is only a hint: most hypervisors pick the
    /// name themselves. When set, the state keeps the configured value; when unset, Nova's name is
    /// recorded. Changing it re-attaches the volume.
    #[tf(optional, computed, requires_replace, use_state_for_unknown)]
    device: Attr<String>,
    #[tf(timeouts(create, delete))]
    timeouts: Attr<Timeouts>,
}

fn attachment_id(server_id: &str, volume_id: &str) -> String {
    format!("{server_id}/{volume_id}")
}

fn parse_id(id: &str) -> Result<(String, String), Diagnostics> {
    match id.split_once('/') {
        Some((server, volume))
            if !server.is_empty() && !volume.is_empty() && !volume.contains('/') =>
        {
            Ok((server.to_owned(), volume.to_owned()))
        }
        _ => Err(Diagnostic::error(
            "Invalid import ID",
            format!("{id:?} is not <server_id>/<volume_id>."),
        )
        .into()),
    }
}

/// Waits until the volume is free again; a volume that is gone counts too.
async fn wait_detached(cloud: &Cloud<'_>, volume_id: &str) -> Result<(), Diagnostics> {
    match wait_volume(cloud, volume_id, &["available"], "Volume was not detached").await {
        Ok(_) => Ok(()),
        Err(d) => {
            let gone = call(
                cloud.ctx,
                "Cannot read volume",
                cinder::get_volume(cloud, volume_id),
            )
            .await
            .is_ok_and(|v| v.is_none());
            if gone { Ok(()) } else { Err(d) }
        }
    }
}

#[async_trait]
impl CloudObject for VolumeAttachmentResource {
    type Model = AttachmentModel;
    type Api = VolumeAttachment;
    const TYPE_NAME: &'static str = "scs_volume_attachment";

    /// The state for `att`. `device` is only a hint to Nova that hypervisors
    /// may ignore, so a configured value is kept rather than reported as drift.
    fn state_from(&self, att: VolumeAttachment, prior: &AttachmentModel) -> AttachmentModel {
        AttachmentModel {
            id: Attr::Known(attachment_id(&att.server_id, &att.volume_id)),
            server_id: Attr::Known(att.server_id),
            volume_id: Attr::Known(att.volume_id),
            device: match prior.device.known() {
                Some(_) => prior.device.clone(),
                None if att.device.is_empty() => Attr::Null,
                None => Attr::Known(att.device),
            },
            ..Default::default()
        }
    }

    async fn create(&self, plan: Plan<'_, AttachmentModel>) -> Step<VolumeAttachment> {
        let server_id = plan.server_id.known().cloned().unwrap_or_default();
        let volume_id = plan.volume_id.known().cloned().unwrap_or_default();
        let body = AttachVolume {
            volume_id: volume_id.clone(),
            device: plan.device.known().cloned(),
            ..Default::default()
        };
        let att = nova::attach_volume(plan.cloud, &server_id, &body).await?;
        Ok(VolumeAttachment {
            server_id,
            volume_id,
            ..att
        })
    }

    /// Waits until Cinder reports the volume in use.
    async fn settle(
        &self,
        att: VolumeAttachment,
        plan: Plan<'_, AttachmentModel>,
    ) -> Step<VolumeAttachment> {
        wait_volume(
            plan.cloud,
            &att.volume_id,
            &["in-use"],
            "Volume attachment did not finish",
        )
        .await?;
        Ok(att)
    }

    async fn get(&self, cloud: &Cloud<'_>, id: &str) -> Step<Option<VolumeAttachment>> {
        let (server_id, volume_id) = parse_id(id)?;
        let found = nova::get_volume_attachment(cloud, &server_id, &volume_id).await?;
        Ok(found.map(|att| VolumeAttachment {
            server_id,
            volume_id,
            ..att
        }))
    }

    /// Detaches and waits until the volume is free again.
    async fn delete(&self, cloud: &Cloud<'_>, id: &str, _: &AttachmentModel) -> Step<()> {
        let (server_id, volume_id) = parse_id(id)?;
        nova::detach_volume(cloud, &server_id, &volume_id).await?;
        Ok(wait_detached(cloud, &volume_id).await?)
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<AttachmentModel, Diagnostics> {
        let (server_id, volume_id) = parse_id(id)?;
        Ok(AttachmentModel {
            id: Attr::Known(id.to_owned()),
            server_id: Attr::Known(server_id),
            volume_id: Attr::Known(volume_id),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn import_ids() {
        assert_eq!(parse_id("s/v").unwrap(), ("s".to_owned(), "v".to_owned()));
        for bad in ["s", "/v", "s/", "s/v/x", ""] {
            assert!(parse_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn configured_device_is_kept() {
        let att = VolumeAttachment {
            server_id: "s".into(),
            volume_id: "v".into(),
            device: "/dev/vdb".into(),
            ..Default::default()
        };
        let prior = AttachmentModel {
            device: Attr::Known("/dev/vdc".into()),
            ..Default::default()
        };
        assert_eq!(
            VolumeAttachmentResource
                .state_from(att.clone(), &prior)
                .device,
            Attr::Known("/dev/vdc".into())
        );
        let m = VolumeAttachmentResource.state_from(att, &AttachmentModel::default());
        assert_eq!(m.device, Attr::Known("/dev/vdb".into()));
        assert_eq!(m.id, Attr::Known("s/v".into()));
    }
}
