//! The plugin server as go-plugin's client meets it: handshake line, unix
//! socket or TCP, mutual TLS with a pinned client certificate (also against
//! OpenSSL as an independent client), health, shutdown, message limits.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod server_support;

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::time::Duration;

use server_support::*;
use tfplugin::proto::plugin::grpc_broker_client::GrpcBrokerClient;
use tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use tfplugin::proto::plugin::{ConnInfo, Empty};
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::proto::tfplugin6::{get_metadata, read_data_source};
use tfplugin::server::{self, MAX_MESSAGE_SIZE, PluginAddr, PluginEnv, RunningServer};

/// Generous bound so a broken shutdown fails the test instead of hanging it.
const STOP_BOUND: Duration = Duration::from_secs(30);

async fn start_tls_on(transport: Transport) -> (RunningServer, Handshake, ClientCert) {
    let client = go_plugin_client_cert();
    let server = server::start(
        EchoProvider,
        &plugin_env(Some(client.pem.clone()), transport),
    )
    .await
    .unwrap();
    let handshake = parse_handshake(server.handshake_line());
    assert_eq!(
        handshake.transport(),
        transport,
        "{}",
        server.handshake_line()
    );
    (server, handshake, client)
}

async fn start_tls() -> (RunningServer, Handshake, ClientCert) {
    start_tls_on(Transport::Unix).await
}

fn socket_path(addr: &PluginAddr) -> &std::path::Path {
    match addr {
        PluginAddr::Unix(path) => path,
        PluginAddr::Tcp(addr) => panic!("expected a unix socket, got TCP {addr}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn handshake_line_announces_a_unix_socket_grpc_and_the_server_certificate() {
    let (server, handshake, _client) = start_tls().await;
    assert_eq!(&handshake.addr, server.address());
    assert!(server.handshake_line().starts_with("1|6|unix|/"));
    let cert = handshake
        .server_cert
        .expect("TLS handshake line carries a certificate");
    // Parsable X.509 that names localhost, since go-plugin dials ServerName "localhost".
    assert!(rustls::server::ParsedCertificate::try_from(&cert).is_ok());
    assert!(
        cert.as_ref()
            .windows(b"localhost".len())
            .any(|w| w == b"localhost"),
        "server certificate should be for localhost"
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_socket_is_in_the_temporary_directory_and_only_its_owner_may_connect() {
    let (server, handshake, _client) = start_tls().await;
    let path = socket_path(&handshake.addr);
    assert_eq!(path.parent(), Some(std::env::temp_dir().as_path()));
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("plugin"), "socket name {name}");
    let meta = std::fs::symlink_metadata(path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn plugin_unix_socket_dir_says_where_the_socket_goes() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = PluginEnv::for_client_cert(None);
    env.unix_socket_dir = Some(dir.path().to_str().unwrap().to_owned());
    let server = server::start(EchoProvider, &env).await.unwrap();
    let handshake = parse_handshake(server.handshake_line());
    assert_eq!(socket_path(&handshake.addr).parent(), Some(dir.path()));
    let status = plugin_health(plaintext_channel(&handshake.addr).await)
        .await
        .unwrap();
    assert_eq!(status, SERVING);
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn plugin_unix_socket_group_makes_the_socket_group_writable() {
    let dir = tempfile::tempdir().unwrap();
    // A group this process may hand the socket to: its own.
    let own_gid = std::fs::metadata(dir.path()).unwrap().gid();
    let mut env = PluginEnv::for_client_cert(None);
    env.unix_socket_dir = Some(dir.path().to_str().unwrap().to_owned());
    env.unix_socket_group = Some(own_gid.to_string());
    let server = server::start(EchoProvider, &env).await.unwrap();
    let handshake = parse_handshake(server.handshake_line());
    let meta = std::fs::metadata(socket_path(&handshake.addr)).unwrap();
    assert_eq!(meta.gid(), own_gid);
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn where_no_socket_can_be_made_it_serves_on_loopback_tcp() {
    let dir = tempfile::tempdir().unwrap();
    // Longer than any platform's limit for a socket path.
    let deep = dir.path().join("d".repeat(120));
    std::fs::create_dir(&deep).unwrap();
    let unknown_group = {
        let mut env = PluginEnv::for_client_cert(None);
        env.unix_socket_dir = Some(dir.path().to_str().unwrap().to_owned());
        env.unix_socket_group = Some("no-such-group-tfplugin-test".to_owned());
        env
    };
    let too_long = {
        let mut env = PluginEnv::for_client_cert(None);
        env.unix_socket_dir = Some(deep.to_str().unwrap().to_owned());
        env
    };
    let missing_dir = plugin_env(None, Transport::Tcp);
    for env in [unknown_group, too_long, missing_dir] {
        let server = server::start(EchoProvider, &env).await.unwrap();
        let handshake = parse_handshake(server.handshake_line());
        assert_eq!(handshake.transport(), Transport::Tcp, "{env:?}");
        let status = plugin_health(plaintext_channel(&handshake.addr).await)
            .await
            .unwrap();
        assert_eq!(status, SERVING);
        server.stop();
    }
    // Nothing was left behind by the attempts.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(std::fs::read_dir(&deep).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn each_start_gets_a_fresh_server_certificate_and_socket() {
    let (a, ha, _) = start_tls().await;
    let (b, hb, _) = start_tls().await;
    assert_ne!(ha.server_cert, hb.server_cert);
    assert_ne!(ha.addr, hb.addr);
    a.stop();
    b.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pinned_p521_ca_client_certificate_is_accepted_and_health_says_serving() {
    for transport in TRANSPORTS {
        let (server, handshake, client) = start_tls_on(transport).await;
        let status = plugin_health(tls_channel(&handshake, Some(&client)).await)
            .await
            .unwrap();
        assert_eq!(status, SERVING, "{transport:?}");
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_with_a_different_certificate_is_refused() {
    for transport in TRANSPORTS {
        let (server, handshake, client) = start_tls_on(transport).await;
        let stranger = go_plugin_client_cert();
        let result = plugin_health(tls_channel(&handshake, Some(&stranger)).await).await;
        assert!(
            result.is_err(),
            "{transport:?}: a foreign certificate got an answer: {result:?}"
        );
        assert_eq!(
            plugin_health(tls_channel(&handshake, Some(&client)).await)
                .await
                .unwrap(),
            SERVING,
            "{transport:?}: the real client is still served after a refusal"
        );
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_client_without_a_certificate_is_refused() {
    for transport in TRANSPORTS {
        let (server, handshake, client) = start_tls_on(transport).await;
        let result = plugin_health(tls_channel(&handshake, None).await).await;
        assert!(
            result.is_err(),
            "{transport:?}: a client without certificate got an answer: {result:?}"
        );
        assert_eq!(
            plugin_health(tls_channel(&handshake, Some(&client)).await)
                .await
                .unwrap(),
            SERVING,
            "{transport:?}: the real client is still served after a refusal"
        );
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plaintext_client_is_refused_while_tls_is_on() {
    for transport in TRANSPORTS {
        let (server, handshake, client) = start_tls_on(transport).await;
        let result = plugin_health(plaintext_channel(&handshake.addr).await).await;
        assert!(
            result.is_err(),
            "{transport:?}: plaintext got an answer: {result:?}"
        );
        assert_eq!(
            plugin_health(tls_channel(&handshake, Some(&client)).await)
                .await
                .unwrap(),
            SERVING,
            "{transport:?}: the real client is still served after a refusal"
        );
        server.stop();
    }
}

/// OpenSSL, not rustls, on the client side: the server must work with a
/// TLS stack other than its own and refuse it likewise.
#[tokio::test(flavor = "multi_thread")]
async fn openssl_with_the_pinned_certificate_is_served_and_without_it_refused() {
    for transport in TRANSPORTS {
        let (server, handshake, client) = start_tls_on(transport).await;
        let addr = handshake.addr.clone();
        let stranger = go_plugin_client_cert();
        let (pinned, foreign, none, pinned_again) = tokio::task::spawn_blocking(move || {
            (
                openssl_s_client(&addr, Some(&client)),
                openssl_s_client(&addr, Some(&stranger)),
                openssl_s_client(&addr, None),
                openssl_s_client(&addr, Some(&client)),
            )
        })
        .await
        .unwrap();
        assert!(
            matches!(pinned, OpensslOutcome::Served),
            "{transport:?}: {pinned:?}"
        );
        for refused in [foreign, none] {
            match refused {
                OpensslOutcome::Refused { stderr } => {
                    assert!(stderr.contains("alert"), "{transport:?}: {stderr}")
                }
                OpensslOutcome::Served => panic!("{transport:?}: served without the pinned cert"),
            }
        }
        assert!(
            matches!(pinned_again, OpensslOutcome::Served),
            "{transport:?}: {pinned_again:?}"
        );
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_client_certificate_means_plaintext() {
    for transport in TRANSPORTS {
        let server = server::start(EchoProvider, &plugin_env(Some(String::new()), transport))
            .await
            .unwrap();
        let handshake = parse_handshake(server.handshake_line());
        assert_eq!(handshake.transport(), transport);
        assert!(handshake.server_cert.is_none());
        assert!(server.handshake_line().ends_with("|grpc|"));
        let status = plugin_health(plaintext_channel(&handshake.addr).await)
            .await
            .unwrap();
        assert_eq!(status, SERVING, "{transport:?}");
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn controller_shutdown_stops_the_server_closes_open_streams_and_removes_the_socket() {
    for transport in TRANSPORTS {
        let (server, handshake, client) = start_tls_on(transport).await;
        let addr = server.address().clone();
        let channel = tls_channel(&handshake, Some(&client)).await.unwrap();

        // go-plugin's client keeps these two streams open for the whole session.
        let mut stdio = GrpcStdioClient::new(channel.clone())
            .stream_stdio(())
            .await
            .unwrap()
            .into_inner();
        let (_broker_tx, broker_rx) = tokio::sync::mpsc::channel::<ConnInfo>(1);
        let mut broker = GrpcBrokerClient::new(channel.clone())
            .start_stream(tokio_stream::wrappers::ReceiverStream::new(broker_rx))
            .await
            .unwrap()
            .into_inner();

        GrpcControllerClient::new(channel)
            .shutdown(Empty {})
            .await
            .unwrap();
        tokio::time::timeout(STOP_BOUND, server.wait())
            .await
            .expect("server stopped after Shutdown")
            .unwrap();

        // The streams ended cleanly rather than being cut off.
        assert!(matches!(stdio.message().await, Ok(None)));
        assert!(matches!(broker.message().await, Ok(None)));
        // And nobody listens any more, nor is a socket file left behind.
        assert!(connect(&addr).await.is_err(), "{transport:?}");
        if let PluginAddr::Unix(path) = &addr {
            assert!(!path.exists(), "{path:?} was left behind");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rpcs_the_provider_does_not_implement_answer_unimplemented() {
    let (server, handshake, client) = start_tls().await;
    let channel = tls_channel(&handshake, Some(&client)).await.unwrap();
    let status = ProviderClient::new(channel)
        .get_metadata(get_metadata::Request {})
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented);
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_100_mib_dynamic_value_travels_both_ways() {
    let (server, handshake, client) = start_tls().await;
    let channel = tls_channel(&handshake, Some(&client)).await.unwrap();
    let mut provider = ProviderClient::new(channel)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
        .max_decoding_message_size(MAX_MESSAGE_SIZE);
    let size = 100 << 20;
    let mut payload = vec![0u8; size];
    // A pattern, so that truncation or reordering would show.
    for (i, byte) in payload.iter_mut().enumerate() {
        *byte = (i % 251) as u8;
    }
    let response = provider
        .read_data_source(read_data_source::Request {
            type_name: "scs_echo".to_owned(),
            config: Some(dynamic_value(payload.clone())),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let echoed = response.state.unwrap().msgpack;
    assert_eq!(echoed.len(), size);
    assert!(echoed == payload, "echoed bytes differ");
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_above_256_mib_is_refused_with_a_status_not_a_crash() {
    let (server, handshake, client) = start_tls().await;
    let channel = tls_channel(&handshake, Some(&client)).await.unwrap();
    let mut provider = ProviderClient::new(channel.clone()).max_encoding_message_size(usize::MAX);
    let status = provider
        .read_data_source(read_data_source::Request {
            config: Some(dynamic_value(vec![0u8; MAX_MESSAGE_SIZE + 1])),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            status.code(),
            tonic::Code::OutOfRange | tonic::Code::ResourceExhausted
        ),
        "{status:?}"
    );
    // The server is still there for the next call.
    assert_eq!(plugin_health(Ok(channel)).await.unwrap(), SERVING);
    server.stop();
}
