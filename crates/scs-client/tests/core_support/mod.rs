//! A scriptable fake OpenStack on 127.0.0.1 for the client's unit tests.
//!
//! It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to
//! serve reqwest, issues Keystone tokens with a catalog pointing back at
//! itself, checks X-Auth-Token on every other request, and answers each
//! route from a script of actions (the last action repeats). Plain TCP
//! instead of a web framework so a test can reset a connection or stall
//! an answer exactly where it wants.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

pub const PASSWORD: &str = "pw-Sup3r-S3cret-991";

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Action {
    Json(u16, Value),
    JsonH(u16, Vec<(&'static str, String)>, Value),
    Text(u16, String),
    /// Close the connection with RST, without answering.
    Reset,
    /// Wait, then do the inner action.
    Delay(Duration, Box<Action>),
}

impl Action {
    pub fn ok(v: Value) -> Self {
        Action::Json(200, v)
    }
}

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
    pub at: Instant,
}

#[derive(Default)]
struct State {
    routes: HashMap<(String, String), (VecDeque<Action>, Option<Action>)>,
    requests: Vec<Recorded>,
    tokens_issued: u32,
    valid_tokens: HashSet<String>,
    connections: u32,
    in_flight: u32,
    max_in_flight: u32,
    nova_max: String,
    token_lifetime: Duration,
}

#[derive(Clone)]
pub struct MockCloud {
    pub addr: SocketAddr,
    scheme: &'static str,
    state: Arc<Mutex<State>>,
}

/// A served connection: plain TCP or TLS over TCP.
trait Conn: AsyncRead + AsyncWrite + Unpin + Send {
    /// Makes the close send RST instead of FIN.
    fn reset(&mut self);
}

impl Conn for TcpStream {
    fn reset(&mut self) {
        let _ = self.set_zero_linger();
    }
}

impl Conn for tokio_rustls::server::TlsStream<TcpStream> {
    fn reset(&mut self) {
        let _ = self.get_ref().0.set_zero_linger();
    }
}

/// A self-signed certificate for 127.0.0.1 (PEM cert, PEM key).
pub fn self_signed() -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    (ck.cert.pem(), ck.signing_key.serialize_pem())
}

impl MockCloud {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// Serves HTTPS with the given PEM certificate and key.
    pub async fn start_tls(cert_pem: &str, key_pem: &str) -> Self {
        Self::start_tls_with_client_ca(cert_pem, key_pem, None).await
    }

    /// HTTPS that also demands a client certificate signed by `client_ca_pem`.
    pub async fn start_tls_with_client_ca(
        cert_pem: &str,
        key_pem: &str,
        client_ca_pem: Option<&str>,
    ) -> Self {
        use tokio_rustls::rustls;
        let certs = rustls::pki_types::pem::PemObject::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<Vec<rustls::pki_types::CertificateDer>, _>>()
            .unwrap();
        let key = <rustls::pki_types::PrivateKeyDer as rustls::pki_types::pem::PemObject>::from_pem_slice(
            key_pem.as_bytes(),
        )
        .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = match client_ca_pem {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for c in rustls::pki_types::pem::PemObject::pem_slice_iter(ca.as_bytes()) {
                    roots.add(c.unwrap()).unwrap();
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .unwrap();
                builder.with_client_cert_verifier(verifier)
            }
        };
        let config = builder.with_single_cert(certs, key).unwrap();
        Self::start_with(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            nova_max: "2.90".into(),
            token_lifetime: Duration::from_secs(3600),
            ..State::default()
        }));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let mock = MockCloud {
            addr,
            scheme,
            state,
        };
        let m = mock.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                m.state.lock().unwrap().connections += 1;
                let m2 = m.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => m2.serve_conn(sock).await,
                        Some(acceptor) => {
                            // A failed handshake (client rejected our cert) just ends.
                            if let Ok(s) = acceptor.accept(sock).await {
                                m2.serve_conn(s).await;
                            }
                        }
                    }
                });
            }
        });
        mock
    }

    pub fn base(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    pub fn auth_url(&self) -> String {
        format!("{}/identity", self.base())
    }

    /// Script the answers to `method path` (path without query).
    pub fn on(&self, method: &str, path: &str, actions: Vec<Action>) {
        let mut actions: VecDeque<Action> = actions.into();
        let last = actions.back().cloned();
        if actions.len() == 1 {
            actions.clear();
        }
        self.state
            .lock()
            .unwrap()
            .routes
            .insert((method.into(), path.into()), (actions, last));
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, d: Duration) {
        self.state.lock().unwrap().token_lifetime = d;
    }

    pub fn set_nova_max(&self, v: &str) {
        self.state.lock().unwrap().nova_max = v.into();
    }

    /// Makes every issued token invalid (as if Keystone revoked them).
    pub fn revoke_tokens(&self) {
        self.state.lock().unwrap().valid_tokens.clear();
    }

    pub fn tokens_issued(&self) -> u32 {
        self.state.lock().unwrap().tokens_issued
    }

    pub fn connections(&self) -> u32 {
        self.state.lock().unwrap().connections
    }

    pub fn max_in_flight(&self) -> u32 {
        self.state.lock().unwrap().max_in_flight
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Requests to `method path` (path compared without query).
    pub fn hits(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path.split('?').next() == Some(path))
            .collect()
    }

    async fn serve_conn<C: Conn>(&self, mut sock: C) {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let Some(req) = read_request(&mut sock, &mut buf).await else {
                return;
            };
            {
                let mut s = self.state.lock().unwrap();
                s.in_flight += 1;
                s.max_in_flight = s.max_in_flight.max(s.in_flight);
                s.requests.push(req.clone());
            }
            let action = self.decide(&req);
            let keep = self.perform(&mut sock, action).await;
            self.state.lock().unwrap().in_flight -= 1;
            if !keep {
                return;
            }
        }
    }

    fn decide(&self, req: &Recorded) -> Action {
        let path = req.path.split('?').next().unwrap_or("").to_owned();
        let mut s = self.state.lock().unwrap();
        if req.method == "POST" && path == "/identity/v3/auth/tokens" {
            return self.issue_token(&mut s, req);
        }
        if req.method == "GET" && path == "/identity/v3/auth/tokens" {
            // Token validation: caller and subject must both be valid.
            let subject = req
                .headers
                .get("x-subject-token")
                .cloned()
                .unwrap_or_default();
            if !token_ok(&s, req) || !s.valid_tokens.contains(&subject) {
                return Action::Json(
                    404,
                    json!({"error": {"code": 404, "message": "Could not find token"}}),
                );
            }
            return self.token_answer(&s, subject, 200);
        }
        if let Some((queue, last)) = s.routes.get_mut(&(req.method.clone(), path.clone())) {
            let scripted = queue.pop_front().or_else(|| last.clone());
            if let Some(a) = scripted {
                // Scripted routes still demand a valid token, like a real service.
                if !token_ok(&s, req) {
                    return unauthorized();
                }
                return a;
            }
        }
        if !token_ok(&s, req) {
            return unauthorized();
        }
        match path.as_str() {
            "/compute/v2.1/" => Action::ok(json!({"version": {"id": "v2.1", "status": "CURRENT",
                "version": s.nova_max, "min_version": "2.1"}})),
            "/volume/v3/" => Action::ok(json!({"versions": [{"id": "v3.0", "status": "CURRENT",
                "version": "3.70", "min_version": "3.0"}]})),
            _ => Action::Json(
                404,
                json!({"itemNotFound": {"code": 404, "message": format!("no route {path}")}}),
            ),
        }
    }

    fn issue_token(&self, s: &mut State, req: &Recorded) -> Action {
        let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
        let ident = &body["auth"]["identity"];
        let ok = match ident["methods"][0].as_str() {
            Some("password") => ident["password"]["user"]["password"] == PASSWORD,
            Some("application_credential") => ident["application_credential"]["secret"] == PASSWORD,
            Some("token") => true,
            _ => false,
        };
        if !ok {
            return Action::Json(
                401,
                json!({"error": {"code": 401, "title": "Unauthorized",
                "message": "The request you have made requires authentication."}}),
            );
        }
        s.tokens_issued += 1;
        let token = format!("gAAAA-token-{}-x", s.tokens_issued);
        s.valid_tokens.insert(token.clone());
        self.token_answer(s, token, 201)
    }

    /// Accepts `token` as if Keystone had issued it earlier (for `token` auth).
    pub fn add_valid_token(&self, token: &str) {
        self.state
            .lock()
            .unwrap()
            .valid_tokens
            .insert(token.to_owned());
    }

    fn token_answer(&self, s: &State, token: String, code: u16) -> Action {
        let base = self.base();
        let ep = |ty: &str, url: String| {
            json!({"type": ty, "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": url},
                {"interface": "internal", "region_id": "RegionOne", "region": "RegionOne", "url": "http://192.0.2.1/"}]})
        };
        let catalog = json!([
            ep("identity", format!("{base}/identity")),
            ep("compute", format!("{base}/compute/v2.1")),
            ep("network", format!("{base}/network")),
            json!({"type": "network", "endpoints": [
                {"interface": "public", "region_id": "RegionTwo", "url": format!("{base}/network2")}]}),
            ep("volumev3", format!("{base}/volume/v3/proj-1")),
            ep("image", format!("{base}/image")),
        ]);
        Action::JsonH(
            code,
            vec![("x-subject-token", token)],
            // A server clock far off ours: only the lifetime may matter.
            json!({"token": {"issued_at": "2001-01-01T00:00:00.000000Z",
                "expires_at": humantime::format_rfc3339_micros(
                    std::time::UNIX_EPOCH + Duration::from_secs(978_307_200) + s.token_lifetime).to_string(),
                "project": {"id": "proj-1", "name": "demo"}, "user": {"id": "user-1"},
                "catalog": catalog}}),
        )
    }

    /// Performs an action; false when the connection must close.
    async fn perform<C: Conn>(&self, sock: &mut C, mut action: Action) -> bool {
        loop {
            match action {
                Action::Delay(d, inner) => {
                    tokio::time::sleep(d).await;
                    action = *inner;
                }
                Action::Reset => {
                    sock.reset();
                    return false;
                }
                Action::Json(code, v) => return write_resp(sock, code, &[], &v.to_string()).await,
                Action::JsonH(code, h, v) => {
                    return write_resp(sock, code, &h, &v.to_string()).await;
                }
                Action::Text(code, t) => return write_resp(sock, code, &[], &t).await,
            }
        }
    }
}

fn token_ok(s: &State, req: &Recorded) -> bool {
    req.headers
        .get("x-auth-token")
        .is_some_and(|t| s.valid_tokens.contains(t))
}

fn unauthorized() -> Action {
    Action::Json(
        401,
        json!({"error": {"code": 401, "title": "Unauthorized", "message": "token rejected"}}),
    )
}

async fn read_request<C: Conn>(sock: &mut C, buf: &mut Vec<u8>) -> Option<Recorded> {
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let body_start = header_end + 4;
    while buf.len() < body_start + len {
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[body_start..body_start + len]).to_string();
    buf.drain(..body_start + len);
    Some(Recorded {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
    })
}

async fn write_resp(
    sock: &mut impl Conn,
    code: u16,
    headers: &[(&'static str, String)],
    body: &str,
) -> bool {
    let mut out = format!(
        "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\nX-Openstack-Request-Id: req-{code}-abc\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    sock.write_all(out.as_bytes()).await.is_ok() && sock.flush().await.is_ok()
}

/// A client configured against the mock with password auth, via the real
/// config resolution (environment injected, nothing read from the process).
pub fn client(mock: &MockCloud, max_retries: u32) -> scs_client::Client {
    client_with(mock, max_retries, 10)
}

pub fn client_with(
    mock: &MockCloud,
    max_retries: u32,
    max_concurrency: usize,
) -> scs_client::Client {
    use scs_client::config::{CloudConfig, Overrides, Sources};
    let sources = Sources::default()
        .with_env("OS_AUTH_URL", &mock.auth_url())
        .with_env("OS_USERNAME", "demo")
        .with_env("OS_PASSWORD", PASSWORD)
        .with_env("OS_PROJECT_NAME", "demo")
        .with_env("OS_USER_DOMAIN_NAME", "Default")
        .with_env("OS_PROJECT_DOMAIN_NAME", "Default")
        .with_env("OS_REGION_NAME", "RegionOne");
    let cfg = CloudConfig::resolve_with(
        Overrides {
            max_retries: Some(max_retries),
            max_concurrency: Some(max_concurrency),
            ..Overrides::default()
        },
        &sources,
    )
    .unwrap();
    scs_client::Client::new(cfg).unwrap()
}
