//! `scs_volume`: a Cinder volume, grown and retyped in place, never shrunk.

use std::collections::BTreeMap;

use async_trait::async_trait;
use scs_client::Client;
use scs_client::volume::{self as cinder, CreateVolume, UpdateVolume, Volume};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, PlanChange, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind, validators};
use tfplugin::value::{Attr, Type, Value, from_value};

use crate::try_apply;

use super::shared::{
    DEFAULT_TIMEOUT, applied, attr_of, call, changed_nullable, client_for, id_attribute, partial,
    region_attribute, string_from_api, timeouts, wait_deadline, with_timeout,
};

pub struct VolumeResource;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct AttachmentModel {
    id: Attr<String>,
    server_id: Attr<String>,
    device: Attr<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct VolumeModel {
    id: Attr<String>,
    region: Attr<String>,
    name: Attr<String>,
    description: Attr<String>,
    size: Attr<u64>,
    volume_type: Attr<String>,
    image_id: Attr<String>,
    snapshot_id: Attr<String>,
    source_volume_id: Attr<String>,
    availability_zone: Attr<String>,
    metadata: Attr<BTreeMap<String, String>>,
    status: Attr<String>,
    attachments: Attr<Vec<AttachmentModel>>,
    timeouts: Value,
}

/// Keys Cinder adds to the metadata of attached volumes by itself.
const CINDER_METADATA: [&str; 2] = ["attached_mode", "readonly"];

fn metadata_from_api(
    mut api: BTreeMap<String, String>,
    prior: &Attr<BTreeMap<String, String>>,
) -> Attr<BTreeMap<String, String>> {
    let configured = prior.known();
    api.retain(|k, _| {
        !CINDER_METADATA.contains(&k.as_str()) || configured.is_some_and(|p| p.contains_key(k))
    });
    if api.is_empty() && !configured.is_some_and(BTreeMap::is_empty) {
        Attr::Null
    } else {
        Attr::Known(api)
    }
}

impl VolumeModel {
    fn from_api(vol: Volume, prior: &VolumeModel) -> VolumeModel {
        let image_id = attr_of(vol.image_id().map(str::to_owned));
        VolumeModel {
            id: Attr::Known(vol.id),
            region: prior.region.clone(),
            name: string_from_api(vol.name, &prior.name),
            description: string_from_api(vol.description, &prior.description),
            size: Attr::Known(vol.size),
            volume_type: attr_of(vol.volume_type),
            image_id,
            snapshot_id: attr_of(vol.snapshot_id),
            source_volume_id: attr_of(vol.source_volid),
            availability_zone: string_from_api(vol.availability_zone, &prior.availability_zone),
            metadata: metadata_from_api(vol.metadata, &prior.metadata),
            status: Attr::Known(vol.status),
            attachments: Attr::Known(
                vol.attachments
                    .into_iter()
                    .map(|a| AttachmentModel {
                        id: attr_of(a.attachment_id),
                        server_id: attr_of(a.server_id),
                        device: attr_of(a.device),
                    })
                    .collect(),
            ),
            timeouts: prior.timeouts.clone(),
        }
    }

    /// Only the identity a freshly created volume is known by: what the state
    /// holds when the wait for it fails.
    fn just_created(id: String, plan: &VolumeModel) -> VolumeModel {
        VolumeModel {
            id: Attr::Known(id),
            status: Attr::Known("error".into()),
            volume_type: plan.volume_type.clone().or_if_unknown(Attr::Null),
            availability_zone: plan.availability_zone.clone().or_if_unknown(Attr::Null),
            attachments: Attr::Known(Vec::new()),
            ..plan.clone()
        }
    }
}

/// Waits until the volume has one of the `wanted` statuses; an error status
/// fails with Cinder's own explanation (its latest user message).
pub(crate) async fn wait_volume(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    wanted: &[&str],
    summary: &str,
) -> Result<Volume, Diagnostics> {
    call(
        ctx,
        summary,
        cinder::wait_for_volume(
            client,
            id,
            wanted,
            wait_deadline(ctx, DEFAULT_TIMEOUT),
            ctx.cancellation_token(),
        ),
    )
    .await
}

fn check_sources(config: &VolumeModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    let sources: Vec<&str> = [
        ("image_id", &config.image_id),
        ("snapshot_id", &config.snapshot_id),
        ("source_volume_id", &config.source_volume_id),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_null())
    .map(|(n, _)| n)
    .collect();
    if sources.len() > 1 {
        d.error_at(
            AttributePath::attr(sources[1]),
            "Conflicting volume sources",
            format!(
                "A volume is made from at most one source; set only one of {}.",
                sources.join(", ")
            ),
        );
    }
    d
}

fn shrink_error(from: u64, to: u64) -> Diagnostics {
    Diagnostic::error(
        "Volumes cannot shrink",
        format!(
            "size would go from {from} to {to} GiB, but Cinder can only extend a volume. Keep size at {from} or more, or replace the volume (e.g. terraform apply -replace=...)."
        ),
    )
    .with_path(AttributePath::attr("size"))
    .into()
}

fn vanished(id: &str) -> Diagnostics {
    Diagnostic::error(
        "Volume disappeared",
        format!("volume {id} was deleted while it was being updated"),
    )
    .into()
}

/// Grows `vol` to `to` GiB and waits until it is back to its status. An attached volume is
/// extended online, which needs block storage microversion 3.42 and a backend that can do it.
async fn extend(ctx: &Ctx, client: &Client, vol: &Volume, to: u64) -> Result<(), Diagnostics> {
    let attached = vol.status == "in-use";
    let request = if attached {
        call(
            ctx,
            "Cannot extend attached volume",
            cinder::extend_attached_volume(client, &vol.id, to),
        )
        .await
    } else {
        call(
            ctx,
            "Cannot extend volume",
            cinder::extend_volume(client, &vol.id, to),
        )
        .await
    };
    request?;
    let waited = wait_volume(
        ctx,
        client,
        &vol.id,
        &[vol.status.as_str()],
        "Volume extension did not finish",
    )
    .await;
    match waited {
        Err(d) if attached => Err(with_online_extend_hint(ctx, client, &vol.id, d).await),
        other => other.map(|_| ()),
    }
}

/// Cinder only says that its driver failed; the likely reason and the way out are ours to give.
async fn with_online_extend_hint(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    mut d: Diagnostics,
) -> Diagnostics {
    let stuck = matches!(
        call(ctx, "Cannot read volume", cinder::get_volume(client, id)).await,
        Ok(Some(v)) if v.status == "error_extending"
    );
    if stuck {
        d.push(Diagnostic::error(
            "The volume's backend could not extend it while attached",
            "The volume is attached, so it was extended online (block storage microversion 3.42), \
             and Cinder's volume driver failed. Some backends cannot extend attached volumes \
             (for example Cinder's NFS driver in OpenStack Zed). The volume is now \
             in status error_extending, which only the cloud's operator can reset; then detach it \
             (remove its scs_volume_attachment), grow it, and attach it again.",
        ).with_path(AttributePath::attr("size")));
    }
    d
}

/// Changes `vol`'s type in place (Cinder migrates the data if the backend must change) and
/// waits until the volume is back to its status with the new type.
async fn retype(
    ctx: &Ctx,
    client: &Client,
    vol: &Volume,
    new_type: &str,
) -> Result<(), Diagnostics> {
    let found = call(
        ctx,
        "Cannot read volume types",
        cinder::find_volume_type(client, new_type),
    )
    .await?;
    let Some(found) = found else {
        return Err(Diagnostic::error(
            "Unknown volume type",
            format!("volume_type {new_type:?} is neither the name nor the ID of a volume type this project may use."),
        )
        .with_path(AttributePath::attr("volume_type"))
        .into());
    };
    if vol.volume_type.as_deref() == Some(found.name.as_str()) {
        // The same type, written as its ID instead of its name (or the other way round).
        return Ok(());
    }
    call(
        ctx,
        "Cannot change the volume type",
        cinder::retype_volume(client, &vol.id, new_type, cinder::MigrationPolicy::OnDemand),
    )
    .await?;
    call(
        ctx,
        "Volume type change did not finish",
        cinder::wait_for_retype(
            client,
            &vol.id,
            &found.name,
            &vol.status,
            wait_deadline(ctx, DEFAULT_TIMEOUT),
            ctx.cancellation_token(),
        ),
    )
    .await
    .map(|_| ())
}

impl VolumeResource {
    async fn refresh(
        &self,
        ctx: &Ctx,
        client: &Client,
        id: &str,
        prior: &VolumeModel,
    ) -> Result<Option<VolumeModel>, Diagnostics> {
        let found = call(ctx, "Cannot read volume", cinder::get_volume(client, id)).await?;
        match found {
            Some(v) => Ok(Some(from_api_keeping_type_id(client, v, prior).await)),
            None => Ok(None),
        }
    }
}

/// The state for `vol`. Cinder reports the type by name; a type configured by ID stays as
/// written when it is that type, so the plan does not see a change.
async fn from_api_keeping_type_id(
    client: &Client,
    vol: Volume,
    prior: &VolumeModel,
) -> VolumeModel {
    let mut model = VolumeModel::from_api(vol, prior);
    if let (Some(configured), Some(reported)) =
        (prior.volume_type.known(), model.volume_type.known())
        && configured != reported
        && let Ok(Some(t)) = cinder::get_volume_type(client, configured).await
        && &t.name == reported
    {
        model.volume_type = prior.volume_type.clone();
    }
    model
}

#[async_trait]
impl Resource for VolumeResource {
    fn type_name(&self) -> &str {
        "scs_volume"
    }

    fn schema(&self) -> Schema {
        let replace_source = |name: &str, what: &str| {
            Attribute::string(name)
                .optional()
                .requires_replace()
                .description(format!(
                    "Create the volume from this {what}; changing it creates a new volume."
                ))
        };
        Schema::new(
            Block::new()
                .description("A Cinder block storage volume.")
                .attribute(id_attribute("volume"))
                .attribute(region_attribute())
                .attribute(Attribute::string("name").optional().description("The volume's name."))
                .attribute(
                    Attribute::string("description")
                        .optional()
                        .description("A description."),
                )
                .attribute(
                    Attribute::number("size")
                        .required()
                        .validator(validators::int_between(1, 1 << 40))
                        .description("Size in GiB. Growing it extends the volume in place; shrinking is refused at plan time."),
                )
                .attribute(
                    Attribute::string("volume_type")
                        .optional()
                        .computed()
                        .use_state_for_unknown()
                        .description("The volume type, by name or ID; defaults to the cloud's. Changed in place by a retype (Cinder migrates the data if the backend changes)."),
                )
                .attribute(replace_source("image_id", "image"))
                .attribute(replace_source("snapshot_id", "snapshot"))
                .attribute(replace_source("source_volume_id", "volume (a clone)"))
                .attribute(
                    Attribute::string("availability_zone")
                        .optional()
                        .computed()
                        .requires_replace()
                        .use_state_for_unknown()
                        .description("The availability zone; changing it creates a new volume."),
                )
                .attribute(
                    Attribute::map("metadata", Type::String)
                        .optional()
                        .description("Key/value metadata, changed in place."),
                )
                .attribute(
                    Attribute::string("status")
                        .computed()
                        .description("Cinder's status, e.g. `available` or `in-use`."),
                )
                .attribute(
                    Attribute::list(
                        "attachments",
                        Type::object([
                            ("id", Type::String),
                            ("server_id", Type::String),
                            ("device", Type::String),
                        ]),
                    )
                    .computed()
                    .description("Where the volume is attached: `id` (the attachment), `server_id`, `device`."),
                )
                .block(timeouts()),
        )
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        match from_value::<VolumeModel>(config) {
            Ok(m) => check_sources(&m),
            Err(e) => Diagnostic::error("Invalid configuration", e.to_string()).into(),
        }
    }

    async fn modify_plan(&self, _ctx: &Ctx, change: &mut PlanChange) -> Result<(), Diagnostics> {
        if change.is_create() || change.is_destroy() {
            return Ok(());
        }
        let prior: VolumeModel = change.prior_as()?;
        let planned: VolumeModel = change.planned_as()?;
        // A replacement starts a new volume of any size.
        let replaced = !change.requires_replace.is_empty();
        if let (Some(&from), Some(&to)) = (prior.size.known(), planned.size.known())
            && to < from
            && !replaced
        {
            return Err(shrink_error(from, to));
        }
        Ok(())
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: VolumeModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let plan = VolumeModel { region, ..plan };
        let body = CreateVolume {
            size: plan.size.known().copied().unwrap_or(1),
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            volume_type: plan.volume_type.known().cloned(),
            availability_zone: plan.availability_zone.known().cloned(),
            image_ref: plan.image_id.known().cloned(),
            snapshot_id: plan.snapshot_id.known().cloned(),
            source_volid: plan.source_volume_id.known().cloned(),
            metadata: plan.metadata.known().cloned(),
        };
        let created = try_apply!(
            call(
                &ctx,
                "Cannot create volume",
                cinder::create_volume(&client, &body)
            )
            .await
        );
        // From here on the volume exists: every failure keeps it in state
        // (tainted) so nothing is orphaned.
        let id = created.id.clone();
        match wait_volume(
            &ctx,
            &client,
            &id,
            &["available"],
            "Volume did not become available",
        )
        .await
        {
            Ok(vol) => applied(&ctx, &from_api_keeping_type_id(&client, vol, &plan).await),
            Err(d) => {
                let state = match self.refresh(&ctx, &client, &id, &plan).await {
                    Ok(Some(m)) => m,
                    _ => VolumeModel::just_created(id, &plan),
                };
                partial(&ctx, &state, d)
            }
        }
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: VolumeModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(None);
        };
        let (client, region) = client_for(ctx, &prior.region)?;
        let prior = VolumeModel { region, ..prior };
        self.refresh(ctx, &client, &id, &prior)
            .await?
            .map(|m| ctx.to_value(&m))
            .transpose()
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let prior: VolumeModel = try_apply!(req.prior_as());
        let plan: VolumeModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Update));
        let (client, _) = try_apply!(client_for(&ctx, &plan.region));
        let id = prior.id.known().cloned().unwrap_or_default();
        let steps = async {
            let body = UpdateVolume {
                name: changed_nullable(&prior.name, &plan.name).map(Option::unwrap_or_default),
                description: changed_nullable(&prior.description, &plan.description)
                    .map(Option::unwrap_or_default),
                metadata: changed_nullable(&prior.metadata, &plan.metadata)
                    .map(Option::unwrap_or_default),
            };
            if body != UpdateVolume::default() {
                call(
                    &ctx,
                    "Cannot update volume",
                    cinder::update_volume(&client, &id, &body),
                )
                .await?;
            }
            let grow_to = match (prior.size.known(), plan.size.known()) {
                (Some(&from), Some(&to)) if to < from => return Err(shrink_error(from, to)),
                (Some(&from), Some(&to)) if to > from => Some(to),
                _ => None,
            };
            let retype_to = plan
                .volume_type
                .known()
                .filter(|&t| prior.volume_type.known() != Some(t));
            if grow_to.is_none() && retype_to.is_none() {
                return Ok(());
            }
            // Both actions return the volume to the status it had, which decides how to extend.
            let current = call(&ctx, "Cannot read volume", cinder::get_volume(&client, &id))
                .await?
                .ok_or_else(|| vanished(&id))?;
            if let Some(to) = grow_to {
                extend(&ctx, &client, &current, to).await?;
            }
            if let Some(new_type) = retype_to {
                retype(&ctx, &client, &current, new_type).await?;
            }
            Ok(())
        };
        let done: Result<(), Diagnostics> = steps.await;
        let refreshed = self.refresh(&ctx, &client, &id, &plan).await;
        match (done, refreshed) {
            (Ok(()), Ok(Some(m))) => applied(&ctx, &m),
            (Ok(()), Ok(None)) => ApplyResult::failed(vanished(&id)),
            (Err(d), Ok(Some(m))) => partial(&ctx, &m, d),
            (Err(mut d), Err(more)) => {
                d.extend(more);
                ApplyResult::failed(d)
            }
            (Err(d), Ok(None)) | (Ok(()), Err(d)) => ApplyResult::failed(d),
        }
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: VolumeModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        call(
            &ctx,
            "Cannot delete volume",
            cinder::delete_volume(&client, &id),
        )
        .await?;
        call(
            &ctx,
            "Volume was not deleted",
            cinder::wait_for_volume_deleted(
                &client,
                &id,
                wait_deadline(&ctx, DEFAULT_TIMEOUT),
                ctx.cancellation_token(),
            ),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn schema_is_valid() {
        assert!(VolumeResource.schema().validate().is_empty());
    }

    #[test]
    fn one_source_only() {
        let m = VolumeModel {
            image_id: Attr::Known("i".into()),
            snapshot_id: Attr::Unknown,
            ..Default::default()
        };
        let d = check_sources(&m);
        assert!(d.has_errors());
        let m = VolumeModel {
            image_id: Attr::Known("i".into()),
            ..Default::default()
        };
        assert!(!check_sources(&m).has_errors());
    }

    #[test]
    fn cinder_own_metadata_is_not_drift() {
        let api: BTreeMap<String, String> = [("attached_mode".to_owned(), "rw".to_owned())].into();
        assert_eq!(metadata_from_api(api.clone(), &Attr::Null), Attr::Null);
        let mine: BTreeMap<String, String> = [("a".to_owned(), "b".to_owned())].into();
        let mut both = api;
        both.extend(mine.clone());
        assert_eq!(
            metadata_from_api(both, &Attr::Known(mine.clone())),
            Attr::Known(mine)
        );
    }

    #[test]
    fn shrinking_names_size() {
        let d = shrink_error(2, 1);
        let diag = d.iter().next().unwrap();
        assert!(format!("{diag:?}").contains("size"));
    }
}
