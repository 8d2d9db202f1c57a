//! A provider registry and a provider network mirror on 127.0.0.1, over HTTPS, serving a release
//! that `make release` wrote (`dist/VERSION`), so that a client installs `sovereigncloudstack/scs`
//! the way a user's does: service discovery, versions, download with `shasums_url`,
//! `shasums_signature_url` and the signing key, or the mirror's index and archives.
//!
//! The server certificate comes from a CA made for this process; clients trust it through
//! `SSL_CERT_FILE` ([`Registry::ca_bundle`]: the system roots and that CA, since Go replaces the
//! system roots with the file). A CLI configuration `host` block ([`Registry::cli_config`]) sends
//! both default registry hosts to this server, so no source address changes.
//!
//! [`Tamper`] makes the server lie in one way, for the scenarios in which `init` must refuse.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};

pub const NAMESPACE: &str = "sovereigncloudstack";
pub const TYPE: &str = "scs";
const NAME: &str = "terraform-provider-scs";

/// A release directory as `make release` writes it.
#[derive(Clone, Debug)]
pub struct Release {
    pub dir: PathBuf,
    pub version: String,
    /// `(os, arch)` of every zip.
    pub platforms: Vec<(String, String)>,
    /// File name to its SHA-256 (hex), from the release's SHA256SUMS.
    pub shasums: BTreeMap<String, String>,
    /// The armored public key the release was signed with.
    pub key_armor: String,
    /// Its 16-digit key id, as the clients print it.
    pub key_id: String,
}

impl Release {
    /// The release named by `TF_ACC_RELEASE_DIR`.
    pub fn from_env() -> Release {
        let Some(dir) = std::env::var_os("TF_ACC_RELEASE_DIR") else {
            panic!(
                "TF_ACC_RELEASE_DIR is not set: it names a dist/VERSION directory made by \
                 `make release` (`make acceptance` makes one with a throwaway key)"
            );
        };
        Release::load(Path::new(&dir))
    }

    pub fn load(dir: &Path) -> Release {
        let Some(version) = dir.file_name().map(|v| v.to_string_lossy().into_owned()) else {
            panic!("{} does not end in a version", dir.display());
        };
        let sums_name = format!("{NAME}_{version}_SHA256SUMS");
        let sums = read_string(&dir.join(&sums_name));
        let shasums: BTreeMap<String, String> = sums
            .lines()
            .filter_map(|l| l.split_once("  "))
            .map(|(sum, file)| (file.to_owned(), sum.to_owned()))
            .collect();
        let prefix = format!("{NAME}_{version}_");
        let platforms: Vec<(String, String)> = shasums
            .keys()
            .filter_map(|f| f.strip_prefix(&prefix)?.strip_suffix(".zip"))
            .filter_map(|p| p.split_once('_'))
            .map(|(os, arch)| (os.to_owned(), arch.to_owned()))
            .collect();
        assert!(!platforms.is_empty(), "{sums_name} lists no zip:\n{sums}");
        let key_file = dir.join(format!("{NAME}_{version}_signing-key.asc"));
        Release {
            key_armor: read_string(&key_file),
            key_id: key_id(&key_file),
            dir: dir.to_owned(),
            version,
            platforms,
            shasums,
        }
    }

    pub fn zip_name(&self, os: &str, arch: &str) -> String {
        format!("{NAME}_{}_{os}_{arch}.zip", self.version)
    }

    fn sums_name(&self) -> String {
        format!("{NAME}_{}_SHA256SUMS", self.version)
    }

    /// The `h1:` hash (the clients' hash of the unpacked package) of one platform's zip: SHA-256 over
    /// the lines `<sha256 hex>  <name>` of its files, sorted by name, base64.
    pub fn h1(&self, os: &str, arch: &str) -> String {
        let zip = self.dir.join(self.zip_name(os, arch));
        let names = command_output(Command::new("unzip").arg("-Z1").arg(&zip));
        let mut names: Vec<&str> = std::str::from_utf8(&names)
            .unwrap_or_default()
            .lines()
            .collect();
        names.sort_unstable();
        let mut summary = String::new();
        for name in names {
            let contents = command_output(Command::new("unzip").arg("-p").arg(&zip).arg(name));
            summary.push_str(&format!("{}  {name}\n", hex(&sha256(&contents))));
        }
        format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(sha256(summary.as_bytes()))
        )
    }
}

/// How the server departs from the truth.
#[derive(Clone, Debug)]
pub enum Tamper {
    None,
    /// Every zip has one byte changed; the checksums are the release's.
    Zip,
    /// The SHA256SUMS signature has one byte changed.
    Signature,
    /// The registry names this armored public key instead of the release's.
    Key(String),
}

pub struct Registry {
    addr: SocketAddr,
    ca_pem: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Registry {
    pub fn start(release: &Release, tamper: Tamper) -> Registry {
        let (ca_pem, tls) = tls_config();
        let listener = match TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => panic!("cannot listen on 127.0.0.1: {e}"),
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => panic!("listener has no address: {e}"),
        };
        let site = Arc::new(Site::new(release, tamper, format!("https://{addr}")));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || serve(listener, tls, site, stop))
        };
        Registry {
            addr,
            ca_pem,
            stop,
            thread: Some(thread),
        }
    }

    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Writes the CA bundle for `SSL_CERT_FILE` to `path`.
    pub fn write_ca_bundle(&self, path: &Path) {
        let mut bundle = [
            "/etc/ssl/certs/ca-certificates.crt",
            "/etc/pki/tls/certs/ca-bundle.crt",
        ]
        .iter()
        .find_map(|p| fs::read_to_string(p).ok())
        .unwrap_or_default();
        bundle.push('\n');
        bundle.push_str(&self.ca_pem);
        if let Err(e) = fs::write(path, bundle) {
            panic!("cannot write {}: {e}", path.display());
        }
    }

    /// A CLI configuration in which both default registry hosts are this server.
    pub fn cli_config(&self) -> String {
        Registry::hosts_block(&format!("{}/v1/providers/", self.base_url()))
    }

    /// A CLI configuration that installs every provider from this server's network mirror.
    pub fn mirror_cli_config(&self) -> String {
        format!(
            "provider_installation {{\n  network_mirror {{\n    url = \"{}/mirror/\"\n  }}\n}}\n",
            self.base_url()
        )
    }

    fn hosts_block(providers_url: &str) -> String {
        super::client::Client::REGISTRIES
            .map(|host| {
                format!(
                    "host \"{host}\" {{\n  services = {{\n    \"providers.v1\" = \"{providers_url}\"\n  }}\n}}\n"
                )
            })
            .join("")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What the server answers, computed once.
struct Site {
    base: String,
    release: Release,
    files: BTreeMap<String, Vec<u8>>,
    key_armor: String,
    key_id: String,
    h1: BTreeMap<String, String>,
}

impl Site {
    fn new(release: &Release, tamper: Tamper, base: String) -> Site {
        let mut files = BTreeMap::new();
        let sig_name = format!("{}.sig", release.sums_name());
        for name in release
            .shasums
            .keys()
            .chain([&release.sums_name(), &sig_name])
        {
            let mut bytes = match fs::read(release.dir.join(name)) {
                Ok(b) => b,
                Err(e) => panic!("cannot read {name} in {}: {e}", release.dir.display()),
            };
            let change = match tamper {
                Tamper::Zip => name.ends_with(".zip"),
                Tamper::Signature => *name == sig_name,
                Tamper::None | Tamper::Key(_) => false,
            };
            if change {
                // The middle of a zip is compressed program text; the end of a signature is the
                // RSA value itself, so the signature still parses and fails as a signature.
                let at = if name.ends_with(".zip") {
                    bytes.len() / 2
                } else {
                    bytes.len() - 1
                };
                bytes[at] ^= 0x01;
            }
            files.insert(name.clone(), bytes);
        }
        let (key_armor, key_id) = match &tamper {
            Tamper::Key(armor) => {
                let file = tempfile::NamedTempFile::new()
                    .unwrap_or_else(|e| panic!("cannot create a temporary file: {e}"));
                if let Err(e) = fs::write(file.path(), armor) {
                    panic!("cannot write the other key: {e}");
                }
                (armor.clone(), key_id(file.path()))
            }
            _ => (release.key_armor.clone(), release.key_id.clone()),
        };
        let h1 = release
            .platforms
            .iter()
            .map(|(os, arch)| (format!("{os}_{arch}"), release.h1(os, arch)))
            .collect();
        Site {
            base,
            release: release.clone(),
            files,
            key_armor,
            key_id,
            h1,
        }
    }

    fn answer(&self, path: &str) -> Option<(&'static str, Vec<u8>)> {
        let json = |v: Value| Some(("application/json", v.to_string().into_bytes()));
        let r = &self.release;
        let provider = format!("{NAMESPACE}/{TYPE}");
        if path == "/.well-known/terraform.json" {
            return json(json!({ "providers.v1": "/v1/providers/" }));
        }
        if let Some(name) = path.strip_prefix("/files/") {
            return self
                .files
                .get(name)
                .map(|b| ("application/octet-stream", b.clone()));
        }
        if let Some(rest) = path.strip_prefix(&format!("/v1/providers/{provider}/")) {
            if rest == "versions" {
                let platforms: Vec<Value> = r
                    .platforms
                    .iter()
                    .map(|(os, arch)| json!({ "os": os, "arch": arch }))
                    .collect();
                return json(json!({ "versions": [{
                    "version": r.version, "protocols": ["6.0"], "platforms": platforms,
                }]}));
            }
            let parts: Vec<&str> = rest.split('/').collect();
            let [version, "download", os, arch] = parts[..] else {
                return None;
            };
            if version != r.version || !r.platforms.iter().any(|(o, a)| o == os && a == arch) {
                return None;
            }
            let zip = r.zip_name(os, arch);
            return json(json!({
                "protocols": ["6.0"],
                "os": os,
                "arch": arch,
                "filename": zip,
                "download_url": format!("{}/files/{zip}", self.base),
                "shasums_url": format!("{}/files/{}", self.base, r.sums_name()),
                "shasums_signature_url": format!("{}/files/{}.sig", self.base, r.sums_name()),
                "shasum": r.shasums.get(&zip),
                "signing_keys": { "gpg_public_keys": [{
                    "key_id": self.key_id,
                    "ascii_armor": self.key_armor,
                    "trust_signature": "",
                    "source": "",
                    "source_url": null,
                }]},
            }));
        }
        // Network mirror: /mirror/HOST/NAMESPACE/TYPE/{index.json,VERSION.json}.
        let rest = path.strip_prefix("/mirror/")?;
        let (host, file) = rest.split_once('/')?;
        if !super::client::Client::REGISTRIES.contains(&host) {
            return None;
        }
        let file = file.strip_prefix(&format!("{provider}/"))?;
        if file == "index.json" {
            return json(json!({ "versions": { r.version.clone(): {} } }));
        }
        if file != format!("{}.json", r.version) {
            return None;
        }
        let archives: serde_json::Map<String, Value> = r
            .platforms
            .iter()
            .map(|(os, arch)| {
                let platform = format!("{os}_{arch}");
                let zip = r.zip_name(os, arch);
                let entry = json!({
                    "url": format!("{}/files/{zip}", self.base),
                    "hashes": [self.h1.get(&platform)],
                });
                (platform, entry)
            })
            .collect();
        json(json!({ "archives": archives }))
    }
}

fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    site: Arc<Site>,
    stop: Arc<AtomicBool>,
) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let (tls, site) = (tls.clone(), site.clone());
        std::thread::spawn(move || {
            // A client that gives up mid-request is its own business; the scenario sees its error.
            let _ = handle(stream, tls, &site);
        });
    }
}

fn handle(stream: TcpStream, tls: Arc<rustls::ServerConfig>, site: &Site) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let conn = rustls::ServerConnection::new(tls).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, stream);
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tls.read(&mut buf)?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut request = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (
        request.next().unwrap_or_default(),
        request.next().unwrap_or_default(),
    );
    let path = target.split('?').next().unwrap_or_default();
    let (status, kind, body) = match (method, site.answer(path)) {
        ("GET" | "HEAD", Some((kind, body))) => ("200 OK", kind, body),
        _ => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
    };
    write!(
        tls,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        tls.write_all(&body)?;
    }
    tls.conn.send_close_notify();
    tls.flush()
}

/// A fresh CA and a server certificate for 127.0.0.1 signed by it; returns the CA's PEM.
fn tls_config() -> (String, Arc<rustls::ServerConfig>) {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! { panic!("cannot {what}: {e}") };
    let ca_key = KeyPair::generate().unwrap_or_else(|e| fail("make a CA key", &e));
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| fail("make CA params", &e));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(
        DnType::CommonName,
        "terraform-provider-scs test registry CA",
    );
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .unwrap_or_else(|e| fail("sign the CA", &e));
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap_or_else(|e| fail("make a server key", &e));
    let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap_or_else(|e| fail("make server params", &e));
    let cert = params
        .signed_by(&key, &issuer)
        .unwrap_or_else(|e| fail("sign the server certificate", &e));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap_or_else(|e| fail("choose TLS versions", &e))
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap_or_else(|e| fail("use the server certificate", &e));
    (ca_cert.pem(), Arc::new(config))
}

/// The long key id of the public key in `file`, as `gpg` (and the clients) print it.
pub fn key_id(file: &Path) -> String {
    // A keyring of its own: gpg creates ~/.gnupg on first use, and two tests at once race for it.
    let home = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temporary directory: {e}"),
    };
    let out = command_output(
        Command::new("gpg")
            .arg("--homedir")
            .arg(home.path())
            .args(["--batch", "--with-colons", "--show-keys"])
            .arg(file),
    );
    String::from_utf8_lossy(&out)
        .lines()
        .find_map(|l| {
            let fields: Vec<&str> = l.split(':').collect();
            (fields.first() == Some(&"pub")).then(|| fields.get(4).map(|s| s.to_string()))?
        })
        .unwrap_or_else(|| panic!("no public key in {}", file.display()))
}

fn command_output(cmd: &mut Command) -> Vec<u8> {
    match cmd.output() {
        Ok(out) if out.status.success() => out.stdout,
        Ok(out) => panic!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => panic!("cannot run {cmd:?}: {e}"),
    }
}

fn read_string(path: &Path) -> String {
    match fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
