//! Cloud calls under the request's deadline and cancellation, and their
//! failures as diagnostics.

use std::future::Future;

use scs_client::wait::Budget;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, Interrupted};

/// An error from the cloud; the client's message already carries the
/// operation, HTTP status, the cloud's own message and its request id.
pub fn cloud_error(summary: &str, err: &scs_client::Error) -> Diagnostics {
    Diagnostic::error(summary, err.to_string()).into()
}

/// Why a call stopped before the cloud answered.
pub fn interrupted(summary: &str, why: Interrupted) -> Diagnostics {
    let detail = match why {
        Interrupted::Cancelled => "Terraform cancelled the operation.",
        Interrupted::DeadlineExceeded => {
            "The operation did not finish within its timeout; raise it in the resource's timeouts block."
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

/// The deadline and cancellation of `ctx` for the client's waits and
/// conflict retries. Without a deadline (reads) a wait gets ten minutes.
pub fn budget(ctx: &Ctx) -> Budget {
    let deadline = ctx
        .deadline()
        .unwrap_or_else(|| tokio::time::Instant::now() + std::time::Duration::from_secs(600));
    Budget::new(deadline, ctx.cancellation_token().clone())
}

/// Look-up filters as messages show them: `name="x", id="y"`.
pub fn describe_filters(filters: &[(&str, &str)]) -> String {
    if filters.is_empty() {
        return "no filter".to_owned();
    }
    filters
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The filters of a look-up that are set, from `(filter, value)` pairs in
/// the order messages name them.
pub fn set_filters<'a>(
    candidates: impl IntoIterator<Item = (&'a str, Option<&'a String>)>,
) -> Vec<(&'a str, &'a str)> {
    candidates
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?.as_str())))
        .collect()
}

/// A look-up: lists the `kind` objects that match `filters` (`list` is
/// that request) and returns the only one; none or several is an error
/// naming the filters and the candidates.
pub async fn find_one<T>(
    ctx: &Ctx,
    kind: &str,
    filters: &[(&str, &str)],
    list: impl Future<Output = scs_client::Result<Vec<T>>>,
    describe: impl Fn(&T) -> String,
) -> Result<T, Diagnostics> {
    let found = call(ctx, &format!("Cannot list {kind}s"), list).await?;
    exactly_one(kind, &describe_filters(filters), found, describe)
}

/// The one match of a look-up, or an error that names every candidate.
pub fn exactly_one<T>(
    kind: &str,
    filters: &str,
    mut found: Vec<T>,
    describe: impl Fn(&T) -> String,
) -> Result<T, Diagnostics> {
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Diagnostic::error(
            format!("No {kind} found"),
            format!("No {kind} matches {filters}."),
        )
        .into()),
        n => {
            let list: Vec<String> = found
                .iter()
                .map(|f| format!("  - {}", describe(f)))
                .collect();
            Err(Diagnostic::error(
                format!("{n} {kind}s match"),
                format!(
                    "{n} {kind}s match {filters}; narrow the filter so exactly one does. Candidates:\n{}",
                    list.join("\n")
                ),
            )
            .into())
        }
    }
}
