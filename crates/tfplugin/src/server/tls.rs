//! go-plugin's AutoMTLS, server side.
//!
//! The client generates a throw-away certificate per launch and passes it in
//! `PLUGIN_CLIENT_CERT`; the server answers with its own throw-away
//! certificate in the handshake line. Both sides then trust exactly that one
//! certificate. The client's certificate is an ECDSA P-521 *CA* certificate,
//! which stock WebPKI verification rejects as an end entity, so the verifier
//! here pins the exact DER instead of building a chain, and checks the
//! handshake signatures itself with aws-lc-rs (ring cannot do P-521).
//!
//! Everything that needs randomness (the server key, the certificate
//! signature, the handshakes) runs on ring, which reads the OS random source
//! directly. aws-lc seeds its DRBG from CPU jitter entropy first, which took
//! most of the plugin's start-up time; signature verification draws no
//! randomness, so aws-lc keeps that part without the seeding cost.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyIdMethod, KeyUsagePurpose, PublicKeyData, SerialNumber, SignatureAlgorithm, SigningKey,
};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::TlsAcceptor;
use tonic::transport::server::Connected;

use super::ServeError;
use super::transport::Stream;

/// A client that has not finished its TLS handshake by then is dropped, so
/// that a stuck peer cannot hold a task forever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const SERIAL_LEN: usize = 16;
const KEY_ID_LEN: usize = 20;

/// The server's certificate and key for one run.
pub(crate) struct ServerIdentity {
    pub cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    /// A fresh self-signed certificate shaped like go-plugin's own (CA flag,
    /// key usages, `localhost`), because go-plugin clients dial with
    /// ServerName "localhost" and trust only this certificate.
    pub fn generate() -> Result<Self, ServeError> {
        let key = RingP384Key::generate()?;
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
        let mut name = DistinguishedName::new();
        name.push(DnType::OrganizationName, "tfplugin");
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
        // Clock skew between client and plugin is impossible (same host), but
        // a certificate valid from "now" can still race the client's clock read.
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::seconds(30);
        params.not_after = now + time::Duration::days(365);
        // rcgen makes these itself only when built with a crypto backend,
        // which depends on what else is in the build; the release binary
        // has none.
        params.serial_number = Some(key.serial_number()?);
        params.key_identifier_method = KeyIdMethod::PreSpecified(key.key_identifier());
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert: cert.der().clone(),
            key: key.pkcs8,
        })
    }
}

/// A P-384 key generated and used by ring, whatever crypto backend rcgen
/// itself was built with: another crate in the build (the tests' go-plugin
/// client) may enable rcgen's aws-lc backend, and the server must not end up
/// on aws-lc's jitter-seeded random generator through that.
struct RingP384Key {
    pair: EcdsaKeyPair,
    pkcs8: PrivatePkcs8KeyDer<'static>,
    rng: SystemRandom,
}

impl RingP384Key {
    fn generate() -> Result<Self, rcgen::Error> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_ASN1_SIGNING, &rng)
            .map_err(|_| rcgen::Error::RingUnspecified)?;
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|e| rcgen::Error::RingKeyRejected(e.to_string()))?;
        Ok(Self {
            pair,
            pkcs8: PrivatePkcs8KeyDer::from(pkcs8.as_ref().to_vec()),
            rng,
        })
    }

    /// 128 random bits, as go-plugin uses; positive, as DER integers must
    /// be for a serial.
    fn serial_number(&self) -> Result<SerialNumber, rcgen::Error> {
        let mut serial = [0u8; SERIAL_LEN];
        self.rng
            .fill(&mut serial)
            .map_err(|_| rcgen::Error::RingUnspecified)?;
        serial[0] &= 0x7f;
        Ok(SerialNumber::from_slice(&serial))
    }

    /// The subject key identifier: SHA-256 of the public key, cut to 160
    /// bits (RFC 7093, method 1).
    fn key_identifier(&self) -> Vec<u8> {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.der_bytes());
        digest.as_ref()[..KEY_ID_LEN].to_vec()
    }
}

impl PublicKeyData for RingP384Key {
    fn der_bytes(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P384_SHA384
    }
}

impl SigningKey for RingP384Key {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.pair
            .sign(&self.rng, msg)
            .map(|signature| signature.as_ref().to_vec())
            .map_err(|_| rcgen::Error::RingUnspecified)
    }
}

/// Accepts only the one client certificate go-plugin announced.
#[derive(Debug)]
pub(crate) struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    pub fn new(pinned: CertificateDer<'static>, algorithms: WebPkiSupportedAlgorithms) -> Self {
        Self { pinned, algorithms }
    }

    fn check_pinned(&self, presented: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if presented.as_ref() == self.pinned.as_ref() {
            Ok(())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    // No CA hints: Go's TLS client then offers its certificate whenever the
    // signature schemes fit, which is what lets the P-521 certificate through.
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check_pinned(end_entity)?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.check_pinned(cert)?;
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.check_pinned(cert)?;
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// rustls configuration for one run: our identity, the pinned client, h2.
pub(crate) fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<rustls::ServerConfig, ServeError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // go-plugin's client certificate is P-521, which only aws-lc verifies.
    let verifier = PinnedClientCert::new(
        client_cert,
        rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
    );
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert.clone()],
            PrivateKeyDer::Pkcs8(identity.key.clone_key()),
        )?;
    // grpc-go refuses TLS connections that did not negotiate h2 via ALPN.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// A TLS connection that tonic can serve.
pub(crate) struct TlsConnection(tokio_rustls::server::TlsStream<Stream>);

impl Connected for TlsConnection {
    type ConnectInfo = <Stream as Connected>::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.0.get_ref().0.connect_info()
    }
}

impl AsyncRead for TlsConnection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConnection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// The mutual TLS handshake on an accepted connection; `None` if the peer
/// was refused or took too long, which is logged.
pub(crate) async fn handshake(
    acceptor: TlsAcceptor,
    stream: Stream,
    peer: String,
) -> Option<TlsConnection> {
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some(TlsConnection(tls)),
        Ok(Err(e)) => {
            tracing::warn!(%peer, error = %e, "refused a TLS connection");
            None
        }
        Err(_) => {
            tracing::warn!(%peer, "TLS handshake timed out");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Tag, header length and content length of the DER element at the start of `der`.
    fn der_element(der: &[u8]) -> (u8, usize, usize) {
        let tag = der[0];
        match der[1] {
            short @ 0..=0x7f => (tag, 2, usize::from(short)),
            long => {
                let n = usize::from(long & 0x7f);
                let len = der[2..2 + n]
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
                (tag, 2 + n, len)
            }
        }
    }

    #[test]
    fn the_certificate_carries_our_own_serial_and_key_identifier() {
        let identity = ServerIdentity::generate().unwrap();
        let cert = identity.cert.as_ref();
        // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version, serial INTEGER, ...
        let (_, outer, _) = der_element(cert);
        let tbs = &cert[outer..];
        let (_, header, _) = der_element(tbs);
        let (tag, version_header, version_len) = der_element(&tbs[header..]);
        assert_eq!(tag, 0xa0, "explicit version");
        let (tag, _, serial_len) = der_element(&tbs[header + version_header + version_len..]);
        assert_eq!(tag, 0x02, "serial INTEGER");
        // rcgen's own serials, made only with a crypto backend, are 20 bytes.
        assert!(
            (1..=SERIAL_LEN).contains(&serial_len),
            "serial of {serial_len} bytes"
        );

        let pair = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P384_SHA384_ASN1_SIGNING,
            identity.key.secret_pkcs8_der(),
            &SystemRandom::new(),
        )
        .unwrap();
        let digest = ring::digest::digest(&ring::digest::SHA256, pair.public_key().as_ref());
        let key_id = &digest.as_ref()[..KEY_ID_LEN];
        assert!(cert.windows(KEY_ID_LEN).any(|w| w == key_id));
    }
}
