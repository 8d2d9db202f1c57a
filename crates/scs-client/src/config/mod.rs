//! Configuration resolution: provider block, `OS_*` environment, clouds.yaml.
//!
//! Precedence, field by field, highest first:
//! 1. explicit values ([`Overrides`], i.e. the provider block),
//! 2. `OS_*` environment variables,
//! 3. the named cloud's clouds.yaml entry with secure.yaml merged into it.
//!
//! The cloud name comes from `Overrides::cloud`, else `OS_CLOUD`; without a
//! name no file is read. The auth type is decided by the highest source that
//! carries a credential (its `auth_type`, or inferred from which secret it
//! has); fields of that auth type are then merged from all sources. This is
//! how the `openstack` CLI and terraform-provider-openstack behave (env
//! variables override clouds.yaml), made explicit.

mod clouds_yaml;
mod env;
mod layer;
mod secret;
mod sources;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use secret::Secret;
pub use sources::Sources;
use url::Url;

use layer::Layer;

/// Default retry cap: with the backoff in [`crate::retry`] this backs off for
/// 46-92 s in total, enough for a rate-limited but healthy cloud.
pub const DEFAULT_MAX_RETRIES: u32 = 8;
/// Default number of requests in flight per service.
pub const DEFAULT_MAX_CONCURRENCY: usize = 10;

/// Explicit values (the provider block). `None`/empty means "not set".
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub cloud: Option<String>,
    pub auth_url: Option<String>,
    pub region: Option<String>,
    pub user_name: Option<String>,
    pub user_id: Option<String>,
    pub password: Option<Secret>,
    pub project_name: Option<String>,
    pub project_id: Option<String>,
    pub user_domain_name: Option<String>,
    pub user_domain_id: Option<String>,
    pub project_domain_name: Option<String>,
    pub project_domain_id: Option<String>,
    pub application_credential_id: Option<String>,
    pub application_credential_name: Option<String>,
    pub application_credential_secret: Option<Secret>,
    pub token: Option<Secret>,
    pub insecure: Option<bool>,
    pub cacert_file: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    /// `public` (default), `internal` or `admin`; `publicURL` etc. accepted.
    pub endpoint_type: Option<String>,
    /// Service type (`compute`, `network`, `volumev3`/`block-storage`, `image`,
    /// `identity`) to URL; used instead of the catalog.
    pub endpoint_overrides: BTreeMap<String, String>,
    pub max_retries: Option<u32>,
    /// Requests in flight per service.
    pub max_concurrency: Option<usize>,
}

/// Which catalog interface to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interface {
    #[default]
    Public,
    Internal,
    Admin,
}

impl Interface {
    pub fn as_str(&self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().trim_end_matches("url") {
            "public" => Some(Self::Public),
            "internal" => Some(Self::Internal),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A user reference for password and named application-credential auth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    Id(String),
    Name { name: String, domain: DomainRef },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    Id(String),
    Name(String),
}

/// The project a token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectScope {
    Id(String),
    Name { name: String, domain: DomainRef },
}

/// How to get a token from Keystone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    Password {
        user: UserRef,
        password: Secret,
        project: Option<ProjectScope>,
    },
    /// Application credentials are scoped by themselves.
    ApplicationCredential {
        /// By id, or by name together with its user.
        id: Option<String>,
        name: Option<String>,
        user: Option<UserRef>,
        secret: Secret,
    },
    Token {
        token: Secret,
        project: Option<ProjectScope>,
    },
}

impl AuthMethod {
    pub fn kind(&self) -> &'static str {
        match self {
            AuthMethod::Password { .. } => "password",
            AuthMethod::ApplicationCredential { .. } => "v3applicationcredential",
            AuthMethod::Token { .. } => "token",
        }
    }
}

/// TLS settings for every connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    pub insecure: bool,
    pub cacert_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

/// A complete configuration, ready to build a [`crate::Client`].
#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    /// The clouds.yaml entry used, if any.
    pub cloud: Option<String>,
    pub auth_url: Url,
    pub auth: AuthMethod,
    pub region: Option<String>,
    pub interface: Interface,
    pub tls: TlsOptions,
    /// Normalised service type (see [`crate::ServiceType::parse`]) to base URL.
    pub endpoint_overrides: BTreeMap<String, Url>,
    pub max_retries: u32,
    pub max_concurrency: usize,
    /// Human description of the sources that were read, for diagnostics.
    pub sources_used: Vec<String>,
    /// Where tokens are kept between processes; `None` unless clouds.yaml says
    /// `cache: {auth: true}` (see [`crate::session::token_cache`]).
    pub token_cache_dir: Option<PathBuf>,
}

/// Why the configuration could not be resolved.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error(
        "cloud '{cloud}' is selected but no clouds.yaml was found; looked in: {}",
        fmt_paths(files_tried)
    )]
    NoCloudsFile {
        cloud: String,
        files_tried: Vec<PathBuf>,
    },
    #[error(
        "cloud '{cloud}' is not defined in {}; clouds defined there: {}",
        file.display(),
        if available.is_empty() { "none".to_owned() } else { available.join(", ") }
    )]
    CloudNotFound {
        cloud: String,
        file: PathBuf,
        available: Vec<String>,
    },
    #[error("cannot read {}: {message}", path.display())]
    File { path: PathBuf, message: String },
    #[error("missing {what}: {hint}; looked in: {looked_in}")]
    Missing {
        what: String,
        hint: String,
        looked_in: String,
    },
    #[error("invalid {what}: {message}")]
    Invalid { what: String, message: String },
}

fn fmt_paths(p: &[PathBuf]) -> String {
    if p.is_empty() {
        return "no locations configured".into();
    }
    p.iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Entry point for configuration resolution.
pub struct CloudConfig;

impl CloudConfig {
    /// Resolves against the process environment and the standard file locations.
    pub fn resolve(overrides: Overrides) -> Result<ResolvedConfig, ConfigError> {
        Self::resolve_with(overrides, &Sources::from_process())
    }

    /// Resolves against explicit sources (tests, embedding).
    pub fn resolve_with(
        overrides: Overrides,
        sources: &Sources,
    ) -> Result<ResolvedConfig, ConfigError> {
        let explicit = overrides_layer(&overrides);
        let env = env::env_layer(sources)?;
        let cloud = non_empty(overrides.cloud.clone()).or_else(|| sources.env("OS_CLOUD"));

        let mut sources_used = Vec::new();
        if explicit.has_credential() || explicit.auth_url.is_some() {
            sources_used.push("provider configuration".to_owned());
        }
        let mut clouds_file = None;
        let file = match &cloud {
            Some(name) => {
                let loaded = clouds_yaml::load_cloud(sources, name)?;
                clouds_file = Some(loaded.clouds_file.clone());
                sources_used.push(format!(
                    "clouds.yaml {} (cloud '{name}')",
                    loaded.clouds_file.display()
                ));
                if let Some(s) = &loaded.secure_file {
                    sources_used.push(format!("secure.yaml {}", s.display()));
                }
                Some(loaded.layer)
            }
            None => None,
        };
        let env_used = env::ENV_VARS
            .iter()
            .any(|k| *k != "OS_CLOUD" && sources.env(k).is_some());
        if env_used {
            sources_used.push("environment (OS_*)".to_owned());
        }

        let layers: Vec<&Layer> = [Some(&explicit), Some(&env), file.as_ref()]
            .into_iter()
            .flatten()
            .collect();
        let auth_type = layers
            .iter()
            .find(|l| l.has_credential())
            .and_then(|l| l.implied_auth_type());

        let merged = explicit
            .clone()
            .over(env.clone())
            .over(file.clone().unwrap_or_default());

        let looked_in = looked_in(&cloud, clouds_file.as_ref(), sources);
        let cache_auth = merged.cache_auth == Some(true);
        let mut resolved = build(merged, auth_type, cloud, sources_used, &looked_in)?;
        if cache_auth {
            resolved.token_cache_dir = sources.token_cache_dir.clone();
        }
        Ok(resolved)
    }
}

fn looked_in(cloud: &Option<String>, clouds_file: Option<&PathBuf>, sources: &Sources) -> String {
    let mut parts = vec!["the provider configuration".to_owned()];
    parts.push("OS_* environment variables".to_owned());
    match (cloud, clouds_file) {
        (Some(c), Some(f)) => parts.push(format!("cloud '{c}' in {}", f.display())),
        (Some(c), None) => parts.push(format!("cloud '{c}'")),
        (None, _) => match clouds_yaml::available_clouds(sources) {
            Some((f, names)) if !names.is_empty() => parts.push(format!(
                "no clouds.yaml entry, because neither `cloud` nor OS_CLOUD is set \
                 ({} defines: {})",
                f.display(),
                names.join(", ")
            )),
            _ => parts.push(format!(
                "no clouds.yaml (neither `cloud` nor OS_CLOUD is set; none found in {})",
                fmt_paths(&sources.clouds_files)
            )),
        },
    }
    parts.join("; ")
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn overrides_layer(o: &Overrides) -> Layer {
    let secret = |s: &Option<Secret>| s.clone().filter(|s| !s.is_empty());
    Layer {
        auth_type: None,
        auth_url: non_empty(o.auth_url.clone()),
        user_name: non_empty(o.user_name.clone()),
        user_id: non_empty(o.user_id.clone()),
        password: secret(&o.password),
        project_name: non_empty(o.project_name.clone()),
        project_id: non_empty(o.project_id.clone()),
        user_domain_name: non_empty(o.user_domain_name.clone()),
        user_domain_id: non_empty(o.user_domain_id.clone()),
        project_domain_name: non_empty(o.project_domain_name.clone()),
        project_domain_id: non_empty(o.project_domain_id.clone()),
        domain_name: None,
        domain_id: None,
        application_credential_id: non_empty(o.application_credential_id.clone()),
        application_credential_name: non_empty(o.application_credential_name.clone()),
        application_credential_secret: secret(&o.application_credential_secret),
        token: secret(&o.token),
        region: non_empty(o.region.clone()),
        interface: non_empty(o.endpoint_type.clone()),
        insecure: o.insecure,
        cacert: non_empty(o.cacert_file.clone()),
        cert: non_empty(o.cert_file.clone()),
        key: non_empty(o.key_file.clone()),
        endpoint_overrides: o.endpoint_overrides.clone(),
        max_retries: o.max_retries,
        max_concurrency: o.max_concurrency,
        cache_auth: None,
    }
}

fn missing(what: &str, hint: &str, looked_in: &str) -> ConfigError {
    ConfigError::Missing {
        what: what.to_owned(),
        hint: hint.to_owned(),
        looked_in: looked_in.to_owned(),
    }
}

fn domain(name: &Option<String>, id: &Option<String>, l: &Layer) -> DomainRef {
    if let Some(id) = id {
        DomainRef::Id(id.clone())
    } else if let Some(n) = name {
        DomainRef::Name(n.clone())
    } else if let Some(id) = &l.domain_id {
        DomainRef::Id(id.clone())
    } else if let Some(n) = &l.domain_name {
        DomainRef::Name(n.clone())
    } else {
        // Keystone's built-in domain; the same default openstacksdk and TPO use.
        DomainRef::Id("default".into())
    }
}

fn user_ref(l: &Layer) -> Option<UserRef> {
    if let Some(id) = &l.user_id {
        return Some(UserRef::Id(id.clone()));
    }
    l.user_name.as_ref().map(|n| UserRef::Name {
        name: n.clone(),
        domain: domain(&l.user_domain_name, &l.user_domain_id, l),
    })
}

fn project_scope(l: &Layer) -> Option<ProjectScope> {
    if let Some(id) = &l.project_id {
        return Some(ProjectScope::Id(id.clone()));
    }
    l.project_name.as_ref().map(|n| ProjectScope::Name {
        name: n.clone(),
        domain: domain(&l.project_domain_name, &l.project_domain_id, l),
    })
}

fn parse_url(what: &str, s: &str) -> Result<Url, ConfigError> {
    let u = Url::parse(s).map_err(|e| ConfigError::Invalid {
        what: what.to_owned(),
        message: format!("'{s}' is not a URL: {e}"),
    })?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(ConfigError::Invalid {
            what: what.to_owned(),
            message: format!("'{s}' must be an http or https URL"),
        });
    }
    Ok(u)
}

fn build(
    l: Layer,
    auth_type: Option<String>,
    cloud: Option<String>,
    sources_used: Vec<String>,
    looked_in: &str,
) -> Result<ResolvedConfig, ConfigError> {
    let auth_url_s = l.auth_url.clone().ok_or_else(|| {
        missing(
            "auth_url",
            "set `auth_url` (or `cloud`) in the provider block, OS_AUTH_URL, or auth.auth_url in clouds.yaml",
            looked_in,
        )
    })?;
    let auth_url = parse_url("auth_url", &auth_url_s)?;

    let auth_type = auth_type.ok_or_else(|| {
        missing(
            "credentials",
            "give a password (user_name + password), an application credential \
             (application_credential_id + application_credential_secret), or a token",
            looked_in,
        )
    })?;
    let auth = match auth_type.as_str() {
        "password" | "v3password" => {
            let password = l.password.clone().ok_or_else(|| {
                missing(
                    "password",
                    "password auth needs `password` / OS_PASSWORD / auth.password",
                    looked_in,
                )
            })?;
            let user = user_ref(&l).ok_or_else(|| {
                missing(
                    "user_name",
                    "password auth needs `user_name` (or user_id) / OS_USERNAME / auth.username",
                    looked_in,
                )
            })?;
            AuthMethod::Password {
                user,
                password,
                project: project_scope(&l),
            }
        }
        "v3applicationcredential" | "applicationcredential" | "application_credential" => {
            let secret = l.application_credential_secret.clone().ok_or_else(|| {
                missing(
                    "application_credential_secret",
                    "application credential auth needs `application_credential_secret` / \
                     OS_APPLICATION_CREDENTIAL_SECRET / auth.application_credential_secret",
                    looked_in,
                )
            })?;
            let id = l.application_credential_id.clone();
            let name = l.application_credential_name.clone();
            let user = user_ref(&l);
            if id.is_none() && (name.is_none() || user.is_none()) {
                return Err(missing(
                    "application_credential_id",
                    "application credential auth needs `application_credential_id`, or \
                     `application_credential_name` together with `user_name`/`user_id`",
                    looked_in,
                ));
            }
            AuthMethod::ApplicationCredential {
                id,
                name,
                user,
                secret,
            }
        }
        "token" | "v3token" => {
            let token = l.token.clone().ok_or_else(|| {
                missing(
                    "token",
                    "token auth needs `token` / OS_TOKEN / auth.token",
                    looked_in,
                )
            })?;
            AuthMethod::Token {
                token,
                project: project_scope(&l),
            }
        }
        other => {
            return Err(ConfigError::Invalid {
                what: "auth_type".into(),
                message: format!(
                    "'{other}' is not supported (use password, v3applicationcredential or token)"
                ),
            });
        }
    };

    let interface = match &l.interface {
        Some(s) => Interface::parse(s).ok_or_else(|| ConfigError::Invalid {
            what: "endpoint_type".into(),
            message: format!("'{s}' is not one of public, internal, admin"),
        })?,
        None => Interface::Public,
    };

    let mut endpoint_overrides = BTreeMap::new();
    for (k, v) in &l.endpoint_overrides {
        let key = crate::catalog::ServiceType::parse(k)
            .map(|s| s.key().to_owned())
            .unwrap_or_else(|| k.clone());
        endpoint_overrides.insert(key, parse_url(&format!("endpoint_overrides.{k}"), v)?);
    }

    let tls = TlsOptions {
        insecure: l.insecure.unwrap_or(false),
        cacert_file: l.cacert.clone().map(PathBuf::from),
        cert_file: l.cert.clone().map(PathBuf::from),
        key_file: l.key.clone().map(PathBuf::from),
    };
    if tls.cert_file.is_some() != tls.key_file.is_some() {
        return Err(ConfigError::Invalid {
            what: "client certificate".into(),
            message: "cert_file and key_file must be given together".into(),
        });
    }

    Ok(ResolvedConfig {
        cloud,
        auth_url,
        auth,
        region: l.region.clone(),
        interface,
        tls,
        endpoint_overrides,
        max_retries: l.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
        max_concurrency: l.max_concurrency.unwrap_or(DEFAULT_MAX_CONCURRENCY).max(1),
        sources_used,
        token_cache_dir: None,
    })
}
