//! The `provider "scs"` arguments: one table that the schema, the docs test and validation all read,
//! the typed form of a configuration, and the checks that need no cloud.
//!
//! Argument names and meanings follow terraform-provider-openstack so that users can move their provider
//! blocks over. Environment variables are not read here: `scs_client`'s resolver merges them (and
//! clouds.yaml) underneath whatever the provider block sets, so that one place decides precedence.

use std::collections::BTreeMap;

use scs_client::ServiceType;
use scs_client::config::{Overrides, Secret};
use serde::Deserialize;
use tfplugin::value::Attr;

/// The value type of a provider argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Bool,
    Number,
    StringMap,
}

/// One `provider "scs"` argument. All of them are optional: a provider block may be empty when the
/// environment or clouds.yaml says where the cloud is.
#[derive(Debug, Clone, Copy)]
pub struct Argument {
    pub name: &'static str,
    pub kind: Kind,
    pub sensitive: bool,
    /// Environment variables the client falls back to, first match wins; listed in the docs.
    pub env: &'static [&'static str],
    /// Markdown, shown by `providers schema -json` and language servers.
    pub description: &'static str,
}

const fn arg(
    name: &'static str,
    kind: Kind,
    env: &'static [&'static str],
    description: &'static str,
) -> Argument {
    Argument {
        name,
        kind,
        sensitive: false,
        env,
        description,
    }
}

const fn secret(
    name: &'static str,
    env: &'static [&'static str],
    description: &'static str,
) -> Argument {
    Argument {
        name,
        kind: Kind::String,
        sensitive: true,
        env,
        description,
    }
}

/// Every provider argument, in the order the schema and the docs present them.
pub const ARGUMENTS: &[Argument] = &[
    arg(
        "cloud",
        Kind::String,
        &["OS_CLOUD"],
        "Name of an entry in `clouds.yaml`. The file is the one named by `OS_CLIENT_CONFIG_FILE`, else \
         the first of `./clouds.yaml`, `~/.config/openstack/clouds.yaml` and \
         `/etc/openstack/clouds.yaml`. Arguments set in the provider block override the entry's values.",
    ),
    arg(
        "auth_url",
        Kind::String,
        &["OS_AUTH_URL"],
        "The Keystone identity endpoint, an `http://` or `https://` URL such as \
         `https://keystone.example.com:5000/v3`. One of `cloud` or `auth_url` (in the block or the \
         environment) is needed. Anything else is rejected by `validate` with an error on this argument.",
    ),
    arg(
        "region",
        Kind::String,
        &["OS_REGION_NAME"],
        "Region used by resources that do not set their own `region`.",
    ),
    arg(
        "user_name",
        Kind::String,
        &["OS_USERNAME"],
        "User name for password authentication.",
    ),
    secret(
        "password",
        &["OS_PASSWORD"],
        "Password for password authentication.",
    ),
    arg(
        "project_name",
        Kind::String,
        &["OS_PROJECT_NAME", "OS_TENANT_NAME"],
        "Project to scope the token to, by name (needs `project_domain_name` unless the project is in the \
         default domain).",
    ),
    arg(
        "project_id",
        Kind::String,
        &["OS_PROJECT_ID", "OS_TENANT_ID"],
        "Project to scope the token to, by ID.",
    ),
    arg(
        "user_domain_name",
        Kind::String,
        &["OS_USER_DOMAIN_NAME"],
        "Domain of `user_name`. Defaults to the `default` domain.",
    ),
    arg(
        "project_domain_name",
        Kind::String,
        &["OS_PROJECT_DOMAIN_NAME"],
        "Domain of `project_name`. Defaults to the `default` domain.",
    ),
    arg(
        "application_credential_id",
        Kind::String,
        &["OS_APPLICATION_CREDENTIAL_ID"],
        "ID of an application credential. Use it with `application_credential_secret`; it identifies the \
         user and project by itself. The recommended way to authenticate on SCS clouds.",
    ),
    arg(
        "application_credential_name",
        Kind::String,
        &["OS_APPLICATION_CREDENTIAL_NAME"],
        "Name of an application credential; needs `user_name` (and `user_domain_name`) to find it. Use \
         `application_credential_id` instead when you can. Conflicts with `application_credential_id`.",
    ),
    secret(
        "application_credential_secret",
        &["OS_APPLICATION_CREDENTIAL_SECRET"],
        "Secret of the application credential. Conflicts with `password`.",
    ),
    secret(
        "token",
        &["OS_TOKEN", "OS_AUTH_TOKEN"],
        "An existing Keystone token, used instead of credentials. Conflicts with `password` and \
         `application_credential_secret`.",
    ),
    arg(
        "insecure",
        Kind::Bool,
        &["OS_INSECURE"],
        "Skip verification of the cloud's TLS certificates. Only for test clouds. Defaults to `false`.",
    ),
    arg(
        "cacert_file",
        Kind::String,
        &["OS_CACERT"],
        "PEM file with the CA certificates that sign the cloud's endpoints, for clouds with a private CA.",
    ),
    arg(
        "cert_file",
        Kind::String,
        &["OS_CERT"],
        "PEM client certificate, for clouds that require TLS client authentication. Must be given \
         together with `key_file`.",
    ),
    arg(
        "key_file",
        Kind::String,
        &["OS_KEY"],
        "PEM private key of `cert_file`. Must be given together with `cert_file`.",
    ),
    arg(
        "endpoint_type",
        Kind::String,
        &["OS_ENDPOINT_TYPE", "OS_INTERFACE"],
        "Which endpoints of the service catalog to use: `public` (default), `internal` or `admin`. The \
         older spellings `publicURL`, `internalURL` and `adminURL` are accepted.",
    ),
    arg(
        "endpoint_overrides",
        Kind::StringMap,
        &[],
        "Map from service type (`identity`, `compute`, `network`, `volumev3` or `block-storage`, \
         `image`) to an `http(s)://` URL that is used instead of the one in the service catalog. Any \
         other key is an error.",
    ),
    arg(
        "max_retries",
        Kind::Number,
        &[],
        "How often to retry a request that could not connect or was answered with `429 Too Many \
         Requests` (honouring `Retry-After`), and requests that are safe to repeat (reads, updates and \
         deletes) after a `500`, `502`, `503` or `504` or a broken connection. Waits back off \
         exponentially. A whole number, `0` or more; defaults to `8`, and `0` \
         turns retries off. A create is never repeated blindly: after a `5xx` answer or a broken \
         connection the provider first looks for the object the first attempt may have made and uses \
         it, and sends the create again (at most three attempts in all) only when there is none.",
    ),
];

/// A `provider "scs"` block in typed form. Any field may be null (not set) or unknown (at plan time, when
/// the block refers to something another resource creates).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ProviderArgs {
    pub cloud: Attr<String>,
    pub auth_url: Attr<String>,
    pub region: Attr<String>,
    pub user_name: Attr<String>,
    pub password: Attr<String>,
    pub project_name: Attr<String>,
    pub project_id: Attr<String>,
    pub user_domain_name: Attr<String>,
    pub project_domain_name: Attr<String>,
    pub application_credential_id: Attr<String>,
    pub application_credential_name: Attr<String>,
    pub application_credential_secret: Attr<String>,
    pub token: Attr<String>,
    pub insecure: Attr<bool>,
    pub cacert_file: Attr<String>,
    pub cert_file: Attr<String>,
    pub key_file: Attr<String>,
    pub endpoint_type: Attr<String>,
    pub endpoint_overrides: Attr<BTreeMap<String, Attr<String>>>,
    /// Kept as the number Terraform sent so that a negative or fractional value can be reported.
    pub max_retries: Attr<f64>,
    /// The `kubernetes` block: the management cluster of the cluster stack resources.
    #[serde(default)]
    pub kubernetes: Attr<KubernetesArgs>,
}

/// The provider's `kubernetes` block: how to reach the Cluster API management cluster. Named like
/// the kubernetes provider's arguments.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct KubernetesArgs {
    pub config_path: Attr<String>,
    pub config_context: Attr<String>,
    pub host: Attr<String>,
    pub token: Attr<String>,
    pub cluster_ca_certificate: Attr<String>,
    pub client_certificate: Attr<String>,
    pub client_key: Attr<String>,
    pub insecure: Attr<bool>,
}

/// The arguments of the `kubernetes` block: name, whether sensitive, description.
pub const KUBERNETES_ARGUMENTS: &[(&str, bool, &str)] = &[
    (
        "config_path",
        false,
        "A kubeconfig file of the management cluster. Defaults to the files in the `KUBECONFIG` \
         environment variable.",
    ),
    (
        "config_context",
        false,
        "The context of the kubeconfig to use; defaults to its current context.",
    ),
    (
        "host",
        false,
        "The management cluster's API server, such as `https://10.0.0.1:6443`. Overrides the \
         kubeconfig's.",
    ),
    (
        "token",
        true,
        "A bearer token to authenticate with. Overrides the kubeconfig's user.",
    ),
    (
        "cluster_ca_certificate",
        false,
        "PEM-encoded CA certificate(s) the API server's certificate must chain to.",
    ),
    (
        "client_certificate",
        false,
        "PEM-encoded client certificate to authenticate with (with `client_key`).",
    ),
    (
        "client_key",
        true,
        "PEM-encoded private key of `client_certificate`.",
    ),
    (
        "insecure",
        false,
        "Skip the verification of the API server's certificate. For test clusters only.",
    ),
];

impl KubernetesArgs {
    /// Whether any argument is still unknown (plans before what it refers to exists).
    pub fn has_unknown(&self) -> bool {
        [
            &self.config_path,
            &self.config_context,
            &self.host,
            &self.token,
            &self.cluster_ca_certificate,
            &self.client_certificate,
            &self.client_key,
        ]
        .iter()
        .any(|a| a.is_unknown())
            || self.insecure.is_unknown()
    }

    /// The connection settings, with `KUBECONFIG` (as given) as the fallback for `config_path`.
    pub fn to_access(&self, kubeconfig_env: Option<String>) -> scs_kube::Access {
        let text = |a: &Attr<String>| a.known().filter(|v| !v.is_empty()).cloned();
        scs_kube::Access {
            config_path: text(&self.config_path).map(Into::into),
            config_context: text(&self.config_context),
            host: text(&self.host),
            token: text(&self.token),
            cluster_ca_certificate: text(&self.cluster_ca_certificate),
            client_certificate: text(&self.client_certificate),
            client_key: text(&self.client_key),
            insecure: self.insecure.known().copied(),
            kubeconfig_env: kubeconfig_env.filter(|v| !v.is_empty()),
        }
    }

    /// Problems the block has on its own.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let set = |a: &Attr<String>| !a.is_null();
        if set(&self.client_certificate) != set(&self.client_key) {
            problems.push(Problem::new(
                "kubernetes",
                "Incomplete client certificate",
                "`client_certificate` and `client_key` are set together.".to_owned(),
            ));
        }
        problems
    }
}

impl ProviderArgs {
    /// Set or unknown: either way the user wrote the argument, which is what conflicts are about.
    /// Only the arguments that take part in conflicts are listed.
    fn is_written(&self, name: &str) -> bool {
        let arg = match name {
            "cert_file" => &self.cert_file,
            "key_file" => &self.key_file,
            "token" => &self.token,
            "password" => &self.password,
            "application_credential_secret" => &self.application_credential_secret,
            "application_credential_id" => &self.application_credential_id,
            "application_credential_name" => &self.application_credential_name,
            _ => return false,
        };
        !arg.is_null()
    }

    /// The explicit layer for `scs_client`'s resolver; environment and clouds.yaml fill the gaps there.
    /// Call only when [`validate`] found nothing and nothing is unknown.
    pub fn to_overrides(&self) -> Overrides {
        let text = |a: &Attr<String>| a.known().cloned();
        let secret = |a: &Attr<String>| a.known().map(Secret::new);
        Overrides {
            cloud: text(&self.cloud),
            auth_url: text(&self.auth_url),
            region: text(&self.region),
            user_name: text(&self.user_name),
            password: secret(&self.password),
            project_name: text(&self.project_name),
            project_id: text(&self.project_id),
            user_domain_name: text(&self.user_domain_name),
            project_domain_name: text(&self.project_domain_name),
            application_credential_id: text(&self.application_credential_id),
            application_credential_name: text(&self.application_credential_name),
            application_credential_secret: secret(&self.application_credential_secret),
            token: secret(&self.token),
            insecure: self.insecure.known().copied(),
            cacert_file: text(&self.cacert_file),
            cert_file: text(&self.cert_file),
            key_file: text(&self.key_file),
            endpoint_type: text(&self.endpoint_type),
            endpoint_overrides: self
                .endpoint_overrides
                .known()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.known()?.clone())))
                        .collect()
                })
                .unwrap_or_default(),
            // validate() rejected anything that is not a whole number in u32's range.
            max_retries: self.max_retries.known().map(|n| *n as u32),
            ..Overrides::default()
        }
    }

    /// True when some argument is not known yet; the client can only be built once all are.
    pub fn has_unknown(&self) -> bool {
        [
            &self.cloud,
            &self.auth_url,
            &self.region,
            &self.user_name,
            &self.password,
            &self.project_name,
            &self.project_id,
            &self.user_domain_name,
            &self.project_domain_name,
            &self.application_credential_id,
            &self.application_credential_name,
            &self.application_credential_secret,
            &self.token,
            &self.cacert_file,
            &self.cert_file,
            &self.key_file,
            &self.endpoint_type,
        ]
        .iter()
        .any(|s| s.is_unknown())
            || self.insecure.is_unknown()
            || self.max_retries.is_unknown()
            || match &self.endpoint_overrides {
                Attr::Unknown => true,
                Attr::Known(map) => map.values().any(Attr::is_unknown),
                Attr::Null => false,
            }
    }
}

/// The catalog interface named by `endpoint_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointInterface {
    Public,
    Internal,
    Admin,
}

impl EndpointInterface {
    /// Accepts the keystone v3 names and the v2-era `…URL` spellings that terraform-provider-openstack
    /// users have in their configurations.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" | "publicURL" => Some(Self::Public),
            "internal" | "internalURL" => Some(Self::Internal),
            "admin" | "adminURL" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Admin => "admin",
        }
    }
}

/// A configuration mistake found without talking to the cloud, tied to the argument it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub attribute: &'static str,
    /// The map key within the argument the problem is about (`endpoint_overrides["x"]`).
    pub key: Option<String>,
    pub summary: String,
    pub detail: String,
}

impl Problem {
    fn new(attribute: &'static str, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            attribute,
            key: None,
            summary: summary.into(),
            detail: detail.into(),
        }
    }

    fn at_key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }
}

/// The service types `endpoint_overrides` takes, as its problems list them.
fn known_service_types() -> String {
    let keys: Vec<String> = ServiceType::ALL
        .iter()
        .map(|s| format!("`{}`", s.key()))
        .collect();
    format!(
        "{}; `volumev3` is accepted for `block-storage`",
        keys.join(", ")
    )
}

/// Checks that need no cloud and no environment. Unknown values pass: they are checked again when
/// Terraform knows them.
pub fn validate(args: &ProviderArgs) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(kubernetes) = args.kubernetes.known() {
        problems.extend(kubernetes.validate());
    }

    if let Some(url) = args.auth_url.known()
        && let Err(why) = check_http_url(url)
    {
        problems.push(Problem::new(
            "auth_url",
            "Invalid auth_url",
            format!(
                "`auth_url` must be the Keystone identity endpoint as an http:// or https:// URL, for \
                 example `https://keystone.example.com:5000/v3`. Got {url:?}: {why}."
            ),
        ));
    }

    if let Some(kind) = args.endpoint_type.known()
        && EndpointInterface::parse(kind).is_none()
    {
        problems.push(Problem::new(
            "endpoint_type",
            "Invalid endpoint_type",
            format!(
                "`endpoint_type` must be one of `public`, `internal` or `admin` (or `publicURL`, \
                 `internalURL`, `adminURL`). Got {kind:?}."
            ),
        ));
    }

    if let Some(&n) = args.max_retries.known()
        && (n < 0.0 || n.fract() != 0.0 || n > f64::from(u32::MAX))
    {
        problems.push(Problem::new(
            "max_retries",
            "Invalid max_retries",
            format!("`max_retries` must be a whole number, 0 or more. Got {n}."),
        ));
    }

    if let Some(overrides) = args.endpoint_overrides.known() {
        // A key that names no service would be ignored, and requests would go to the catalog's
        // endpoint the user meant to replace; two keys for one service with different URLs would
        // leave it to the keys' order which URL is used.
        let mut services: BTreeMap<ServiceType, (&str, &Attr<String>)> = BTreeMap::new();
        for (service, url) in overrides {
            match ServiceType::parse(service) {
                None => problems.push(
                    Problem::new(
                        "endpoint_overrides",
                        "Unknown service type in endpoint_overrides",
                        format!(
                            "{service:?} is not a service type this provider uses. The known service \
                             types are {}.",
                            known_service_types()
                        ),
                    )
                    .at_key(service),
                ),
                Some(kind) => {
                    if let Some((first, first_url)) = services.insert(kind, (service, url))
                        && first_url != url
                    {
                        problems.push(
                            Problem::new(
                                "endpoint_overrides",
                                "Service overridden twice in endpoint_overrides",
                                format!(
                                    "{first:?} and {service:?} both name the {kind} service, with \
                                     different URLs; keep one of them."
                                ),
                            )
                            .at_key(service),
                        );
                    }
                }
            }
            if let Some(url) = url.known()
                && let Err(why) = check_http_url(url)
            {
                problems.push(
                    Problem::new(
                        "endpoint_overrides",
                        "Invalid endpoint override",
                        format!(
                            "The endpoint for service {service:?} must be an http:// or https:// URL. \
                             Got {url:?}: {why}."
                        ),
                    )
                    .at_key(service),
                );
            }
        }
    }

    for (present, missing) in [("cert_file", "key_file"), ("key_file", "cert_file")] {
        if args.is_written(present) && !args.is_written(missing) {
            problems.push(Problem::new(
                present,
                format!("{present} needs {missing}"),
                "A TLS client certificate is used only as a pair: set both `cert_file` and `key_file`, or \
                 neither.",
            ));
        }
    }

    problems.extend(auth_conflicts(args));
    problems
}

/// Credentials of different kinds in one provider block: the cloud would pick one silently, so say so.
fn auth_conflicts(args: &ProviderArgs) -> Vec<Problem> {
    let mut problems = Vec::new();
    let conflicts: [(&'static str, &'static str, &str); 4] = [
        (
            "token",
            "password",
            "A token already proves who you are; drop `password`, or drop `token` to log in with a password.",
        ),
        (
            "token",
            "application_credential_secret",
            "A token already proves who you are; drop `application_credential_secret`, or drop `token`.",
        ),
        (
            "application_credential_secret",
            "password",
            "Authenticate either with an application credential or with a password, not both.",
        ),
        (
            "application_credential_id",
            "application_credential_name",
            "`application_credential_id` identifies the credential by itself; drop \
             `application_credential_name`.",
        ),
    ];
    for (first, second, why) in conflicts {
        if args.is_written(first) && args.is_written(second) {
            problems.push(Problem::new(
                second,
                format!("Conflicting authentication arguments: {first} and {second}"),
                why,
            ));
        }
    }
    problems
}

fn check_http_url(s: &str) -> Result<(), String> {
    let url = url::Url::parse(s).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme is {:?}, not http or https",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("there is no host name".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_carry_known_values_only() {
        let args = ProviderArgs {
            cloud: Attr::from("scs-local"),
            password: Attr::from("pw"),
            insecure: Attr::Known(true),
            max_retries: Attr::Known(3.0),
            endpoint_overrides: Attr::Known(BTreeMap::from([
                (
                    "compute".to_owned(),
                    Attr::from("http://127.0.0.1:8774/v2.1"),
                ),
                ("image".to_owned(), Attr::Null),
            ])),
            ..Default::default()
        };
        let o = args.to_overrides();
        assert_eq!(o.cloud.as_deref(), Some("scs-local"));
        assert_eq!(o.password.as_ref().map(Secret::expose), Some("pw"));
        assert_eq!(o.insecure, Some(true));
        assert_eq!(o.max_retries, Some(3));
        assert_eq!(o.auth_url, None);
        assert_eq!(o.endpoint_overrides.len(), 1);
        assert_eq!(ProviderArgs::default().to_overrides().max_retries, None);
    }

    fn attributes(problems: &[Problem]) -> Vec<&'static str> {
        problems.iter().map(|p| p.attribute).collect()
    }

    #[test]
    fn empty_block_is_valid() {
        assert_eq!(validate(&ProviderArgs::default()), vec![]);
    }

    #[test]
    fn a_typical_application_credential_block_is_valid() {
        let args = ProviderArgs {
            auth_url: Attr::from("https://keystone.example.com:5000/v3"),
            region: Attr::from("RegionOne"),
            application_credential_id: Attr::from("abc"),
            application_credential_secret: Attr::from("s3cret"),
            endpoint_type: Attr::from("internalURL"),
            max_retries: Attr::Known(3.0),
            cert_file: Attr::from("/c.pem"),
            key_file: Attr::from("/k.pem"),
            ..Default::default()
        };
        assert_eq!(validate(&args), vec![]);
    }

    #[test]
    fn auth_url_that_is_not_a_url_is_reported_on_auth_url() {
        let args = ProviderArgs {
            auth_url: Attr::from("not a url"),
            ..Default::default()
        };
        let problems = validate(&args);
        assert_eq!(attributes(&problems), ["auth_url"]);
        assert!(problems[0].detail.contains("http:// or https://"));
        assert!(problems[0].detail.contains("not a url"));
    }

    #[test]
    fn auth_url_needs_http_scheme_and_host() {
        for bad in [
            "ftp://keystone:5000/v3",
            "file:///etc/passwd",
            "keystone:5000",
            "http://",
        ] {
            let args = ProviderArgs {
                auth_url: Attr::from(bad),
                ..Default::default()
            };
            assert_eq!(attributes(&validate(&args)), ["auth_url"], "{bad}");
        }
        for good in [
            "http://127.0.0.1:5000/v3",
            "https://[::1]:5000",
            "https://id.example/",
        ] {
            let args = ProviderArgs {
                auth_url: Attr::from(good),
                ..Default::default()
            };
            assert_eq!(validate(&args), vec![], "{good}");
        }
    }

    #[test]
    fn endpoint_type_outside_the_allowed_set_is_reported() {
        let args = ProviderArgs {
            endpoint_type: Attr::from("private"),
            ..Default::default()
        };
        let problems = validate(&args);
        assert_eq!(attributes(&problems), ["endpoint_type"]);
        assert!(problems[0].detail.contains("`public`"));
    }

    #[test]
    fn max_retries_must_be_a_whole_number_not_below_zero() {
        for bad in [-1.0, 1.5] {
            let args = ProviderArgs {
                max_retries: Attr::Known(bad),
                ..Default::default()
            };
            assert_eq!(attributes(&validate(&args)), ["max_retries"], "{bad}");
        }
        let zero = ProviderArgs {
            max_retries: Attr::Known(0.0),
            ..Default::default()
        };
        assert_eq!(validate(&zero), vec![]);
    }

    #[test]
    fn cert_and_key_come_together() {
        let only_cert = ProviderArgs {
            cert_file: Attr::from("/c.pem"),
            ..Default::default()
        };
        assert_eq!(attributes(&validate(&only_cert)), ["cert_file"]);
        let only_key = ProviderArgs {
            key_file: Attr::from("/k.pem"),
            ..Default::default()
        };
        assert_eq!(attributes(&validate(&only_key)), ["key_file"]);
        let key_unknown = ProviderArgs {
            cert_file: Attr::from("/c.pem"),
            key_file: Attr::Unknown,
            ..Default::default()
        };
        assert_eq!(validate(&key_unknown), vec![]);
    }

    #[test]
    fn conflicting_auth_methods_are_reported() {
        let args = ProviderArgs {
            token: Attr::from("t"),
            password: Attr::from("p"),
            ..Default::default()
        };
        let problems = validate(&args);
        assert_eq!(attributes(&problems), ["password"]);
        assert!(problems[0].summary.contains("token"));

        let args = ProviderArgs {
            application_credential_secret: Attr::from("s"),
            password: Attr::Unknown,
            ..Default::default()
        };
        assert_eq!(attributes(&validate(&args)), ["password"]);

        let args = ProviderArgs {
            application_credential_id: Attr::from("i"),
            application_credential_name: Attr::from("n"),
            application_credential_secret: Attr::from("s"),
            ..Default::default()
        };
        assert_eq!(
            attributes(&validate(&args)),
            ["application_credential_name"]
        );
    }

    #[test]
    fn secrets_never_appear_in_problems() {
        let args = ProviderArgs {
            token: Attr::from("tok-SECRET"),
            password: Attr::from("pw-SECRET"),
            application_credential_secret: Attr::from("ac-SECRET"),
            ..Default::default()
        };
        let problems = validate(&args);
        assert!(!problems.is_empty());
        for p in problems {
            assert!(
                !p.summary.contains("SECRET") && !p.detail.contains("SECRET"),
                "{p:?}"
            );
        }
    }

    #[test]
    fn unknown_values_are_accepted() {
        let args = ProviderArgs {
            auth_url: Attr::Unknown,
            endpoint_type: Attr::Unknown,
            max_retries: Attr::Unknown,
            endpoint_overrides: Attr::Unknown,
            ..Default::default()
        };
        assert_eq!(validate(&args), vec![]);
        assert!(args.has_unknown());
        assert!(!ProviderArgs::default().has_unknown());
    }

    #[test]
    fn endpoint_overrides_must_be_urls() {
        let args = ProviderArgs {
            endpoint_overrides: Attr::Known(BTreeMap::from([
                (
                    "compute".to_owned(),
                    Attr::from("http://127.0.0.1:8774/v2.1"),
                ),
                ("network".to_owned(), Attr::from("neutron")),
                ("image".to_owned(), Attr::Unknown),
            ])),
            ..Default::default()
        };
        let problems = validate(&args);
        assert_eq!(attributes(&problems), ["endpoint_overrides"]);
        assert!(problems[0].detail.contains("network"));
    }

    #[test]
    fn endpoint_overrides_take_known_service_types_once() {
        let url = Attr::from("http://127.0.0.1:8776/v3");
        let args = ProviderArgs {
            endpoint_overrides: Attr::Known(BTreeMap::from([
                ("block-storage".to_owned(), url.clone()),
                ("computer".to_owned(), url.clone()),
                ("network".to_owned(), url.clone()),
                (
                    "volumev3".to_owned(),
                    Attr::from("http://127.0.0.2:8776/v3"),
                ),
            ])),
            ..Default::default()
        };
        let problems = validate(&args);
        let keys: Vec<_> = problems.iter().map(|p| p.key.as_deref()).collect();
        assert_eq!(keys, [Some("computer"), Some("volumev3")]);
        assert!(
            problems[0]
                .detail
                .contains("`compute`, `network`, `block-storage`, `image`"),
            "{}",
            problems[0].detail
        );
        assert!(
            problems[1]
                .detail
                .contains("\"block-storage\" and \"volumev3\"")
        );
        let aliases = ProviderArgs {
            endpoint_overrides: Attr::Known(BTreeMap::from([
                ("volumev3".to_owned(), url.clone()),
                ("volume".to_owned(), url.clone()),
                ("identity".to_owned(), url),
            ])),
            ..Default::default()
        };
        assert_eq!(validate(&aliases), vec![]);
    }

    #[test]
    fn argument_table_has_unique_names_and_descriptions() {
        let mut names: Vec<_> = ARGUMENTS.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ARGUMENTS.len());
        assert!(ARGUMENTS.iter().all(|a| !a.description.is_empty()));
        let sensitive: Vec<_> = ARGUMENTS
            .iter()
            .filter(|a| a.sensitive)
            .map(|a| a.name)
            .collect();
        assert_eq!(
            sensitive,
            ["password", "application_credential_secret", "token"]
        );
    }
}
