//! Waiting for Nova: a status, a rebuild, a power state.

use scs_client::compute::{self as nova, Server};
use scs_client::wait::{Poll, wait_for};
use scs_client::{Client, volume as cinder};
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::Ctx;

use super::SERVER_TIMEOUT;
use super::model::{ACTIVE, SHUTOFF};
use super::outcome::wait_deadline;
use crate::support::call;

/// Waits until the server has one of the `wanted` statuses; ERROR ends the
/// wait with Nova's fault message.
pub(super) async fn wait_status(
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

pub(super) fn gone(summary: &str, id: &str) -> Diagnostics {
    Diagnostic::error(summary, format!("server {id} no longer exists")).into()
}

/// Waits until the rebuild Nova accepted has finished.
pub(super) async fn wait_rebuild(ctx: &Ctx, client: &Client, id: &str) -> Result<(), Diagnostics> {
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
pub(super) async fn set_power(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    want: &str,
) -> Result<(), Diagnostics> {
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

/// Waits until Cinder shows the re-imaged root volume with `image_id`: Nova
/// reports a volume-backed server rebuilt as soon as Cinder said the re-image
/// is done, and Cinder may record the volume's new image a moment later. A
/// refresh right after the apply must already see the new image.
pub(super) async fn wait_root_volume_image(
    ctx: &Ctx,
    client: &Client,
    volume_id: &str,
    image_id: &str,
) -> Result<(), Diagnostics> {
    let op = format!("wait for root volume {volume_id} to show image {image_id}");
    let polled = wait_for(
        &op,
        wait_deadline(ctx, SERVER_TIMEOUT),
        ctx.cancellation_token(),
        || async {
            Ok(match cinder::get_volume(client, volume_id).await? {
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
    call(ctx, "Rebuild did not finish", polled).await
}
