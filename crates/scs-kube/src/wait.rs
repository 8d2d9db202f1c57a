//! Waiting for objects to reach a condition, polling; a wait that runs out of time ends with
//! where the object stood (its own condition reasons and messages).

use std::future::Future;
use std::time::Duration;

use kube::Client;
use tokio::time::Instant;

use crate::capi::{CapiVersion, ClusterView, Readiness};
use crate::cso::{ClusterStack, ClusterStackRelease};
use crate::meta::{KubeResource, describe_conditions};
use crate::naming::StackVersion;
use crate::{Error, ops};

/// What one look at the object found.
#[derive(Debug)]
pub enum Probe<T> {
    /// The condition holds.
    Done(T),
    /// Not yet: where the object stands, for the timeout message.
    Pending(String),
}

const FIRST_INTERVAL: Duration = Duration::from_millis(500);
const MAX_INTERVAL: Duration = Duration::from_secs(5);

/// Calls `probe` until it is done or `deadline` passes (then [`Error::Timeout`] with what the
/// last probe said). Errors of a probe end the wait.
pub async fn until<T, F, Fut>(
    what: &str,
    deadline: Option<Instant>,
    mut probe: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe<T>, Error>>,
{
    let mut interval = FIRST_INTERVAL;
    loop {
        let status = match probe().await? {
            Probe::Done(v) => return Ok(v),
            Probe::Pending(status) => status,
        };
        let now = Instant::now();
        if let Some(deadline) = deadline {
            if now >= deadline {
                return Err(Error::Timeout {
                    what: what.to_owned(),
                    status,
                });
            }
            tokio::time::sleep(interval.min(deadline - now)).await;
        } else {
            tokio::time::sleep(interval).await;
        }
        interval = (interval * 2).min(MAX_INTERVAL);
    }
}

/// The release of each of `versions` and whether it is ready.
#[derive(Debug, Clone)]
pub struct ReleaseState {
    pub version: StackVersion,
    pub release: Option<ClusterStackRelease>,
    pub class_exists: bool,
}

impl ReleaseState {
    pub fn is_ready(&self) -> bool {
        self.class_exists
            && self
                .release
                .as_ref()
                .is_some_and(ClusterStackRelease::is_ready)
    }

    fn describe(&self) -> String {
        let name = self.version.release_name();
        match &self.release {
            None => format!("ClusterStackRelease {name} does not exist yet"),
            Some(r) if !r.is_ready() => format!(
                "ClusterStackRelease {name} is not ready: {}",
                describe_conditions(r.conditions())
            ),
            Some(_) => format!(
                "ClusterStackRelease {name} is ready but ClusterClass {} does not exist yet",
                self.version.cluster_class()
            ),
        }
    }
}

/// Where each of `versions` stands in `namespace`.
pub async fn release_states(
    client: &Client,
    capi: CapiVersion,
    namespace: &str,
    versions: &[StackVersion],
) -> Result<Vec<ReleaseState>, Error> {
    let mut states = Vec::with_capacity(versions.len());
    for version in versions {
        let release =
            ops::get::<ClusterStackRelease>(client, namespace, &version.release_name()).await?;
        let class_exists = if release.as_ref().is_some_and(ClusterStackRelease::is_ready) {
            ops::get_cluster_class(client, capi, namespace, &version.cluster_class())
                .await?
                .is_some()
        } else {
            false
        };
        states.push(ReleaseState {
            version: version.clone(),
            release,
            class_exists,
        });
    }
    Ok(states)
}

/// Waits until every one of `versions` has a ready ClusterStackRelease and its ClusterClass
/// exists.
pub async fn cluster_stack_ready(
    client: &Client,
    capi: CapiVersion,
    namespace: &str,
    stack_name: &str,
    versions: &[StackVersion],
    deadline: Option<Instant>,
) -> Result<Vec<ReleaseState>, Error> {
    let what = format!("ClusterStack {namespace}/{stack_name} to make its releases ready");
    until(&what, deadline, || async {
        let states = release_states(client, capi, namespace, versions).await?;
        if states.iter().all(ReleaseState::is_ready) {
            return Ok(Probe::Done(states));
        }
        let stack = ops::get::<ClusterStack>(client, namespace, stack_name).await?;
        let mut parts: Vec<String> = states
            .iter()
            .filter(|s| !s.is_ready())
            .map(ReleaseState::describe)
            .collect();
        match stack {
            Some(stack) => parts.push(format!(
                "ClusterStack conditions: {}",
                describe_conditions(stack.conditions())
            )),
            None => parts.push("the ClusterStack no longer exists".to_owned()),
        }
        Ok(Probe::Pending(parts.join("; ")))
    })
    .await
}

/// Waits until Cluster `namespace/name` has reached `readiness` for its current spec.
pub async fn cluster_ready(
    client: &Client,
    capi: CapiVersion,
    namespace: &str,
    name: &str,
    readiness: Readiness,
    deadline: Option<Instant>,
) -> Result<ClusterView, Error> {
    let goal = match readiness {
        Readiness::None => "exist",
        Readiness::ControlPlaneInitialized => "initialize its control plane",
        Readiness::Available => "become available",
    };
    let what = format!("Cluster {namespace}/{name} to {goal}");
    until(&what, deadline, || async {
        let Some(view) = ops::get_cluster(client, capi, namespace, name).await? else {
            return Err(Error::Invalid(format!(
                "Cluster {namespace}/{name} disappeared while waiting for it to {goal}"
            )));
        };
        if view.has_reached(readiness) {
            return Ok(Probe::Done(view));
        }
        let mut status = format!(
            "phase {}; {}",
            view.phase.as_deref().unwrap_or("unknown"),
            describe_conditions(&view.conditions)
        );
        if !view.is_observed() {
            status.push_str("; the controllers have not seen the latest change yet");
        }
        Ok(Probe::Pending(status))
    })
    .await
}

/// Waits until `namespace/name` of kind `K` is gone; `describe` says why it still exists.
pub async fn deleted<K: KubeResource>(
    client: &Client,
    namespace: &str,
    name: &str,
    deadline: Option<Instant>,
    describe: impl Fn(&K) -> String,
) -> Result<(), Error> {
    let what = format!("{} {namespace}/{name} to be deleted", K::DESCRIPTION);
    until(&what, deadline, || async {
        Ok(match ops::get::<K>(client, namespace, name).await? {
            None => Probe::Done(()),
            Some(obj) => Probe::Pending(describe(&obj)),
        })
    })
    .await
}

/// Waits until Cluster `namespace/name` is gone.
pub async fn cluster_deleted(
    client: &Client,
    capi: CapiVersion,
    namespace: &str,
    name: &str,
    deadline: Option<Instant>,
) -> Result<(), Error> {
    let what = format!("Cluster {namespace}/{name} to be deleted");
    until(&what, deadline, || async {
        Ok(
            match ops::get_cluster(client, capi, namespace, name).await? {
                None => Probe::Done(()),
                Some(view) => Probe::Pending(format!(
                    "phase {}; {}",
                    view.phase.as_deref().unwrap_or("unknown"),
                    describe_conditions(&view.conditions)
                )),
            },
        )
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_wait_that_times_out_says_where_the_object_stood() {
        let deadline = Some(Instant::now() + Duration::from_secs(3));
        let mut calls = 0;
        let result: Result<(), Error> = until("thing to be ready", deadline, || {
            calls += 1;
            let n = calls;
            async move { Ok(Probe::Pending(format!("Ready=False (Waiting: try {n})"))) }
        })
        .await;
        let text = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.starts_with("timed out waiting for thing to be ready"),
            "{text}"
        );
        assert!(text.contains("Ready=False (Waiting: try"), "{text}");
        assert!(calls > 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_ends_when_the_condition_holds_and_on_errors() {
        let mut calls = 0;
        let done = until("thing", None, || {
            calls += 1;
            let n = calls;
            async move {
                Ok(if n < 3 {
                    Probe::Pending(String::new())
                } else {
                    Probe::Done(n)
                })
            }
        })
        .await;
        assert_eq!(done.ok(), Some(3));
        let failed: Result<(), Error> = until("thing", None, || async {
            Err(Error::Invalid("gone".into()))
        })
        .await;
        assert!(failed.is_err());
    }
}
