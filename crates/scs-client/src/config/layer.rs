//! One source of configuration values (provider block, environment, clouds.yaml)
//! as a set of optional fields, merged field by field by precedence.

use std::collections::BTreeMap;

use super::Secret;

/// Fields every source may set. `None` means "this source says nothing".
#[derive(Debug, Clone, Default)]
pub(crate) struct Layer {
    pub auth_type: Option<String>,
    pub auth_url: Option<String>,
    pub user_name: Option<String>,
    pub user_id: Option<String>,
    pub password: Option<Secret>,
    pub project_name: Option<String>,
    pub project_id: Option<String>,
    pub user_domain_name: Option<String>,
    pub user_domain_id: Option<String>,
    pub project_domain_name: Option<String>,
    pub project_domain_id: Option<String>,
    /// `domain_name`/`domain_id`: default for user and project domain.
    pub domain_name: Option<String>,
    pub domain_id: Option<String>,
    pub application_credential_id: Option<String>,
    pub application_credential_name: Option<String>,
    pub application_credential_secret: Option<Secret>,
    pub token: Option<Secret>,
    pub region: Option<String>,
    pub interface: Option<String>,
    pub insecure: Option<bool>,
    pub cacert: Option<String>,
    pub cert: Option<String>,
    pub key: Option<String>,
    pub endpoint_overrides: BTreeMap<String, String>,
    pub max_retries: Option<u32>,
    pub max_concurrency: Option<usize>,
    /// clouds.yaml `cache: {auth: true}`: keep tokens between processes.
    pub cache_auth: Option<bool>,
}

impl Layer {
    /// True when this source carries a credential (so it decides the auth type).
    pub fn has_credential(&self) -> bool {
        self.auth_type.is_some()
            || self.password.is_some()
            || self.application_credential_secret.is_some()
            || self.application_credential_id.is_some()
            || self.token.is_some()
    }

    /// Auth type this source implies: its explicit `auth_type`, else inferred
    /// from which secret it carries.
    pub fn implied_auth_type(&self) -> Option<String> {
        if let Some(t) = &self.auth_type {
            return Some(t.clone());
        }
        if self.application_credential_secret.is_some() || self.application_credential_id.is_some()
        {
            Some("v3applicationcredential".into())
        } else if self.password.is_some() {
            Some("password".into())
        } else if self.token.is_some() {
            Some("token".into())
        } else {
            None
        }
    }

    /// `self` wins where it has a value, `lower` fills the gaps.
    pub fn over(self, lower: Layer) -> Layer {
        let mut endpoint_overrides = lower.endpoint_overrides;
        endpoint_overrides.extend(self.endpoint_overrides);
        Layer {
            auth_type: self.auth_type.or(lower.auth_type),
            auth_url: self.auth_url.or(lower.auth_url),
            user_name: self.user_name.or(lower.user_name),
            user_id: self.user_id.or(lower.user_id),
            password: self.password.or(lower.password),
            project_name: self.project_name.or(lower.project_name),
            project_id: self.project_id.or(lower.project_id),
            user_domain_name: self.user_domain_name.or(lower.user_domain_name),
            user_domain_id: self.user_domain_id.or(lower.user_domain_id),
            project_domain_name: self.project_domain_name.or(lower.project_domain_name),
            project_domain_id: self.project_domain_id.or(lower.project_domain_id),
            domain_name: self.domain_name.or(lower.domain_name),
            domain_id: self.domain_id.or(lower.domain_id),
            application_credential_id: self
                .application_credential_id
                .or(lower.application_credential_id),
            application_credential_name: self
                .application_credential_name
                .or(lower.application_credential_name),
            application_credential_secret: self
                .application_credential_secret
                .or(lower.application_credential_secret),
            token: self.token.or(lower.token),
            region: self.region.or(lower.region),
            interface: self.interface.or(lower.interface),
            insecure: self.insecure.or(lower.insecure),
            cacert: self.cacert.or(lower.cacert),
            cert: self.cert.or(lower.cert),
            key: self.key.or(lower.key),
            endpoint_overrides,
            max_retries: self.max_retries.or(lower.max_retries),
            max_concurrency: self.max_concurrency.or(lower.max_concurrency),
            cache_auth: self.cache_auth.or(lower.cache_auth),
        }
    }
}

/// Parses the boolean spellings people put in OS_INSECURE and clouds.yaml.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}
