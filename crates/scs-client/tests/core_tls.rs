//! TLS options against an HTTPS fake cloud with a self-signed certificate:
//! `cacert_file` trusts it, `insecure` skips verification, neither fails.
#![allow(clippy::unwrap_used)]

mod core_support;

use core_support::{Action, FakeCloud, PASSWORD};
use scs_client::config::{CloudConfig, Overrides, Sources};
use serde_json::{Value, json};

fn sources(mock: &FakeCloud) -> Sources {
    Sources::default()
        .with_env("OS_AUTH_URL", &mock.auth_url())
        .with_env("OS_USERNAME", "demo")
        .with_env("OS_PASSWORD", PASSWORD)
        .with_env("OS_PROJECT_NAME", "demo")
}

async fn list(overrides: Overrides, src: &Sources) -> Result<Value, scs_client::Error> {
    let cfg = CloudConfig::resolve_with(overrides, src)?;
    let c = scs_client::Client::new(cfg)?;
    c.network().get_json("/networks").await
}

#[tokio::test]
async fn cacert_insecure_and_untrusted() {
    let (cert, key) = core_support::self_signed();
    let mock = FakeCloud::start_tls(&cert, &key).await;
    assert!(mock.auth_url().starts_with("https://"));
    mock.on(
        "GET",
        "/network/v2.0/networks",
        vec![Action::ok(json!({"networks": []}))],
    );
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &cert).unwrap();

    // Not trusted: the error says it is about the certificate.
    let err = list(Overrides::default(), &sources(&mock))
        .await
        .unwrap_err();
    let s = err.to_string();
    assert!(matches!(err, scs_client::Error::Auth { .. }), "{err:?}");
    assert!(s.to_lowercase().contains("certificate"), "{s}");

    // Trusted through cacert_file (provider block) and OS_CACERT.
    let v = list(
        Overrides {
            cacert_file: Some(ca.display().to_string()),
            ..Overrides::default()
        },
        &sources(&mock),
    )
    .await
    .unwrap();
    assert!(v["networks"].is_array());
    let v = list(
        Overrides::default(),
        &sources(&mock).with_env("OS_CACERT", &ca.display().to_string()),
    )
    .await
    .unwrap();
    assert!(v["networks"].is_array());

    // insecure skips verification.
    let v = list(
        Overrides {
            insecure: Some(true),
            ..Overrides::default()
        },
        &sources(&mock),
    )
    .await
    .unwrap();
    assert!(v["networks"].is_array());
}

#[test]
fn unreadable_cacert_is_a_config_error() {
    let cfg = CloudConfig::resolve_with(
        Overrides {
            cacert_file: Some("/nonexistent/ca.pem".into()),
            ..Overrides::default()
        },
        &Sources::default()
            .with_env("OS_AUTH_URL", "https://k:5000")
            .with_env("OS_TOKEN", "t"),
    )
    .unwrap();
    let err = scs_client::Client::new(cfg).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
}

#[test]
fn client_certificate_is_loaded_and_must_come_with_its_key() {
    let (cert, key) = core_support::self_signed();
    let dir = tempfile::tempdir().unwrap();
    let cert_file = dir.path().join("client.pem");
    let key_file = dir.path().join("client.key");
    std::fs::write(&cert_file, &cert).unwrap();
    std::fs::write(&key_file, &key).unwrap();
    let src = Sources::default()
        .with_env("OS_AUTH_URL", "https://k:5000")
        .with_env("OS_TOKEN", "t")
        .with_env("OS_CERT", &cert_file.display().to_string());

    let e = CloudConfig::resolve_with(Overrides::default(), &src).unwrap_err();
    assert!(e.to_string().contains("key_file"), "{e}");

    let cfg = CloudConfig::resolve_with(
        Overrides::default(),
        &src.clone()
            .with_env("OS_KEY", &key_file.display().to_string()),
    )
    .unwrap();
    scs_client::Client::new(cfg).unwrap();

    // A key that is not a key.
    std::fs::write(&key_file, "not a key").unwrap();
    let cfg = CloudConfig::resolve_with(
        Overrides::default(),
        &src.with_env("OS_KEY", &key_file.display().to_string()),
    )
    .unwrap();
    let e = scs_client::Client::new(cfg).unwrap_err();
    assert!(e.to_string().contains("cert_file/key_file"), "{e}");
}

#[tokio::test]
async fn client_certificate_is_presented_to_the_server() {
    let (server_cert, server_key) = core_support::self_signed();
    let (client_cert, client_key) = core_support::self_signed();
    let mock =
        FakeCloud::start_tls_with_client_ca(&server_cert, &server_key, Some(&client_cert)).await;
    mock.on(
        "GET",
        "/network/v2.0/networks",
        vec![Action::ok(json!({"networks": []}))],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let ca = path("ca.pem", &server_cert);
    let cert = path("client.pem", &client_cert);
    let key = path("client.key", &client_key);

    // Without a client certificate the handshake is refused.
    let without = Overrides {
        cacert_file: Some(ca.clone()),
        ..Overrides::default()
    };
    assert!(list(without.clone(), &sources(&mock)).await.is_err());

    let with = Overrides {
        cert_file: Some(cert),
        key_file: Some(key),
        ..without
    };
    let v = list(with, &sources(&mock)).await.unwrap();
    assert!(v["networks"].is_array());
}
