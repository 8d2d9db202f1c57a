//! Plumbing every resource repeats: the client for a resource's region, the
//! common schema attributes, timeouts, cloud errors as diagnostics, and the
//! way Neutron's empty values map back onto what the configuration said.

use std::future::Future;
use std::time::Duration;

use scs_client::Client;
use serde::Serialize;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, Ctx, Interrupted};
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

/// The client to use for a resource whose `region` attribute is `region`,
/// and the region to record in state (the provider's when unset).
pub fn client_for(ctx: &Ctx, region: &Attr<String>) -> Result<(Client, Attr<String>), Diagnostics> {
    let client = crate::provider::client(ctx)?;
    match region.known().filter(|r| !r.is_empty()) {
        Some(wanted) => Ok((client.in_region(Some(wanted)), Attr::Known(wanted.clone()))),
        None => {
            let default = crate::provider::default_region(ctx)?;
            Ok((
                client.clone(),
                default.map_or(Attr::Null, |r| Attr::Known(r.to_owned())),
            ))
        }
    }
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

/// An error from the cloud; the client's message already carries the
/// operation, HTTP status, the cloud's own message and its request id.
pub fn cloud_error(summary: &str, err: &scs_client::Error) -> Diagnostics {
    Diagnostic::error(summary, err.to_string()).into()
}

fn interrupted(summary: &str, why: Interrupted) -> Diagnostics {
    let detail = match why {
        Interrupted::Cancelled => "Terraform cancelled the operation.".to_owned(),
        Interrupted::DeadlineExceeded => {
            "The operation did not finish within its timeout; raise it in the resource's timeouts block.".to_owned()
        }
    };
    Diagnostic::error(summary, detail).into()
}

/// Runs one cloud call under the context's deadline and cancellation.
pub async fn call<T>(
    ctx: &Ctx,
    summary: &str,
    fut: impl Future<Output = scs_client::Result<T>>,
) -> Result<T, Diagnostics> {
    match ctx.run(fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(cloud_error(summary, &e)),
        Err(why) => Err(interrupted(summary, why)),
    }
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

/// The configuration as a typed model for plan-time checks. Unknown
/// elements of lists and sets (such as `[scs_security_group.a.id]` before
/// the group exists) are left out: checks judge only what is known.
pub fn config_for_checks<T: serde::de::DeserializeOwned>(config: &Value) -> Result<T, Diagnostics> {
    Ok(tfplugin::value::from_value(&without_unknown_elements(
        config,
    ))?)
}

fn without_unknown_elements(value: &Value) -> Value {
    match value {
        Value::List(items) => Value::List(
            items
                .iter()
                .filter(|v| !v.is_unknown())
                .map(without_unknown_elements)
                .collect(),
        ),
        Value::Set(items) => Value::Set(
            items
                .iter()
                .filter(|v| !v.is_unknown())
                .map(without_unknown_elements)
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), without_unknown_elements(v)))
                .collect(),
        ),
        Value::Map(fields) => Value::Map(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), without_unknown_elements(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A string Neutron reports as "" when never set: null in state unless the
/// configuration said "" itself.
pub fn string_from_api(api: String, prior: &Attr<String>) -> Attr<String> {
    if api.is_empty() && !matches!(prior, Attr::Known(p) if p.is_empty()) {
        Attr::Null
    } else {
        Attr::Known(api)
    }
}

/// A list or set Neutron reports as [] when never set: null in state unless
/// the configuration said [] itself.
pub fn list_from_api<T>(api: Vec<T>, prior: &Attr<Vec<T>>) -> Attr<Vec<T>> {
    if api.is_empty() && !matches!(prior, Attr::Known(p) if p.is_empty()) {
        Attr::Null
    } else {
        Attr::Known(api)
    }
}

/// The full new tag set when the planned tags differ from the prior ones as
/// sets; `None` when nothing is to be done.
pub fn changed_tags(prior: &Attr<Vec<String>>, planned: &Attr<Vec<String>>) -> Option<Vec<String>> {
    let as_set = |a: &Attr<Vec<String>>| {
        a.known()
            .map(|v| v.iter().cloned().collect::<std::collections::BTreeSet<_>>())
            .unwrap_or_default()
    };
    let (old, new) = (as_set(prior), as_set(planned));
    (old != new).then(|| new.into_iter().collect())
}

/// The planned value when it differs from the prior one: the fields of an
/// update request.
pub fn changed<T: Clone + PartialEq>(prior: &Attr<T>, planned: &Attr<T>) -> Option<T> {
    match planned {
        Attr::Known(v) if prior.known() != Some(v) => Some(v.clone()),
        _ => None,
    }
}

/// Like [`changed`], for attributes where null has its own meaning (clear the
/// value): `Some(None)` when the plan clears it.
pub fn changed_nullable<T: Clone + PartialEq>(
    prior: &Attr<T>,
    planned: &Attr<T>,
) -> Option<Option<T>> {
    match planned {
        Attr::Known(v) if prior.known() != Some(v) => Some(Some(v.clone())),
        Attr::Null if prior.is_known() => Some(None),
        _ => None,
    }
}

/// An `Option` from the cloud as an attribute value.
pub fn attr_of<T>(v: Option<T>) -> Attr<T> {
    v.map_or(Attr::Null, Attr::Known)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn empty_api_values_follow_the_configuration() {
        assert_eq!(string_from_api(String::new(), &Attr::Null), Attr::Null);
        assert_eq!(
            string_from_api(String::new(), &Attr::Known(String::new())),
            Attr::Known(String::new())
        );
        assert_eq!(
            string_from_api("x".into(), &Attr::Null),
            Attr::Known("x".to_owned())
        );
        assert_eq!(list_from_api(Vec::<String>::new(), &Attr::Null), Attr::Null);
        assert_eq!(
            list_from_api(Vec::<String>::new(), &Attr::Known(vec![])),
            Attr::Known(vec![])
        );
    }

    #[test]
    fn tag_changes_compare_as_sets() {
        let k = |v: &[&str]| Attr::Known(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(changed_tags(&k(&["a", "b"]), &k(&["b", "a"])), None);
        assert_eq!(changed_tags(&Attr::Null, &k(&[])), None);
        assert_eq!(
            changed_tags(&k(&["a"]), &Attr::Null),
            Some(Vec::<String>::new())
        );
        assert_eq!(
            changed_tags(&k(&["a"]), &k(&["c", "a"])),
            Some(vec!["a".to_owned(), "c".to_owned()])
        );
    }

    #[test]
    fn checks_see_only_known_elements() {
        let config = Value::object([("tags", Value::Set(vec![Value::from("a"), Value::Unknown]))]);
        #[derive(serde::Deserialize)]
        struct M {
            tags: Attr<Vec<String>>,
        }
        let m: M = config_for_checks(&config).unwrap();
        assert_eq!(m.tags, Attr::Known(vec!["a".to_owned()]));
    }

    #[test]
    fn an_object_gone_after_update_is_an_error() {
        let found = still_there(Some(Value::from("x")), "Gone", || "detail".to_owned());
        assert_eq!(found.unwrap(), Value::from("x"));
        let err = still_there(None, "Gone", || "it went".to_owned()).unwrap_err();
        assert!(err.has_errors());
        let d = err.iter().next().unwrap();
        assert_eq!((d.summary.as_str(), d.detail.as_str()), ("Gone", "it went"));
    }

    #[test]
    fn changed_fields() {
        assert_eq!(changed(&Attr::Known(1), &Attr::Known(1)), None);
        assert_eq!(changed(&Attr::Known(1), &Attr::Known(2)), Some(2));
        assert_eq!(changed::<i64>(&Attr::Known(1), &Attr::Null), None);
        assert_eq!(
            changed_nullable::<i64>(&Attr::Known(1), &Attr::Null),
            Some(None)
        );
        assert_eq!(changed_nullable::<i64>(&Attr::Null, &Attr::Null), None);
    }
}
