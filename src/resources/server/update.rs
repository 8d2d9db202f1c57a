//! Changing a server in place: attributes, security groups, NICs, resize,
//! rebuild and power state.

use std::collections::BTreeSet;

use scs_client::compute::{self as nova, RebuildServer, UpdateServer};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, Ctx, UpdateRequest};
use tfplugin::schema::TimeoutKind;
use tfplugin::value::Attr;

use super::attach;
use super::boot::{find_flavor, find_image};
use super::model::{NetworkBlock, ServerModel};
use super::networks::nic_request;
use super::outcome::try_apply;
use super::outcome::{applied, partial};
use super::read::refreshed;
use super::server_ctx;
use super::status::{gone, set_power, wait_rebuild, wait_root_volume_image, wait_status};
use crate::support::Cloud;
use crate::support::{call, changed_tags, client_for, with_owner_tag};

pub(super) async fn update(ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
    let prior: ServerModel = try_apply!(req.prior_as());
    let plan: ServerModel = try_apply!(req.planned_as());
    let ctx = try_apply!(server_ctx(ctx, &req.planned, TimeoutKind::Update));
    let (client, _) = try_apply!(client_for(&ctx, &plan.region));
    let cloud = Cloud::new(&ctx, &client);
    let Some(id) = prior.id.known().cloned() else {
        return ApplyResult::failed(gone("Cannot update server", "(no id)"));
    };
    let mut working = plan.clone();
    let changes = apply_changes(&cloud, &id, &prior, &mut working).await;
    match (changes, refreshed(&cloud, &id, &working).await) {
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

/// Every in-place change, in an order Nova accepts: attributes first,
/// then NICs, resize, rebuild, and the power state last.
async fn apply_changes(
    cloud: &Cloud<'_>,
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
        let renamed = nova::update_server(cloud, id, &body);
        call(cloud.ctx, "Cannot rename server", renamed).await?;
    }
    if working.metadata != prior.metadata {
        let metadata = working.metadata.known().cloned().unwrap_or_default();
        let set = nova::set_server_metadata(cloud, id, &metadata);
        call(cloud.ctx, "Cannot set server metadata", set).await?;
    }
    if let Some(tags) = changed_tags(&prior.tags, &working.tags) {
        let tags = with_owner_tag(&tags);
        let tagged = nova::set_server_tags(cloud, id, &tags);
        call(cloud.ctx, "Cannot tag server", tagged).await?;
    }
    if let (Some(want), Some(have)) = (
        working.security_groups.known(),
        prior.security_groups.known(),
    ) {
        let want: BTreeSet<&String> = want.iter().collect();
        let have: BTreeSet<&String> = have.iter().collect();
        for name in want.difference(&have) {
            let added = nova::add_server_security_group(cloud, id, name);
            call(cloud.ctx, "Cannot add security group", added).await?;
        }
        for name in have.difference(&want) {
            let removed = nova::remove_server_security_group(cloud, id, name);
            call(cloud.ctx, "Cannot remove security group", removed).await?;
        }
    }
    change_nics(cloud, id, &prior.network, working).await?;
    let flavor_changed =
        working.flavor_id != prior.flavor_id || working.flavor_name != prior.flavor_name;
    if flavor_changed {
        let flavor = find_flavor(cloud, &working.flavor_id, &working.flavor_name).await?;
        // Another spelling of the same flavor (`SCS-2V:4` for `SCS-2V-4`) is no resize.
        let same_flavor = prior.flavor_id.known() == Some(&flavor.id);
        if !same_flavor {
            resize(cloud, id, &flavor.id).await?;
        }
        working.flavor_id = Attr::Known(flavor.id);
        if !working.flavor_name.is_known() {
            working.flavor_name = Attr::Known(flavor.name);
        }
    }
    let image_changed =
        working.image_id != prior.image_id || working.image_name != prior.image_name;
    if image_changed {
        // Until Nova accepts the rebuild the server runs the prior image:
        // that is what a failure before then must leave in state.
        let (want_id, want_name) = (working.image_id.clone(), working.image_name.clone());
        working.image_id = prior.image_id.clone();
        working.image_name = prior.image_name.clone();
        let image = find_image(cloud, &want_id, &want_name)
            .await?
            .ok_or_else(|| {
                Diagnostics::from(
                    Diagnostic::error("No image to rebuild from", "Set image_id or image_name.")
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
            let started = nova::rebuild_volume_backed_server(cloud, id, &body);
            call(cloud.ctx, FAILED, started).await?;
        } else {
            call(cloud.ctx, FAILED, nova::rebuild_server(cloud, id, &body)).await?;
        }
        // Accepted: the server is rebuilt from the new image, whatever
        // the wait below says.
        let new_image = image.id.clone();
        working.image_id = Attr::Known(image.id);
        working.image_name = if want_name.is_known() {
            want_name
        } else {
            Attr::Known(image.name)
        };
        wait_rebuild(cloud, id).await?;
        if let Some(root) = prior.root_volume_id.known() {
            wait_root_volume_image(cloud, root, &new_image).await?;
        }
    }
    if let Some(want) = working.power_state.known() {
        set_power(cloud, id, want).await?;
    }
    Ok(())
}

/// What a change of the NICs from `before` to `after` (prior and planned
/// blocks) does: the ports to detach (recorded ports no planned block keeps)
/// and the planned blocks to attach (those without a recorded port).
fn nic_changes(before: &[NetworkBlock], after: &[NetworkBlock]) -> (Vec<String>, Vec<usize>) {
    let kept: BTreeSet<&String> = after.iter().filter_map(|n| n.port.known()).collect();
    let prior_ports: BTreeSet<&String> = before.iter().filter_map(|n| n.port.known()).collect();
    let detach = prior_ports
        .iter()
        .filter(|p| !kept.contains(*p))
        .map(|p| (*p).clone())
        .collect();
    let attach = after
        .iter()
        .enumerate()
        .filter(|(_, nic)| nic.port.known().is_none_or(|p| !prior_ports.contains(p)))
        .map(|(i, _)| i)
        .collect();
    (detach, attach)
}

/// Detaches the NICs the plan drops and attaches the new ones; `prior` is the state's NICs.
async fn change_nics(
    cloud: &Cloud<'_>,
    id: &str,
    prior: &Attr<Vec<NetworkBlock>>,
    working: &mut ServerModel,
) -> Result<(), Diagnostics> {
    let before = prior.known().cloned().unwrap_or_default();
    let mut after = working.network.known().cloned().unwrap_or_default();
    let (detach, attach) = nic_changes(&before, &after);
    attach::detach(cloud, id, &detach).await?;
    for i in attach {
        let Some(nic) = after.get_mut(i) else {
            continue;
        };
        let wanted = nic_request(cloud, nic, i).await?;
        let attached = attach::attach(cloud, id, wanted, &working.security_groups).await?;
        nic.port = Attr::Known(attached.port_id);
        if nic.uuid.is_unknown() {
            nic.uuid = Attr::Known(attached.net_id);
        }
    }
    working.network = Attr::Known(after);
    Ok(())
}

/// Resizes to `flavor_id` and confirms it, waiting for each step.
async fn resize(cloud: &Cloud<'_>, id: &str, flavor_id: &str) -> Result<(), Diagnostics> {
    let resized = nova::resize_server(cloud, id, flavor_id);
    call(cloud.ctx, "Cannot resize server", resized).await?;
    wait_status(cloud, id, &["VERIFY_RESIZE"], "Resize did not finish").await?;
    let confirmed = nova::confirm_resize(cloud, id);
    call(cloud.ctx, "Cannot confirm resize", confirmed).await?;
    wait_status(cloud, id, &["ACTIVE", "SHUTOFF"], "Resize did not finish").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nic(port: Attr<String>) -> NetworkBlock {
        NetworkBlock {
            uuid: Attr::Known("net".into()),
            port,
            ..Default::default()
        }
    }

    fn port(id: &str) -> Attr<String> {
        Attr::Known(id.to_owned())
    }

    #[test]
    fn kept_ports_stay_new_blocks_attach_and_dropped_ports_detach() {
        let before = [nic(port("a")), nic(port("b")), nic(port("c"))];
        // b is dropped, a and c kept (in another order), two NICs added:
        // one known after apply, one by a port given in configuration.
        let after = [
            nic(port("c")),
            nic(Attr::Unknown),
            nic(port("a")),
            nic(port("user")),
        ];
        let (detach, attach) = nic_changes(&before, &after);
        assert_eq!(detach, ["b"]);
        assert_eq!(attach, [1, 3]);
    }

    #[test]
    fn no_change_touches_nothing() {
        let nics = [nic(port("a")), nic(port("b"))];
        assert_eq!(nic_changes(&nics, &nics), (vec![], vec![]));
        assert_eq!(nic_changes(&[], &[]), (vec![], vec![]));
        let (detach, attach) = nic_changes(&nics, &[]);
        assert_eq!((detach.len(), attach.len()), (2, 0));
    }
}
