//! The `OS_*` environment variables as a configuration layer.

use super::layer::{Layer, parse_bool};
use super::{ConfigError, Secret, Sources};

/// Variables read, for error messages that say where we looked.
pub(crate) const ENV_VARS: &[&str] = &[
    "OS_CLOUD",
    "OS_AUTH_TYPE",
    "OS_AUTH_URL",
    "OS_USERNAME",
    "OS_USER_ID",
    "OS_PASSWORD",
    "OS_PROJECT_NAME",
    "OS_TENANT_NAME",
    "OS_PROJECT_ID",
    "OS_TENANT_ID",
    "OS_USER_DOMAIN_NAME",
    "OS_USER_DOMAIN_ID",
    "OS_PROJECT_DOMAIN_NAME",
    "OS_PROJECT_DOMAIN_ID",
    "OS_DOMAIN_NAME",
    "OS_DOMAIN_ID",
    "OS_APPLICATION_CREDENTIAL_ID",
    "OS_APPLICATION_CREDENTIAL_NAME",
    "OS_APPLICATION_CREDENTIAL_SECRET",
    "OS_TOKEN",
    "OS_AUTH_TOKEN",
    "OS_REGION_NAME",
    "OS_INTERFACE",
    "OS_ENDPOINT_TYPE",
    "OS_CACERT",
    "OS_CERT",
    "OS_KEY",
    "OS_INSECURE",
];

pub(crate) fn env_layer(src: &Sources) -> Result<Layer, ConfigError> {
    let e = |k: &str| src.env(k);
    let insecure = match e("OS_INSECURE") {
        Some(v) => Some(parse_bool(&v).ok_or_else(|| ConfigError::Invalid {
            what: "OS_INSECURE".into(),
            message: format!("'{v}' is not a boolean (use true or false)"),
        })?),
        None => None,
    };
    Ok(Layer {
        auth_type: e("OS_AUTH_TYPE"),
        auth_url: e("OS_AUTH_URL"),
        user_name: e("OS_USERNAME"),
        user_id: e("OS_USER_ID"),
        password: e("OS_PASSWORD").map(Secret::from),
        project_name: e("OS_PROJECT_NAME").or_else(|| e("OS_TENANT_NAME")),
        project_id: e("OS_PROJECT_ID").or_else(|| e("OS_TENANT_ID")),
        user_domain_name: e("OS_USER_DOMAIN_NAME"),
        user_domain_id: e("OS_USER_DOMAIN_ID"),
        project_domain_name: e("OS_PROJECT_DOMAIN_NAME"),
        project_domain_id: e("OS_PROJECT_DOMAIN_ID"),
        domain_name: e("OS_DOMAIN_NAME"),
        domain_id: e("OS_DOMAIN_ID"),
        application_credential_id: e("OS_APPLICATION_CREDENTIAL_ID"),
        application_credential_name: e("OS_APPLICATION_CREDENTIAL_NAME"),
        application_credential_secret: e("OS_APPLICATION_CREDENTIAL_SECRET").map(Secret::from),
        token: e("OS_TOKEN")
            .or_else(|| e("OS_AUTH_TOKEN"))
            .map(Secret::from),
        region: e("OS_REGION_NAME"),
        interface: e("OS_INTERFACE").or_else(|| e("OS_ENDPOINT_TYPE")),
        insecure,
        cacert: e("OS_CACERT"),
        cert: e("OS_CERT"),
        key: e("OS_KEY"),
        ..Layer::default()
    })
}
