//! The plugin server as go-plugin's client meets it: handshake line, mutual
//! TLS with a pinned client certificate, health, shutdown, message limits.

#![allow(clippy::unwrap_used)]

mod server_support;

use std::time::Duration;

use server_support::*;
use tfplugin::proto::plugin::grpc_broker_client::GrpcBrokerClient;
use tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use tfplugin::proto::plugin::{ConnInfo, Empty};
use tfplugin::proto::tfplugin6::provider_client::ProviderClient;
use tfplugin::proto::tfplugin6::{get_metadata, read_data_source};
use tfplugin::server::{self, MAX_MESSAGE_SIZE, PluginEnv, RunningServer};

/// Generous bound so a broken shutdown fails the test instead of hanging it.
const STOP_BOUND: Duration = Duration::from_secs(30);

async fn start_tls() -> (RunningServer, Handshake, ClientCert) {
    let client = go_plugin_client_cert();
    let server = server::start(
        EchoProvider,
        &PluginEnv::for_client_cert(Some(client.pem.clone())),
    )
    .await
    .unwrap();
    let handshake = parse_handshake(server.handshake_line());
    (server, handshake, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn handshake_line_announces_loopback_tcp_grpc_and_the_server_certificate() {
    let (server, handshake, _client) = start_tls().await;
    assert_eq!(handshake.addr, server.local_addr());
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
async fn each_start_gets_a_fresh_server_certificate() {
    let (a, ha, _) = start_tls().await;
    let (b, hb, _) = start_tls().await;
    assert_ne!(ha.server_cert, hb.server_cert);
    a.stop();
    b.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pinned_p521_ca_client_certificate_is_accepted_and_health_says_serving() {
    let (server, handshake, client) = start_tls().await;
    let status = plugin_health(tls_channel(&handshake, Some(&client)).await)
        .await
        .unwrap();
    assert_eq!(status, SERVING);
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_with_a_different_certificate_is_refused() {
    let (server, handshake, client) = start_tls().await;
    let stranger = go_plugin_client_cert();
    let result = plugin_health(tls_channel(&handshake, Some(&stranger)).await).await;
    assert!(
        result.is_err(),
        "a foreign certificate got an answer: {result:?}"
    );
    assert_eq!(
        plugin_health(tls_channel(&handshake, Some(&client)).await)
            .await
            .unwrap(),
        SERVING,
        "the real client is still served after a refusal"
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tls_client_without_a_certificate_is_refused() {
    let (server, handshake, client) = start_tls().await;
    let result = plugin_health(tls_channel(&handshake, None).await).await;
    assert!(
        result.is_err(),
        "a client without certificate got an answer: {result:?}"
    );
    assert_eq!(
        plugin_health(tls_channel(&handshake, Some(&client)).await)
            .await
            .unwrap(),
        SERVING,
        "the real client is still served after a refusal"
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plaintext_client_is_refused_while_tls_is_on() {
    let (server, handshake, client) = start_tls().await;
    let result = plugin_health(plaintext_channel(handshake.addr).await).await;
    assert!(result.is_err(), "plaintext got an answer: {result:?}");
    assert_eq!(
        plugin_health(tls_channel(&handshake, Some(&client)).await)
            .await
            .unwrap(),
        SERVING,
        "the real client is still served after a refusal"
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_client_certificate_means_plaintext() {
    let server = server::start(
        EchoProvider,
        &PluginEnv::for_client_cert(Some(String::new())),
    )
    .await
    .unwrap();
    let handshake = parse_handshake(server.handshake_line());
    assert!(handshake.server_cert.is_none());
    assert!(server.handshake_line().ends_with("|grpc|"));
    let status = plugin_health(plaintext_channel(handshake.addr).await)
        .await
        .unwrap();
    assert_eq!(status, SERVING);
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn controller_shutdown_stops_the_server_and_closes_open_streams() {
    let (server, handshake, client) = start_tls().await;
    let addr = server.local_addr();
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
    // And nobody listens any more.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
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
