//! Plumbing every resource repeats: the client for a resource's region, the
//! common schema attributes, timeouts, cloud errors as diagnostics, and the
//! way Neutron's empty values map back onto what the configuration said.

use std::future::Future;
use std::time::Duration;

pub use crate::support::{
    attr_of, call, changed, changed_nullable, changed_tags, client_for, cloud_error, interrupted,
    list_from_api, string_from_api,
};
pub use tfplugin::framework::config_for_checks;

use scs_client::Client;
use serde::Serialize;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, Ctx};
use tfplugin::schema::{Attribute, NestedBlock, TimeoutKind, Timeouts, timeouts_block};
use tfplugin::value::{Attr, Type, Value};

/// The default for every create/update/delete timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// `id`: set by the cloud, stable for the life of the object.
pub fn id_attribute(what: &str) -> Attribute {
    Attribute::string("id")
        .computed()
        .use_state_for_unknown()
        .description(format!("The {what}'s ID."))
}

/// `region`: optional, defaults to the provider's, and moving regions means a new object.
pub fn region_attribute() -> Attribute {
    Attribute::string("region")
        .optional()
        .computed()
        .requires_replace()
        .use_state_for_unknown()
        .description("The region; defaults to the provider's. Changing it creates a new object.")
}

pub fn tags_attribute() -> Attribute {
    Attribute::set("tags", Type::String)
        .optional()
        .description("A set of string tags.")
}

pub fn timeouts() -> NestedBlock {
    timeouts_block(&[
        TimeoutKind::Create,
        TimeoutKind::Update,
        TimeoutKind::Delete,
    ])
}

/// A context whose deadline is the resource's `timeouts` entry for `kind`.
pub fn with_timeout(ctx: &Ctx, object: &Value, kind: TimeoutKind) -> Result<Ctx, Diagnostics> {
    let t = Timeouts::from_resource(object)?;
    let limit = match kind {
        TimeoutKind::Create => t.create_or(DEFAULT_TIMEOUT),
        TimeoutKind::Read => t.read_or(DEFAULT_TIMEOUT),
        TimeoutKind::Update => t.update_or(DEFAULT_TIMEOUT),
        TimeoutKind::Delete => t.delete_or(DEFAULT_TIMEOUT),
    };
    Ok(ctx.with_timeout(limit))
}

/// The deadline of a cloud wait under `ctx`: the context's (its resource's
/// timeout), else `fallback` from now.
pub fn wait_deadline(ctx: &Ctx, fallback: Duration) -> tokio::time::Instant {
    ctx.deadline()
        .unwrap_or_else(|| tokio::time::Instant::now() + fallback)
}

/// Repeats `op` while the cloud answers 409 (an object still in use, such as
/// a network whose DHCP port Neutron is still removing) until the deadline,
/// then reports the last conflict.
pub async fn retry_conflicts<F, Fut>(ctx: &Ctx, summary: &str, mut op: F) -> Result<(), Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = scs_client::Result<()>>,
{
    let mut pause = Duration::from_millis(500);
    loop {
        let err = match ctx.run(op()).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) if e.is_conflict() => e,
            Ok(Err(e)) => return Err(cloud_error(summary, &e)),
            Err(why) => return Err(interrupted(summary, why)),
        };
        if ctx.sleep(pause).await.is_err() {
            return Err(Diagnostic::error(
                summary,
                format!("still in conflict when the timeout ran out; last answer: {err}"),
            )
            .into());
        }
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

/// The apply result for a finished create or update.
pub fn applied<M: Serialize>(ctx: &Ctx, state: &M) -> ApplyResult {
    ctx.to_value(state).into()
}

/// The object exists but a later step failed: Terraform keeps `state` and
/// taints it, so nothing is orphaned.
pub fn partial<M: Serialize>(ctx: &Ctx, state: &M, diagnostics: Diagnostics) -> ApplyResult {
    match ctx.to_value(state) {
        Ok(v) => ApplyResult::partial(v, diagnostics),
        Err(mut e) => {
            e.extend(diagnostics);
            ApplyResult::failed(e)
        }
    }
}

/// The id of an object in state, the client for its region and the region to
/// record; `None` while state holds no id (nothing to read).
pub fn stored_object(
    ctx: &Ctx,
    id: &Attr<String>,
    region: &Attr<String>,
) -> Result<Option<(String, Client, Attr<String>)>, Diagnostics> {
    let Some(id) = id.known().cloned() else {
        return Ok(None);
    };
    let (client, region) = client_for(ctx, region)?;
    Ok(Some((id, client, region)))
}

/// Finishes a create by setting the configured tags, which Neutron only
/// takes after the object exists. If tagging fails the object is kept in
/// state without them (tainted), so nothing is orphaned.
pub async fn applied_with_tags<'t, M, F, Fut>(
    ctx: &Ctx,
    mut state: M,
    planned: &'t Attr<Vec<String>>,
    tags_of: impl FnOnce(&mut M) -> &mut Attr<Vec<String>>,
    summary: &str,
    set_tags: F,
) -> ApplyResult
where
    M: Serialize,
    F: FnOnce(&'t [String]) -> Fut,
    Fut: Future<Output = scs_client::Result<()>>,
{
    if let Some(tags) = planned.known().filter(|t| !t.is_empty()) {
        if let Err(d) = call(ctx, summary, set_tags(tags)).await {
            return partial(ctx, &state, d);
        }
        *tags_of(&mut state) = planned.clone();
    }
    applied(ctx, &state)
}

/// The state read back after an update; the object vanishing meanwhile is an
/// error, not a silent removal.
pub fn still_there(
    found: Option<Value>,
    summary: &str,
    detail: impl FnOnce() -> String,
) -> Result<Value, Diagnostics> {
    found.ok_or_else(|| Diagnostic::error(summary, detail()).into())
}

/// Unwraps a step of an apply, returning its failure as the apply result.
#[macro_export]
macro_rules! try_apply {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => return tfplugin::framework::ApplyResult::failed(d),
        }
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_object_gone_after_update_is_an_error() {
        let found = still_there(Some(Value::from("x")), "Gone", || "detail".to_owned());
        assert_eq!(found.unwrap(), Value::from("x"));
        let err = still_there(None, "Gone", || "it went".to_owned()).unwrap_err();
        assert!(err.has_errors());
        let d = err.iter().next().unwrap();
        assert_eq!((d.summary.as_str(), d.detail.as_str()), ("Gone", "it went"));
    }
}
