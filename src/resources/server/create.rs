//! Creating a server: what it boots from, its NICs, then waiting until it
//! is ACTIVE (and stopped if asked for).

use scs_client::compute::{
    self as nova, BlockDeviceMapping, CreateServer, NamedSecurityGroup, SchedulerHints,
    ServerNetworks,
};
use scs_client::volume as cinder;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx};
use tfplugin::schema::TimeoutKind;
use tfplugin::value::Attr;

use super::boot::{
    boots_from_block_device, find_flavor, find_image, implicit_volume_boot, mappings,
    root_volume_size,
};
use super::model::{SHUTOFF, ServerModel};
use super::networks::nic_request;
use super::outcome::try_apply;
use super::outcome::{applied, partial};
use super::read::refreshed;
use super::server_ctx;
use super::status::{set_power, wait_status};
use crate::support::{Cloud, call, client_for, with_owner_tag};

pub(super) async fn create(ctx: &Ctx, req: &CreateRequest) -> ApplyResult {
    let plan: ServerModel = try_apply!(req.planned_as());
    let config: ServerModel = try_apply!(req.config_as());
    let ctx = try_apply!(server_ctx(ctx, &req.planned, TimeoutKind::Create));
    let (client, region) = try_apply!(client_for(&ctx, &plan.region));
    let cloud = Cloud::new(&ctx, &client);
    let mut state = ServerModel {
        region,
        ..plan.clone()
    };
    let flavor = try_apply!(find_flavor(&cloud, &plan.flavor_id, &plan.flavor_name).await);
    state.flavor_id = Attr::Known(flavor.id.clone());
    if !plan.flavor_name.is_known() {
        state.flavor_name = Attr::Known(flavor.name.clone());
    }
    let image = try_apply!(find_image(&cloud, &plan.image_id, &plan.image_name).await);
    if let Some(img) = &image {
        state.image_id = Attr::Known(img.id.clone());
        if !state.image_name.is_known() {
            state.image_name = Attr::Known(img.name.clone());
        }
    }
    let blocks = plan.block_device.known().cloned().unwrap_or_default();
    let image_ref = image.as_ref().map(|i| i.id.clone());
    let (bdm, image_ref): (Option<Vec<BlockDeviceMapping>>, Option<String>) = if !blocks.is_empty()
    {
        let boot_volume = boots_from_block_device(&blocks);
        (
            Some(try_apply!(mappings(&blocks))),
            if boot_volume { None } else { image_ref },
        )
    } else if implicit_volume_boot(
        flavor.disk,
        &config.root_volume_size,
        &config.root_volume_type,
    ) {
        let size = try_apply!(
            root_volume_size(
                &flavor,
                plan.root_volume_size.known().copied(),
                image.as_ref()
            )
            .map_err(Diagnostics::from)
        );
        state.root_volume_size = Attr::Known(size as i64);
        let image_id = image_ref.unwrap_or_default();
        (
            Some(vec![BlockDeviceMapping::boot_volume_from_image(
                &image_id,
                size,
                config.root_volume_type.known().cloned(),
                true,
            )]),
            None,
        )
    } else {
        state.root_volume_size = Attr::Null;
        state.root_volume_type = Attr::Null;
        state.root_volume_id = Attr::Null;
        (None, image_ref)
    };
    let nics = plan.network.known().cloned().unwrap_or_default();
    let mut requested = Vec::new();
    for (i, nic) in nics.iter().enumerate() {
        requested.push(try_apply!(nic_request(&cloud, nic, i).await));
    }
    let body = CreateServer {
        name: plan.name.known().cloned().unwrap_or_default(),
        flavor_ref: flavor.id.clone(),
        image_ref,
        networks: if requested.is_empty() {
            ServerNetworks::None
        } else {
            ServerNetworks::List(requested)
        },
        key_name: plan.key_pair.known().cloned(),
        security_groups: plan.security_groups.known().map(|groups| {
            groups
                .iter()
                .map(|name| NamedSecurityGroup { name: name.clone() })
                .collect()
        }),
        // Write-only user data is only ever in the configuration.
        user_data: config
            .user_data
            .known()
            .or(config.user_data_wo.known())
            .cloned(),
        metadata: plan.metadata.known().cloned(),
        availability_zone: plan.availability_zone.known().cloned(),
        config_drive: plan.config_drive.known().copied(),
        block_device_mapping_v2: bdm,
        tags: Some(with_owner_tag(plan.tags.known().map_or(&[], Vec::as_slice))),
        scheduler_hints: plan.server_group_id.known().map(|g| SchedulerHints {
            group: Some(g.clone()),
        }),
        ..Default::default()
    };
    let created = try_apply!(
        call(
            &ctx,
            "Cannot create server",
            nova::create_server(&client, &body)
        )
        .await
    );
    let id = created.id.clone();
    state.id = Attr::Known(id.clone());
    // From here on the server exists: every failure returns it so
    // Terraform records it (tainted) instead of orphaning it.
    let server = match wait_status(&cloud, &id, &["ACTIVE"], "Server did not become ACTIVE").await {
        Ok(s) => s,
        Err(d) => return partial(&ctx, &state, d),
    };
    if let Some(root) = state
        .root_volume_size
        .known()
        .and(server.volumes_attached.first())
    {
        state.root_volume_id = Attr::Known(root.id.clone());
        match call(
            &ctx,
            "Cannot read the root volume",
            cinder::get_volume(&client, &root.id),
        )
        .await
        {
            Ok(v) => {
                state.root_volume_type = v
                    .and_then(|v| v.volume_type)
                    .map_or(Attr::Null, Attr::Known);
            }
            Err(d) => return partial(&ctx, &state, d),
        }
    }
    if plan.power_state.known().map(String::as_str) == Some(SHUTOFF)
        && let Err(d) = set_power(&cloud, &id, SHUTOFF).await
    {
        return partial(&ctx, &state, d);
    }
    match refreshed(&cloud, &id, &state).await {
        Ok(m) => applied(&ctx, &m),
        Err(d) => partial(&ctx, &state, d),
    }
}
