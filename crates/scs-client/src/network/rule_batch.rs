//! Security group rules created together: one bulk request for the rules that queue while
//! another create is on its way.
//!
//! Terraform creates each rule resource on its own, up to `-parallelism` at a time. Neutron
//! handles each rule create as a transaction that also bumps the group's revision, so rule
//! creates wait for each other inside Neutron: 200 rules take about as long ten at a time as one
//! at a time. Neutron's bulk create takes a list of rules in one request and one transaction.
//! So the creates work like a group commit: a create that finds none on its way is sent at once,
//! alone, exactly as without batching; creates that arrive meanwhile queue, and when the request
//! on its way is answered, the queued rules of one group go out as one bulk request (Neutron takes
//! a bulk of one group's rules only; at most [`MAX_BATCH`] rules). Nothing waits for a timer, so a
//! lone rule is never slower.
//!
//! A bulk create is all or nothing. When Neutron refuses one (a rule the group has already, a
//! quota, a field it does not take) or its answer is lost, each rule of it is created alone,
//! which gives every rule its own answer or error and never creates one twice: a bulk create
//! whose answer was lost made all its rules or none, and creating alone a rule that exists finds
//! it (Neutron's `SecurityGroupRuleExists` names it). Such a rule made after the lost bulk
//! request was sent counts as made, not as one the group had before.

use std::collections::VecDeque;

use tokio::sync::oneshot;

use super::security_group::{
    CreateSecurityGroupRule, RuleCreated, SecurityGroupRule, create_alone,
};
use crate::error::{Error, Result};
use crate::session::clock::CloudTime;
use crate::session::{Client, lock};

/// The most rules one bulk request carries.
pub const MAX_BATCH: usize = 50;

struct Queued {
    rule: CreateSecurityGroupRule,
    answer: oneshot::Sender<Result<RuleCreated>>,
}

/// The rules waiting to be sent, and whether a sender is at work.
#[derive(Default)]
pub(crate) struct RuleQueue {
    state: std::sync::Mutex<QueueState>,
}

#[derive(Default)]
struct QueueState {
    waiting: VecDeque<Queued>,
    sending: bool,
}

impl RuleQueue {
    fn with<R>(&self, f: impl FnOnce(&mut QueueState) -> R) -> R {
        f(&mut lock(&self.state))
    }
}

/// Creates `rule`, sending it with the other rules queued at the time (see the module doc).
pub(crate) async fn create(client: &Client, rule: &CreateSecurityGroupRule) -> Result<RuleCreated> {
    let queue = client.shared::<RuleQueue>();
    let (answer, answered) = oneshot::channel();
    let start_sender = queue.with(|s| {
        s.waiting.push_back(Queued {
            rule: rule.clone(),
            answer,
        });
        !std::mem::replace(&mut s.sending, true)
    });
    if start_sender {
        // The sender is a task of its own: a caller that stops waiting (Terraform's cancel) must
        // not stop the creates of the others that queued behind it.
        let client = client.clone();
        tokio::spawn(async move { send_queued(&client, &queue).await });
    }
    answered.await.unwrap_or_else(|_| {
        Err(Error::Cancelled {
            operation: "create security group rule".into(),
        })
    })
}

/// Sends what is queued, batch after batch, until the queue is empty.
async fn send_queued(client: &Client, queue: &RuleQueue) {
    loop {
        let batch = queue.with(|s| {
            let batch = next_batch(&mut s.waiting);
            if batch.is_empty() {
                s.sending = false;
            }
            batch
        });
        match batch.len() {
            0 => return,
            1 => {
                for q in batch {
                    let created = create_alone(client, &q.rule, None).await;
                    let _ = q.answer.send(created);
                }
            }
            _ => send_bulk(client, batch).await,
        }
    }
}

/// The longest-waiting rule and up to [`MAX_BATCH`] - 1 more of its group, in queue order:
/// Neutron refuses a bulk create whose rules belong to more than one group.
fn next_batch(waiting: &mut VecDeque<Queued>) -> Vec<Queued> {
    let Some(group) = waiting.front().map(|q| q.rule.security_group_id.clone()) else {
        return Vec::new();
    };
    let mut batch = Vec::new();
    let mut others = VecDeque::new();
    while let Some(q) = waiting.pop_front() {
        if batch.len() < MAX_BATCH && q.rule.security_group_id == group {
            batch.push(q);
        } else {
            others.push_back(q);
        }
    }
    *waiting = others;
    batch
}

async fn send_bulk(client: &Client, batch: Vec<Queued>) {
    let rules: Vec<&CreateSecurityGroupRule> = batch.iter().map(|q| &q.rule).collect();
    let sent = client.cloud_now();
    let created: Result<Vec<SecurityGroupRule>> = super::SECURITY_GROUP_RULES
        .create_many(client, &rules)
        .await;
    match created {
        Ok(made) if made.len() == batch.len() => {
            for (q, rule) in batch.into_iter().zip(made) {
                client.claim(super::SECURITY_GROUP_RULES.label, &rule.id);
                let _ = q.answer.send(Ok(RuleCreated::Made(rule)));
            }
        }
        outcome => {
            // Refused (nothing was made) or unknown (all or nothing was made): each alone.
            let refused =
                matches!(&outcome, Err(e) if e.status().is_some_and(|s| s.is_client_error()));
            let answer = match &outcome {
                Ok(made) => format!("{} rules in the answer", made.len()),
                Err(e) => e.to_string(),
            };
            tracing::debug!(
                target: "scs_client::network",
                rules = batch.len(),
                refused,
                answer = %answer,
                "bulk rule create did not answer for every rule; creating them one by one"
            );
            let lost_after: Option<CloudTime> = (!refused).then_some(sent);
            for q in batch {
                let created = create_alone(client, &q.rule, lost_after).await;
                let _ = q.answer.send(created);
            }
        }
    }
}
