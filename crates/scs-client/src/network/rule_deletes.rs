//! Rule deletes of one security group, a few at a time.
//!
//! Neutron deletes a rule in a transaction that also bumps its group's revision, so deletes in
//! one group that run at once collide, and Neutron retries the losers after a backoff. Terraform
//! deletes up to `-parallelism` rules at once, often all of one group. Measured on the local test
//! cloud, 200 rules of one group took 26-30 s to delete ten at a time, 19-22 s two or three at a
//! time and 28 s one at a time; a whole `destroy` of them under OpenTofu took 24 s with three at
//! a time and 27 s with two. So this process lets [`DELETES_PER_GROUP`] deletes of a group run at
//! once and queues the others; deletes in different groups do not wait for each other.
//! Neutron has no bulk delete of rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::security_group::delete_security_group_rule;
use crate::error::Result;
use crate::session::{Client, lock};

/// How many rule deletes of one group run at once.
const DELETES_PER_GROUP: usize = 3;

/// One semaphore per group that has had a rule deleted in this process.
#[derive(Default)]
pub(crate) struct GroupDeletes {
    groups: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl GroupDeletes {
    /// Waits until a delete in `group_id` may start; the delete holds the permit.
    async fn permit(&self, group_id: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = {
            lock(&self.groups)
                .entry(group_id.to_owned())
                .or_insert_with(|| Arc::new(Semaphore::new(DELETES_PER_GROUP)))
                .clone()
        };
        // The semaphore is never closed; without a permit the delete simply does not wait.
        semaphore.acquire_owned().await.ok()
    }
}

/// Deletes rule `id` of group `group_id`, queued behind the other deletes of the group that this
/// process runs (see the module documentation). A rule that is already gone is success.
pub async fn delete_group_rule(client: &Client, group_id: &str, id: &str) -> Result<()> {
    let _permit = client.shared::<GroupDeletes>().permit(group_id).await;
    delete_security_group_rule(client, id).await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// The most deletes that ran at once, per group, when `per_group` deletes of each group
    /// in `groups` start together.
    async fn most_at_once(groups: &[&str], per_group: usize) -> Vec<usize> {
        let limits = Arc::new(GroupDeletes::default());
        let counters: Vec<_> = groups
            .iter()
            .map(|_| Arc::new((AtomicUsize::new(0), AtomicUsize::new(0))))
            .collect();
        let mut tasks = tokio::task::JoinSet::new();
        for (group, counter) in groups.iter().zip(&counters) {
            for _ in 0..per_group {
                let (limits, counter, group) = (limits.clone(), counter.clone(), group.to_string());
                tasks.spawn(async move {
                    let _permit = limits.permit(&group).await;
                    let now = counter.0.fetch_add(1, Ordering::SeqCst) + 1;
                    counter.1.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    counter.0.fetch_sub(1, Ordering::SeqCst);
                });
            }
        }
        while tasks.join_next().await.is_some() {}
        counters
            .iter()
            .map(|c| c.1.load(Ordering::SeqCst))
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn deletes_of_one_group_are_limited_and_groups_run_apart() {
        assert_eq!(most_at_once(&["a"], 10).await, [DELETES_PER_GROUP]);
        assert_eq!(
            most_at_once(&["a", "b"], 6).await,
            [DELETES_PER_GROUP, DELETES_PER_GROUP]
        );
        assert_eq!(most_at_once(&["a"], 1).await, [1]);
    }
}
