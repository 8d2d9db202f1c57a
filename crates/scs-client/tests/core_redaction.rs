//! Secrets never reach logs or errors: everything is logged at TRACE
//! (including reqwest's `log` records) into a buffer, then grepped.
#![allow(clippy::unwrap_used)]

mod core_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use core_support::{Action, FakeCloud, PASSWORD};
use scs_client::config::{CloudConfig, Overrides, Secret, Sources};
use serde_json::{Value, json};

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const ADMIN_PASS: &str = "AdminPass-Secr3t-77";
const GIVEN_TOKEN: &str = "gAAAA-given-token-Secr3t";

#[tokio::test]
async fn no_secret_in_trace_logs_or_errors() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // reqwest/hyper log through the `log` crate; route it into tracing too.
    let _ = tracing_log::LogTracer::init();

    let mock = FakeCloud::start().await;
    mock.on(
        "POST",
        "/compute/v2.1/servers",
        vec![Action::Json(
            202,
            json!({"server": {"id": "s1", "adminPass": ADMIN_PASS}}),
        )],
    );
    let mut seen: Vec<String> = Vec::new();

    // Password auth, a create whose request and answer carry a password,
    // a 401 with re-auth, and errors.
    let c = core_support::client(&mock, 1);
    seen.push(format!("{:?}", c.config()));
    seen.push(format!("{c:?}"));
    let v: Value = c
        .compute()
        .post_json(
            "/servers",
            &json!({"server": {"name": "x", "adminPass": ADMIN_PASS, "user_data": "cGFzc3dvcmQ="}}),
        )
        .await
        .unwrap();
    assert_eq!(v["server"]["adminPass"], ADMIN_PASS);
    mock.revoke_tokens();
    let e = c.network().get_json::<Value>("/nothing").await.unwrap_err();
    seen.push(e.to_string());
    seen.push(format!("{e:?}"));

    // Application credential auth.
    let ac = CloudConfig::resolve_with(
        Overrides {
            application_credential_id: Some("ac-1".into()),
            application_credential_secret: Some(Secret::new(PASSWORD)),
            ..Overrides::default()
        },
        &Sources::default().with_env("OS_AUTH_URL", &mock.auth_url()),
    )
    .unwrap();
    seen.push(format!("{ac:?}"));
    let c2 = scs_client::Client::new(ac).unwrap();
    c2.authenticate().await.unwrap();

    // Wrong password: the error must quote Keystone, not us.
    let bad = CloudConfig::resolve_with(
        Overrides {
            user_name: Some("demo".into()),
            password: Some(Secret::new(format!("{PASSWORD}-wrong"))),
            project_name: Some("demo".into()),
            ..Overrides::default()
        },
        &Sources::default().with_env("OS_AUTH_URL", &mock.auth_url()),
    )
    .unwrap();
    let e = scs_client::Client::new(bad)
        .unwrap()
        .authenticate()
        .await
        .unwrap_err();
    seen.push(e.to_string());
    seen.push(format!("{e:?}"));

    // Token auth with a token the user gave.
    let tok = CloudConfig::resolve_with(
        Overrides::default(),
        &Sources::default()
            .with_env("OS_AUTH_URL", &mock.auth_url())
            .with_env("OS_TOKEN", GIVEN_TOKEN)
            .with_env("OS_PROJECT_ID", "proj-1"),
    )
    .unwrap();
    seen.push(format!("{tok:?}"));
    scs_client::Client::new(tok)
        .unwrap()
        .authenticate()
        .await
        .unwrap();

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    // The capture worked and bodies were logged (redacted), so absence below means something.
    assert!(
        logs.contains("request body"),
        "no TRACE body lines captured"
    );
    assert!(logs.contains("<redacted>"));
    assert!(mock.tokens_issued() >= 3);

    let everything = format!("{logs}\n{}", seen.join("\n"));
    for secret in [
        PASSWORD,
        ADMIN_PASS,
        GIVEN_TOKEN,
        "gAAAA-token-",
        "cGFzc3dvcmQ=",
    ] {
        assert!(
            !everything.contains(secret),
            "secret {secret:?} leaked:\n{everything}"
        );
    }
}

/// Nova's answer to an invalid `user_data` quotes the value twice ("Value: ..." and jsonschema's
/// "'...' is too long"): neither the error nor the TRACE log of the answer may carry it.
#[tokio::test]
async fn an_error_answer_quoting_a_secret_of_the_request_is_scrubbed_and_clipped() {
    let buf = Buf::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    const USER_DATA_B64: &str = "I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogaHVudGVyMg==";
    let mock = FakeCloud::start().await;
    let echo = format!(
        "Invalid input for field/attribute user_data. Value: {USER_DATA_B64}. \
         '{USER_DATA_B64}' is not a 'base64'"
    );
    mock.on(
        "POST",
        "/compute/v2.1/servers",
        vec![Action::error("/compute/v2.1/servers", 400, &echo, "req-ud")],
    );
    let long = format!("{} {USER_DATA_B64}", "x".repeat(3000));
    mock.on(
        "PUT",
        "/compute/v2.1/servers/s1",
        vec![Action::error(
            "/compute/v2.1/servers/s1",
            400,
            &long,
            "req-long",
        )],
    );
    let c = core_support::client(&mock, 0);
    let e = c
        .compute()
        .post_json::<_, Value>(
            "/servers",
            &json!({"server": {"name": "x", "user_data": USER_DATA_B64}}),
        )
        .await
        .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("Invalid input for field/attribute user_data. Value: <redacted>."),
        "{shown}"
    );
    assert!(shown.contains("req-ud"), "{shown}");

    // A message longer than 1 KiB is cut; a secret past the cut is gone either way.
    let e = c
        .compute()
        .put_json::<_, Value>(
            "/servers/s1",
            &json!({"server": {"name": "x", "user_data": USER_DATA_B64}}),
        )
        .await
        .unwrap_err();
    let clipped = e.api_message().unwrap_or_default().to_owned();
    assert!(clipped.len() < 1100, "{} bytes", clipped.len());
    assert!(clipped.contains("bytes in all"), "{clipped}");

    let logs = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("response body"),
        "no TRACE body lines captured"
    );
    let everything = format!("{logs}\n{shown}\n{e}\n{e:?}");
    assert!(
        !everything.contains(USER_DATA_B64),
        "user_data leaked:\n{everything}"
    );
}
