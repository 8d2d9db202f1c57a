//! OpenStack/SCS API client: configuration, authentication, catalog, retries,
//! waiters, microversions and errors. This crate knows nothing of Terraform.
//!
//! # Use
//!
//! ```no_run
//! # async fn demo() -> Result<(), scs_client::Error> {
//! use scs_client::{Client, Microversion, ServiceType, config::{CloudConfig, Overrides}};
//!
//! let config = CloudConfig::resolve(Overrides { cloud: Some("mycloud".into()), ..Default::default() })?;
//! let client = Client::new(config)?;
//! let net = client.service(ServiceType::Network);
//! let networks: Vec<serde_json::Value> = net.paginate("/networks", "networks").await?;
//! let flavor: serde_json::Value = client
//!     .compute()
//!     .get("/flavors/detail")
//!     .microversion(Microversion::new(2, 61))
//!     .query([("limit", 10)])
//!     .json()
//!     .await?;
//! # let _ = (networks, flavor); Ok(()) }
//! ```
//!
//! Paths are relative to the service's *versioned* base URL: the catalog URL
//! with the API version segment added when the cloud registered none
//! (`/v2.0` for Neutron, `/v2` for Glance, `/v3` for Keystone; Nova and Cinder
//! register theirs). So the networks list is `"/networks"`, not
//! `"/v2.0/networks"`. An absolute URL is accepted only on the service's own
//! endpoint (scheme, host and port), so the token never travels elsewhere.
//! [`Client::in_region`] (or [`ServiceClient::in_region`]) targets another
//! region of the same cloud with the same token (a resource's `region`
//! attribute).
//!
//! # Configuration precedence
//!
//! [`config::CloudConfig::resolve`] merges three sources field by field,
//! highest first:
//!
//! 1. explicit values ([`config::Overrides`], the provider block);
//! 2. `OS_*` environment variables (`OS_AUTH_URL`, `OS_USERNAME`,
//!    `OS_PASSWORD`, `OS_PROJECT_NAME`/`_ID`, `OS_USER_DOMAIN_NAME`,
//!    `OS_PROJECT_DOMAIN_NAME`, `OS_APPLICATION_CREDENTIAL_ID`/`_NAME`/`_SECRET`,
//!    `OS_TOKEN`, `OS_REGION_NAME`, `OS_INTERFACE`/`OS_ENDPOINT_TYPE`,
//!    `OS_CACERT`, `OS_CERT`, `OS_KEY`, `OS_INSECURE`, ...);
//! 3. the clouds.yaml entry named by `cloud` (else `OS_CLOUD`), with the same
//!    entry of secure.yaml merged into it. The first existing file of
//!    `$OS_CLIENT_CONFIG_FILE`, `./clouds.yaml`,
//!    `~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml` is used
//!    (`.yml` also accepted); secure.yaml is looked for in the same places
//!    (`$OS_CLIENT_SECURE_FILE` first).
//!
//! The auth type (`password`, `v3applicationcredential` by id or by name plus
//! user, `token`) is taken from the highest source that carries a credential.
//! Missing pieces produce a [`config::ConfigError`] that names the piece and
//! lists the places that were looked at. The environment and file locations
//! are a [`config::Sources`] value, so tests never touch the process
//! environment.
//!
//! # Session
//!
//! One [`Client`] (cheap to clone) holds one Keystone token for the whole
//! process, shared by all requests. It is issued on first use (concurrent
//! requests wait for the one Keystone call), re-issued before it expires (a
//! quarter of its lifetime early, at most two minutes; measured from
//! Keystone's `issued_at`/`expires_at`, so clock skew does not matter), and
//! re-issued once when a request gets `401` (then that request is repeated). Endpoints come from the token's catalog
//! by service type (block storage also as `volumev3`/`volume`), region and
//! interface, unless `endpoint_overrides` names a URL. HTTP connections are
//! pooled (reqwest, rustls).
//!
//! # Retries
//!
//! See [`retry`] for the full rules. In short: `429` is always retried,
//! honouring `Retry-After` and backing off exponentially with jitter when it
//! is absent; `500`/`502`/`503`/`504` and broken connections are retried
//! for idempotent requests (reads, updates, deletes) only; `max_retries` (default
//! [`config::DEFAULT_MAX_RETRIES`]) caps the retries, and every request has a
//! deadline (default 10 minutes, or [`Request::deadline`]). A POST that failed
//! ambiguously is not repeated blindly: [`Client::create_with_lookup`] looks
//! the object up first. Each service has a limit of concurrent requests
//! (default [`config::DEFAULT_MAX_CONCURRENCY`]), so a large plan does not
//! trip the cloud's rate limiter in the first place.
//!
//! # Waits
//!
//! [`wait::wait_for`] polls a caller-supplied function: first after 0.2 s,
//! then each interval 1.2 times the last, capped at 2 s. It stops at the
//! deadline ([`Error::Timeout`] with the last status seen), on cancellation
//! ([`Error::Cancelled`]), or when the poll reports a terminal failure
//! ([`Error::WaitFailed`] carrying the cloud's fault message; see
//! [`wait::fault_message`]). Status changes are logged at INFO. Waits at the
//! 2 s cap poll on a beat shared by the process, and the status reads of
//! servers and volumes that come together go out as one listing of what
//! changed since the waits began (`watch`), so ten servers booting at once
//! cost one request a round, not ten.
//!
//! # Microversions
//!
//! [`Request::microversion`] asks for a version; the service's supported
//! range is read once from its version document and a request for a version
//! the cloud lacks fails before it is sent with
//! [`Error::MicroversionUnsupported`].
//!
//! # Secrets
//!
//! Passwords, secrets and tokens live in [`config::Secret`], whose `Debug`
//! and `Display` print a placeholder. The token header is marked sensitive.
//! Request and response bodies are logged only at TRACE and only after
//! [`session::redact_json`] replaced secret-bearing fields.
//!
//! # Why reqwest and not the `openstack_sdk` crate
//!
//! `openstack_sdk` (0.22) was evaluated for auth, catalog and clouds.yaml.
//! It depends on about two dozen `openstack-sdk-*` crates (every service's
//! generated API, auth plugins for federation, WebSSO, passkeys, JWT, and a
//! WASM plugin crate), which costs a lot of build time for a provider that
//! needs five services, and its request path owns retries and the token
//! lifecycle. The behaviours this crate exists for (retrying 429 without
//! `Retry-After`, never blindly retrying POST, per-service concurrency
//! limits, one re-auth on 401, injectable environment for tests, secrets
//! that cannot be printed) would have to be built around it anyway. Keystone
//! v3 auth and catalog lookup are small, so this crate implements them
//! directly on reqwest.

pub mod auth;
pub mod catalog;
pub mod config;
pub mod error;
pub mod microversion;
pub mod retry;
pub mod session;
pub mod wait;
mod watch;

pub use catalog::ServiceType;
pub use error::{ApiError, Error, Result};
pub use microversion::Microversion;
/// The SCS standards (flavor names, standard flavors, flavor and image selection), re-exported so
/// that callers of the client need no second dependency.
pub use scs_standards as scs;
pub use session::{Client, Request, Response, ServiceClient, TokenInfo};
pub use tokio_util::sync::CancellationToken;
pub use wait::{Poll, WaitOptions, wait_for, wait_for_with};

// Typed models and calls.
pub mod compute;
pub mod identity;
pub mod image;
pub mod model;
pub mod network;
pub mod volume;

// The in-process fake cloud for tests of this crate and of its users.
#[cfg(feature = "test-util")]
pub mod test_util;
