//! Interfaces against the in-process fake cloud: waiting for Nova to finish a detach, which it
//! does in the background after answering.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use std::time::Duration;

use core_support::{Action, FakeCloud};
use scs_client::{CancellationToken, compute};
use serde_json::{Value, json};
use tokio::time::Instant;

const INTERFACES: &str = "/compute/v2.1/servers/s1/os-interface";

fn attached(ports: &[&str]) -> Action {
    let list: Vec<Value> = ports
        .iter()
        .map(|p| {
            json!({"port_id": p, "net_id": "n", "mac_addr": "fa:16:3e:00:00:01",
            "port_state": "ACTIVE", "fixed_ips": []})
        })
        .collect();
    Action::ok(json!({ "interfaceAttachments": list }))
}

#[tokio::test]
async fn the_detach_wait_ends_when_the_ports_are_gone() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on(
        "GET",
        INTERFACES,
        vec![
            attached(&["keep", "p1", "p2"]),
            attached(&["keep", "p2"]),
            attached(&["keep"]),
        ],
    );
    let ports = vec!["p1".to_owned(), "p2".to_owned()];
    let deadline = Instant::now() + Duration::from_secs(20);
    compute::wait_for_interfaces_detached(&c, "s1", &ports, deadline, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(mock.hits("GET", INTERFACES).len(), 3);
}

#[tokio::test]
async fn a_detach_that_does_not_finish_times_out_naming_the_ports() {
    let mock = FakeCloud::start().await;
    let c = core_support::client(&mock, 0);
    mock.on("GET", INTERFACES, vec![attached(&["keep", "p1"])]);
    let ports = vec!["p1".to_owned()];
    let deadline = Instant::now() + Duration::from_millis(700);
    let err = compute::wait_for_interfaces_detached(
        &c,
        "s1",
        &ports,
        deadline,
        &CancellationToken::new(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("timed out") && err.contains("still attached: p1"),
        "{err}"
    );
    assert!(!err.contains("keep"), "{err}");

    // Cancelled (Terraform's StopProvider): ends at once.
    let cancel = CancellationToken::new();
    cancel.cancel();
    let far = Instant::now() + Duration::from_secs(60);
    let err = compute::wait_for_interfaces_detached(&c, "s1", &ports, far, &cancel)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("cancelled"), "{err}");
}
