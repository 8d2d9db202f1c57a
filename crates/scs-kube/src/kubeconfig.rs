//! A workload cluster's kubeconfig, as Cluster API stores it (`<cluster>-kubeconfig`, key
//! `value`), and the pieces other providers take.

use base64::Engine as _;
use k8s_openapi::api::core::v1::Secret;
use serde::Deserialize;

use crate::Error;

/// The name of the kubeconfig secret of cluster `cluster`.
pub fn secret_name(cluster: &str) -> String {
    format!("{cluster}-kubeconfig")
}

/// A kubeconfig and the parts of its current context, as PEM text.
#[derive(Clone, Default, PartialEq)]
pub struct WorkloadAccess {
    pub raw: String,
    pub host: String,
    pub cluster_ca_certificate: String,
    pub client_certificate: String,
    pub client_key: String,
    pub token: String,
}

impl std::fmt::Debug for WorkloadAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkloadAccess")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct File {
    current_context: String,
    clusters: Vec<Named<ClusterEntry>>,
    users: Vec<Named<UserEntry>>,
    contexts: Vec<Named<ContextEntry>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Named<T: Default> {
    name: String,
    #[serde(alias = "cluster", alias = "user", alias = "context")]
    item: T,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct ClusterEntry {
    server: String,
    certificate_authority_data: String,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct UserEntry {
    client_certificate_data: String,
    client_key_data: String,
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContextEntry {
    cluster: String,
    user: String,
}

fn decode_b64(text: &str, what: &str) -> Result<String, Error> {
    if text.is_empty() {
        return Ok(String::new());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| Error::Invalid(format!("the kubeconfig's {what} is not base64: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::Invalid(format!("the kubeconfig's {what} is not text")))
}

/// The parts of kubeconfig text `raw` for its current context.
pub fn parse(raw: &str) -> Result<WorkloadAccess, Error> {
    let file: File = serde_yaml::from_str(raw)
        .map_err(|e| Error::Invalid(format!("the kubeconfig is not valid YAML: {e}")))?;
    let context = file
        .contexts
        .iter()
        .find(|c| c.name == file.current_context)
        .or_else(|| file.contexts.first())
        .ok_or_else(|| Error::Invalid("the kubeconfig has no context".to_owned()))?;
    let cluster = file
        .clusters
        .iter()
        .find(|c| c.name == context.item.cluster)
        .ok_or_else(|| {
            Error::Invalid(format!(
                "the kubeconfig's context names cluster {:?}, which it does not have",
                context.item.cluster
            ))
        })?;
    let user = file.users.iter().find(|u| u.name == context.item.user);
    Ok(WorkloadAccess {
        raw: raw.to_owned(),
        host: cluster.item.server.clone(),
        cluster_ca_certificate: decode_b64(
            &cluster.item.certificate_authority_data,
            "certificate-authority-data",
        )?,
        client_certificate: match user {
            Some(u) => decode_b64(&u.item.client_certificate_data, "client-certificate-data")?,
            None => String::new(),
        },
        client_key: match user {
            Some(u) => decode_b64(&u.item.client_key_data, "client-key-data")?,
            None => String::new(),
        },
        token: user.map(|u| u.item.token.clone()).unwrap_or_default(),
    })
}

/// The kubeconfig text in a Cluster API kubeconfig secret.
pub fn from_secret(secret: &Secret) -> Result<String, Error> {
    let bytes = secret
        .data
        .as_ref()
        .and_then(|d| d.get("value"))
        .map(|b| b.0.clone())
        .ok_or_else(|| Error::Invalid("the kubeconfig secret has no key \"value\"".to_owned()))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::Invalid("the kubeconfig secret's value is not text".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_context_is_taken_apart() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let raw = format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c1-admin@c1\nclusters:\n- name: c1\n  cluster:\n    server: https://127.0.0.1:20000\n    certificate-authority-data: {}\nusers:\n- name: c1-admin\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\ncontexts:\n- name: c1-admin@c1\n  context:\n    cluster: c1\n    user: c1-admin\n",
            b64("CA PEM"),
            b64("CERT PEM"),
            b64("KEY PEM")
        );
        let access = parse(&raw).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(access.host, "https://127.0.0.1:20000");
        assert_eq!(access.cluster_ca_certificate, "CA PEM");
        assert_eq!(access.client_certificate, "CERT PEM");
        assert_eq!(access.client_key, "KEY PEM");
        assert!(!format!("{access:?}").contains("KEY PEM"));
        assert!(parse("contexts: []").is_err());
    }
}
