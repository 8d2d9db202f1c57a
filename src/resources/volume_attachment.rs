//! `scs_volume_attachment`: a Cinder volume attached to a Nova server.

use async_trait::async_trait;
use scs_client::Client;
use scs_client::compute::{self as nova, AttachVolume, VolumeAttachment};
use scs_client::volume as cinder;
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind, timeouts_block};
use tfplugin::value::{Attr, Value, from_value};

use crate::try_apply;

use super::shared::{applied, call, client_for, partial, region_attribute, with_timeout};
use super::volume::wait_volume;

pub struct VolumeAttachmentResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct AttachmentModel {
    id: Attr<String>,
    region: Attr<String>,
    server_id: Attr<String>,
    volume_id: Attr<String>,
    device: Attr<String>,
    timeouts: Value,
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

impl AttachmentModel {
    /// The state for `att`. `device` is only a hint to Nova that hypervisors
    /// may ignore, so a configured value is kept rather than reported as drift.
    fn from_api(att: VolumeAttachment, prior: &AttachmentModel) -> AttachmentModel {
        let device = match prior.device.known() {
            Some(_) => prior.device.clone(),
            None if att.device.is_empty() => Attr::Null,
            None => Attr::Known(att.device),
        };
        AttachmentModel {
            id: Attr::Known(attachment_id(&att.server_id, &att.volume_id)),
            region: prior.region.clone(),
            server_id: Attr::Known(att.server_id),
            volume_id: Attr::Known(att.volume_id),
            device,
            timeouts: prior.timeouts.clone(),
        }
    }
}

/// Waits until the volume is free again; a volume that is gone counts too.
async fn wait_detached(ctx: &Ctx, client: &Client, volume_id: &str) -> Result<(), Diagnostics> {
    match wait_volume(
        ctx,
        client,
        volume_id,
        &["available"],
        "Volume was not detached",
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(d) => {
            let gone = call(
                ctx,
                "Cannot read volume",
                cinder::get_volume(client, volume_id),
            )
            .await
            .is_ok_and(|v| v.is_none());
            if gone { Ok(()) } else { Err(d) }
        }
    }
}

#[async_trait]
impl Resource for VolumeAttachmentResource {
    fn type_name(&self) -> &str {
        "scs_volume_attachment"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Attaches a volume to a server.")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .description("`<server_id>/<volume_id>`."),
                )
                .attribute(region_attribute())
                .attribute(
                    Attribute::string("server_id")
                        .required()
                        .requires_replace()
                        .description("The server; changing it moves the volume (detach, then attach)."),
                )
                .attribute(
                    Attribute::string("volume_id")
                        .required()
                        .requires_replace()
                        .description("The volume; changing it creates a new attachment."),
                )
                .attribute(
                    Attribute::string("device")
                        .optional()
                        .computed()
                        .requires_replace()
                        .use_state_for_unknown()
                        .description("The device name, e.g. `/dev/vdb`. When set, it is a hint that the hypervisor may ignore; when unset, Nova's choice."),
                )
                .block(timeouts_block(&[TimeoutKind::Create, TimeoutKind::Delete])),
        )
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: AttachmentModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let plan = AttachmentModel { region, ..plan };
        let server_id = plan.server_id.known().cloned().unwrap_or_default();
        let volume_id = plan.volume_id.known().cloned().unwrap_or_default();
        let body = AttachVolume {
            volume_id: volume_id.clone(),
            device: plan.device.known().cloned(),
            ..Default::default()
        };
        let att = try_apply!(
            call(
                &ctx,
                "Cannot attach volume",
                nova::attach_volume(&client, &server_id, &body)
            )
            .await
        );
        let state = AttachmentModel::from_api(
            VolumeAttachment {
                server_id: server_id.clone(),
                volume_id: volume_id.clone(),
                ..att
            },
            &plan,
        );
        match wait_volume(
            &ctx,
            &client,
            &volume_id,
            &["in-use"],
            "Volume attachment did not finish",
        )
        .await
        {
            Ok(_) => applied(&ctx, &state),
            Err(d) => partial(&ctx, &state, d),
        }
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: AttachmentModel = from_value(&state)?;
        let (server_id, volume_id) = match (prior.server_id.known(), prior.volume_id.known()) {
            (Some(s), Some(v)) => (s.clone(), v.clone()),
            _ => match prior.id.known() {
                Some(id) => parse_id(id)?,
                None => return Ok(None),
            },
        };
        let (client, region) = client_for(ctx, &prior.region)?;
        let prior = AttachmentModel { region, ..prior };
        let found = call(
            ctx,
            "Cannot read volume attachment",
            nova::get_volume_attachment(&client, &server_id, &volume_id),
        )
        .await?;
        found
            .map(|att| {
                let att = VolumeAttachment {
                    server_id: server_id.clone(),
                    volume_id: volume_id.clone(),
                    ..att
                };
                ctx.to_value(&AttachmentModel::from_api(att, &prior))
            })
            .transpose()
    }

    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        // Every argument forces replacement; only `timeouts` can change in place.
        ApplyResult::ok(req.planned)
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: AttachmentModel = from_value(&state)?;
        let (Some(server_id), Some(volume_id)) = (prior.server_id.known(), prior.volume_id.known())
        else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        call(
            &ctx,
            "Cannot detach volume",
            nova::detach_volume(&client, server_id, volume_id),
        )
        .await?;
        wait_detached(&ctx, &client, volume_id).await
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let (server_id, volume_id) = parse_id(id)?;
        ctx.to_value(&AttachmentModel {
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
    fn schema_is_valid() {
        assert!(VolumeAttachmentResource.schema().validate().is_empty());
    }

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
            AttachmentModel::from_api(att.clone(), &prior).device,
            Attr::Known("/dev/vdc".into())
        );
        let m = AttachmentModel::from_api(att, &AttachmentModel::default());
        assert_eq!(m.device, Attr::Known("/dev/vdb".into()));
        assert_eq!(m.id, Attr::Known("s/v".into()));
    }
}
