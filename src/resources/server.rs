//! `scs_server`: a Nova server, with its NICs, boot volume and power state.
//!
//! Submodules: `model` (typed state), `plan` (what an apply changes),
//! `networks` (NIC matching), `attach` (NICs attached and detached in place),
//! `boot` (flavor/image look-ups and implicit boot from volume for diskless SCS
//! flavors).

mod attach;
mod boot;
mod model;
mod networks;
mod plan;

use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use scs_client::Client;
use scs_client::compute::{
    self as nova, BlockDeviceMapping, CreateServer, NamedSecurityGroup, RebuildServer,
    SchedulerHints, Server, ServerNetworks, UpdateServer,
};
use scs_client::image as glance;
use scs_client::volume as cinder;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, PlanChange, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema, TimeoutKind, Timeouts, validators};
use tfplugin::value::{Attr, Type, Value, from_value};

use self::boot::{
    boots_from_block_device, find_flavor, find_image, flavor_by_name, implicit_volume_boot,
    mappings, root_volume_size,
};
use self::model::{ACTIVE, BlockDevice, SHUTOFF, ServerModel};
use self::networks::{blocks_from_interfaces, network_names, nic_request};
use super::shared::{
    applied, call, changed_tags, client_for, id_attribute, partial, region_attribute,
    tags_attribute, timeouts, wait_deadline,
};
use crate::try_apply;

pub struct ServerResource;

/// Create, update and delete of a server default to 30 minutes: boot from
/// volume and resize copy disks.
const SERVER_TIMEOUT: Duration = Duration::from_secs(30 * 60);

fn server_ctx(ctx: &Ctx, object: &Value, kind: TimeoutKind) -> Result<Ctx, Diagnostics> {
    let t = Timeouts::from_resource(object)?;
    let limit = match kind {
        TimeoutKind::Create => t.create_or(SERVER_TIMEOUT),
        TimeoutKind::Read => t.read_or(SERVER_TIMEOUT),
        TimeoutKind::Update => t.update_or(SERVER_TIMEOUT),
        TimeoutKind::Delete => t.delete_or(SERVER_TIMEOUT),
    };
    Ok(ctx.with_timeout(limit))
}

/// Waits until the server has one of the `wanted` statuses; ERROR ends the
/// wait with Nova's fault message.
async fn wait_status(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    wanted: &[&str],
    summary: &str,
) -> Result<Server, Diagnostics> {
    call(
        ctx,
        summary,
        nova::wait_for_server(
            client,
            id,
            wanted,
            wait_deadline(ctx, SERVER_TIMEOUT),
            ctx.cancellation_token(),
        ),
    )
    .await
}

fn gone(summary: &str, id: &str) -> Diagnostics {
    Diagnostic::error(summary, format!("server {id} no longer exists")).into()
}

/// The state for `server`, keeping what only configuration knows and
/// looking up what Nova does not say directly.
async fn observe(
    ctx: &Ctx,
    client: &Client,
    server: &Server,
    prior: &ServerModel,
) -> Result<ServerModel, Diagnostics> {
    let import = prior.is_fresh_import();
    let mut m = prior.with_server(server);
    m.flavor_id = flavor_id_of(ctx, client, server, prior).await?;
    if let Some(image) = &server.image_id {
        m.image_id = Attr::Known(image.clone());
    }
    let mut ifaces = call(
        ctx,
        "Cannot read the server's interfaces",
        nova::list_server_interfaces(client, &server.id),
    )
    .await?;
    // Neutron's order is arbitrary; NICs no block asks for (all of them on
    // import) come in the order the server has them.
    nova::sort_in_server_order(&mut ifaces, server);
    let wanted = prior.network.known().cloned().unwrap_or_default();
    let names = network_names(ctx, client, &ifaces, &wanted).await?;
    m.network = Attr::Known(blocks_from_interfaces(&ifaces, &wanted, &names));
    m.fill_access_ips(server);
    if import {
        fill_boot_on_import(ctx, client, server, &mut m).await?;
    }
    Ok(m)
}

/// Nova (2.47+) shows the flavor by name only; the id is the recorded one
/// while the name is unchanged, else looked up.
async fn flavor_id_of(
    ctx: &Ctx,
    client: &Client,
    server: &Server,
    prior: &ServerModel,
) -> Result<Attr<String>, Diagnostics> {
    if let Some(id) = &server.flavor.id {
        return Ok(Attr::Known(id.clone()));
    }
    let Some(name) = &server.flavor.original_name else {
        return Ok(prior.flavor_id.clone());
    };
    if prior.flavor_name.known() == Some(name) && prior.flavor_id.is_known() {
        return Ok(prior.flavor_id.clone());
    }
    Ok(match flavor_by_name(ctx, client, name).await? {
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
    ctx: &Ctx,
    client: &Client,
    server: &Server,
    m: &mut ServerModel,
) -> Result<(), Diagnostics> {
    m.block_device = Attr::Known(Vec::new());
    m.root_volume_size = Attr::Null;
    m.root_volume_type = Attr::Null;
    m.root_volume_id = Attr::Null;
    if let Some(image) = &server.image_id {
        m.image_name = image_name(ctx, client, image).await?;
        return Ok(());
    }
    let attachments = call(
        ctx,
        "Cannot read the server's volumes",
        nova::list_volume_attachments(client, &server.id),
    )
    .await?;
    let Some(boot) = attachments.iter().min_by(|a, b| a.device.cmp(&b.device)) else {
        return Ok(());
    };
    let Some(volume) = call(
        ctx,
        "Cannot read the boot volume",
        cinder::get_volume(client, &boot.volume_id),
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
            m.image_name = image_name(ctx, client, &image).await?;
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

async fn image_name(ctx: &Ctx, client: &Client, id: &str) -> Result<Attr<String>, Diagnostics> {
    let image = call(ctx, "Cannot read image", glance::get_image(client, id)).await?;
    Ok(image.map_or(Attr::Null, |i| Attr::Known(i.name)))
}

/// The server's state now, or an error when it vanished.
async fn refreshed(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    working: &ServerModel,
) -> Result<ServerModel, Diagnostics> {
    let server = call(ctx, "Cannot read server", nova::get_server(client, id))
        .await?
        .ok_or_else(|| gone("Server disappeared", id))?;
    observe(ctx, client, &server, working).await
}

fn validate_config(config: &ServerModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    let both = |a: &Attr<String>, b: &Attr<String>| !a.is_null() && !b.is_null();
    if both(&config.flavor_id, &config.flavor_name) {
        d.error_at(
            AttributePath::attr("flavor_name"),
            "Conflicting arguments",
            "Set flavor_id or flavor_name, not both.",
        );
    }
    if config.flavor_id.is_null() && config.flavor_name.is_null() {
        d.error_at(
            AttributePath::attr("flavor_name"),
            "Missing flavor",
            "Set flavor_id or flavor_name.",
        );
    }
    if both(&config.image_id, &config.image_name) {
        d.error_at(
            AttributePath::attr("image_name"),
            "Conflicting arguments",
            "Set image_id or image_name, not both.",
        );
    }
    let blocks = config.block_device.known().cloned().unwrap_or_default();
    if config.image_id.is_null()
        && config.image_name.is_null()
        && config.block_device.is_known()
        && blocks.is_empty()
    {
        d.error_at(
            AttributePath::attr("image_name"),
            "Nothing to boot from",
            "Set image_id or image_name, or describe the boot volume in block_device blocks.",
        );
    }
    if !blocks.is_empty() {
        for attr in ["root_volume_size", "root_volume_type"] {
            let set = match attr {
                "root_volume_size" => !config.root_volume_size.is_null(),
                _ => !config.root_volume_type.is_null(),
            };
            if set {
                d.error_at(
                    AttributePath::attr(attr),
                    "Conflicting arguments",
                    format!("{attr} describes the implicit root volume; with block_device blocks, give the boot block its volume_size/volume_type instead."),
                );
            }
        }
    }
    for (i, b) in blocks.iter().enumerate() {
        let path = AttributePath::attr("block_device").join_index(i as i64);
        let source = b.source_type.known().map(String::as_str);
        if matches!(source, Some("image" | "volume")) && b.uuid.is_null() {
            d.error_at(
                path.clone().join_attr("uuid"),
                "Missing uuid",
                "A block device from an image or a volume needs its uuid.",
            );
        }
        if matches!(source, Some("image" | "blank")) && b.volume_size.is_null() {
            d.error_at(
                path.join_attr("volume_size"),
                "Missing volume_size",
                "A new volume (source image or blank) needs volume_size in GiB.",
            );
        }
    }
    for (i, n) in config
        .network
        .known()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let path = AttributePath::attr("network").join_index(i as i64);
        let given = [&n.uuid, &n.name, &n.port]
            .iter()
            .filter(|a| !a.is_null())
            .count();
        if given != 1 {
            d.error_at(
                path.clone(),
                "Network block needs exactly one network",
                "Set exactly one of uuid, name or port in each network block.",
            );
        }
        if !n.port.is_null() && !n.fixed_ip_v4.is_null() {
            d.error_at(
                path.join_attr("fixed_ip_v4"),
                "Conflicting arguments",
                "A network block with a port takes the port's address; set fixed_ip_v4 on the port instead.",
            );
        }
    }
    d
}

fn schema() -> Schema {
    let network = Block::new()
        .description("A NIC. Adding or removing a block attaches or detaches a NIC in place.")
        .attribute(
            Attribute::string("uuid")
                .optional()
                .computed()
                .description("The network's ID."),
        )
        .attribute(
            Attribute::string("name")
                .optional()
                .computed()
                .description("The network's name."),
        )
        .attribute(
            Attribute::string("port")
                .optional()
                .computed()
                .description("A port to attach (ID); computed for NICs on a network."),
        )
        .attribute(
            Attribute::string("fixed_ip_v4")
                .optional()
                .computed()
                .description("The NIC's IPv4 address; optionally fixed."),
        )
        .attribute(
            Attribute::string("fixed_ip_v6")
                .computed()
                .description("The NIC's IPv6 address, if any."),
        )
        .attribute(
            Attribute::string("mac")
                .computed()
                .description("The NIC's MAC address."),
        );
    let block_device = Block::new()
        .description("A volume mapped at boot (boot from volume). Any change replaces the server.")
        .attribute(
            Attribute::string("source_type")
                .required()
                .validator(validators::one_of(&["image", "volume", "blank"])),
        )
        .attribute(
            Attribute::string("uuid")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(
            Attribute::number("volume_size")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(
            Attribute::string("volume_type")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(
            Attribute::number("boot_index")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(Attribute::bool("delete_on_termination").default(false));
    Schema::new(
        Block::new()
            .description("A Nova server (virtual machine).")
            .attribute(id_attribute("server"))
            .attribute(region_attribute())
            .attribute(
                Attribute::string("name")
                    .required()
                    .description("The server's name."),
            )
            .attribute(Attribute::string("flavor_id").optional().computed())
            .attribute(Attribute::string("flavor_name").optional().computed())
            .attribute(Attribute::string("image_id").optional().computed())
            .attribute(Attribute::string("image_name").optional().computed())
            .attribute(Attribute::string("key_pair").optional().requires_replace())
            .attribute(
                Attribute::set("security_groups", Type::String)
                    .optional()
                    .computed()
                    .use_state_for_unknown(),
            )
            .attribute(
                Attribute::string("user_data")
                    .optional()
                    .sensitive()
                    .requires_replace(),
            )
            .attribute(Attribute::map("metadata", Type::String).optional())
            .attribute(tags_attribute())
            .attribute(
                Attribute::string("availability_zone")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .requires_replace(),
            )
            .attribute(
                Attribute::string("server_group_id")
                    .optional()
                    .requires_replace(),
            )
            .attribute(
                Attribute::bool("config_drive")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .requires_replace(),
            )
            .attribute(
                Attribute::string("power_state")
                    .default(ACTIVE)
                    .validator(validators::one_of(&[ACTIVE, SHUTOFF])),
            )
            .attribute(Attribute::bool("stop_before_destroy").default(false))
            .attribute(
                Attribute::number("root_volume_size")
                    .optional()
                    .computed()
                    .requires_replace(),
            )
            .attribute(
                Attribute::string("root_volume_type")
                    .optional()
                    .computed()
                    .requires_replace(),
            )
            .attribute(Attribute::string("root_volume_id").computed())
            .attribute(Attribute::string("access_ip_v4").computed())
            .attribute(Attribute::string("access_ip_v6").computed())
            .attribute(Attribute::string("status").computed())
            .attribute(Attribute::map("all_metadata", Type::String).computed())
            .block(NestedBlock::list("network", network))
            .block(NestedBlock::list("block_device", block_device).requires_replace())
            .block(timeouts()),
    )
}

impl ServerResource {
    async fn create_server(&self, ctx: &Ctx, req: &CreateRequest) -> ApplyResult {
        let plan: ServerModel = try_apply!(req.planned_as());
        let config: ServerModel = try_apply!(req.config_as());
        let ctx = try_apply!(server_ctx(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let mut state = ServerModel {
            region,
            ..plan.clone()
        };
        let flavor =
            try_apply!(find_flavor(&ctx, &client, &plan.flavor_id, &plan.flavor_name).await);
        state.flavor_id = Attr::Known(flavor.id.clone());
        state.flavor_name = Attr::Known(flavor.name.clone());
        let image = try_apply!(find_image(&ctx, &client, &plan.image_id, &plan.image_name).await);
        if let Some(img) = &image {
            state.image_id = Attr::Known(img.id.clone());
            if !state.image_name.is_known() {
                state.image_name = Attr::Known(img.name.clone());
            }
        }
        let blocks = plan.block_device.known().cloned().unwrap_or_default();
        let image_ref = image.as_ref().map(|i| i.id.clone());
        let (bdm, image_ref): (Option<Vec<BlockDeviceMapping>>, Option<String>) =
            if !blocks.is_empty() {
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
            requested.push(try_apply!(nic_request(&ctx, &client, nic, i).await));
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
            user_data: config.user_data.known().cloned(),
            metadata: plan.metadata.known().cloned(),
            availability_zone: plan.availability_zone.known().cloned(),
            config_drive: plan.config_drive.known().copied(),
            block_device_mapping_v2: bdm,
            tags: plan.tags.known().filter(|t| !t.is_empty()).cloned(),
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
        let server = match wait_status(
            &ctx,
            &client,
            &id,
            &["ACTIVE"],
            "Server did not become ACTIVE",
        )
        .await
        {
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
            && let Err(d) = set_power(&ctx, &client, &id, SHUTOFF).await
        {
            return partial(&ctx, &state, d);
        }
        match refreshed(&ctx, &client, &id, &state).await {
            Ok(m) => applied(&ctx, &m),
            Err(d) => partial(&ctx, &state, d),
        }
    }

    /// Every in-place change, in an order Nova accepts: attributes first,
    /// then NICs, resize, rebuild, and the power state last.
    async fn apply_changes(
        &self,
        ctx: &Ctx,
        client: &Client,
        id: &str,
        prior: &ServerModel,
        working: &mut ServerModel,
    ) -> Result<(), Diagnostics> {
        if working.name != prior.name
            && let Some(name) = working.name.known()
        {
            let body = UpdateServer {
                name: Some(name.clone()),
                ..Default::default()
            };
            call(
                ctx,
                "Cannot rename server",
                nova::update_server(client, id, &body),
            )
            .await?;
        }
        if working.metadata != prior.metadata {
            let metadata = working.metadata.known().cloned().unwrap_or_default();
            call(
                ctx,
                "Cannot set server metadata",
                nova::set_server_metadata(client, id, &metadata),
            )
            .await?;
        }
        if let Some(tags) = changed_tags(&prior.tags, &working.tags) {
            call(
                ctx,
                "Cannot tag server",
                nova::set_server_tags(client, id, &tags),
            )
            .await?;
        }
        if let (Some(want), Some(have)) = (
            working.security_groups.known(),
            prior.security_groups.known(),
        ) {
            let want: BTreeSet<&String> = want.iter().collect();
            let have: BTreeSet<&String> = have.iter().collect();
            for name in want.difference(&have) {
                call(
                    ctx,
                    "Cannot add security group",
                    nova::add_server_security_group(client, id, name),
                )
                .await?;
            }
            for name in have.difference(&want) {
                call(
                    ctx,
                    "Cannot remove security group",
                    nova::remove_server_security_group(client, id, name),
                )
                .await?;
            }
        }
        self.change_nics(ctx, client, id, prior, working).await?;
        let flavor_changed =
            working.flavor_id != prior.flavor_id || working.flavor_name != prior.flavor_name;
        if flavor_changed {
            let flavor = find_flavor(ctx, client, &working.flavor_id, &working.flavor_name).await?;
            call(
                ctx,
                "Cannot resize server",
                nova::resize_server(client, id, &flavor.id),
            )
            .await?;
            wait_status(ctx, client, id, &["VERIFY_RESIZE"], "Resize did not finish").await?;
            call(
                ctx,
                "Cannot confirm resize",
                nova::confirm_resize(client, id),
            )
            .await?;
            wait_status(
                ctx,
                client,
                id,
                &["ACTIVE", "SHUTOFF"],
                "Resize did not finish",
            )
            .await?;
            working.flavor_id = Attr::Known(flavor.id);
            working.flavor_name = Attr::Known(flavor.name);
        }
        let image_changed =
            working.image_id != prior.image_id || working.image_name != prior.image_name;
        if image_changed {
            // Until Nova accepts the rebuild the server runs the prior image:
            // that is what a failure before then must leave in state.
            let (want_id, want_name) = (working.image_id.clone(), working.image_name.clone());
            working.image_id = prior.image_id.clone();
            working.image_name = prior.image_name.clone();
            let image = find_image(ctx, client, &want_id, &want_name)
                .await?
                .ok_or_else(|| {
                    Diagnostics::from(
                        Diagnostic::error(
                            "No image to rebuild from",
                            "Set image_id or image_name.",
                        )
                        .with_path(AttributePath::attr("image_name")),
                    )
                })?;
            let body = RebuildServer {
                image_ref: image.id.clone(),
                ..Default::default()
            };
            // The plan only gets here for a volume-backed server when the
            // cloud offers 2.93 (Nova re-images the root volume); otherwise
            // it replaces the server.
            const FAILED: &str = "Cannot rebuild server";
            if prior.boots_from_volume() {
                let started = nova::rebuild_volume_backed_server(client, id, &body);
                call(ctx, FAILED, started).await?;
            } else {
                call(ctx, FAILED, nova::rebuild_server(client, id, &body)).await?;
            }
            // Accepted: the server is rebuilt from the new image, whatever
            // the wait below says.
            working.image_id = Attr::Known(image.id);
            working.image_name = if want_name.is_known() {
                want_name
            } else {
                Attr::Known(image.name)
            };
            wait_rebuild(ctx, client, id).await?;
        }
        if let Some(want) = working.power_state.known() {
            set_power(ctx, client, id, want).await?;
        }
        Ok(())
    }

    async fn change_nics(
        &self,
        ctx: &Ctx,
        client: &Client,
        id: &str,
        prior: &ServerModel,
        working: &mut ServerModel,
    ) -> Result<(), Diagnostics> {
        let before = prior.network.known().cloned().unwrap_or_default();
        let mut after = working.network.known().cloned().unwrap_or_default();
        let kept: BTreeSet<&String> = after.iter().filter_map(|n| n.port.known()).collect();
        let prior_ports: BTreeSet<String> = before
            .iter()
            .filter_map(|n| n.port.known().cloned())
            .collect();
        let detach: Vec<String> = prior_ports
            .iter()
            .filter(|p| !kept.contains(p))
            .cloned()
            .collect();
        attach::detach(ctx, client, id, &detach).await?;
        for (i, nic) in after.iter_mut().enumerate() {
            let new = match nic.port.known() {
                Some(p) => !prior_ports.contains(p),
                None => true,
            };
            if !new {
                continue;
            }
            let wanted = nic_request(ctx, client, nic, i).await?;
            let attached =
                attach::attach(ctx, client, id, wanted, &working.security_groups).await?;
            nic.port = Attr::Known(attached.port_id);
            if nic.uuid.is_unknown() {
                nic.uuid = Attr::Known(attached.net_id);
            }
        }
        working.network = Attr::Known(after);
        Ok(())
    }

    async fn refresh(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: ServerModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(None);
        };
        let (client, region) = client_for(ctx, &prior.region)?;
        let prior = ServerModel { region, ..prior };
        let server = call(ctx, "Cannot read server", nova::get_server(&client, &id)).await?;
        let Some(server) =
            server.filter(|s| !matches!(s.status.as_str(), "DELETED" | "SOFT_DELETED"))
        else {
            return Ok(None);
        };
        let m = observe(ctx, &client, &server, &prior).await?;
        Ok(Some(ctx.to_value(&m)?))
    }
}

/// Waits until the rebuild Nova accepted has finished.
async fn wait_rebuild(ctx: &Ctx, client: &Client, id: &str) -> Result<(), Diagnostics> {
    call(
        ctx,
        "Rebuild did not finish",
        nova::wait_for_server_rebuilt(
            client,
            id,
            wait_deadline(ctx, SERVER_TIMEOUT),
            ctx.cancellation_token(),
        ),
    )
    .await?;
    Ok(())
}

/// Brings the server to `want` (`active` / `shutoff`).
async fn set_power(ctx: &Ctx, client: &Client, id: &str, want: &str) -> Result<(), Diagnostics> {
    let s = call(ctx, "Cannot read server", nova::get_server(client, id))
        .await?
        .ok_or_else(|| gone("Cannot change power state", id))?;
    match (want, s.status.as_str()) {
        (ACTIVE, "ACTIVE") | (SHUTOFF, "SHUTOFF") => Ok(()),
        (ACTIVE, "SHUTOFF") => {
            call(ctx, "Cannot start server", nova::start_server(client, id)).await?;
            wait_status(ctx, client, id, &["ACTIVE"], "Server did not start").await?;
            Ok(())
        }
        (SHUTOFF, "ACTIVE") => {
            call(ctx, "Cannot stop server", nova::stop_server(client, id)).await?;
            wait_status(ctx, client, id, &["SHUTOFF"], "Server did not stop").await?;
            Ok(())
        }
        (_, other) => Err(Diagnostic::error(
            "Cannot change power state",
            format!(
                "server {id} is {other}; only ACTIVE and SHUTOFF servers can be started or stopped"
            ),
        )
        .with_path(AttributePath::attr("power_state"))
        .into()),
    }
}

#[async_trait]
impl Resource for ServerResource {
    fn type_name(&self) -> &str {
        "scs_server"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        match from_value::<ServerModel>(config) {
            Ok(m) => validate_config(&m),
            Err(e) => Diagnostics::from(Diagnostic::error("Invalid configuration", e.to_string())),
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, change: &mut PlanChange) -> Result<(), Diagnostics> {
        plan::modify(ctx, change).await
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        self.create_server(ctx, &req).await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        self.refresh(ctx, state).await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let prior: ServerModel = try_apply!(req.prior_as());
        let plan: ServerModel = try_apply!(req.planned_as());
        let ctx = try_apply!(server_ctx(ctx, &req.planned, TimeoutKind::Update));
        let (client, _) = try_apply!(client_for(&ctx, &plan.region));
        let Some(id) = prior.id.known().cloned() else {
            return ApplyResult::failed(gone("Cannot update server", "(no id)"));
        };
        let mut working = plan.clone();
        let changes = self
            .apply_changes(&ctx, &client, &id, &prior, &mut working)
            .await;
        match (changes, refreshed(&ctx, &client, &id, &working).await) {
            (Ok(()), Ok(m)) => applied(&ctx, &m),
            // Record what did change before the failure.
            (Err(d), Ok(m)) => partial(&ctx, &m, d),
            (Ok(()), Err(d)) => ApplyResult::failed(d),
            (Err(mut d), Err(more)) => {
                d.extend(more);
                ApplyResult::failed(d)
            }
        }
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: ServerModel = from_value(&state)?;
        let Some(id) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = server_ctx(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        if prior.stop_before_destroy.known() == Some(&true) {
            let current = call(&ctx, "Cannot read server", nova::get_server(&client, &id)).await?;
            if current.is_some_and(|s| s.status == "ACTIVE") {
                set_power(&ctx, &client, &id, SHUTOFF).await?;
            }
        }
        let owned_ports = attach::owned_ports(&ctx, &client, &id).await?;
        call(
            &ctx,
            "Cannot delete server",
            nova::delete_server(&client, &id),
        )
        .await?;
        call(
            &ctx,
            "Server was not deleted",
            nova::wait_for_server_deleted(
                &client,
                &id,
                wait_deadline(&ctx, SERVER_TIMEOUT),
                ctx.cancellation_token(),
            ),
        )
        .await?;
        for port in &owned_ports {
            attach::delete_owned(&ctx, &client, port).await?;
        }
        // Nova deletes the implicit root volume after the server; wait so
        // that a destroy leaves nothing behind.
        if let Some(volume) = prior.root_volume_id.known() {
            call(
                &ctx,
                "Root volume was not deleted",
                cinder::wait_for_volume_deleted(
                    &client,
                    volume,
                    wait_deadline(&ctx, SERVER_TIMEOUT),
                    ctx.cancellation_token(),
                ),
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn validation_names_the_attribute() {
        let m = ServerModel {
            name: Attr::Known("x".into()),
            flavor_id: Attr::Known("a".into()),
            flavor_name: Attr::Known("b".into()),
            ..Default::default()
        };
        let d = validate_config(&m);
        assert!(
            d.iter()
                .any(|x| x.attribute == Some(AttributePath::attr("flavor_name")))
        );
    }
}
