//! Security group rules created at the same time go to Neutron in bulk requests, and every rule
//! still gets its own answer: when the bulk is refused or its answer is lost, one by one, never
//! twice.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use std::collections::BTreeSet;
use std::time::Duration;

use core_support::{Action, FakeCloud};
use scs_client::network::{self, CreateSecurityGroupRule, RuleCreated};
use scs_client::test_util::openstack::SECURITY_GROUP_RULES;
use serde_json::Value;

const RULES_PATH: &str = "/network/v2.0/security-group-rules";

fn ssh_like(port: u32) -> CreateSecurityGroupRule {
    CreateSecurityGroupRule {
        // Two groups, by the port's parity, when a test asks for odd ports too.
        security_group_id: if port % 2 == 1 && port > 3000 {
            "sg-2".into()
        } else {
            "sg-1".into()
        },
        direction: "ingress".into(),
        ethertype: Some("IPv4".into()),
        protocol: Some("tcp".into()),
        port_range_min: Some(port),
        port_range_max: Some(port),
        remote_ip_prefix: Some("0.0.0.0/0".into()),
        ..Default::default()
    }
}

/// Creates rules for `ports` at the same time, as Terraform does at `-parallelism`; the answers
/// in the order of `ports`.
async fn create_together(
    client: &scs_client::Client,
    ports: &[u32],
) -> Vec<scs_client::Result<RuleCreated>> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, port) in ports.iter().enumerate() {
        let client = client.clone();
        let rule = ssh_like(*port);
        tasks.spawn(async move {
            (
                i,
                network::create_or_find_security_group_rule(&client, &rule).await,
            )
        });
        // The first create is on its way before the others queue.
        if i == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let mut answers: Vec<_> = tasks.join_all().await;
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, a)| a).collect()
}

fn made_ids(answers: Vec<scs_client::Result<RuleCreated>>) -> BTreeSet<String> {
    answers
        .into_iter()
        .map(|a| match a.unwrap() {
            RuleCreated::Made(rule) => rule.id,
            RuleCreated::Existing(rule) => panic!("rule {} reported as existing", rule.id),
        })
        .collect()
}

fn bulk_sizes(mock: &FakeCloud) -> Vec<usize> {
    mock.hits("POST", RULES_PATH)
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).unwrap();
            body.get("security_group_rules")
                .and_then(Value::as_array)
                .map_or(1, Vec::len)
        })
        .collect()
}

/// The first create answers slowly, so the others queue behind it.
fn first_create_slow(mock: &FakeCloud, then: Vec<Action>) {
    let mut actions = vec![Action::Delay(
        Duration::from_millis(400),
        Box::new(Action::Pass),
    )];
    actions.extend(then);
    actions.push(Action::Pass);
    mock.on("POST", RULES_PATH, actions);
}

/// Rules for `ports` created at the same time on a fresh fake cloud whose first create answers
/// slowly; the cloud and the ids of the rules made.
async fn made_behind_a_slow_first_create(
    ports: std::ops::Range<u32>,
) -> (FakeCloud, BTreeSet<String>) {
    let mock = FakeCloud::openstack().await;
    let c = core_support::client(&mock, 0);
    first_create_slow(&mock, vec![]);
    let ports: Vec<u32> = ports.collect();
    let ids = made_ids(create_together(&c, &ports).await);
    (mock, ids)
}

#[tokio::test]
async fn rules_created_meanwhile_go_out_in_one_bulk_request() {
    let (mock, ids) = made_behind_a_slow_first_create(1000..1012).await;
    assert_eq!(ids.len(), 12, "every rule has its own id");
    assert_eq!(
        bulk_sizes(&mock),
        [1, 11],
        "one alone, then the queue in bulk"
    );
    let stored = mock.objects(SECURITY_GROUP_RULES);
    assert_eq!(stored.len(), 12);
    let stored_ids: BTreeSet<String> = stored
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stored_ids, ids);
}

#[tokio::test]
async fn a_lone_rule_is_created_alone() {
    let mock = FakeCloud::openstack().await;
    let c = core_support::client(&mock, 0);
    let ids = made_ids(vec![
        network::create_or_find_security_group_rule(&c, &ssh_like(22)).await,
    ]);
    assert_eq!(ids.len(), 1);
    assert_eq!(bulk_sizes(&mock), [1]);
}

#[tokio::test]
async fn a_refused_bulk_leaves_each_rule_its_own_answer() {
    let mock = FakeCloud::openstack().await;
    let c = core_support::client(&mock, 0);
    // The group has port 22 already: the bulk that carries it is refused as a whole.
    let first = network::create_or_find_security_group_rule(&c, &ssh_like(22))
        .await
        .unwrap();
    let RuleCreated::Made(existing) = first else {
        panic!("the first rule is made")
    };
    mock.clear_requests();
    first_create_slow(&mock, vec![]);
    let answers = create_together(&c, &[80, 22, 443, 8080]).await;
    let sizes = bulk_sizes(&mock);
    assert_eq!(sizes[..2], [1, 3], "{sizes:?}");
    assert_eq!(sizes.len(), 5, "then the three one by one: {sizes:?}");
    let mut answers = answers.into_iter();
    assert!(matches!(answers.next(), Some(Ok(RuleCreated::Made(_)))));
    match answers.next() {
        Some(Ok(RuleCreated::Existing(rule))) => assert_eq!(rule.id, existing.id),
        other => panic!("port 22 is the group's own rule: {other:?}"),
    }
    assert_eq!(made_ids(answers.collect()).len(), 2);
    assert_eq!(mock.objects(SECURITY_GROUP_RULES).len(), 4);
}

#[tokio::test]
async fn a_bulk_whose_answer_is_lost_creates_nothing_twice() {
    let mock = FakeCloud::openstack().await;
    let c = core_support::client(&mock, 0);
    // The bulk request is carried out, but its answer never comes.
    first_create_slow(&mock, vec![Action::LoseAnswer]);
    let ports: Vec<u32> = (2000..2006).collect();
    let ids = made_ids(create_together(&c, &ports).await);
    assert_eq!(
        ids.len(),
        6,
        "each rule is this create's own, none existing"
    );
    let stored = mock.objects(SECURITY_GROUP_RULES);
    assert_eq!(stored.len(), 6, "no rule made twice: {stored:?}");
}

#[tokio::test]
async fn a_bulk_request_carries_the_rules_of_one_group() {
    // Ports above 3000: the odd ones go to a second group.
    let (mock, ids) = made_behind_a_slow_first_create(3100..3110).await;
    assert_eq!(ids.len(), 10);
    // One alone, then the queued rules of each group in a bulk of their own (four of the first
    // group, five of the other): no bulk is refused for mixing groups.
    let mut sizes = bulk_sizes(&mock);
    sizes[1..].sort_unstable();
    assert_eq!(sizes, [1, 4, 5]);
    for hit in mock.hits("POST", RULES_PATH) {
        let body: Value = serde_json::from_str(&hit.body).unwrap();
        let groups: BTreeSet<String> = body
            .get("security_group_rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| r["security_group_id"].to_string())
            .collect();
        assert!(groups.len() <= 1, "{groups:?}");
    }
}
