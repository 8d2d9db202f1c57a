//! Waiting for Nova: a status, a rebuild, a power state.

use scs_client::compute::{self as nova, Server};
use scs_client::volume as cinder;
use scs_client::wait::{Poll, wait_for};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};

use super::SERVER_TIMEOUT;
use super::model::{ACTIVE, SHUTOFF};
use super::outcome::wait_deadline;
use crate::support::Cloud;
use crate::support::call;

/// Waits until the server has one of the `wanted` statuses; ERROR ends the
/// wait with Nova's fault message.
pub(super) async fn wait_status(
    cloud: &Cloud<'_>,
    id: &str,
    wanted: &[&str],
    summary: &str,
) -> Result<Server, Diagnostics> {
    call(
        cloud.ctx,
        summary,
        nova::wait_for_server(
            cloud,
            id,
            wanted,
            wait_deadline(cloud.ctx, SERVER_TIMEOUT),
            cloud.ctx.cancellation_token(),
        ),
    )
    .await
}

pub(super) fn gone(summary: &str, id: &str) -> Diagnostics {
    Diagnostic::error(summary, format!("server {id} no longer exists")).into()
}

/// Waits until the rebuild Nova accepted has finished.
pub(super) async fn wait_rebuild(cloud: &Cloud<'_>, id: &str) -> Result<(), Diagnostics> {
    call(
        cloud.ctx,
        "Rebuild did not finish",
        nova::wait_for_server_rebuilt(
            cloud,
            id,
            wait_deadline(cloud.ctx, SERVER_TIMEOUT),
            cloud.ctx.cancellation_token(),
        ),
    )
    .await?;
    Ok(())
}

/// Brings the server to `want` (`active` / `shutoff`).
pub(super) async fn set_power(cloud: &Cloud<'_>, id: &str, want: &str) -> Result<(), Diagnostics> {
    let s = call(cloud.ctx, "Cannot read server", nova::get_server(cloud, id))
        .await?
        .ok_or_else(|| gone("Cannot change power state", id))?;
    let start = match (want, s.status.as_str()) {
        (ACTIVE, "ACTIVE") | (SHUTOFF, "SHUTOFF") => return Ok(()),
        (ACTIVE, "SHUTOFF") => true,
        (SHUTOFF, "ACTIVE") => false,
        (_, other) => {
            return Err(Diagnostic::error(
                "Cannot change power state",
                format!(
                    "server {id} is {other}; only ACTIVE and SHUTOFF servers can be started or stopped"
                ),
            )
            .with_path(AttributePath::attr("power_state"))
            .into());
        }
    };
    let (summary, status, not_reached) = if start {
        ("Cannot start server", "ACTIVE", "Server did not start")
    } else {
        ("Cannot stop server", "SHUTOFF", "Server did not stop")
    };
    let request = async {
        if start {
            nova::start_server(cloud, id).await
        } else {
            nova::stop_server(cloud, id).await
        }
    };
    call(cloud.ctx, summary, request).await?;
    wait_status(cloud, id, &[status], not_reached).await?;
    Ok(())
}

/// Waits until Cinder shows the re-imaged root volume with `image_id`: Nova
/// reports a volume-backed server rebuilt as soon as Cinder said the re-image
/// is done, and Cinder may record the volume's new image a moment later. A
/// refresh right after the apply must already see the new image.
pub(super) async fn wait_root_volume_image(
    cloud: &Cloud<'_>,
    volume_id: &str,
    image_id: &str,
) -> Result<(), Diagnostics> {
    let op = format!("wait for root volume {volume_id} to show image {image_id}");
    let polled = wait_for(
        &op,
        wait_deadline(cloud.ctx, SERVER_TIMEOUT),
        cloud.ctx.cancellation_token(),
        || async {
            Ok(match cinder::get_volume(cloud, volume_id).await? {
                None => Poll::failed("DELETED", Some("the root volume no longer exists".into())),
                Some(v) if v.image_id() == Some(image_id) => Poll::Ready(()),
                Some(v) => Poll::pending(format!(
                    "{} with image {}",
                    v.status,
                    v.image_id().unwrap_or("none")
                )),
            })
        },
    );
    call(cloud.ctx, "Rebuild did not finish", polled).await
}
