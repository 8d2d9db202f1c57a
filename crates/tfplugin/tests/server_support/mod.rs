//! Shared pieces of the server tests: a go-plugin-like client (its P-521 CA
//! client certificate, server pinning, h2 over TLS, on a unix socket or TCP),
//! OpenSSL's `s_client` as an independent one, and a trivial provider.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tfplugin::proto::tfplugin6::provider_server::Provider;
use tfplugin::proto::tfplugin6::{self, DynamicValue};
use tfplugin::server::{PluginAddr, PluginEnv};
use tokio::net::{TcpStream, UnixStream};
use tokio_util::either::Either;
use tonic::transport::{Channel, Endpoint, Uri};
use tonic::{Request, Response, Status};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A client certificate made the way go-plugin's `generateCert` makes it:
/// ECDSA P-521, a CA certificate with CertSign usage, for "localhost".
pub struct ClientCert {
    pub der: CertificateDer<'static>,
    pub key: PrivatePkcs8KeyDer<'static>,
    pub pem: String,
    pub key_pem: String,
}

pub fn go_plugin_client_cert() -> ClientCert {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "HashiCorp");
    name.push(DnType::CommonName, "localhost");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientCert {
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// Which transport a test wants the server on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// The default on Unix.
    Unix,
    /// The fallback, forced by a socket directory that does not exist.
    Tcp,
}

pub const TRANSPORTS: [Transport; 2] = [Transport::Unix, Transport::Tcp];

/// A directory no socket can be made in, so the server falls back to TCP.
pub const NO_SUCH_DIR: &str = "/nonexistent/tfplugin-test-socket-dir";

/// A launch environment as go-plugin sets it, on the given transport.
pub fn plugin_env(client_cert_pem: Option<String>, transport: Transport) -> PluginEnv {
    let mut env = PluginEnv::for_client_cert(client_cert_pem);
    if transport == Transport::Tcp {
        env.unix_socket_dir = Some(NO_SUCH_DIR.to_owned());
    }
    env
}

/// The parts of a handshake line, checked against go-plugin's format.
pub struct Handshake {
    pub addr: PluginAddr,
    pub server_cert: Option<CertificateDer<'static>>,
}

impl Handshake {
    pub fn transport(&self) -> Transport {
        match self.addr {
            PluginAddr::Tcp(_) => Transport::Tcp,
            PluginAddr::Unix(_) => Transport::Unix,
        }
    }
}

pub fn parse_handshake(line: &str) -> Handshake {
    let parts: Vec<&str> = line.split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}");
    assert_eq!(parts[0], "1", "core protocol version in {line:?}");
    assert_eq!(parts[1], "6", "app protocol version in {line:?}");
    assert_eq!(parts[4], "grpc", "protocol in {line:?}");
    let addr = match parts[2] {
        "tcp" => {
            let addr: std::net::SocketAddr = parts[3].parse().unwrap();
            assert!(addr.ip().is_loopback(), "bound to {addr}");
            PluginAddr::Tcp(addr)
        }
        "unix" => {
            let path = PathBuf::from(parts[3]);
            assert!(path.is_absolute(), "socket path {path:?}");
            PluginAddr::Unix(path)
        }
        other => panic!("network {other:?} in {line:?}"),
    };
    assert!(
        !parts[5].ends_with('='),
        "certificate must be unpadded base64"
    );
    let server_cert = (!parts[5].is_empty()).then(|| {
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .unwrap();
        CertificateDer::from(der)
    });
    Handshake { addr, server_cert }
}

/// Trusts exactly the certificate from the handshake line, as go-plugin does.
#[derive(Debug)]
struct PinnedServer {
    cert: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A gRPC channel over TLS to `handshake`'s server, presenting `client_cert`
/// (or no certificate at all).
pub async fn tls_channel(
    handshake: &Handshake,
    client_cert: Option<&ClientCert>,
) -> Result<Channel, BoxError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedServer {
        cert: handshake
            .server_cert
            .clone()
            .ok_or("server announced no certificate")?,
        algorithms: provider.signature_verification_algorithms,
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match client_cert {
        Some(c) => builder
            .with_client_auth_cert(vec![c.der.clone()], PrivateKeyDer::Pkcs8(c.key.clone_key()))?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let addr = handshake.addr.clone();
    // go-plugin dials the address it was given and ignores the URI.
    let channel = Endpoint::from_static("http://plugin")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let connector = connector.clone();
            let addr = addr.clone();
            async move {
                let stream = connect(&addr).await?;
                let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
                let tls = connector.connect(name, stream).await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await?;
    Ok(channel)
}

pub async fn plaintext_channel(addr: &PluginAddr) -> Result<Channel, BoxError> {
    let addr = addr.clone();
    Ok(Endpoint::from_static("http://plugin")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let addr = addr.clone();
            async move { Ok::<_, std::io::Error>(TokioIo::new(connect(&addr).await?)) }
        }))
        .await?)
}

/// A plain connection to the plugin's address, on its transport.
pub async fn connect(addr: &PluginAddr) -> std::io::Result<Either<TcpStream, UnixStream>> {
    Ok(match addr {
        PluginAddr::Tcp(addr) => Either::Left(TcpStream::connect(addr).await?),
        PluginAddr::Unix(path) => Either::Right(UnixStream::connect(path).await?),
    })
}

/// How OpenSSL's `s_client` fared against the server.
#[derive(Debug)]
pub enum OpensslOutcome {
    /// The handshake completed and the server's HTTP/2 stack spoke: it sent
    /// its SETTINGS frame, which it does only on a connection TLS let through.
    Served,
    /// The server ended the connection without speaking HTTP/2; stderr says why.
    Refused { stderr: String },
}

/// Connects with `openssl s_client` as a separate process, offering ALPN h2
/// and, if given, a client certificate and key. Panics if openssl is missing:
/// a test that needs it must not pass without it.
pub fn openssl_s_client(addr: &PluginAddr, client: Option<&ClientCert>) -> OpensslOutcome {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new("openssl");
    command.args([
        "s_client",
        "-servername",
        "localhost",
        "-alpn",
        "h2",
        "-ign_eof",
    ]);
    match addr {
        PluginAddr::Tcp(addr) => command.args(["-connect", &addr.to_string()]),
        PluginAddr::Unix(path) => command.arg("-unix").arg(path),
    };
    if let Some(client) = client {
        let (cert, key) = (dir.path().join("client.pem"), dir.path().join("client.key"));
        std::fs::write(&cert, &client.pem).unwrap();
        std::fs::write(&key, &client.key_pem).unwrap();
        command.arg("-cert").arg(&cert).arg("-key").arg(&key);
    }
    // stdin stays open (and empty): s_client would otherwise hang up at once.
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl must be installed for this test (Debian: openssl)");
    let stdout = read_in_background(child.stdout.take().unwrap());
    let stderr = read_in_background(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    let outcome = loop {
        if contains_settings_frame(&stdout.lock().unwrap()) {
            break OpensslOutcome::Served;
        }
        if child.try_wait().unwrap().is_some() {
            // Let the readers drain what the process wrote before exiting.
            std::thread::sleep(Duration::from_millis(100));
            if contains_settings_frame(&stdout.lock().unwrap()) {
                break OpensslOutcome::Served;
            }
            break OpensslOutcome::Refused {
                stderr: String::from_utf8_lossy(&stderr.lock().unwrap()).into_owned(),
            };
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "openssl s_client neither got an answer nor was turned away: stderr {}",
                String::from_utf8_lossy(&stderr.lock().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    outcome
}

/// The server's first HTTP/2 frame: SETTINGS (type 4), no flags, stream 0.
/// s_client prints only text of its own, so NUL bytes can only come from the
/// server's application data.
fn contains_settings_frame(output: &[u8]) -> bool {
    output.windows(6).any(|w| w == [4, 0, 0, 0, 0, 0])
}

fn read_in_background(mut pipe: impl Read + Send + 'static) -> Arc<std::sync::Mutex<Vec<u8>>> {
    let buffer = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = buffer.clone();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut chunk) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
    buffer
}

/// What the health service says about "plugin", or why asking failed.
pub async fn plugin_health(channel: Result<Channel, BoxError>) -> Result<i32, BoxError> {
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel?);
    let response = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".to_owned(),
        })
        .await?;
    Ok(response.into_inner().status)
}

pub const SERVING: i32 = tonic_health::pb::health_check_response::ServingStatus::Serving as i32;

/// Implements only ReadDataSource, which hands the config back as state, so
/// that large messages travel both ways; everything else keeps the
/// generated UNIMPLEMENTED default.
pub struct EchoProvider;

#[tonic::async_trait]
impl Provider for EchoProvider {
    async fn read_data_source(
        &self,
        request: Request<tfplugin6::read_data_source::Request>,
    ) -> Result<Response<tfplugin6::read_data_source::Response>, Status> {
        let config = request.into_inner().config;
        Ok(Response::new(tfplugin6::read_data_source::Response {
            state: config,
            ..Default::default()
        }))
    }
}

pub fn dynamic_value(bytes: Vec<u8>) -> DynamicValue {
    DynamicValue {
        msgpack: bytes,
        json: Vec::new(),
    }
}
