//! How to reach the management cluster, and the client made from it on first use.

use std::path::PathBuf;

use base64::Engine as _;
use kube::Client;
use kube::config::{Config, KubeConfigOptions, Kubeconfig};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio::sync::OnceCell;

use crate::Error;
use crate::capi::CapiVersion;

/// The connection settings, named like the kubernetes provider's arguments. A kubeconfig file
/// (`config_path`, else `KUBECONFIG`) is read first; the explicit settings override it.
#[derive(Clone, Default, PartialEq)]
pub struct Access {
    pub config_path: Option<PathBuf>,
    pub config_context: Option<String>,
    pub host: Option<String>,
    pub token: Option<String>,
    /// PEM.
    pub cluster_ca_certificate: Option<String>,
    /// PEM.
    pub client_certificate: Option<String>,
    /// PEM.
    pub client_key: Option<String>,
    pub insecure: Option<bool>,
    /// `KUBECONFIG` as the process had it; a fallback for `config_path`.
    pub kubeconfig_env: Option<String>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("config_path", &self.config_path)
            .field("config_context", &self.config_context)
            .field("host", &self.host)
            .field("token", &self.token.as_ref().map(|_| "(set)"))
            .field("client_key", &self.client_key.as_ref().map(|_| "(set)"))
            .field("insecure", &self.insecure)
            .finish_non_exhaustive()
    }
}

impl Access {
    /// Whether anything says where the management cluster is.
    pub fn is_configured(&self) -> bool {
        self.config_path.is_some() || self.host.is_some() || self.kubeconfig_env.is_some()
    }

    /// The kubeconfig files to read: `config_path`, else every file in `KUBECONFIG`.
    fn kubeconfig_files(&self) -> Vec<PathBuf> {
        if let Some(path) = &self.config_path {
            return vec![expand_home(path)];
        }
        self.kubeconfig_env
            .as_deref()
            .map(|v| {
                std::env::split_paths(v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The client configuration these settings describe.
    pub async fn to_config(&self) -> Result<Config, Error> {
        let files = self.kubeconfig_files();
        let mut config = if !files.is_empty() {
            let mut merged: Option<Kubeconfig> = None;
            for file in &files {
                let one = Kubeconfig::read_from(file).map_err(|e| {
                    Error::Config(format!("cannot read kubeconfig {}: {e}", file.display()))
                })?;
                merged = Some(match merged {
                    None => one,
                    Some(m) => m.merge(one).map_err(|e| {
                        Error::Config(format!("cannot merge kubeconfig {}: {e}", file.display()))
                    })?,
                });
            }
            let kubeconfig = merged.unwrap_or_default();
            let options = KubeConfigOptions {
                context: self.config_context.clone(),
                ..Default::default()
            };
            Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| {
                    let place = files
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    Error::Config(match &self.config_context {
                        Some(ctx) => format!("cannot use context {ctx:?} of {place}: {e}"),
                        None => format!("cannot use the current context of {place}: {e}"),
                    })
                })?
        } else if let Some(host) = &self.host {
            Config::new(parse_host(host)?)
        } else {
            return Err(Error::Config(
                "no management cluster is configured: set the provider's kubernetes block \
                 (config_path, or host with credentials) or the KUBECONFIG environment variable"
                    .to_owned(),
            ));
        };
        if let Some(host) = &self.host {
            config.cluster_url = parse_host(host)?;
        }
        if let Some(ca) = &self.cluster_ca_certificate {
            config.root_cert = Some(parse_certificates(ca, "cluster_ca_certificate")?);
        }
        if let Some(token) = &self.token {
            config.auth_info.token = Some(token.clone().into());
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        if let Some(cert) = &self.client_certificate {
            config.auth_info.client_certificate_data = Some(b64.encode(cert));
            config.auth_info.client_certificate = None;
        }
        if let Some(key) = &self.client_key {
            config.auth_info.client_key_data = Some(b64.encode(key).into());
            config.auth_info.client_key = None;
        }
        if let Some(insecure) = self.insecure {
            config.accept_invalid_certs = insecure;
        }
        Ok(config)
    }
}

fn expand_home(path: &std::path::Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

fn parse_host(host: &str) -> Result<http::Uri, Error> {
    let with_scheme = if host.contains("://") {
        host.to_owned()
    } else {
        format!("https://{host}")
    };
    with_scheme
        .parse::<http::Uri>()
        .ok()
        .filter(|u| u.host().is_some())
        .ok_or_else(|| {
            Error::Config(format!(
                "host {host:?} is not a URL such as https://10.0.0.1:6443"
            ))
        })
}

/// PEM certificates as DER.
fn parse_certificates(pem: &str, what: &str) -> Result<Vec<Vec<u8>>, Error> {
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem.as_bytes())
        .map(|c| c.map(|c| c.as_ref().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Config(format!("{what} is not PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "{what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(certs)
}

/// The management cluster: its settings, and a client and the Cluster API version made on first
/// use, so that configurations and plans that need no cluster never reach for one.
pub struct Management {
    access: Access,
    client: OnceCell<Client>,
    capi: OnceCell<CapiVersion>,
    url: std::sync::OnceLock<String>,
}

impl std::fmt::Debug for Management {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Management")
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

impl Management {
    pub fn new(access: Access) -> Self {
        Self {
            access,
            client: OnceCell::new(),
            capi: OnceCell::new(),
            url: std::sync::OnceLock::new(),
        }
    }

    /// A management cluster reached through `client` (tests).
    pub fn with_client(client: Client) -> Self {
        Self {
            access: Access::default(),
            client: OnceCell::new_with(Some(client)),
            capi: OnceCell::new(),
            url: std::sync::OnceLock::new(),
        }
    }

    pub fn access(&self) -> &Access {
        &self.access
    }

    /// The client, made on first use.
    pub async fn client(&self) -> Result<Client, Error> {
        self.client
            .get_or_try_init(|| async {
                install_crypto_provider();
                let config = self.access.to_config().await?;
                let url = config.cluster_url.to_string();
                let _ = self.url.set(url.clone());
                Client::try_from(config)
                    .map_err(|e| Error::Config(format!("cannot set up a client for {url}: {e}")))
            })
            .await
            .cloned()
    }

    /// The API server's URL, once the client was made.
    pub fn url(&self) -> Option<&str> {
        self.url.get().map(String::as_str)
    }

    /// The Cluster API version to use: discovered once, `v1beta2` when served.
    pub async fn capi_version(&self) -> Result<CapiVersion, Error> {
        let client = self.client().await?;
        self.capi
            .get_or_try_init(|| async { crate::ops::discover_capi_version(&client).await })
            .await
            .copied()
    }
}

/// rustls needs one process-wide crypto provider when more than one is compiled in; the
/// workspace's TLS runs on ring.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may have installed one first; either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &str = "-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIUJ0+Y7bQk3pC4gZ7PzS0Gw9kT3bkwCgYIKoZIzj0EAwIw
ETEPMA0GA1UEAwwGdGVzdGNhMB4XDTI0MDEwMTAwMDAwMFoXDTM0MDEwMTAwMDAw
MFowETEPMA0GA1UEAwwGdGVzdGNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
-----END CERTIFICATE-----
";

    #[tokio::test]
    async fn explicit_settings_need_no_file() {
        let access = Access {
            host: Some("127.0.0.1:6443".into()),
            token: Some("abc".into()),
            insecure: Some(true),
            ..Default::default()
        };
        assert!(access.is_configured());
        let config = access.to_config().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.1:6443/");
        assert!(config.accept_invalid_certs);
        assert!(config.auth_info.token.is_some());
    }

    #[tokio::test]
    async fn nothing_configured_says_what_to_set() {
        let err = Access::default()
            .to_config()
            .await
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("KUBECONFIG") && e.contains("config_path")));
    }

    #[tokio::test]
    async fn a_missing_file_or_context_is_named() {
        let access = Access {
            config_path: Some("/nonexistent/kubeconfig".into()),
            ..Default::default()
        };
        let err = access
            .to_config()
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("/nonexistent/kubeconfig"), "{err}");

        let dir = std::env::temp_dir().join(format!("scs-kube-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join("config");
        let written = std::fs::write(
            &file,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\n\
             users:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: one\n  context:\n    cluster: c\n    user: u\n\
             current-context: one\n",
        );
        assert!(written.is_ok());
        let access = Access {
            config_path: Some(file.clone()),
            config_context: Some("two".into()),
            ..Default::default()
        };
        let err = access
            .to_config()
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("\"two\""), "{err}");
        let access = Access {
            config_path: Some(file.clone()),
            host: Some("https://127.0.0.2:7443".into()),
            ..Default::default()
        };
        let config = access.to_config().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.2:7443/");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn certificates_must_be_pem() {
        assert!(parse_certificates("not pem", "cluster_ca_certificate").is_err());
        assert_eq!(
            parse_certificates(CA, "cluster_ca_certificate")
                .map(|c| c.len())
                .ok(),
            Some(1)
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let access = Access {
            token: Some("TOP-SECRET".into()),
            client_key: Some("KEY-SECRET".into()),
            ..Default::default()
        };
        let text = format!("{access:?}");
        assert!(!text.contains("SECRET"), "{text}");
    }
}
