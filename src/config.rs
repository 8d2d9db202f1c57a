//! The `provider "scs"` arguments: one table that the schema, the docs test and validation all read,
//! the typed form of a configuration, and the checks that need no cloud.
//!
//! Argument names and meanings follow terraform-provider-openstack so that users can move their provider
//! blocks over. Environment variables are not read here: `scs_client`'s resolver merges them (and
//! clouds.yaml) underneath whatever the provider block sets, so that one place decides precedence.

use std::collections::BTreeMap;

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
        "Name of an entry in `clouds.yaml` (searched in the current directory, `~/.config/openstack/` and \
         `/etc/openstack/`, or the file named by `OS_CLIENT_CONFIG_FILE`). Arguments set here override \
         the entry's values.",
    ),
    arg(
        "auth_url",
        Kind::String,
        &["OS_AUTH_URL"],
        "Keystone identity endpoint, an `http://` or `https://` URL such as \
         `https://keystone.example.com:5000/v3`. One of `cloud` or `auth_url` (here or in the environment) \
         is needed.",
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
        "Password for password authentication. Sensitive.",
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
        "Domain of `user_name`.",
    ),
    arg(
        "project_domain_name",
        Kind::String,
        &["OS_PROJECT_DOMAIN_NAME"],
        "Domain of `project_name`.",
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
         `application_credential_id` instead when you can.",
    ),
    secret(
        "application_credential_secret",
        &["OS_APPLICATION_CREDENTIAL_SECRET"],
        "Secret of the application credential. Sensitive.",
    ),
    secret(
        "token",
        &["OS_TOKEN", "OS_AUTH_TOKEN"],
        "An existing Keystone token to use instead of credentials. Sensitive.",
    ),
    arg(
        "insecure",
        Kind::Bool,
        &["OS_INSECURE"],
        "Skip TLS certificate verification. Only for test clouds; default `false`.",
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
        "PEM client certificate for clouds that require TLS client authentication; needs `key_file`.",
    ),
    arg(
        "key_file",
        Kind::String,
        &["OS_KEY"],
        "PEM private key of `cert_file`.",
    ),
    arg(
        "endpoint_type",
        Kind::String,
        &["OS_ENDPOINT_TYPE", "OS_INTERFACE"],
        "Which catalog endpoints to use: `public` (default), `internal` or `admin` (`publicURL`, \
         `internalURL` and `adminURL` are accepted too).",
    ),
    arg(
        "endpoint_overrides",
        Kind::StringMap,
        &[],
        "Map from service type (`identity`, `compute`, `network`, `volumev3`, `image`, ...) to an endpoint \
         URL used instead of the one in the service catalog.",
    ),
    arg(
        "max_retries",
        Kind::Number,
        &[],
        "How often to retry a request that failed to connect or was answered with 429 Too Many Requests \
         (honouring `Retry-After`). Default `0`.",
    ),
];

/// A provider argument as Terraform hands it over. `Unknown` happens at plan time when the provider
/// block refers to something another resource creates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Setting<T> {
    #[default]
    Unset,
    Unknown,
    Set(T),
}

impl<T> Setting<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Setting::Set(v) => Some(v),
            Setting::Unset | Setting::Unknown => None,
        }
    }

    /// Set or unknown: either way the user wrote something, which matters for conflicts.
    pub fn is_configured(&self) -> bool {
        !matches!(self, Setting::Unset)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Setting::Unknown)
    }
}

/// A `provider "scs"` block in typed form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProviderArgs {
    pub cloud: Setting<String>,
    pub auth_url: Setting<String>,
    pub region: Setting<String>,
    pub user_name: Setting<String>,
    pub password: Setting<String>,
    pub project_name: Setting<String>,
    pub project_id: Setting<String>,
    pub user_domain_name: Setting<String>,
    pub project_domain_name: Setting<String>,
    pub application_credential_id: Setting<String>,
    pub application_credential_name: Setting<String>,
    pub application_credential_secret: Setting<String>,
    pub token: Setting<String>,
    pub insecure: Setting<bool>,
    pub cacert_file: Setting<String>,
    pub cert_file: Setting<String>,
    pub key_file: Setting<String>,
    pub endpoint_type: Setting<String>,
    pub endpoint_overrides: Setting<BTreeMap<String, String>>,
    /// Kept as the number Terraform sent so that a negative or fractional value can be reported.
    pub max_retries: Setting<f64>,
}

impl ProviderArgs {
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
            || self.endpoint_overrides.is_unknown()
            || self.max_retries.is_unknown()
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
    pub summary: String,
    pub detail: String,
}

impl Problem {
    fn new(attribute: &'static str, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            attribute,
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

/// Checks that need no cloud and no environment. Unknown values pass: they are checked again when
/// Terraform knows them.
pub fn validate(args: &ProviderArgs) -> Vec<Problem> {
    let mut problems = Vec::new();

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
        for (service, url) in overrides {
            if let Err(why) = check_http_url(url) {
                problems.push(Problem::new(
                    "endpoint_overrides",
                    "Invalid endpoint override",
                    format!(
                        "The endpoint for service {service:?} must be an http:// or https:// URL. Got \
                         {url:?}: {why}."
                    ),
                ));
            }
        }
    }

    for (present, missing) in [("cert_file", "key_file"), ("key_file", "cert_file")] {
        if configured(args, present) && !configured(args, missing) {
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
        if configured(args, first) && configured(args, second) {
            problems.push(Problem::new(
                second,
                format!("Conflicting authentication arguments: {first} and {second}"),
                why,
            ));
        }
    }
    problems
}

fn configured(args: &ProviderArgs, name: &str) -> bool {
    match name {
        "cert_file" => args.cert_file.is_configured(),
        "key_file" => args.key_file.is_configured(),
        "token" => args.token.is_configured(),
        "password" => args.password.is_configured(),
        "application_credential_secret" => args.application_credential_secret.is_configured(),
        "application_credential_id" => args.application_credential_id.is_configured(),
        "application_credential_name" => args.application_credential_name.is_configured(),
        _ => false,
    }
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

    fn set(s: &str) -> Setting<String> {
        Setting::Set(s.to_owned())
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
            auth_url: set("https://keystone.example.com:5000/v3"),
            region: set("RegionOne"),
            application_credential_id: set("abc"),
            application_credential_secret: set("s3cret"),
            endpoint_type: set("internalURL"),
            max_retries: Setting::Set(3.0),
            cert_file: set("/c.pem"),
            key_file: set("/k.pem"),
            ..Default::default()
        };
        assert_eq!(validate(&args), vec![]);
    }

    #[test]
    fn auth_url_that_is_not_a_url_is_reported_on_auth_url() {
        let args = ProviderArgs {
            auth_url: set("not a url"),
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
                auth_url: set(bad),
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
                auth_url: set(good),
                ..Default::default()
            };
            assert_eq!(validate(&args), vec![], "{good}");
        }
    }

    #[test]
    fn endpoint_type_outside_the_allowed_set_is_reported() {
        let args = ProviderArgs {
            endpoint_type: set("private"),
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
                max_retries: Setting::Set(bad),
                ..Default::default()
            };
            assert_eq!(attributes(&validate(&args)), ["max_retries"], "{bad}");
        }
        let zero = ProviderArgs {
            max_retries: Setting::Set(0.0),
            ..Default::default()
        };
        assert_eq!(validate(&zero), vec![]);
    }

    #[test]
    fn cert_and_key_come_together() {
        let only_cert = ProviderArgs {
            cert_file: set("/c.pem"),
            ..Default::default()
        };
        assert_eq!(attributes(&validate(&only_cert)), ["cert_file"]);
        let only_key = ProviderArgs {
            key_file: set("/k.pem"),
            ..Default::default()
        };
        assert_eq!(attributes(&validate(&only_key)), ["key_file"]);
        let key_unknown = ProviderArgs {
            cert_file: set("/c.pem"),
            key_file: Setting::Unknown,
            ..Default::default()
        };
        assert_eq!(validate(&key_unknown), vec![]);
    }

    #[test]
    fn conflicting_auth_methods_are_reported() {
        let args = ProviderArgs {
            token: set("t"),
            password: set("p"),
            ..Default::default()
        };
        let problems = validate(&args);
        assert_eq!(attributes(&problems), ["password"]);
        assert!(problems[0].summary.contains("token"));

        let args = ProviderArgs {
            application_credential_secret: set("s"),
            password: Setting::Unknown,
            ..Default::default()
        };
        assert_eq!(attributes(&validate(&args)), ["password"]);

        let args = ProviderArgs {
            application_credential_id: set("i"),
            application_credential_name: set("n"),
            application_credential_secret: set("s"),
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
            token: set("tok-SECRET"),
            password: set("pw-SECRET"),
            application_credential_secret: set("ac-SECRET"),
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
            auth_url: Setting::Unknown,
            endpoint_type: Setting::Unknown,
            max_retries: Setting::Unknown,
            endpoint_overrides: Setting::Unknown,
            ..Default::default()
        };
        assert_eq!(validate(&args), vec![]);
        assert!(args.has_unknown());
        assert!(!ProviderArgs::default().has_unknown());
    }

    #[test]
    fn endpoint_overrides_must_be_urls() {
        let args = ProviderArgs {
            endpoint_overrides: Setting::Set(BTreeMap::from([
                (
                    "compute".to_owned(),
                    "http://127.0.0.1:8774/v2.1".to_owned(),
                ),
                ("network".to_owned(), "neutron".to_owned()),
            ])),
            ..Default::default()
        };
        let problems = validate(&args);
        assert_eq!(attributes(&problems), ["endpoint_overrides"]);
        assert!(problems[0].detail.contains("network"));
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
