//! Deleting a server, and the wait for the implicit root volume Nova deletes
//! after it.

use scs_client::compute as nova;
use scs_client::volume as cinder;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::Ctx;
use tfplugin::schema::TimeoutKind;
use tfplugin::value::{Value, from_value};

use super::model::{SHUTOFF, ServerModel};
use super::outcome::wait_deadline;
use super::status::set_power;
use super::{SERVER_TIMEOUT, server_ctx};
use crate::support::{Cloud, call, client_for};

pub(super) async fn delete(ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
    let prior: ServerModel = from_value(&state)?;
    let Some(id) = prior.id.known().cloned() else {
        return Ok(());
    };
    let ctx = server_ctx(ctx, &state, TimeoutKind::Delete)?;
    let (client, _) = client_for(&ctx, &prior.region)?;
    let cloud = Cloud::new(&ctx, &client);
    if prior.stop_before_destroy.known() == Some(&true) {
        let current = call(&ctx, "Cannot read server", nova::get_server(&client, &id)).await?;
        if current.is_some_and(|s| s.status == "ACTIVE") {
            set_power(&cloud, &id, SHUTOFF).await?;
        }
    }
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
