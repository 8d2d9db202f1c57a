//! What a server boots from: flavor and image look-ups, and the rule that
//! turns a diskless SCS flavor plus an image into boot from a new volume.

use scs_client::compute::{self as nova, BlockDeviceMapping, Flavor, FlavorRef};
use scs_client::image::{self as glance, Image};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::Attr;

use super::model::BlockDevice;
use crate::support::Cloud;
use crate::support::call;

fn not_found(attr: &str, what: String) -> Diagnostics {
    Diagnostic::error("Not found", what)
        .with_path(AttributePath::attr(attr))
        .into()
}

/// The flavor `flavor_id` or `flavor_name` names (SCS name variants
/// included).
pub(crate) async fn find_flavor(
    cloud: &Cloud<'_>,
    id: &Attr<String>,
    name: &Attr<String>,
) -> Result<Flavor, Diagnostics> {
    let (wanted, attr) = match (id.known(), name.known()) {
        (Some(id), _) => (FlavorRef::Id(id), "flavor_id"),
        (None, Some(name)) => (FlavorRef::Name(name), "flavor_name"),
        (None, None) => {
            return Err(
                Diagnostic::error("No flavor", "Set flavor_id or flavor_name.")
                    .with_path(AttributePath::attr("flavor_name"))
                    .into(),
            );
        }
    };
    call(
        cloud.ctx,
        "Cannot look up flavor",
        nova::find_flavor(cloud, wanted),
    )
    .await?
    .map_err(|e| {
        Diagnostic::error(e.summary(), e.to_string())
            .with_path(AttributePath::attr(attr))
            .into()
    })
}

/// The flavor called `name`; `None` when no single flavor is.
pub(crate) async fn flavor_by_name(
    cloud: &Cloud<'_>,
    name: &str,
) -> Result<Option<Flavor>, Diagnostics> {
    let found = call(
        cloud.ctx,
        "Cannot look up flavor",
        nova::find_flavor(cloud, FlavorRef::Name(name)),
    )
    .await?;
    Ok(found.ok())
}

/// The image `image_id` names, or the newest active image called
/// `image_name` (SCS rotates images under a stable name).
pub(crate) async fn find_image(
    cloud: &Cloud<'_>,
    id: &Attr<String>,
    name: &Attr<String>,
) -> Result<Option<Image>, Diagnostics> {
    if let Some(id) = id.known() {
        let found = call(cloud.ctx, "Cannot read image", glance::get_image(cloud, id)).await?;
        return found.map(Some).ok_or_else(|| {
            not_found(
                "image_id",
                format!("There is no image with id {id:?} visible to this project."),
            )
        });
    }
    let Some(name) = name.known() else {
        return Ok(None);
    };
    let found = call(
        cloud.ctx,
        "Cannot look up image",
        glance::list_images(cloud, &[("name", name), ("status", "active")]),
    )
    .await?;
    let newest = found.into_iter().max_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    newest.map(Some).ok_or_else(|| {
        not_found(
            "image_name",
            format!("There is no active image named {name:?} visible to this project."),
        )
    })
}

/// Whether a server without `block_device` blocks boots from a new volume:
/// always for a flavor without a root disk, and whenever the root volume's
/// size or type is asked for.
pub(crate) fn implicit_volume_boot(
    flavor_disk: u64,
    size: &Attr<i64>,
    volume_type: &Attr<String>,
) -> bool {
    flavor_disk == 0 || !size.is_null() || !volume_type.is_null()
}

/// The implicit root volume's size: `root_volume_size`, else the image's
/// `min_disk`.
pub(crate) fn root_volume_size(
    flavor: &Flavor,
    size: Option<i64>,
    image: Option<&Image>,
) -> Result<u64, Diagnostic> {
    if let Some(s) = size {
        return u64::try_from(s).ok().filter(|s| *s > 0).ok_or_else(|| {
            Diagnostic::error(
                "Invalid root volume size",
                format!("root_volume_size = {s} must be at least 1 (GiB)."),
            )
            .with_path(AttributePath::attr("root_volume_size"))
        });
    }
    match image {
        None => Err(Diagnostic::error(
            "Nothing to boot from",
            format!(
                "Flavor {:?} has no root disk, so the server boots from a volume: set image_id or image_name \
                 (the provider then creates the root volume from it), or describe the volumes in block_device blocks.",
                flavor.name
            ),
        )
        .with_path(AttributePath::attr("image_name"))),
        Some(img) if img.min_disk > 0 => Ok(img.min_disk),
        Some(img) => Err(Diagnostic::error(
            "Root volume size unknown",
            format!(
                "Flavor {:?} has no root disk, so the server boots from a new volume made from image {:?} ({}). \
                 Its size comes from root_volume_size or else from the image's min_disk, and neither is set \
                 (the image's min_disk is 0). Set root_volume_size.",
                flavor.name, img.name, img.id
            ),
        )
        .with_path(AttributePath::attr("root_volume_size"))),
    }
}

/// `block_device_mapping_v2` from the configured blocks.
pub(crate) fn mappings(blocks: &[BlockDevice]) -> Result<Vec<BlockDeviceMapping>, Diagnostics> {
    blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let path = AttributePath::attr("block_device").join_index(i as i64);
            let size = converted(&b.volume_size, &path, "volume_size", "Invalid volume size")?;
            let boot_index = converted(&b.boot_index, &path, "boot_index", "Invalid boot index")?;
            Ok(BlockDeviceMapping {
                source_type: b.source_type.known().cloned().unwrap_or_default(),
                destination_type: "volume".into(),
                uuid: b.uuid.known().cloned(),
                boot_index,
                volume_size: size,
                volume_type: b.volume_type.known().cloned(),
                delete_on_termination: b.delete_on_termination.known().copied(),
                ..Default::default()
            })
        })
        .collect()
}

/// A block's whole-number attribute as the type the API takes; a value that
/// does not fit is an error on that attribute.
fn converted<T: TryFrom<i64>>(
    value: &Attr<i64>,
    block: &AttributePath,
    name: &str,
    summary: &str,
) -> Result<Option<T>, Diagnostics> {
    value
        .known()
        .map(|&n| {
            T::try_from(n).map_err(|_| {
                Diagnostic::error(summary, format!("{name} = {n}"))
                    .with_path(block.clone().join_attr(name))
                    .into()
            })
        })
        .transpose()
}

/// Whether the blocks put the boot disk on a volume, so that Nova wants no
/// `imageRef`.
pub(crate) fn boots_from_block_device(blocks: &[BlockDevice]) -> bool {
    blocks.iter().any(|b| b.boot_index.known() == Some(&0))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A flavor without a root disk: its servers boot from a volume.
    fn diskless_flavor() -> Flavor {
        Flavor {
            id: "f".into(),
            name: "SCS-2V-4".into(),
            ..Default::default()
        }
    }

    fn image(min_disk: u64) -> Image {
        Image {
            id: "i".into(),
            name: "Ubuntu 24.04".into(),
            min_disk,
            ..Default::default()
        }
    }

    #[test]
    fn diskless_flavors_boot_from_volume() {
        assert!(implicit_volume_boot(0, &Attr::Null, &Attr::Null));
        assert!(!implicit_volume_boot(20, &Attr::Null, &Attr::Null));
        assert!(implicit_volume_boot(20, &Attr::Known(30), &Attr::Null));
    }

    #[test]
    fn root_volume_size_from_setting_or_image() {
        assert_eq!(
            root_volume_size(&diskless_flavor(), Some(12), Some(&image(8))).unwrap(),
            12
        );
        assert_eq!(
            root_volume_size(&diskless_flavor(), None, Some(&image(8))).unwrap(),
            8
        );
        let neither = root_volume_size(&diskless_flavor(), None, Some(&image(0))).unwrap_err();
        assert!(neither.detail.contains("root_volume_size") && neither.detail.contains("min_disk"));
        assert!(root_volume_size(&diskless_flavor(), None, None).is_err());
        assert!(root_volume_size(&diskless_flavor(), Some(0), None).is_err());
    }
}
