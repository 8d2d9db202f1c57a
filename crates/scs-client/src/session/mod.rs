//! The shared session: HTTP connection pool, token, endpoints, limits.

pub mod clock;
mod ledger;
mod lookups;
mod paginate;
mod redact;
mod request;
mod snapshot;
pub mod token_cache;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{Mutex, OnceCell, Semaphore};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::auth::{self, Token};
use crate::catalog::{ServiceType, versioned_base};
use crate::config::{AuthMethod, ResolvedConfig};
use crate::error::{Error, Result};
use crate::microversion::{Microversion, VersionRange};
use crate::retry::RetryPolicy;

pub use redact::{redact_json, redact_text};
pub use request::{Request, Response};

/// Overall deadline of a request that was given none (all retries included).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);
/// Timeout for one Keystone token request.
const AUTH_TIMEOUT: Duration = Duration::from_secs(60);

/// What the current token says about the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub user_id: Option<String>,
    pub expires_at: Option<SystemTime>,
}

/// The API client. Cloning is cheap; every clone shares one token, one
/// connection pool, one catalog and one set of per-service limits.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Region every service handle of this clone targets (`None`: configured).
    region: Option<Arc<str>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("auth_url", &self.inner.config.auth_url.as_str())
            .field("auth", &self.inner.config.auth.kind())
            .field("region", &self.region())
            .finish_non_exhaustive()
    }
}

type VersionCell = Arc<OnceCell<VersionRange>>;

struct Inner {
    config: ResolvedConfig,
    http: reqwest::Client,
    policy: RetryPolicy,
    /// Held while a token is issued, so concurrent requests wait for one
    /// Keystone call instead of each making their own.
    token: Mutex<Option<Arc<Token>>>,
    /// Where tokens are kept for the next process, when the configuration asks for it.
    token_cache: Option<token_cache::TokenCache>,
    limits: HashMap<ServiceType, Arc<Semaphore>>,
    /// Per service and region (`None` = the configured region).
    versions: std::sync::Mutex<HashMap<(ServiceType, Option<String>), VersionCell>>,
    cancel: CancellationToken,
    clock: clock::CloudClock,
    ledger: ledger::Ledger,
    snapshots: snapshot::Snapshots,
    /// State a module keeps per client, by its type (see [`Client::shared`]).
    shared: std::sync::Mutex<HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>,
}

impl Client {
    /// Builds the client. No network traffic happens until the first request
    /// (or [`Client::authenticate`]).
    pub fn new(config: ResolvedConfig) -> Result<Self> {
        let http = build_http(&config)?;
        let limits = ServiceType::ALL
            .iter()
            .map(|s| (*s, Arc::new(Semaphore::new(config.max_concurrency))))
            .collect();
        let token_cache = config
            .token_cache_dir
            .as_deref()
            .and_then(|dir| token_cache::TokenCache::new(dir, &config.auth_url, &config.auth));
        Ok(Self {
            inner: Arc::new(Inner {
                policy: RetryPolicy::new(config.max_retries),
                token_cache,
                config,
                http,
                token: Mutex::new(None),
                limits,
                versions: std::sync::Mutex::new(HashMap::new()),
                cancel: CancellationToken::new(),
                clock: clock::CloudClock::default(),
                ledger: ledger::Ledger::default(),
                snapshots: snapshot::Snapshots::default(),
                shared: std::sync::Mutex::new(HashMap::new()),
            }),
            region: None,
        })
    }

    /// [`Client::new`] followed by [`Client::authenticate`].
    pub async fn connect(config: ResolvedConfig) -> Result<Self> {
        let c = Self::new(config)?;
        c.authenticate().await?;
        Ok(c)
    }

    /// Gets a token now (the provider's Configure uses this to report bad
    /// credentials early) and tells who we are.
    pub async fn authenticate(&self) -> Result<TokenInfo> {
        let t = self.token().await?;
        Ok(TokenInfo {
            project_id: t.project_id.clone(),
            project_name: t.project_name.clone(),
            user_id: t.user_id.clone(),
            expires_at: t.expires_at,
        })
    }

    /// This client for another region of the same cloud (a resource's
    /// `region` attribute): every service handle taken from it targets that
    /// region. `None` or `""` means the configured region. Token, connections,
    /// limits and cancellation are shared.
    pub fn in_region(&self, region: Option<&str>) -> Client {
        Client {
            inner: self.inner.clone(),
            region: region.filter(|r| !r.is_empty()).map(Arc::from),
        }
    }

    /// The region requests go to: the override, else the configured one.
    pub fn region(&self) -> Option<&str> {
        self.region
            .as_deref()
            .or(self.inner.config.region.as_deref())
    }

    pub fn config(&self) -> &ResolvedConfig {
        &self.inner.config
    }

    /// The handle for one service's API.
    pub fn service(&self, service: ServiceType) -> ServiceClient {
        ServiceClient {
            client: self.clone(),
            service,
            region: self.region.clone(),
        }
    }

    pub fn compute(&self) -> ServiceClient {
        self.service(ServiceType::Compute)
    }
    pub fn network(&self) -> ServiceClient {
        self.service(ServiceType::Network)
    }
    pub fn block_storage(&self) -> ServiceClient {
        self.service(ServiceType::BlockStorage)
    }
    pub fn image(&self) -> ServiceClient {
        self.service(ServiceType::Image)
    }
    pub fn identity(&self) -> ServiceClient {
        self.service(ServiceType::Identity)
    }

    /// Cancelled when the provider is told to stop; every request and every
    /// wait given no token of its own watches this one.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.inner.cancel
    }

    /// Aborts all in-flight requests and waits (Terraform's StopProvider).
    pub fn cancel_all(&self) {
        self.inner.cancel.cancel();
    }

    /// The project the token is scoped to.
    pub async fn project_id(&self) -> Result<Option<String>> {
        Ok(self.token().await?.project_id.clone())
    }

    /// See [`crate::retry::create_with_lookup`]; uses this client's
    /// `max_retries` + 1 as the attempt limit.
    pub async fn create_with_lookup<T, C, CF, L, LF>(
        &self,
        operation: &str,
        create: C,
        lookup: L,
    ) -> Result<T>
    where
        C: FnMut() -> CF,
        CF: Future<Output = Result<T>>,
        L: FnMut() -> LF,
        LF: Future<Output = Result<Option<T>>>,
    {
        crate::retry::create_with_lookup(
            operation,
            self.inner.policy.max_retries.saturating_add(1),
            create,
            lookup,
        )
        .await
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Now, on the cloud's clock (as far as its answers have told it).
    pub fn cloud_now(&self) -> clock::CloudTime {
        self.inner.clock.now()
    }

    /// The listings kept for reads (see [`snapshot`]).
    pub(crate) fn snapshots(&self) -> &snapshot::Snapshots {
        &self.inner.snapshots
    }

    /// Objects read but never written, kept for the process (see [`lookups`]).
    pub(crate) fn lookups(&self) -> Arc<lookups::Lookups> {
        self.shared::<lookups::Lookups>()
    }

    /// The one `T` of this client and its clones, made on first use: state a module of this
    /// crate keeps for the process (a queue of requests to send together, say).
    pub(crate) fn shared<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut shared = lock(&self.inner.shared);
        let entry = shared
            .entry(std::any::TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()));
        match entry.clone().downcast::<T>() {
            Ok(t) => t,
            // Unreachable: the entry of a type id holds that type. Replaced rather than trusted.
            Err(_) => {
                let fresh = Arc::new(T::default());
                *entry = fresh.clone();
                fresh
            }
        }
    }

    pub(crate) fn write_seen(&self) {
        self.inner.snapshots.write_seen();
    }

    pub(crate) fn observe_date(&self, headers: &http::HeaderMap) {
        self.inner.clock.observe(headers);
    }

    pub(crate) fn policy(&self) -> RetryPolicy {
        self.inner.policy
    }

    pub(crate) fn limit(&self, s: ServiceType) -> Option<Arc<Semaphore>> {
        self.inner.limits.get(&s).cloned()
    }

    /// The current token, issuing one if there is none or it is about to expire.
    pub(crate) async fn token(&self) -> Result<Arc<Token>> {
        let mut guard = self.inner.token.lock().await;
        if let Some(t) = guard.as_ref() {
            if t.is_fresh(SystemTime::now()) {
                return Ok(t.clone());
            }
            tracing::debug!(target: "scs_client::auth", "token about to expire; re-issuing");
        } else if let Some(kept) = self
            .inner
            .token_cache
            .as_ref()
            .and_then(|c| c.load(SystemTime::now()))
        {
            tracing::debug!(target: "scs_client::auth", "using the token kept by an earlier process");
            let t = Arc::new(kept);
            *guard = Some(t.clone());
            return Ok(t);
        }
        let t = Arc::new(self.issue_token().await?);
        *guard = Some(t.clone());
        Ok(t)
    }

    /// Replaces `stale` after a 401, unless another request already did.
    pub(crate) async fn reauthenticate(&self, stale: &Arc<Token>) -> Result<Arc<Token>> {
        let mut guard = self.inner.token.lock().await;
        if let Some(t) = guard.as_ref()
            && !Arc::ptr_eq(t, stale)
        {
            return Ok(t.clone());
        }
        tracing::info!(target: "scs_client::auth", "token rejected with 401; re-authenticating once");
        let t = Arc::new(self.issue_token().await?);
        *guard = Some(t.clone());
        Ok(t)
    }

    async fn issue_token(&self) -> Result<Token> {
        let c = &self.inner.config;
        match &c.auth {
            AuthMethod::Token {
                token,
                project: None,
            } => {
                let policy = self.inner.policy;
                auth::validate(&self.inner.http, &c.auth_url, token, AUTH_TIMEOUT, policy).await
            }
            other => {
                let policy = self.inner.policy;
                let token =
                    auth::issue(&self.inner.http, &c.auth_url, other, AUTH_TIMEOUT, policy).await?;
                if let Some(cache) = &self.inner.token_cache {
                    cache.store(&token);
                }
                Ok(token)
            }
        }
    }

    /// Base URL of a service (ends in `/`): endpoint override, else catalog
    /// (Identity falls back to `auth_url`), with the API version segment added
    /// when the registered URL has none.
    pub async fn base_url(&self, service: ServiceType) -> Result<Url> {
        self.base_url_in(service, self.region.as_deref()).await
    }

    /// [`Client::base_url`] in another region than the configured one
    /// (`None` = configured). Endpoint overrides apply to every region.
    pub async fn base_url_in(&self, service: ServiceType, region: Option<&str>) -> Result<Url> {
        let c = &self.inner.config;
        if let Some(u) = c.endpoint_overrides.get(service.key()) {
            return Ok(versioned_base(service, u));
        }
        let token = self.token().await?;
        let region = region.or(c.region.as_deref());
        match token.catalog.find(service, region, c.interface) {
            Ok(u) => Ok(versioned_base(service, &u)),
            Err(_) if service == ServiceType::Identity => Ok(versioned_base(service, &c.auth_url)),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn version_cell(&self, s: ServiceType, region: Option<&str>) -> VersionCell {
        let mut map = self
            .inner
            .versions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry((s, region.map(str::to_owned)))
            .or_default()
            .clone()
    }
}

/// One service's API. Paths given to its methods are relative to the
/// versioned base URL (`/networks`, `/servers/detail`, `/volumes`,
/// `/images`); an absolute `http(s)://` URL is used as it is.
#[derive(Clone, Debug)]
pub struct ServiceClient {
    client: Client,
    service: ServiceType,
    /// `None`: the configured region.
    region: Option<Arc<str>>,
}

impl ServiceClient {
    pub fn service_type(&self) -> ServiceType {
        self.service
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The same service in another region (a resource's `region`
    /// attribute); `None` or an empty string means the configured region.
    /// Shares the token, connections and limits.
    pub fn in_region(&self, region: Option<&str>) -> ServiceClient {
        ServiceClient {
            client: self.client.clone(),
            service: self.service,
            region: region.filter(|r| !r.is_empty()).map(Arc::from),
        }
    }

    /// The region this handle targets (`None`: the configured one).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// A request builder (microversion, headers, query, body, deadline, ...).
    pub fn request(&self, method: http::Method, path: impl Into<String>) -> Request {
        Request::new(self.clone(), method, path.into())
    }

    pub fn get(&self, path: impl Into<String>) -> Request {
        self.request(http::Method::GET, path)
    }
    pub fn post(&self, path: impl Into<String>) -> Request {
        self.request(http::Method::POST, path)
    }
    pub fn put(&self, path: impl Into<String>) -> Request {
        self.request(http::Method::PUT, path)
    }
    pub fn patch(&self, path: impl Into<String>) -> Request {
        self.request(http::Method::PATCH, path)
    }
    pub fn delete_request(&self, path: impl Into<String>) -> Request {
        self.request(http::Method::DELETE, path)
    }

    /// `GET path`, decoded.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.get(path).json().await
    }

    /// `POST path` with a JSON body, decoded.
    pub async fn post_json<B, T>(&self, path: &str, body: &B) -> Result<T>
    where
        B: serde::Serialize + ?Sized,
        T: serde::de::DeserializeOwned,
    {
        self.post(path).json_body(body).json().await
    }

    /// `PUT path` with a JSON body, decoded.
    pub async fn put_json<B, T>(&self, path: &str, body: &B) -> Result<T>
    where
        B: serde::Serialize + ?Sized,
        T: serde::de::DeserializeOwned,
    {
        self.put(path).json_body(body).json().await
    }

    /// `PATCH path` with a JSON body, decoded.
    pub async fn patch_json<B, T>(&self, path: &str, body: &B) -> Result<T>
    where
        B: serde::Serialize + ?Sized,
        T: serde::de::DeserializeOwned,
    {
        self.patch(path).json_body(body).json().await
    }

    /// `DELETE path`; any 2xx is success. Check `is_not_found()` on the error
    /// to treat "already gone" as done.
    pub async fn delete(&self, path: &str) -> Result<()> {
        self.delete_request(path).send().await.map(|_| ())
    }

    /// `GET path` following every page; `key` is the collection's key
    /// (`networks`, `servers`, `images`).
    pub async fn paginate<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>> {
        self.get(path).paginate(key).await
    }

    pub async fn base_url(&self) -> Result<Url> {
        self.client
            .base_url_in(self.service, self.region.as_deref())
            .await
    }

    /// The service's microversion range (discovered once per client).
    pub async fn version_range(&self) -> Result<VersionRange> {
        let cell = self
            .client
            .version_cell(self.service, self.region.as_deref());
        cell.get_or_try_init(|| crate::microversion::discover(self.clone()))
            .await
            .copied()
    }

    /// Whether the cloud supports `mv` for this service.
    pub async fn supports_microversion(&self, mv: Microversion) -> Result<bool> {
        Ok(self.version_range().await?.supports(mv))
    }
}

fn build_http(c: &ResolvedConfig) -> Result<reqwest::Client> {
    let invalid = |what: &str, message: String| {
        Error::Config(crate::config::ConfigError::Invalid {
            what: what.to_owned(),
            message,
        })
    };
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(concat!(
            "terraform-provider-scs scs-client/",
            env!("CARGO_PKG_VERSION")
        ))
        .connect_timeout(Duration::from_secs(30))
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_keepalive(Duration::from_secs(30));
    if c.tls.insecure {
        b = b.danger_accept_invalid_certs(true);
    }
    if let Some(p) = &c.tls.cacert_file {
        let pem = std::fs::read(p)
            .map_err(|e| invalid("cacert_file", format!("cannot read {}: {e}", p.display())))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            invalid(
                "cacert_file",
                format!("{} is not a PEM bundle: {e}", p.display()),
            )
        })?;
        for cert in certs {
            b = b.add_root_certificate(cert);
        }
    }
    if let (Some(cert), Some(key)) = (&c.tls.cert_file, &c.tls.key_file) {
        let mut pem = std::fs::read(cert)
            .map_err(|e| invalid("cert_file", format!("cannot read {}: {e}", cert.display())))?;
        pem.push(b'\n');
        pem.extend(
            std::fs::read(key)
                .map_err(|e| invalid("key_file", format!("cannot read {}: {e}", key.display())))?,
        );
        let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
            invalid(
                "cert_file/key_file",
                format!("not a usable PEM cert+key: {e}"),
            )
        })?;
        b = b.identity(id);
    }
    b.build()
        .map_err(|e| invalid("HTTP client", transport_message(&e)))
}

/// A transport error's message with its causes (e.g. "connection reset by
/// peer"), which reqwest's own Display leaves out. Holds no secrets: reqwest
/// errors carry the URL, and URLs never carry credentials here.
pub(crate) fn transport_message(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let s_msg = s.to_string();
        if !msg.contains(&s_msg) {
            msg.push_str(": ");
            msg.push_str(&s_msg);
        }
        src = s.source();
    }
    msg
}

/// `x-openstack-request-id` (or the compute/legacy spellings).
pub(crate) fn request_id_of(h: &http::HeaderMap) -> Option<String> {
    [
        "x-openstack-request-id",
        "x-compute-request-id",
        "x-request-id",
    ]
    .iter()
    .find_map(|k| h.get(*k).and_then(|v| v.to_str().ok()).map(str::to_owned))
}

/// The client's locks guard maps and queues that every critical section leaves
/// whole (an insert, a removal, a swap), so a lock poisoned by a panic elsewhere
/// still holds consistent data: it is taken anyway, and one panic does not fail
/// every later request of the process.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
