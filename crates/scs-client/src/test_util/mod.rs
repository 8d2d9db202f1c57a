//! An in-process fake OpenStack on 127.0.0.1 for tests (cargo feature `test-util`).
//!
//! It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) to
//! serve reqwest, issues Keystone tokens with a catalog pointing back at
//! itself and checks X-Auth-Token on every other request. A route can be
//! scripted with a list of actions (the last action repeats); everything
//! else is answered by an in-memory store of OpenStack collections
//! ([`store`]), with the few calls that are not plain REST (router
//! interfaces, volume attachments, actions) in [`openstack`]. Plain TCP
//! instead of a web framework so a test can reset a connection or stall
//! an answer exactly where it wants.
//!
//! Test code only: a broken fake panics, so that the test using it fails.

pub mod openstack;
pub mod store;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

pub use store::{Collection, Store};

/// The password the fake's Keystone accepts (also the application credential secret).
pub const PASSWORD: &str = "pw-Sup3r-S3cret-991";

/// The project every token is scoped to.
pub const PROJECT_ID: &str = "proj-1";

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
    /// Answer as if the route were not scripted (from the store).
    Pass,
    /// Carry the request out as [`Action::Pass`] does, then close the connection with RST
    /// instead of answering: the client cannot tell whether anything happened.
    LoseAnswer,
}

impl Action {
    pub fn ok(v: Value) -> Self {
        Action::Json(200, v)
    }

    /// An OpenStack error answer: `status`, the service's error body with `message`, and
    /// `request_id` in `X-Openstack-Request-Id`. Neutron paths get Neutron's body shape, Keystone
    /// paths Keystone's, the others Nova's and Cinder's.
    pub fn error(path: &str, status: u16, message: &str, request_id: &str) -> Self {
        let body = if path.starts_with("/network/") {
            json!({"NeutronError": {"type": "HTTPError", "message": message, "detail": ""}})
        } else if path.starts_with("/identity/") {
            json!({"error": {"code": status, "message": message, "title": "Error"}})
        } else {
            let kind = match status {
                400 => "badRequest",
                403 => "forbidden",
                404 => "itemNotFound",
                409 => "conflictingRequest",
                413 => "overLimit",
                _ => "computeFault",
            };
            json!({ kind: {"code": status, "message": message} })
        };
        Action::JsonH(
            status,
            vec![("x-openstack-request-id", request_id.to_owned())],
            body,
        )
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

impl Recorded {
    /// The path without the query string.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }

    /// The decoded query pairs, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        match self.path.split_once('?') {
            Some((_, q)) => url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect(),
            None => Vec::new(),
        }
    }

    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A route answered by code instead of the store: gets the store, the request and the values of
/// the `*` segments of its pattern.
pub type Handler = Arc<dyn Fn(&mut Store, &Recorded, &[String]) -> Action + Send + Sync>;

#[derive(Default)]
struct State {
    routes: HashMap<(String, String), (VecDeque<Action>, Option<Action>)>,
    handlers: Vec<(String, String, Handler)>,
    store: Store,
    requests: Vec<Recorded>,
    tokens_issued: u32,
    valid_tokens: HashSet<String>,
    connections: u32,
    in_flight: u32,
    max_in_flight: u32,
    nova_max: String,
    token_lifetime: Duration,
}

/// The fake cloud; clones share it.
#[derive(Clone)]
pub struct FakeCloud {
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

impl FakeCloud {
    /// A fake with an empty store and no collections: every route the test does not script
    /// answers 404.
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A fake that also serves the OpenStack collections of [`openstack::collections`] from its
    /// store, with the non-REST calls of [`openstack::install`].
    pub async fn openstack() -> Self {
        let fake = Self::start().await;
        openstack::install(&fake);
        fake
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
        use tokio_rustls::rustls::pki_types::pem::PemObject;
        let certs = rustls::pki_types::CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("server certificate PEM");
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
            .expect("server key PEM");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("TLS protocol versions");
        let builder = match client_ca_pem {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for c in rustls::pki_types::CertificateDer::pem_slice_iter(ca.as_bytes()) {
                    roots.add(c.expect("client CA PEM")).expect("client CA");
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .expect("client certificate verifier");
                builder.with_client_cert_verifier(verifier)
            }
        };
        let config = builder
            .with_single_cert(certs, key)
            .expect("server certificate and key");
        Self::start_with(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State {
            nova_max: "2.90".into(),
            token_lifetime: Duration::from_secs(3600),
            ..State::default()
        }));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let fake = FakeCloud {
            addr,
            scheme,
            state,
        };
        let m = fake.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                m.lock().connections += 1;
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
        fake
    }

    /// The state; a test that panicked while holding it does not poison the others' view.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
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
        self.lock()
            .routes
            .insert((method.into(), path.into()), (actions, last));
    }

    /// Forgets the script of `method path`: the store answers it again.
    pub fn clear(&self, method: &str, path: &str) {
        self.lock().routes.remove(&(method.into(), path.into()));
    }

    /// `method path` fails every time with `status`, the cloud's `message` and `request_id`.
    pub fn fail(&self, method: &str, path: &str, status: u16, message: &str, request_id: &str) {
        self.on(
            method,
            path,
            vec![Action::error(path, status, message, request_id)],
        );
    }

    /// `method path` fails once like [`FakeCloud::fail`]; later requests reach the store.
    pub fn fail_once(
        &self,
        method: &str,
        path: &str,
        status: u16,
        message: &str,
        request_id: &str,
    ) {
        self.on(
            method,
            path,
            vec![
                Action::error(path, status, message, request_id),
                Action::Pass,
            ],
        );
    }

    /// Answers `method pattern` (path segments, `*` matching any one) with `handler`, before the
    /// store and before handlers registered earlier; scripted routes still come first.
    pub fn handle(
        &self,
        method: &str,
        pattern: &str,
        handler: impl Fn(&mut Store, &Recorded, &[String]) -> Action + Send + Sync + 'static,
    ) {
        // The latest registration wins, so a test can override the standard behaviour.
        self.lock()
            .handlers
            .insert(0, (method.into(), pattern.into(), Arc::new(handler)));
    }

    /// Serves `collection` from the store.
    pub fn add_collection(&self, collection: Collection) {
        self.lock().store.add_collection(collection);
    }

    /// Runs `f` on the store (to seed objects, look at them, or make them vanish).
    pub fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.lock().store)
    }

    /// Adds `object` to the collection at `path` (e.g. `/network/v2.0/networks`), with an id
    /// and the collection's defaults where it has none; returns the stored object.
    pub fn insert(&self, path: &str, object: Value) -> Value {
        self.with_store(|s| s.insert(path, object))
    }

    /// The object `id` of the collection at `path`.
    pub fn object(&self, path: &str, id: &str) -> Option<Value> {
        self.with_store(|s| s.get(path, id).cloned())
    }

    /// Every object of the collection at `path`.
    pub fn objects(&self, path: &str) -> Vec<Value> {
        self.with_store(|s| s.list(path).to_vec())
    }

    /// Deletes the object behind the cloud's back (as another user would); true if it existed.
    pub fn remove(&self, path: &str, id: &str) -> bool {
        self.with_store(|s| s.remove(path, id).is_some())
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, d: Duration) {
        self.lock().token_lifetime = d;
    }

    pub fn set_nova_max(&self, v: &str) {
        self.lock().nova_max = v.into();
    }

    /// Makes every issued token invalid (as if Keystone revoked them).
    pub fn revoke_tokens(&self) {
        self.lock().valid_tokens.clear();
    }

    pub fn tokens_issued(&self) -> u32 {
        self.lock().tokens_issued
    }

    pub fn connections(&self) -> u32 {
        self.lock().connections
    }

    pub fn max_in_flight(&self) -> u32 {
        self.lock().max_in_flight
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// Requests to `method path` (path compared without query).
    pub fn hits(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path_only() == path)
            .collect()
    }

    /// Forgets the requests recorded so far.
    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    async fn serve_conn<C: Conn>(&self, mut sock: C) {
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let Some(req) = read_request(&mut sock, &mut buf).await else {
                return;
            };
            {
                let mut s = self.lock();
                s.in_flight += 1;
                s.max_in_flight = s.max_in_flight.max(s.in_flight);
                s.requests.push(req.clone());
            }
            let action = self.carry_out(&req, self.decide(&req)).await;
            let keep = self.perform(&mut sock, action).await;
            self.lock().in_flight -= 1;
            if !keep {
                return;
            }
        }
    }

    /// Resolves the scripted actions that reach the store: a delayed pass waits, then the store
    /// acts; a lost answer lets the store act, then resets.
    async fn carry_out(&self, req: &Recorded, mut action: Action) -> Action {
        loop {
            action = match action {
                Action::Delay(d, inner) if matches!(*inner, Action::Pass | Action::LoseAnswer) => {
                    tokio::time::sleep(d).await;
                    *inner
                }
                Action::Pass => return self.decide_unscripted(req),
                Action::LoseAnswer => {
                    drop(self.decide_unscripted(req));
                    return Action::Reset;
                }
                other => return other,
            }
        }
    }

    fn decide(&self, req: &Recorded) -> Action {
        let path = req.path_only().to_owned();
        let mut s = self.lock();
        if req.method == "POST" && path == "/identity/v3/auth/tokens" {
            // A script may answer token requests in Keystone's place (an outage, a reset);
            // a pass issues the token.
            let key = (req.method.clone(), path.clone());
            if let Some((queue, last)) = s.routes.get_mut(&key)
                && let Some(a) = queue.pop_front().or_else(|| last.clone())
                && !matches!(a, Action::Pass)
            {
                return a;
            }
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
                if !matches!(a, Action::Pass) {
                    return a;
                }
            }
        }
        drop(s);
        self.decide_unscripted(req)
    }

    /// What the handlers and the store answer, scripts aside.
    fn decide_unscripted(&self, req: &Recorded) -> Action {
        let path = req.path_only().to_owned();
        let mut s = self.lock();
        if !token_ok(&s, req) {
            return unauthorized();
        }
        let handler = s.handlers.iter().find_map(|(method, pattern, h)| {
            (method == &req.method)
                .then(|| store::match_pattern(pattern, &path))
                .flatten()
                .map(|captures| (h.clone(), captures))
        });
        if let Some((handler, captures)) = handler {
            return handler(&mut s.store, req, &captures);
        }
        if let Some(action) = s.store.answer(req) {
            return action;
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
        let body = req.json();
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
        self.lock().valid_tokens.insert(token.to_owned());
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
            ep("volumev3", format!("{base}/volume/v3/{PROJECT_ID}")),
            ep("image", format!("{base}/image")),
        ]);
        Action::JsonH(
            code,
            vec![("x-subject-token", token)],
            // A server clock far off ours: only the lifetime may matter.
            json!({"token": {"issued_at": "2001-01-01T00:00:00.000000Z",
                "expires_at": humantime::format_rfc3339_micros(
                    std::time::UNIX_EPOCH + Duration::from_secs(978_307_200) + s.token_lifetime).to_string(),
                "project": {"id": PROJECT_ID, "name": "demo"}, "user": {"id": "user-1"},
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
                Action::Pass | Action::LoseAnswer => {
                    return write_resp(sock, 500, &[], "a pass action reached the wire").await;
                }
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
        "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-openstack-request-id"))
    {
        out.push_str(&format!("X-Openstack-Request-Id: req-{code}-abc\r\n"));
    }
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    sock.write_all(out.as_bytes()).await.is_ok() && sock.flush().await.is_ok()
}
