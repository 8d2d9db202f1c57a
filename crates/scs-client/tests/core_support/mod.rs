//! The fake cloud (`scs_client::test_util`) plus clients configured against it.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

pub use scs_client::test_util::{Action, FakeCloud, PASSWORD, Recorded};

/// A self-signed certificate for 127.0.0.1 (PEM cert, PEM key).
pub fn self_signed() -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    (ck.cert.pem(), ck.signing_key.serialize_pem())
}

/// A client configured against the fake with password auth, via the real
/// config resolution (environment injected, nothing read from the process).
pub fn client(fake: &FakeCloud, max_retries: u32) -> scs_client::Client {
    client_with(fake, max_retries, 10)
}

pub fn client_with(
    fake: &FakeCloud,
    max_retries: u32,
    max_concurrency: usize,
) -> scs_client::Client {
    scs_client::Client::new(config(fake, max_retries, max_concurrency)).unwrap()
}

/// The configuration [`client_with`] uses: password auth against the fake cloud.
pub fn config(
    fake: &FakeCloud,
    max_retries: u32,
    max_concurrency: usize,
) -> scs_client::config::ResolvedConfig {
    use scs_client::config::{CloudConfig, Overrides, Sources};
    let sources = Sources::default()
        .with_env("OS_AUTH_URL", &fake.auth_url())
        .with_env("OS_USERNAME", "demo")
        .with_env("OS_PASSWORD", PASSWORD)
        .with_env("OS_PROJECT_NAME", "demo")
        .with_env("OS_USER_DOMAIN_NAME", "Default")
        .with_env("OS_PROJECT_DOMAIN_NAME", "Default")
        .with_env("OS_REGION_NAME", "RegionOne");
    CloudConfig::resolve_with(
        Overrides {
            max_retries: Some(max_retries),
            max_concurrency: Some(max_concurrency),
            ..Overrides::default()
        },
        &sources,
    )
    .unwrap()
}
