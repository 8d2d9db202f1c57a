//! The ephemeral `scs_application_credential` through the plugin protocol against the fake cloud:
//! open creates a restricted, expiring Keystone application credential and returns its secret,
//! close deletes it.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::{Tf, js, os, paths};

#[tokio::test]
async fn open_creates_a_restricted_expiring_credential_and_close_deletes_it() {
    let tf = Tf::start().await;
    let (opened, private) = tf
        .open_ephemeral(
            "scs_application_credential",
            json!({"name": "ci", "roles": ["reader"], "expires_in": "15m"}),
        )
        .await;
    let result = js(&opened.ok());
    let sent = tf.bodies("POST", os::APPLICATION_CREDENTIALS);
    assert_eq!(sent.len(), 1);
    let body = &sent[0]["application_credential"];
    assert_eq!(body["name"], "ci");
    assert_eq!(body["roles"], json!([{"name": "reader"}]));
    assert_eq!(body["unrestricted"], false);
    assert!(
        body["expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{body}"
    );
    let id = result["id"].as_str().unwrap().to_owned();
    assert_eq!(result["secret"], "fake-application-credential-secret");
    assert_eq!(result["project_id"], "proj-1");
    assert!(
        result["auth_url"]
            .as_str()
            .is_some_and(|u| u.contains("/identity")),
        "{result}"
    );
    assert_eq!(tf.cloud.objects(os::APPLICATION_CREDENTIALS).len(), 1);

    let errors = tf
        .close_ephemeral("scs_application_credential", private.clone())
        .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        tf.cloud.object(os::APPLICATION_CREDENTIALS, &id).is_none(),
        "the credential outlived close"
    );
    // Closing again (the client retried) finds it gone: still success.
    let again = tf
        .close_ephemeral("scs_application_credential", private)
        .await;
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test]
async fn keystone_refusing_the_provider_user_says_why() {
    let tf = Tf::start().await;
    tf.cloud.fail(
        "POST",
        os::APPLICATION_CREDENTIALS,
        403,
        "Using method 'application_credential' is not allowed for managing additional application credentials.",
        "req-appcred",
    );
    let (opened, _) = tf
        .open_ephemeral("scs_application_credential", json!({}))
        .await;
    let error = opened.failed();
    assert!(error.contains("req-appcred"), "{error}");
    assert!(
        error.contains("restricted application credential"),
        "{error}"
    );
}

#[tokio::test]
async fn close_without_private_data_is_an_error_not_a_crash() {
    let tf = Tf::start().await;
    let errors = tf.close_ephemeral("scs_application_credential", None).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("expires on its own"), "{errors:?}");
}

#[tokio::test]
async fn a_lifetime_under_a_minute_is_an_error_on_expires_in() {
    let tf = Tf::start().await;
    let problems = tf
        .validate_ephemeral("scs_application_credential", json!({"expires_in": "30s"}))
        .await;
    assert_eq!(paths(&problems), ["expires_in"], "{problems:?}");
    assert!(problems[0].detail.contains("\"30s\""), "{problems:?}");
    let fine = tf
        .validate_ephemeral("scs_application_credential", json!({"expires_in": "2h"}))
        .await;
    assert!(fine.is_empty(), "{fine:?}");
}
