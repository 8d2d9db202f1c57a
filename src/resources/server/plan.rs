//! `scs_server`'s plan: what an apply will change, in place where Nova can.

use std::collections::BTreeMap;

use scs_client::compute as nova;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, PlanChange};
use tfplugin::value::Attr;

use super::boot::{find_flavor, find_image, implicit_volume_boot, root_volume_size};
use super::model::ServerModel;
use super::networks::plan_networks;
use crate::support::{Cloud, call, client_for};

/// One of two attributes that name the same object (`*_id` / `*_name`): the
/// configured one is planned as written; the other keeps its recorded value
/// while the configured one is unchanged (a name is compared as a name, so an
/// image rotated under the same name is no change), else it is known after
/// apply.
fn plan_pair(
    config: (&Attr<String>, &Attr<String>),
    prior: (&Attr<String>, &Attr<String>),
) -> (Attr<String>, Attr<String>) {
    let (c_id, c_name) = config;
    let (p_id, p_name) = prior;
    if !c_name.is_null() {
        let id = if c_name.is_known() && c_name == p_name && p_id.is_known() {
            p_id.clone()
        } else {
            Attr::Unknown
        };
        return (id, c_name.clone());
    }
    if !c_id.is_null() {
        let name = if c_id.is_known() && c_id == p_id {
            p_name.clone()
        } else {
            Attr::Unknown
        };
        return (c_id.clone(), name);
    }
    (p_id.clone(), p_name.clone())
}

pub(crate) async fn modify(ctx: &Ctx, change: &mut PlanChange) -> Result<(), Diagnostics> {
    if change.is_destroy() {
        return Ok(());
    }
    let config: ServerModel = change.config_as()?;
    let mut planned: ServerModel = change.planned_as()?;
    let prior: Option<ServerModel> = if change.is_create() {
        None
    } else {
        Some(change.prior_as()?)
    };
    let p = prior.clone().unwrap_or_default();

    (planned.flavor_id, planned.flavor_name) = plan_pair(
        (&config.flavor_id, &config.flavor_name),
        (&p.flavor_id, &p.flavor_name),
    );
    (planned.image_id, planned.image_name) = plan_pair(
        (&config.image_id, &config.image_name),
        (&p.image_id, &p.image_name),
    );
    let prior_nics = p.network.known().cloned().unwrap_or_default();
    planned.network = match &config.network {
        Attr::Known(blocks) => Attr::Known(plan_networks(blocks, &prior_nics)),
        Attr::Null => Attr::Known(Vec::new()),
        Attr::Unknown => Attr::Unknown,
    };
    planned.all_metadata = match &planned.metadata {
        Attr::Known(m) => Attr::Known(m.clone()),
        Attr::Null => Attr::Known(BTreeMap::new()),
        Attr::Unknown => Attr::Unknown,
    };

    match &prior {
        None => plan_root_volume(ctx, &config, &mut planned).await?,
        Some(p) => {
            let image_changed =
                planned.image_id != p.image_id || planned.image_name != p.image_name;
            if image_changed
                && p.boots_from_volume()
                && let Some(reason) = volume_rebuild_refused(ctx, &config).await?
            {
                let attr = if config.image_name.is_null() {
                    "image_id"
                } else {
                    "image_name"
                };
                change.requires_replace.push(AttributePath::attr(attr));
                ctx.add_diagnostic(
                    Diagnostic::warning(
                        "The image change replaces the server",
                        format!(
                            "This server boots from a volume, and {reason}, so it cannot be rebuilt in place: a new server is created from the image (and a new root volume if the old one was deleted with the server)."
                        ),
                    )
                    .with_path(AttributePath::attr(attr)),
                );
            }
            if config.root_volume_size.is_null() {
                planned.root_volume_size = p.root_volume_size.clone();
            }
            if config.root_volume_type.is_null() {
                planned.root_volume_type = p.root_volume_type.clone();
            }
            planned.root_volume_id = p.root_volume_id.clone();
            let flavor_changed =
                planned.flavor_id != p.flavor_id || planned.flavor_name != p.flavor_name;
            let power_changed = planned.power_state != p.power_state;
            planned.status = if flavor_changed || image_changed || power_changed {
                Attr::Unknown
            } else {
                p.status.clone()
            };
            let nics_changed = planned.network != p.network;
            if nics_changed {
                planned.access_ip_v4 = Attr::Unknown;
                planned.access_ip_v6 = Attr::Unknown;
            } else {
                planned.access_ip_v4 = p.access_ip_v4.clone();
                planned.access_ip_v6 = p.access_ip_v6.clone();
            }
        }
    }
    change.planned = ctx.to_value(&planned)?;
    Ok(())
}

/// Why the cloud cannot rebuild a volume-backed server in place, if it
/// cannot: Nova re-images the root volume from microversion 2.93 on. The
/// plan asks the cloud's version document (read once per client); when the
/// provider cannot reach the cloud yet, the plan replaces.
async fn volume_rebuild_refused(
    ctx: &Ctx,
    config: &ServerModel,
) -> Result<Option<String>, Diagnostics> {
    let Ok((client, _)) = client_for(ctx, &config.region) else {
        return Ok(Some(
            "the provider is not configured yet, so the cloud's compute API version is unknown"
                .to_owned(),
        ));
    };
    let (supported, max) = call(
        ctx,
        "Cannot read the compute API's versions",
        nova::volume_backed_rebuild_support(&client),
    )
    .await?;
    Ok((!supported).then(|| {
        let max = max.map_or_else(|| "none".to_owned(), |m| m.to_string());
        format!(
            "the cloud's compute API offers microversions up to {max} (rebuilding a volume-backed server needs {})",
            nova::MV_REBUILD_VOLUME_BACKED
        )
    }))
}

/// On create: show in the plan whether the server boots from a new root
/// volume and how large it will be, and fail the plan when that size cannot
/// be known.
async fn plan_root_volume(
    ctx: &Ctx,
    config: &ServerModel,
    planned: &mut ServerModel,
) -> Result<(), Diagnostics> {
    let explicit = config.block_device.known().is_some_and(|b| !b.is_empty());
    if explicit {
        planned.root_volume_size = Attr::Null;
        planned.root_volume_type = Attr::Null;
        planned.root_volume_id = Attr::Null;
        return Ok(());
    }
    let unknown = |planned: &mut ServerModel| {
        if planned.root_volume_size.is_null() {
            planned.root_volume_size = Attr::Unknown;
        }
        if planned.root_volume_type.is_null() {
            planned.root_volume_type = Attr::Unknown;
        }
        planned.root_volume_id = Attr::Unknown;
    };
    let flavor_known = config.flavor_id.is_known() || config.flavor_name.is_known();
    let image_pending = config.image_id.is_unknown() || config.image_name.is_unknown();
    let Ok((client, _)) = client_for(ctx, &config.region) else {
        unknown(planned);
        return Ok(());
    };
    let cloud = Cloud::new(ctx, &client);
    if !flavor_known {
        unknown(planned);
        return Ok(());
    }
    let flavor = find_flavor(&cloud, &config.flavor_id, &config.flavor_name).await?;
    planned.flavor_id = Attr::Known(flavor.id.clone());
    if config.flavor_name.is_null() {
        planned.flavor_name = Attr::Known(flavor.name.clone());
    }
    if !implicit_volume_boot(
        flavor.disk,
        &config.root_volume_size,
        &config.root_volume_type,
    ) {
        planned.root_volume_size = Attr::Null;
        planned.root_volume_type = Attr::Null;
        planned.root_volume_id = Attr::Null;
        return Ok(());
    }
    if image_pending && config.root_volume_size.is_null() {
        unknown(planned);
        return Ok(());
    }
    let image = if image_pending {
        None
    } else {
        find_image(&cloud, &config.image_id, &config.image_name).await?
    };
    if image.is_none() && !image_pending {
        // Nothing to make the root volume from.
        root_volume_size(&flavor, None, None)?;
    }
    let size = root_volume_size(
        &flavor,
        config.root_volume_size.known().copied(),
        image.as_ref(),
    )?;
    planned.root_volume_size = Attr::Known(size as i64);
    if planned.root_volume_type.is_null() {
        planned.root_volume_type = Attr::Unknown;
    }
    planned.root_volume_id = Attr::Unknown;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotated_image_under_the_same_name_is_no_change() {
        // The state records the image the server was built from; the name
        // now points at a newer image, which only matters on rebuild.
        let planned = plan_pair(
            (&Attr::Null, &Attr::from("Ubuntu 24.04")),
            (&Attr::from("old-id"), &Attr::from("Ubuntu 24.04")),
        );
        assert_eq!(planned, (Attr::from("old-id"), Attr::from("Ubuntu 24.04")));
    }

    #[test]
    fn another_name_is_a_rebuild_with_the_id_known_after_apply() {
        let planned = plan_pair(
            (&Attr::Null, &Attr::from("Debian 12")),
            (&Attr::from("old-id"), &Attr::from("Ubuntu 24.04")),
        );
        assert_eq!(planned, (Attr::Unknown, Attr::from("Debian 12")));
    }

    #[test]
    fn by_id_the_name_follows() {
        assert_eq!(
            plan_pair(
                (&Attr::from("a"), &Attr::Null),
                (&Attr::from("a"), &Attr::from("A"))
            ),
            (Attr::from("a"), Attr::from("A"))
        );
        assert_eq!(
            plan_pair(
                (&Attr::from("b"), &Attr::Null),
                (&Attr::from("a"), &Attr::from("A"))
            ),
            (Attr::from("b"), Attr::Unknown)
        );
        assert_eq!(
            plan_pair((&Attr::Null, &Attr::Null), (&Attr::Null, &Attr::Null)),
            (Attr::Null, Attr::Null)
        );
    }
}
