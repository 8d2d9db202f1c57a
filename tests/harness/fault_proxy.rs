//! A loopback HTTP/1.1 reverse proxy in front of the cloud's service endpoints that injects
//! faults, for scenarios that prove the provider rides them out: the provider is pointed at it
//! (the provider block's `auth_url` and `endpoint_overrides`, see
//! [`Scenario::route_through`](super::Scenario::route_through)); the harness's own checks go to
//! the cloud directly.
//!
//! One listener on 127.0.0.1 (a free port) per upstream origin (Keystone, Nova, Neutron, Cinder,
//! Glance), so paths pass through unchanged. Absolute URLs naming a proxied origin in answers
//! (the token's catalog, version documents, `Location`, `*_links`) are rewritten to the proxy's,
//! so whatever the client follows comes back through it.
//!
//! The faults ([`Fault`]): 503, 429 with `Retry-After: 1`, 500 (none of them forwarded), a
//! connection reset before forwarding, a reset after forwarding (the cloud acted, the answer is
//! lost), and added latency. Which request gets which is decided from the seed, the request's
//! method and path (IDs replaced by `{id}`, query dropped) and how many such requests came
//! before it: a seed replays the same faults for the same sequence of requests (concurrent
//! requests of one kind may swap places). Every injection is counted per kind and method and
//! logged with what the cloud answered, if it was asked.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use scs_client::ServiceType;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use super::cloud::Cloud;

/// What the proxy does to one request instead of forwarding it plainly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// `503 Service Unavailable`; the request is not forwarded.
    Unavailable,
    /// `429 Too Many Requests` with `Retry-After: 1`; not forwarded.
    RateLimited,
    /// `500 Internal Server Error`; not forwarded.
    ServerError,
    /// The connection is reset once the request has been read; nothing is forwarded.
    ResetBeforeForward,
    /// The request is forwarded and answered by the cloud, then the connection is reset instead
    /// of passing the answer on: the client cannot tell whether anything happened.
    ResetAfterForward,
    /// The request is forwarded after [`FaultPlan::latency`].
    Latency,
}

impl Fault {
    pub const ALL: [Fault; 6] = [
        Fault::Unavailable,
        Fault::RateLimited,
        Fault::ServerError,
        Fault::ResetBeforeForward,
        Fault::ResetAfterForward,
        Fault::Latency,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Unavailable => "503",
            Fault::RateLimited => "429",
            Fault::ServerError => "500",
            Fault::ResetBeforeForward => "reset-before",
            Fault::ResetAfterForward => "reset-after",
            Fault::Latency => "latency",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which faults the proxy injects, and how often.
#[derive(Clone, Debug)]
pub struct FaultPlan {
    pub seed: u64,
    /// The share of requests that get a fault, 0.0 to 1.0.
    pub rate: f64,
    /// The faults drawn from, each equally likely.
    pub kinds: Vec<Fault>,
    /// How long [`Fault::Latency`] holds a request.
    pub latency: Duration,
    /// Whether Keystone token requests get faults too.
    pub fault_tokens: bool,
    /// Reset after forwarding the first create of each kind (every create's answer is lost
    /// once), whatever `rate` says. Creates are POSTs to a collection (not token requests or
    /// actions) and Neutron's `add_router_interface`.
    pub lose_first_creates: bool,
    /// Holds every create this long before forwarding it (not counted as a
    /// fault): creates are then in flight long enough to interrupt them.
    pub hold_creates: Duration,
}

impl FaultPlan {
    /// Forwards everything as it is.
    pub fn none() -> FaultPlan {
        FaultPlan {
            seed: 0,
            rate: 0.0,
            kinds: Vec::new(),
            latency: Duration::ZERO,
            fault_tokens: false,
            lose_first_creates: false,
            hold_creates: Duration::ZERO,
        }
    }

    /// Every kind of fault, on `rate` of all requests (token requests included).
    pub fn random(seed: u64, rate: f64) -> FaultPlan {
        FaultPlan {
            seed,
            rate,
            kinds: Fault::ALL.to_vec(),
            latency: Duration::from_millis(1500),
            fault_tokens: true,
            ..FaultPlan::none()
        }
    }
}

/// `FAULT_SEED` if set (to replay a run), else a random seed.
pub fn seed_from_env() -> u64 {
    match std::env::var("FAULT_SEED") {
        Ok(s) => match s.trim().parse() {
            Ok(n) => n,
            Err(e) => panic!("FAULT_SEED={s:?} is not a whole number: {e}"),
        },
        // RandomState is seeded randomly per process: no extra dependency needed.
        Err(_) => RandomState::new().build_hasher().finish() & 0xffff_ffff,
    }
}

/// A seed of its own for each `label` (a scenario), all derived from one `seed`.
pub fn derive_seed(seed: u64, label: &str) -> u64 {
    mix(seed, label, 0)
}

/// What went through the proxy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests per method.
    pub requests: BTreeMap<String, u64>,
    /// Creates (see [`FaultPlan::lose_first_creates`]).
    pub creates: u64,
    /// Injected faults per kind and method.
    pub injected: BTreeMap<(Fault, String), u64>,
    /// Requests the cloud did not answer (it was unreachable); answered with 502.
    pub upstream_errors: u64,
    /// Of the injected faults, those on Keystone token requests.
    pub token_faults: u64,
}

impl Counts {
    /// What happened after `earlier` was taken.
    pub fn since(&self, earlier: &Counts) -> Counts {
        let minus = |a: u64, b: Option<&u64>| a.saturating_sub(b.copied().unwrap_or(0));
        Counts {
            requests: self
                .requests
                .iter()
                .map(|(k, v)| (k.clone(), minus(*v, earlier.requests.get(k))))
                .filter(|(_, v)| *v > 0)
                .collect(),
            creates: self.creates.saturating_sub(earlier.creates),
            injected: self
                .injected
                .iter()
                .map(|(k, v)| (k.clone(), minus(*v, earlier.injected.get(k))))
                .filter(|(_, v)| *v > 0)
                .collect(),
            upstream_errors: self.upstream_errors.saturating_sub(earlier.upstream_errors),
            token_faults: self.token_faults.saturating_sub(earlier.token_faults),
        }
    }

    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    pub fn total_injected(&self) -> u64 {
        self.injected.values().sum()
    }

    pub fn injected_of(&self, fault: Fault) -> u64 {
        self.injected
            .iter()
            .filter(|((f, _), _)| *f == fault)
            .map(|(_, n)| n)
            .sum()
    }

    /// Adds `other` to these counts.
    pub fn add(&mut self, other: &Counts) {
        for (k, v) in &other.requests {
            *self.requests.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.injected {
            *self.injected.entry(k.clone()).or_default() += v;
        }
        self.creates += other.creates;
        self.upstream_errors += other.upstream_errors;
        self.token_faults += other.token_faults;
    }
}

impl fmt::Display for Counts {
    /// `412 requests (DELETE 20, GET 330, POST 50, PUT 12); 41 faults: 503 7 (GET 5, POST 2), ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per_method = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(
            f,
            "{} requests ({}); {} faults",
            self.total_requests(),
            per_method(&self.requests),
            self.total_injected()
        )?;
        let mut sep = ": ";
        for fault in Fault::ALL {
            let by_method: BTreeMap<String, u64> = self
                .injected
                .iter()
                .filter(|((k, _), _)| *k == fault)
                .map(|((_, m), n)| (m.clone(), *n))
                .collect();
            if by_method.is_empty() {
                continue;
            }
            let n: u64 = by_method.values().sum();
            write!(f, "{sep}{fault} {n} ({})", per_method(&by_method))?;
            sep = ", ";
        }
        if self.token_faults > 0 {
            write!(f, "; {} of the faults on token requests", self.token_faults)?;
        }
        if self.upstream_errors > 0 {
            write!(f, "; {} upstream errors", self.upstream_errors)?;
        }
        Ok(())
    }
}

/// One injected fault.
#[derive(Clone, Debug)]
pub struct Injection {
    pub fault: Fault,
    pub method: String,
    /// The path as sent (query dropped).
    pub path: String,
    /// What the cloud answered to a request forwarded before its answer was lost.
    pub lost_status: Option<u16>,
}

impl fmt::Display for Injection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.fault, self.method, self.path)?;
        if let Some(s) = self.lost_status {
            write!(f, " (lost answer {s})")?;
        }
        Ok(())
    }
}

/// A running proxy. Clones share it; it stops when the last clone is dropped.
#[derive(Clone)]
pub struct FaultProxy {
    inner: Arc<Inner>,
}

struct Inner {
    // Dropped last: the listeners' tasks end with it.
    runtime: Option<tokio::runtime::Runtime>,
    shared: Arc<Shared>,
    auth_url: String,
    endpoint_overrides: BTreeMap<String, String>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

struct Shared {
    plan: Mutex<FaultPlan>,
    tally: Mutex<Tally>,
    /// Absolute URL prefixes of the cloud and their proxied counterparts, for answers.
    rewrites: Vec<(String, String)>,
    http: reqwest::Client,
}

#[derive(Default)]
struct Tally {
    /// How many requests of each `METHOD template` came so far.
    seen: HashMap<String, u64>,
    counts: Counts,
    log: Vec<Injection>,
}

/// The services the provider uses, by their `endpoint_overrides` key.
const SERVICES: [ServiceType; 5] = [
    ServiceType::Identity,
    ServiceType::Compute,
    ServiceType::Network,
    ServiceType::BlockStorage,
    ServiceType::Image,
];

impl FaultProxy {
    /// Starts a proxy in front of every service `cloud` uses (read from its catalog) and its
    /// Keystone, injecting what `plan` says. Panics when the cloud's endpoints are not plain
    /// `http://`: the proxy does not terminate TLS.
    pub fn start(cloud: &Cloud, plan: FaultPlan) -> FaultProxy {
        let client = cloud.client();
        let auth_url = client.config().auth_url.clone();
        let bases: Vec<(ServiceType, Url)> = SERVICES
            .into_iter()
            .map(|s| (s, cloud.run(client.base_url(s))))
            .collect();
        let mut origins: Vec<String> = Vec::new();
        for u in bases.iter().map(|(_, u)| u).chain([&auth_url]) {
            assert_eq!(
                u.scheme(),
                "http",
                "the fault proxy speaks plain HTTP, but the cloud has {u}"
            );
            let o = origin(u);
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fault-proxy")
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => panic!("cannot start the fault proxy's runtime: {e}"),
        };
        let listeners: Vec<(String, TcpListener, u16)> = runtime.block_on(async {
            let mut out = Vec::new();
            for o in &origins {
                let l = match TcpListener::bind("127.0.0.1:0").await {
                    Ok(l) => l,
                    Err(e) => panic!("fault proxy: cannot listen on 127.0.0.1: {e}"),
                };
                let port = match l.local_addr() {
                    Ok(a) => a.port(),
                    Err(e) => panic!("fault proxy: no local address: {e}"),
                };
                out.push((o.clone(), l, port));
            }
            out
        });
        let proxied = |u: &Url| -> String {
            let o = origin(u);
            let port = listeners
                .iter()
                .find(|(up, _, _)| *up == o)
                .map(|(_, _, p)| *p)
                .unwrap_or_else(|| panic!("fault proxy: no listener for {o}"));
            let mut p = u.clone();
            if p.set_host(Some("127.0.0.1")).is_err() || p.set_port(Some(port)).is_err() {
                panic!("fault proxy: cannot point {u} at the proxy");
            }
            p.to_string()
        };
        let endpoint_overrides = bases
            .iter()
            .map(|(s, u)| (s.key().to_owned(), proxied(u)))
            .collect();
        let proxied_auth_url = proxied(&auth_url);
        let http = match reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(600))
            .build()
        {
            Ok(c) => c,
            Err(e) => panic!("fault proxy: cannot build its HTTP client: {e}"),
        };
        let shared = Arc::new(Shared {
            plan: Mutex::new(plan),
            tally: Mutex::new(Tally::default()),
            rewrites: listeners
                .iter()
                .map(|(o, _, port)| (o.clone(), format!("http://127.0.0.1:{port}")))
                .collect(),
            http,
        });
        for (upstream, listener, _) in listeners {
            let shared = shared.clone();
            let upstream: Arc<str> = Arc::from(upstream);
            runtime.spawn(async move {
                loop {
                    let Ok((sock, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(serve(shared.clone(), upstream.clone(), sock));
                }
            });
        }
        FaultProxy {
            inner: Arc::new(Inner {
                runtime: Some(runtime),
                shared,
                auth_url: proxied_auth_url,
                endpoint_overrides,
            }),
        }
    }

    /// Keystone's URL through the proxy (the provider block's `auth_url`).
    pub fn auth_url(&self) -> &str {
        &self.inner.auth_url
    }

    /// Each service's URL through the proxy, by `endpoint_overrides` key.
    pub fn endpoint_overrides(&self) -> &BTreeMap<String, String> {
        &self.inner.endpoint_overrides
    }

    /// A provider block that sends everything through the proxy (the cloud's credentials still
    /// come from `OS_CLOUD`).
    pub fn provider_block(&self) -> String {
        let entries: String = self
            .endpoint_overrides()
            .iter()
            .map(|(k, v)| format!("    {k:?} = {v:?}\n"))
            .collect();
        format!(
            "provider \"scs\" {{\n  auth_url = {:?}\n  endpoint_overrides = {{\n{entries}  }}\n}}\n",
            self.auth_url()
        )
    }

    /// Replaces what the proxy injects from now on.
    pub fn set_plan(&self, plan: FaultPlan) {
        *lock(&self.inner.shared.plan) = plan;
    }

    pub fn plan(&self) -> FaultPlan {
        lock(&self.inner.shared.plan).clone()
    }

    /// Stops injecting faults (requests still pass and are counted).
    pub fn calm(&self) {
        let seed = self.plan().seed;
        self.set_plan(FaultPlan {
            seed,
            ..FaultPlan::none()
        });
    }

    pub fn counts(&self) -> Counts {
        lock(&self.inner.shared.tally).counts.clone()
    }

    /// Every injection so far, in order.
    pub fn injections(&self) -> Vec<Injection> {
        lock(&self.inner.shared.tally).log.clone()
    }

    /// Waits until `done` holds for the counts, for at most `limit`; whether it did.
    pub fn wait_until(&self, limit: Duration, done: impl Fn(&Counts) -> bool) -> bool {
        let end = Instant::now() + limit;
        loop {
            if done(&self.counts()) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `scheme://host:port` of `u`, the port always spelled out.
fn origin(u: &Url) -> String {
    format!(
        "{}://{}:{}",
        u.scheme(),
        u.host_str().unwrap_or_default(),
        u.port_or_known_default().unwrap_or_default()
    )
}

/// One request as read from the client.
struct Request {
    method: String,
    target: String,
    /// HTTP/1.0, or `Connection: close`.
    close: bool,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// What the proxy decided for one request.
struct Decision {
    fault: Option<Fault>,
    hold: Duration,
    latency: Duration,
}

impl Shared {
    fn decide(&self, req: &Request) -> Decision {
        let plan = lock(&self.plan).clone();
        let template = template(req.path());
        let key = format!("{} {template}", req.method);
        let mut tally = lock(&self.tally);
        let n = {
            let seen = tally.seen.entry(key.clone()).or_default();
            *seen += 1;
            *seen - 1
        };
        *tally.counts.requests.entry(req.method.clone()).or_default() += 1;
        let token = template.ends_with("/auth/tokens");
        let create = !token
            && ((req.method == "POST" && !template.ends_with("/action"))
                || (req.method == "PUT" && template.ends_with("/add_router_interface")));
        if create {
            tally.counts.creates += 1;
        }
        let hold = if create {
            plan.hold_creates
        } else {
            Duration::ZERO
        };
        let fault = if plan.lose_first_creates && create && n == 0 {
            Some(Fault::ResetAfterForward)
        } else if (token && !plan.fault_tokens) || plan.kinds.is_empty() || plan.rate <= 0.0 {
            None
        } else {
            let h = mix(plan.seed, &key, n);
            let pick = mix(h, "kind", n) % plan.kinds.len() as u64;
            (unit(h) < plan.rate).then(|| plan.kinds[pick as usize])
        };
        if let Some(f) = fault {
            if token {
                tally.counts.token_faults += 1;
            }
            *tally
                .counts
                .injected
                .entry((f, req.method.clone()))
                .or_default() += 1;
            if f != Fault::ResetAfterForward {
                tally.log.push(Injection {
                    fault: f,
                    method: req.method.clone(),
                    path: req.path().to_owned(),
                    lost_status: None,
                });
            }
        }
        Decision {
            fault,
            hold,
            latency: plan.latency,
        }
    }

    fn log_lost(&self, req: &Request, status: Option<u16>) {
        lock(&self.tally).log.push(Injection {
            fault: Fault::ResetAfterForward,
            method: req.method.clone(),
            path: req.path().to_owned(),
            lost_status: status,
        });
    }

    /// `text` with every proxied origin replaced by the proxy's.
    fn rewrite(&self, text: &[u8]) -> Vec<u8> {
        let mut out = text.to_vec();
        for (from, to) in &self.rewrites {
            out = replace_origin(&out, from.as_bytes(), to.as_bytes());
        }
        out
    }
}

/// The path with every ID-like segment (UUIDs, 32-digit hex project IDs) replaced by `{id}`.
fn template(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            let hex = seg.chars().filter(char::is_ascii_hexdigit).count();
            let id_like = seg.len() >= 32
                && hex >= 32
                && seg.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
            if id_like { "{id}" } else { seg }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A well-mixed 64-bit value from `seed`, `key` and `n` (FNV-1a, then splitmix64's finaliser).
fn mix(seed: u64, key: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in key.bytes().chain(n.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The top 53 bits of `h` as a fraction in [0, 1).
fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Replaces `from` (an origin such as `http://127.0.0.1:8774`) by `to` wherever it is not
/// followed by another digit (which would make it a different port).
fn replace_origin(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(from)
            && !text.get(i + from.len()).is_some_and(|b| b.is_ascii_digit())
        {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// Serves one client connection, request after request (keep-alive).
async fn serve(shared: Arc<Shared>, upstream: Arc<str>, sock: TcpStream) {
    let mut conn = BufReader::new(sock);
    loop {
        let req = match read_request(&mut conn).await {
            Ok(Some(r)) => r,
            // The client closed the connection, or sent something that is not HTTP/1.1.
            Ok(None) | Err(_) => return,
        };
        let decision = shared.decide(&req);
        if !decision.hold.is_zero() {
            tokio::time::sleep(decision.hold).await;
        }
        let answer = match decision.fault {
            Some(Fault::Unavailable) => Answer::error(503, "Service Unavailable", &[]),
            Some(Fault::RateLimited) => {
                Answer::error(429, "Too Many Requests", &[("Retry-After", "1")])
            }
            Some(Fault::ServerError) => Answer::error(500, "Internal Server Error", &[]),
            Some(Fault::ResetBeforeForward) => {
                reset(conn.get_ref());
                return;
            }
            Some(Fault::ResetAfterForward) => {
                let status = forward(&shared, &upstream, &req)
                    .await
                    .ok()
                    .map(|a| a.status);
                shared.log_lost(&req, status);
                reset(conn.get_ref());
                return;
            }
            Some(Fault::Latency) => {
                tokio::time::sleep(decision.latency).await;
                forward_or_502(&shared, &upstream, &req).await
            }
            None => forward_or_502(&shared, &upstream, &req).await,
        };
        if write_answer(conn.get_mut(), &req, &answer).await.is_err() || req.close {
            return;
        }
    }
}

/// Closes the connection with RST (no FIN): the client sees "connection reset".
fn reset(sock: &TcpStream) {
    let _ = sock.set_zero_linger();
}

/// An answer to pass on.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    /// An error answer in the shape OpenStack services give (`{"error": {...}}`).
    fn error(status: u16, title: &str, headers: &[(&str, &str)]) -> Answer {
        let body = serde_json::json!({"error": {
            "code": status,
            "title": title,
            "message": format!("injected by the test harness's fault proxy: {status} {title}"),
        }});
        let mut h: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        h.push(("Content-Type".into(), "application/json".into()));
        Answer {
            status,
            headers: h,
            body: body.to_string().into_bytes(),
        }
    }
}

async fn forward_or_502(shared: &Shared, upstream: &str, req: &Request) -> Answer {
    match forward(shared, upstream, req).await {
        Ok(a) => a,
        Err(e) => {
            lock(&shared.tally).counts.upstream_errors += 1;
            let mut a = Answer::error(502, "Bad Gateway", &[]);
            a.body = serde_json::json!({"error": {"code": 502, "title": "Bad Gateway",
                "message": format!("fault proxy: the cloud did not answer: {e}")}})
            .to_string()
            .into_bytes();
            a
        }
    }
}

/// Headers that belong to one connection, not to the request or answer.
fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

async fn forward(shared: &Shared, upstream: &str, req: &Request) -> Result<Answer, String> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut rb = shared
        .http
        .request(method, format!("{upstream}{}", req.target))
        .body(req.body.clone());
    for (k, v) in &req.headers {
        // The proxy rewrites answers, so it asks for them uncompressed.
        if !hop_by_hop(k) && !k.eq_ignore_ascii_case("accept-encoding") {
            rb = rb.header(k.as_str(), v.as_str());
        }
    }
    let resp = rb.send().await.map_err(|e| format!("{e:?}"))?;
    let status = resp.status().as_u16();
    let headers: Vec<(String, String)> = resp
        .headers()
        .iter()
        .filter(|(k, _)| !hop_by_hop(k.as_str()))
        .map(|(k, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            let v = if k == "location" || k == "content-location" {
                String::from_utf8_lossy(&shared.rewrite(v.as_bytes())).into_owned()
            } else {
                v
            };
            (k.as_str().to_owned(), v)
        })
        .collect();
    let body = resp.bytes().await.map_err(|e| format!("{e:?}"))?;
    Ok(Answer {
        status,
        headers,
        body: shared.rewrite(&body),
    })
}

async fn write_answer(sock: &mut TcpStream, req: &Request, a: &Answer) -> std::io::Result<()> {
    let reason = reqwest::StatusCode::from_u16(a.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", a.status);
    for (k, v) in &a.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    // No body, and no length, where HTTP has none (HEAD's length is the upstream's, passed on
    // as it was not: a HEAD answer's Content-Length describes the GET's body).
    let bodiless = req.method == "HEAD" || a.status == 204 || a.status == 304 || a.status < 200;
    if !bodiless {
        head.push_str(&format!("Content-Length: {}\r\n", a.body.len()));
    }
    if req.close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    sock.write_all(head.as_bytes()).await?;
    if !bodiless {
        sock.write_all(&a.body).await?;
    }
    sock.flush().await
}

/// Largest request head or chunk-size line accepted.
const MAX_HEAD: usize = 1 << 20;

/// Reads one request; `None` when the client closed the connection before sending one.
async fn read_request(conn: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut line = String::new();
    // Tolerate empty lines between requests (RFC 9112 2.2).
    loop {
        line.clear();
        if conn.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    let (method, target) = (method.to_owned(), target.to_owned());
    let mut close = version == "HTTP/1.0";
    let mut headers = Vec::new();
    let mut head_len = line.len();
    loop {
        line.clear();
        let n = conn.read_line(&mut line).await?;
        head_len += n;
        if n == 0 || head_len > MAX_HEAD {
            return Err(bad("request head too long or cut off"));
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let Some((k, v)) = l.split_once(':') else {
            return Err(bad("malformed header"));
        };
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
        close = true;
    }
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(conn).await?
    } else {
        let len: usize = match header("content-length") {
            Some(v) => v.parse().map_err(|_| bad("bad Content-Length"))?,
            None => 0,
        };
        let mut body = vec![0; len];
        conn.read_exact(&mut body).await?;
        body
    };
    Ok(Some(Request {
        method,
        target,
        close,
        headers,
        body,
    }))
}

async fn read_chunked(conn: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if conn.read_line(&mut line).await? == 0 || line.len() > MAX_HEAD {
            return Err(bad("chunked body cut off"));
        }
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                line.clear();
                if conn.read_line(&mut line).await? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        conn.read_exact(&mut body[start..]).await?;
        let mut crlf = [0u8; 2];
        conn.read_exact(&mut crlf).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_hide_ids_but_keep_the_shape() {
        assert_eq!(
            template("/v3/6b10b0ec4cfc42b48a3ce30a0b12aa6b/volumes"),
            "/v3/{id}/volumes"
        );
        assert_eq!(
            template("/v2.1/servers/0f1c35bd-4d4b-4b8b-9a7a-2f6c2f8a1a7e/os-volume_attachments"),
            "/v2.1/servers/{id}/os-volume_attachments"
        );
        assert_eq!(template("/v2.0/networks"), "/v2.0/networks");
    }

    #[test]
    fn origins_are_replaced_only_whole() {
        let out = replace_origin(
            br#"{"a": "http://127.0.0.1:8774/v2.1", "b": "http://127.0.0.1:87745/x"}"#,
            b"http://127.0.0.1:8774",
            b"http://127.0.0.1:40000",
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            r#"{"a": "http://127.0.0.1:40000/v2.1", "b": "http://127.0.0.1:87745/x"}"#
        );
    }

    #[test]
    fn the_draw_depends_on_seed_key_and_position() {
        assert_eq!(mix(1, "GET /x", 0), mix(1, "GET /x", 0));
        assert_ne!(mix(1, "GET /x", 0), mix(2, "GET /x", 0));
        assert_ne!(mix(1, "GET /x", 0), mix(1, "GET /x", 1));
        assert_ne!(mix(1, "GET /x", 0), mix(1, "GET /y", 0));
        // About `rate` of the draws are faults.
        let hits = (0..10_000)
            .filter(|n| unit(mix(7, "GET /v2.0/ports", *n)) < 0.1)
            .count();
        assert!((800..1200).contains(&hits), "{hits} of 10000");
    }
}
