//! Token requests against the in-process fake cloud: an answer that says nothing about the
//! credentials (a rate limit, an outage, a broken connection) is retried like any request that
//! is safe to repeat; Keystone's refusal of the credentials is final at once.
#![allow(clippy::unwrap_used)]

#[path = "core_support/mod.rs"]
mod core_support;

use core_support::{Action, FakeCloud};
use serde_json::json;

const TOKENS: &str = "/identity/v3/auth/tokens";

#[tokio::test]
async fn a_token_request_is_repeated_after_an_outage_a_rate_limit_and_a_reset() {
    let mock = FakeCloud::start().await;
    mock.on(
        "POST",
        TOKENS,
        vec![
            Action::Json(503, json!({"error": {"code": 503, "message": "down"}})),
            Action::JsonH(429, vec![("retry-after", "0".into())], json!({})),
            Action::Reset,
            Action::Pass,
        ],
    );
    let c = core_support::client(&mock, 3);
    c.authenticate().await.unwrap();
    assert_eq!(mock.hits("POST", TOKENS).len(), 4);
}

#[tokio::test]
async fn a_token_request_gives_up_after_max_retries() {
    let mock = FakeCloud::start().await;
    mock.on(
        "POST",
        TOKENS,
        vec![Action::Json(
            503,
            json!({"error": {"code": 503, "message": "down"}}),
        )],
    );
    let c = core_support::client(&mock, 1);
    let err = c.authenticate().await.unwrap_err().to_string();
    assert!(err.contains("503"), "{err}");
    assert_eq!(mock.hits("POST", TOKENS).len(), 2);
}

#[tokio::test]
async fn refused_credentials_are_not_asked_again() {
    let mock = FakeCloud::start().await;
    mock.on(
        "POST",
        TOKENS,
        vec![Action::Json(
            401,
            json!({"error": {"code": 401, "message": "The request you have made requires authentication."}}),
        )],
    );
    let c = core_support::client(&mock, 3);
    let err = c.authenticate().await.unwrap_err().to_string();
    assert!(err.contains("requires authentication"), "{err}");
    assert_eq!(mock.hits("POST", TOKENS).len(), 1);
}

/// What one provider process does: a client from the shared configuration, keeping tokens in
/// `dir`, sends one request.
async fn one_process(mock: &FakeCloud, dir: &std::path::Path) {
    mock.on(
        "GET",
        "/network/v2.0/networks",
        vec![Action::Json(200, json!({"networks": []}))],
    );
    let mut cfg = core_support::config(mock, 0, 10);
    cfg.token_cache_dir = Some(dir.to_path_buf());
    scs_client::Client::new(cfg)
        .unwrap()
        .network()
        .get_json::<serde_json::Value>("networks")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_later_process_uses_the_token_an_earlier_one_kept() {
    let mock = FakeCloud::start().await;
    let dir = tempfile::tempdir().unwrap();
    one_process(&mock, dir.path()).await;
    one_process(&mock, dir.path()).await;
    assert_eq!(mock.tokens_issued(), 1);
}

#[tokio::test]
async fn a_kept_token_the_cloud_revoked_is_replaced() {
    let mock = FakeCloud::start().await;
    let dir = tempfile::tempdir().unwrap();
    one_process(&mock, dir.path()).await;
    mock.revoke_tokens();
    one_process(&mock, dir.path()).await;
    assert_eq!(mock.tokens_issued(), 2, "the 401 made a new token");
    // ... which the next process finds.
    one_process(&mock, dir.path()).await;
    assert_eq!(mock.tokens_issued(), 2);
}

#[tokio::test]
async fn without_the_cache_every_process_gets_its_own_token() {
    let mock = FakeCloud::start().await;
    core_support::client(&mock, 0).authenticate().await.unwrap();
    core_support::client(&mock, 0).authenticate().await.unwrap();
    assert_eq!(mock.tokens_issued(), 2);
}
