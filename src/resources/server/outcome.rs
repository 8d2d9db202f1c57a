//! How a server apply ends: the state as Terraform should store it, with or
//! without errors, and how long a wait for Nova may last.

use std::time::Duration;

use serde::Serialize;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{ApplyResult, Ctx};

/// The apply result for a finished create or update.
pub(super) fn applied<M: Serialize>(ctx: &Ctx, state: &M) -> ApplyResult {
    ctx.to_value(state).into()
}

/// The server exists but a later step failed: Terraform keeps `state` and
/// taints it, so nothing is orphaned.
pub(super) fn partial<M: Serialize>(ctx: &Ctx, state: &M, diagnostics: Diagnostics) -> ApplyResult {
    match ctx.to_value(state) {
        Ok(v) => ApplyResult::partial(v, diagnostics),
        Err(mut e) => {
            e.extend(diagnostics);
            ApplyResult::failed(e)
        }
    }
}

/// The deadline of a cloud wait under `ctx`: the context's (the server's
/// timeout), else `fallback` from now.
pub(super) fn wait_deadline(ctx: &Ctx, fallback: Duration) -> tokio::time::Instant {
    ctx.deadline()
        .unwrap_or_else(|| tokio::time::Instant::now() + fallback)
}

/// Unwraps a step of an apply, returning its failure as the apply result.
macro_rules! try_apply {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => return tfplugin::framework::ApplyResult::failed(d),
        }
    };
}
pub(super) use try_apply;
