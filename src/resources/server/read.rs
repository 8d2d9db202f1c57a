//! Reading a server back: its state as Nova, Neutron, Glance and Cinder show
//! it, keeping what only the configuration knows; after an import, also what
//! it boots from.

use scs_client::compute::{self as nova, Server};
use scs_client::image as glance;
use scs_client::volume as cinder;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::Ctx;
use tfplugin::value::{Attr, Value, from_value};

use super::boot::flavor_by_name;
use super::model::{BlockDevice, ServerModel};
use super::networks::{blocks_from_interfaces, network_names};
use super::status::gone;
use crate::support::Cloud;
use crate::support::{call, client_for};

/// The state for `server`, keeping what only configuration knows and
/// looking up what Nova does not say directly.
pub(super) async fn observe(
    cloud: &Cloud<'_>,
    server: &Server,
    prior: &ServerModel,
) -> Result<ServerModel, Diagnostics> {
    let import = prior.is_fresh_import();
    let mut m = prior.with_server(server);
    m.flavor_id = flavor_id_of(cloud, server, prior).await?;
    if let Some(image) = &server.image_id {
        m.image_id = Attr::Known(image.clone());
    }
    let mut ifaces = call(
        cloud.ctx,
        "Cannot read the server's interfaces",
        nova::list_server_interfaces(cloud, &server.id),
    )
    .await?;
    // Neutron's order is arbitrary; NICs no block asks for (all of them on
    // import) come in the order the server has them.
    nova::sort_in_server_order(&mut ifaces, server);
    let wanted = prior.network.known().cloned().unwrap_or_default();
    let names = network_names(cloud, &ifaces, &wanted).await?;
    m.network = Attr::Known(blocks_from_interfaces(&ifaces, &wanted, &names));
    m.fill_access_ips(server);
    if import {
        fill_boot_on_import(cloud, server, &mut m).await?;
    }
    Ok(m)
}

/// Nova (2.47+) shows the flavor by name only; the id is the recorded one
/// while the name is unchanged, else looked up.
async fn flavor_id_of(
    cloud: &Cloud<'_>,
    server: &Server,
    prior: &ServerModel,
) -> Result<Attr<String>, Diagnostics> {
    if let Some(id) = &server.flavor.id {
        return Ok(Attr::Known(id.clone()));
    }
    let Some(name) = &server.flavor.original_name else {
        return Ok(prior.flavor_id.clone());
    };
    if prior
        .flavor_name
        .known()
        .is_some_and(|n| server.flavor.answers_to(n))
        && prior.flavor_id.is_known()
    {
        return Ok(prior.flavor_id.clone());
    }
    Ok(match flavor_by_name(cloud, name).await? {
        Some(f) => Attr::Known(f.id),
        // The flavor was deleted since: keep what was recorded.
        None => prior.flavor_id.clone(),
    })
}

/// After `terraform import`: what the server boots from, in the shape a
/// configuration would most likely have written it. A boot volume made from
/// an image and deleted with the server is taken as this provider's implicit
/// root volume; any other boot volume as a `block_device` block.
async fn fill_boot_on_import(
    cloud: &Cloud<'_>,
    server: &Server,
    m: &mut ServerModel,
) -> Result<(), Diagnostics> {
    m.block_device = Attr::Known(Vec::new());
    m.root_volume_size = Attr::Null;
    m.root_volume_type = Attr::Null;
    m.root_volume_id = Attr::Null;
    if let Some(image) = &server.image_id {
        m.image_name = image_name(cloud, image).await?;
        return Ok(());
    }
    let attachments = call(
        cloud.ctx,
        "Cannot read the server's volumes",
        nova::list_volume_attachments(cloud, &server.id),
    )
    .await?;
    let Some(boot) = attachments.iter().min_by(|a, b| a.device.cmp(&b.device)) else {
        return Ok(());
    };
    let Some(volume) = call(
        cloud.ctx,
        "Cannot read the boot volume",
        cinder::get_volume(cloud, &boot.volume_id),
    )
    .await?
    else {
        return Ok(());
    };
    let deleted_with_server = server
        .volumes_attached
        .iter()
        .find(|v| v.id == volume.id)
        .and_then(|v| v.delete_on_termination)
        .unwrap_or(false);
    match volume.image_id().map(str::to_owned) {
        Some(image) if deleted_with_server => {
            m.root_volume_size = Attr::Known(volume.size as i64);
            m.root_volume_type = volume.volume_type.clone().map_or(Attr::Null, Attr::Known);
            m.root_volume_id = Attr::Known(volume.id.clone());
            m.image_name = image_name(cloud, &image).await?;
            m.image_id = Attr::Known(image);
        }
        _ => {
            m.block_device = Attr::Known(vec![BlockDevice {
                source_type: Attr::Known("volume".into()),
                uuid: Attr::Known(volume.id.clone()),
                volume_size: Attr::Known(volume.size as i64),
                volume_type: volume.volume_type.clone().map_or(Attr::Null, Attr::Known),
                boot_index: Attr::Known(0),
                delete_on_termination: Attr::Known(deleted_with_server),
            }]);
        }
    }
    Ok(())
}

async fn image_name(cloud: &Cloud<'_>, id: &str) -> Result<Attr<String>, Diagnostics> {
    let image = call(cloud.ctx, "Cannot read image", glance::get_image(cloud, id)).await?;
    Ok(image.map_or(Attr::Null, |i| Attr::Known(i.name)))
}

/// The server's state now, or an error when it vanished.
pub(super) async fn refreshed(
    cloud: &Cloud<'_>,
    id: &str,
    working: &ServerModel,
) -> Result<ServerModel, Diagnostics> {
    let server = call(cloud.ctx, "Cannot read server", nova::get_server(cloud, id))
        .await?
        .ok_or_else(|| gone("Server disappeared", id))?;
    observe(cloud, &server, working).await
}

/// The server's state, or `None` when it is gone.
pub(super) async fn read(ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
    let prior: ServerModel = from_value(&state)?;
    let Some(id) = prior.id.known().cloned() else {
        return Ok(None);
    };
    let (client, region) = client_for(ctx, &prior.region)?;
    let cloud = Cloud::new(ctx, &client);
    let prior = ServerModel { region, ..prior };
    let server = call(ctx, "Cannot read server", nova::get_server(&client, &id)).await?;
    let Some(server) = server.filter(|s| !matches!(s.status.as_str(), "DELETED" | "SOFT_DELETED"))
    else {
        return Ok(None);
    };
    let m = observe(&cloud, &server, &prior).await?;
    Ok(Some(ctx.to_value(&m)?))
}
