//! `scs_volume`: a Cinder volume, grown and retyped in place, never shrunk.

use std::collections::BTreeMap;

use async_trait::async_trait;
use scs_client::Client;
use scs_client::volume::{self as cinder, CreateVolume, UpdateVolume, Volume};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, PlanChange};
use tfplugin::model::Timeouts;
use tfplugin::schema::validators::int_between;
use tfplugin::value::Attr;

use crate::lifecycle::{Change, CloudObject, Found, Plan, Step};
use crate::support::Cloud;
use crate::support::schema::{description, name, region};
use crate::support::{OWNER_KEY, OWNER_VALUE, attr_of, call, string_from_api};

pub struct VolumeResource;

#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachmentModel {
    id: Attr<String>,
    server_id: Attr<String>,
    device: Attr<String>,
}

/// A Cinder block storage volume.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[tf(conflicts_with(image_id, snapshot_id, source_volume_id))]
pub struct VolumeModel {
    /// The volume's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    #[tf(schema = name("The volume's name, changed in place."))]
    name: Attr<String>,
    #[tf(schema = description("Free text describing the volume, changed in place."))]
    description: Attr<String>,
    /// Size in GiB. Increasing it extends the volume in place, and the apply waits until the volume
    /// is back to its status (`available` or `in-use`); decreasing it is a plan error on `size`.
    ///
    /// A detached volume is extended with the base API. An attached volume is extended online,
    /// which needs block storage microversion 3.42: on an older cloud the apply fails before
    /// sending anything, with an error naming that microversion. Online extension also needs a
    /// backend that can do it: Cinder's NFS driver (as in OpenStack Zed, e.g. the local test cloud)
    /// cannot, and Cinder then puts the volume into `error_extending`. The apply fails with
    /// Cinder's message ("Volume Driver failed to extend volume") and an explanation; the volume
    /// stays attached, but only the cloud's operator can reset its status. On such clouds detach
    /// the volume, grow it, and attach it again.
    #[tf(required, validator = int_between(1, 1 << 40))]
    size: Attr<u64>,
    /// The volume type, by name or ID (see the cloud's scs-0114 type descriptions, e.g.
    /// `[scs:encrypted]`). Defaults to the cloud's default type, whose name is then recorded.
    ///
    /// Changing it retypes the volume in place (Cinder's `os-retype` with migration policy
    /// `on-demand`): when the backend cannot change the type itself, Cinder copies the data to a
    /// new volume of the new type, keeping the volume's ID; for an attached volume Nova then
    /// switches the server over to the copy and the attachment stays. The apply waits until the
    /// volume is back to its previous status (`available` or `in-use`) with the new type.
    ///
    /// Cinder refuses some retypes at once (for example one that changes encryption of an attached
    /// volume) and the apply shows its message; when a retype fails later, Cinder only puts the
    /// volume back with its old type, and the apply says so. Retyping copies the whole volume when
    /// it migrates, which takes time for large volumes: raise the `update` timeout accordingly.
    /// Verified on the local test cloud (Zed, NFS backend) between `__DEFAULT__` and `replicated`,
    /// detached and attached.
    #[tf(optional, computed, use_state_for_unknown)]
    volume_type: Attr<String>,
    /// Create the volume from this image. At most one of `image_id`, `snapshot_id` and
    /// `source_volume_id` may be set.
    #[tf(optional, requires_replace)]
    image_id: Attr<String>,
    /// Create the volume from this snapshot. At most one of `image_id`, `snapshot_id` and
    /// `source_volume_id` may be set.
    #[tf(optional, requires_replace)]
    snapshot_id: Attr<String>,
    /// Create the volume as a clone of this volume. At most one of `image_id`, `snapshot_id` and
    /// `source_volume_id` may be set.
    #[tf(optional, requires_replace)]
    source_volume_id: Attr<String>,
    /// The availability zone. Defaults to the cloud's choice, which is then recorded.
    #[tf(optional, computed, requires_replace, use_state_for_unknown)]
    availability_zone: Attr<String>,
    /// A map of strings, changed in place. Keys Cinder adds by itself to attached volumes
    /// (`attached_mode`, `readonly`) are ignored unless configured.
    #[tf(optional)]
    metadata: Attr<BTreeMap<String, String>>,
    /// Cinder's status (`available`, `in-use`, `error`, ...).
    #[tf(computed)]
    status: Attr<String>,
    /// Where the volume is attached, a list of objects with `id` (the attachment's ID), `server_id`
    /// and `device`.
    #[tf(computed)]
    attachments: Attr<Vec<AttachmentModel>>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

/// Keys Cinder adds to the metadata of attached volumes by itself, and the provider's owner mark.
const NOT_CONFIGURED_METADATA: [&str; 3] = ["attached_mode", "readonly", OWNER_KEY];

fn metadata_from_api(
    mut api: BTreeMap<String, String>,
    prior: &Attr<BTreeMap<String, String>>,
) -> Attr<BTreeMap<String, String>> {
    let configured = prior.known();
    api.retain(|k, _| {
        !NOT_CONFIGURED_METADATA.contains(&k.as_str())
            || configured.is_some_and(|p| p.contains_key(k))
    });
    if api.is_empty() && !configured.is_some_and(BTreeMap::is_empty) {
        Attr::Null
    } else {
        Attr::Known(api)
    }
}

/// The metadata a volume should carry: the configured keys and the owner mark (Cinder replaces
/// the whole set on every update, so the mark goes with each one).
fn with_owner_mark(configured: Option<&BTreeMap<String, String>>) -> BTreeMap<String, String> {
    let mut all = configured.cloned().unwrap_or_default();
    all.insert(OWNER_KEY.to_owned(), OWNER_VALUE.to_owned());
    all
}

/// Waits until the volume has one of the `wanted` statuses; an error status
/// fails with Cinder's own explanation (its latest user message).
pub(crate) async fn wait_volume(
    cloud: &Cloud<'_>,
    id: &str,
    wanted: &[&str],
    summary: &str,
) -> Result<Volume, Diagnostics> {
    let budget = cloud.budget();
    call(
        cloud.ctx,
        summary,
        cinder::wait_for_volume(cloud, id, wanted, budget.deadline, &budget.cancel),
    )
    .await
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
async fn extend(cloud: &Cloud<'_>, vol: &Volume, to: u64) -> Result<(), Diagnostics> {
    let attached = vol.status == "in-use";
    let request = if attached {
        call(
            cloud.ctx,
            "Cannot extend attached volume",
            cinder::extend_attached_volume(cloud, &vol.id, to),
        )
        .await
    } else {
        call(
            cloud.ctx,
            "Cannot extend volume",
            cinder::extend_volume(cloud, &vol.id, to),
        )
        .await
    };
    request?;
    let waited = wait_volume(
        cloud,
        &vol.id,
        &[vol.status.as_str()],
        "Volume extension did not finish",
    )
    .await;
    match waited {
        Err(d) if attached => Err(with_online_extend_hint(cloud, &vol.id, d).await),
        other => other.map(|_| ()),
    }
}

/// Cinder only says that its driver failed; the likely reason and the way out are ours to give.
async fn with_online_extend_hint(cloud: &Cloud<'_>, id: &str, mut d: Diagnostics) -> Diagnostics {
    let stuck = matches!(
        call(cloud.ctx, "Cannot read volume", cinder::get_volume(cloud, id)).await,
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
async fn retype(cloud: &Cloud<'_>, vol: &Volume, new_type: &str) -> Result<(), Diagnostics> {
    let found = call(
        cloud.ctx,
        "Cannot read volume types",
        cinder::find_volume_type(cloud, new_type),
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
        cloud.ctx,
        "Cannot change the volume type",
        cinder::retype_volume(cloud, &vol.id, new_type, cinder::MigrationPolicy::OnDemand),
    )
    .await?;
    call(
        cloud.ctx,
        "Volume type change did not finish",
        cinder::wait_for_retype(
            cloud,
            &vol.id,
            &found.name,
            &vol.status,
            cloud.budget().deadline,
            cloud.ctx.cancellation_token(),
        ),
    )
    .await
    .map(|_| ())
}

/// Cinder reports the type by name; a type configured by ID stays as written
/// when it is that type, so the plan does not see a change.
async fn keep_type_id(client: &Client, mut model: VolumeModel, prior: &VolumeModel) -> VolumeModel {
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
impl CloudObject for VolumeResource {
    type Model = VolumeModel;
    type Api = Volume;
    const TYPE_NAME: &'static str = "scs_volume";

    fn state_from(&self, vol: Volume, prior: &VolumeModel) -> VolumeModel {
        VolumeModel {
            // First: it reads the volume that the other fields take apart.
            image_id: attr_of(vol.image_id().map(str::to_owned)),
            name: string_from_api(vol.name, &prior.name),
            description: string_from_api(vol.description, &prior.description),
            size: Attr::Known(vol.size),
            volume_type: attr_of(vol.volume_type),
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
            ..Default::default()
        }
    }

    async fn complete(&self, found: Found<'_, VolumeModel>) -> Step<VolumeModel> {
        Ok(keep_type_id(found.cloud, found.state, found.prior).await)
    }

    async fn modify_plan(&self, _ctx: &Ctx, change: &mut PlanChange) -> Result<(), Diagnostics> {
        if change.is_create() {
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

    fn create_body(&self, plan: Plan<'_, VolumeModel>) -> Step<CreateVolume> {
        Ok(CreateVolume {
            size: plan.size.known().copied().unwrap_or(1),
            name: plan.name.known().cloned(),
            description: plan.description.known().cloned(),
            volume_type: plan.volume_type.known().cloned(),
            availability_zone: plan.availability_zone.known().cloned(),
            image_ref: plan.image_id.known().cloned(),
            snapshot_id: plan.snapshot_id.known().cloned(),
            source_volid: plan.source_volume_id.known().cloned(),
            metadata: Some(with_owner_mark(plan.metadata.known())),
        })
    }

    async fn settle(&self, created: Volume, plan: Plan<'_, VolumeModel>) -> Step<Volume> {
        Ok(wait_volume(
            plan.cloud,
            &created.id,
            &["available"],
            "Volume did not become available",
        )
        .await?)
    }

    fn update_body(&self, change: Change<'_, VolumeModel>) -> Step<UpdateVolume> {
        Ok(UpdateVolume {
            name: change.changed_or_cleared(|m| &m.name),
            description: change.changed_or_cleared(|m| &m.description),
            metadata: change
                .changed_or_cleared(|m| &m.metadata)
                .map(|m| with_owner_mark(Some(&m))),
        })
    }

    /// Grows and retypes in place; both return the volume to the status it
    /// had, which decides how to extend.
    async fn update_actions(&self, change: Change<'_, VolumeModel>) -> Step<bool> {
        let grow_to = match (change.prior.size.known(), change.size.known()) {
            (Some(&from), Some(&to)) if to < from => return Err(shrink_error(from, to).into()),
            (Some(&from), Some(&to)) if to > from => Some(to),
            _ => None,
        };
        let retype_to = change
            .volume_type
            .known()
            .filter(|&t| change.prior.volume_type.known() != Some(t));
        if grow_to.is_none() && retype_to.is_none() {
            return Ok(false);
        }
        let current = cinder::get_volume(change.cloud, change.id)
            .await?
            .ok_or_else(|| vanished(change.id))?;
        if let Some(to) = grow_to {
            extend(change.cloud, &current, to).await?;
        }
        if let Some(new_type) = retype_to {
            retype(change.cloud, &current, new_type).await?;
        }
        Ok(true)
    }

    async fn delete(&self, cloud: &Cloud<'_>, id: &str, _: &VolumeModel) -> Step<()> {
        cinder::delete_volume(cloud, id).await?;
        let budget = cloud.budget();
        Ok(cinder::wait_for_volume_deleted(cloud, id, budget.deadline, &budget.cancel).await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
