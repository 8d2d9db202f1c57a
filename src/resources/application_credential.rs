//! `scs_application_credential`: a Keystone application credential that outlives the run, for
//! the tools a configuration sets up (a Kubernetes cluster's cloud provider, say), with a ready
//! `clouds.yaml` for them.
//!
//! Keystone changes nothing of a credential after it is made: every argument but `cloud_name`
//! (which only shapes `clouds_yaml`) creates a new one. The secret comes back once, in the
//! create's answer, and is kept in state only.

use async_trait::async_trait;
use scs_client::Error;
use scs_client::config::Secret;
use scs_client::identity::{
    self, AccessRule, ApplicationCredential, CreateApplicationCredential, RoleRef,
};
use scs_client::scs::date::Timestamp;
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, PlanChange};
use tfplugin::model::Timeouts;
use tfplugin::schema::validators::{non_empty, one_of};
use tfplugin::value::{Attr, Value};

use crate::lifecycle::{CloudObject, Failure, Found, Plan, Step};
use crate::support::schema::{description, region};
use crate::support::text::name_validator;
use crate::support::{Cloud, attr_of, string_from_api};

pub struct ApplicationCredentialResource;

/// The name of the one cloud in `clouds_yaml` unless `cloud_name` says otherwise: the name the
/// SCS Cluster Stacks' `openstack-csp-helper` chart and Cluster API's OpenStack provider look
/// for.
pub const DEFAULT_CLOUD_NAME: &str = "openstack";

const METHODS: &[&str] = &["POST", "GET", "HEAD", "PATCH", "PUT", "DELETE"];

/// A Keystone application credential of the provider's user in the provider's project, kept
/// until destroy, with a `clouds.yaml` for the tools that use it. Keystone cannot change a
/// credential: changing any argument but `cloud_name` creates a new one. The provider must
/// authenticate with a password, a token or an unrestricted application credential; Keystone
/// does not let a restricted application credential create others.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationCredentialModel {
    /// The credential's ID (`application_credential_id`).
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The credential's name, unique among the user's application credentials.
    #[tf(required, requires_replace, validator = name_validator, validator = non_empty())]
    name: Attr<String>,
    #[tf(schema = description("A description stored with the credential."), requires_replace)]
    description: Attr<String>,
    /// Whether the credential may create and delete further application credentials and
    /// trusts. Default `false` (restricted), which is what other tools need: a leaked
    /// unrestricted credential can renew itself.
    #[tf(default = false, requires_replace)]
    unrestricted: Attr<bool>,
    /// The credential's secret. Keystone generates one when it is not set; it is shown only
    /// once, in the answer to the create, and kept in state. An imported credential's secret
    /// is unknown: it stays null unless the configuration sets it.
    #[tf(
        optional,
        computed,
        sensitive,
        requires_replace,
        use_state_for_unknown,
        validator = non_empty()
    )]
    secret: Attr<String>,
    /// Names of the roles the credential may use, a subset of the user's roles in the project
    /// (for example `["member"]`). All of the user's roles when unset, which are then recorded
    /// here.
    #[tf(optional, computed, set, requires_replace, use_state_for_unknown)]
    roles: Attr<Vec<String>>,
    /// Limits the credential to these API calls (zero or more blocks); any call the roles allow
    /// when there are none.
    #[tf(block, set, requires_replace)]
    access_rules: Attr<Vec<AccessRuleModel>>,
    /// When Keystone lets the credential expire, an RFC 3339 time in UTC such as
    /// `2027-03-01T00:00:00Z`. Never when unset.
    #[tf(optional, requires_replace, validator = expires_at_validator)]
    expires_at: Attr<String>,
    /// The name of the one cloud in `clouds_yaml` (letters, digits, `-`, `_`, `.`). Changing it
    /// only rewrites `clouds_yaml`.
    #[tf(default = DEFAULT_CLOUD_NAME, validator = cloud_name_validator)]
    cloud_name: Attr<String>,
    /// The project the credential acts in.
    #[tf(computed, use_state_for_unknown)]
    project_id: Attr<String>,
    /// A `clouds.yaml` with one cloud, `cloud_name`, that authenticates with this credential
    /// (`auth_type: v3applicationcredential`; `auth_url`, region and interface as the provider
    /// uses them; `verify: false` when the provider is `insecure`), the form the SCS Cluster
    /// Stacks' `openstack-csp-helper` chart and the OpenStack clients read. Null while the
    /// secret is unknown (after an import without `secret` in the configuration).
    #[tf(computed, sensitive)]
    clouds_yaml: Attr<String>,
    #[tf(timeouts(create, delete))]
    timeouts: Attr<Timeouts>,
}

/// One API call the credential may make.
#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessRuleModel {
    /// Keystone's ID of the rule (rules with the same service, path and method are one rule,
    /// shared by the user's credentials).
    #[tf(computed)]
    id: Attr<String>,
    /// The service type as the catalog lists it, such as `compute`, `network`, `volumev3`,
    /// `image` or `identity`.
    #[tf(required, validator = non_empty())]
    service: Attr<String>,
    /// The API path, such as `/v2.1/servers`; `*` matches one path segment, `**` any number,
    /// `{name}` one named segment.
    #[tf(required, validator = non_empty())]
    path: Attr<String>,
    /// The HTTP method: `POST`, `GET`, `HEAD`, `PATCH`, `PUT` or `DELETE`.
    #[tf(required, validator = one_of(METHODS))]
    method: Attr<String>,
}

/// An RFC 3339 time in UTC: a date, `T`, a time, and `Z` or `+00:00`.
fn parse_expiry(text: &str) -> Option<Timestamp> {
    let utc = text.ends_with(['Z', 'z']) || text.ends_with("+00:00");
    let has_time = matches!(text.as_bytes().get(10), Some(b'T' | b't'));
    (utc && has_time).then(|| Timestamp::parse(text)).flatten()
}

fn expires_at_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if let Some(text) = v.as_str()
        && parse_expiry(text).is_none()
    {
        diags.error_at(
            path.clone(),
            "Invalid expires_at",
            format!(
                "expires_at is an RFC 3339 time in UTC such as \"2027-03-01T00:00:00Z\", got {text:?}."
            ),
        );
    }
}

fn valid_cloud_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn cloud_name_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if let Some(name) = v.as_str()
        && !valid_cloud_name(name)
    {
        diags.error_at(
            path.clone(),
            "Invalid cloud_name",
            format!(
                "cloud_name is 1 to 253 letters, digits, '-', '_' and '.' (such as \"openstack\"), got {name:?}."
            ),
        );
    }
}

/// The expiry as the configuration wrote it when Keystone's (`2027-03-01T00:00:00.000000`) is
/// the same instant, else Keystone's in RFC 3339.
fn expiry_from_api(api: Option<String>, prior: &Attr<String>) -> Attr<String> {
    let Some(api) = api.filter(|t| !t.is_empty()) else {
        return Attr::Null;
    };
    match Timestamp::parse(&api) {
        Some(at) if prior.known().and_then(|p| parse_expiry(p)) == Some(at) => prior.clone(),
        Some(at) => Attr::Known(at.to_string()),
        None => Attr::Known(api),
    }
}

/// What the tools need to reach the cloud with the credential.
struct Endpoint<'a> {
    auth_url: &'a str,
    region: Option<&'a str>,
    interface: &'a str,
    insecure: bool,
}

/// `text` as a YAML double-quoted scalar: backslash, quote and every control character escaped,
/// so no value can end the scalar or the line.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `clouds.yaml` with the one cloud `cloud_name`. Every string is written as a double-quoted
/// scalar, so no value can break the document.
fn clouds_yaml(cloud_name: &str, endpoint: &Endpoint<'_>, id: &str, secret: &str) -> String {
    let q = yaml_quoted;
    let mut yaml = format!(
        "clouds:\n  {}:\n    auth_type: \"v3applicationcredential\"\n    auth:\n      auth_url: {}\n      application_credential_id: {}\n      application_credential_secret: {}\n",
        q(cloud_name),
        q(endpoint.auth_url),
        q(id),
        q(secret)
    );
    if let Some(region) = endpoint.region {
        yaml.push_str(&format!("    region_name: {}\n", q(region)));
    }
    yaml.push_str(&format!(
        "    interface: {}\n    identity_api_version: 3\n",
        q(endpoint.interface)
    ));
    if endpoint.insecure {
        yaml.push_str("    verify: false\n");
    }
    yaml
}

/// The (service, path, method) of each access rule of a planned or prior `access_rules` set,
/// sorted; `None` while any of them is unknown.
fn rule_keys(rules: &Value) -> Option<Vec<[String; 3]>> {
    let mut keys = Vec::new();
    for rule in rules.as_elements()? {
        let field = |name: &str| rule.attr(name)?.as_str().map(str::to_owned);
        keys.push([field("service")?, field("path")?, field("method")?]);
    }
    keys.sort();
    Some(keys)
}

fn create_body(plan: &ApplicationCredentialModel) -> CreateApplicationCredential {
    CreateApplicationCredential {
        name: plan.name.known().cloned().unwrap_or_default(),
        description: plan.description.known().cloned(),
        secret: plan.secret.known().map(|s| Secret::new(s.as_str())),
        roles: plan
            .roles
            .items()
            .map(|name| RoleRef { name: name.clone() })
            .collect(),
        access_rules: plan
            .access_rules
            .items()
            .map(|r| AccessRule {
                id: None,
                service: r.service.known().cloned().unwrap_or_default(),
                path: r.path.known().cloned().unwrap_or_default(),
                method: r.method.known().cloned().unwrap_or_default(),
            })
            .collect(),
        // Keystone takes the same instant without the zone; the check at plan time made sure
        // it is UTC.
        expires_at: plan
            .expires_at
            .known()
            .map(|t| parse_expiry(t).map_or_else(|| t.clone(), |at| at.to_string())),
        unrestricted: plan.unrestricted.known() == Some(&true),
    }
}

/// Keystone refuses application credentials to users who authenticated with a restricted one;
/// a name that is taken is another configuration's credential, or one to import.
fn create_error(e: Error) -> Failure {
    if matches!(e, Error::InvalidRequest { .. }) && e.to_string().contains("unique per user") {
        return Diagnostic::error(
            "Cannot create application credential",
            format!(
                "{e}. Choose another name, or import that credential \
                 (terraform import scs_application_credential.NAME ID) to manage it here."
            ),
        )
        .with_path(AttributePath::attr("name"))
        .into();
    }
    if e.status().is_some_and(|s| s.as_u16() == 403) {
        return Diagnostic::error(
            "Cannot create application credential",
            format!(
                "{e}. Keystone lets a user create application credentials when they \
                 authenticated with a password or a token, or with an unrestricted application \
                 credential; a provider that authenticates with a restricted application \
                 credential (the default kind) cannot create more."
            ),
        )
        .into();
    }
    Failure::Cloud(e)
}

#[async_trait]
impl CloudObject for ApplicationCredentialResource {
    type Model = ApplicationCredentialModel;
    type Api = ApplicationCredential;
    const TYPE_NAME: &'static str = "scs_application_credential";

    fn state_from(
        &self,
        api: ApplicationCredential,
        prior: &ApplicationCredentialModel,
    ) -> ApplicationCredentialModel {
        let secret = match api.secret {
            Some(secret) => Attr::Known(secret.expose().to_owned()),
            None => prior
                .secret
                .known()
                .cloned()
                .map_or(Attr::Null, Attr::Known),
        };
        let mut roles: Vec<String> = api.roles.into_iter().map(|r| r.name).collect();
        roles.sort();
        ApplicationCredentialModel {
            id: Attr::Known(api.id),
            name: Attr::Known(api.name),
            description: string_from_api(api.description.unwrap_or_default(), &prior.description),
            unrestricted: Attr::Known(api.unrestricted),
            secret,
            roles: Attr::Known(roles),
            access_rules: Attr::Known(
                api.access_rules
                    .into_iter()
                    .map(|r| AccessRuleModel {
                        id: attr_of(r.id),
                        service: Attr::Known(r.service),
                        path: Attr::Known(r.path),
                        method: Attr::Known(r.method),
                    })
                    .collect(),
            ),
            expires_at: expiry_from_api(api.expires_at, &prior.expires_at),
            cloud_name: Attr::Known(
                prior
                    .cloud_name
                    .known()
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_CLOUD_NAME.to_owned()),
            ),
            project_id: attr_of(api.project_id),
            ..Default::default()
        }
    }

    async fn create(
        &self,
        plan: Plan<'_, ApplicationCredentialModel>,
    ) -> Step<ApplicationCredential> {
        let user_id = identity::current_user_id(plan.cloud).await?;
        let body = create_body(plan.planned);
        let (mut made, secret) =
            identity::create_application_credential(plan.cloud, &user_id, &body)
                .await
                .map_err(create_error)?;
        made.secret = Some(secret);
        Ok(made)
    }

    async fn get(&self, cloud: &Cloud<'_>, id: &str) -> Step<Option<ApplicationCredential>> {
        let user_id = identity::current_user_id(cloud).await?;
        Ok(identity::get_application_credential(cloud, &user_id, id).await?)
    }

    async fn complete(
        &self,
        found: Found<'_, ApplicationCredentialModel>,
    ) -> Step<ApplicationCredentialModel> {
        let mut state = found.state;
        let config = found.cloud.config();
        let endpoint = Endpoint {
            auth_url: config.auth_url.as_str(),
            region: state.region.known().map(String::as_str),
            interface: config.interface.as_str(),
            insecure: config.tls.insecure,
        };
        state.clouds_yaml = match (
            state.cloud_name.known(),
            state.id.known(),
            state.secret.known(),
        ) {
            (Some(name), Some(id), Some(secret)) => {
                Attr::Known(clouds_yaml(name, &endpoint, id, secret))
            }
            _ => Attr::Null,
        };
        Ok(state)
    }

    async fn delete(
        &self,
        cloud: &Cloud<'_>,
        id: &str,
        state: &ApplicationCredentialModel,
    ) -> Step<()> {
        let user_id = identity::current_user_id(cloud).await?;
        identity::delete_application_credential(cloud, &user_id, id).await?;
        let rules: Vec<String> = state
            .access_rules
            .items()
            .filter_map(|r| r.id.known().cloned())
            .collect();
        Ok(identity::delete_unused_access_rules(cloud, &user_id, &rules).await?)
    }

    /// After an import the state has no secret: a secret in the configuration is recorded in
    /// place (it is the credential's own, or the credential was made with it), not a reason for
    /// a new credential. An in-place change (that, or `cloud_name`) keeps the access rules with
    /// their IDs when the configuration names the same ones.
    async fn modify_plan(&self, _ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_create() {
            return Ok(());
        }
        if plan.prior.attr("secret").is_none_or(Value::is_null) && plan.configured("secret") {
            let secret = AttributePath::attr("secret");
            plan.requires_replace.retain(|p| *p != secret);
        }
        let rules = AttributePath::attr("access_rules");
        if let (Some(planned), Some(prior)) = (
            plan.planned.attr("access_rules"),
            plan.prior.attr("access_rules"),
        ) && rule_keys(planned).is_some_and(|keys| Some(keys) == rule_keys(prior))
        {
            plan.set_planned("access_rules", prior.clone());
            plan.requires_replace.retain(|p| *p != rules);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn expiry_must_be_rfc3339_in_utc() {
        assert!(parse_expiry("2027-03-01T00:00:00Z").is_some());
        assert!(parse_expiry("2027-03-01T00:00:00+00:00").is_some());
        assert!(parse_expiry("2027-03-01T00:00:00.5Z").is_some());
        for bad in [
            "2027-03-01",
            "2027-03-01 00:00:00Z",
            "2027-03-01T00:00:00",
            "2027-03-01T00:00:00+02:00",
            "tomorrow",
            "2027-02-30T00:00:00Z",
        ] {
            assert!(parse_expiry(bad).is_none(), "{bad}");
            let mut d = Diagnostics::new();
            expires_at_validator(
                &Value::from(bad),
                &AttributePath::attr("expires_at"),
                &mut d,
            );
            assert!(d.has_errors(), "{bad}");
        }
    }

    #[test]
    fn keystone_expiry_keeps_the_configured_spelling() {
        let prior = Attr::Known("2027-03-01T00:00:00+00:00".to_owned());
        let api = Some("2027-03-01T00:00:00.000000".to_owned());
        assert_eq!(expiry_from_api(api.clone(), &prior), prior);
        assert_eq!(
            expiry_from_api(api, &Attr::Null),
            Attr::Known("2027-03-01T00:00:00Z".to_owned())
        );
        assert_eq!(
            expiry_from_api(Some("2027-04-01T00:00:00.000000".into()), &prior),
            Attr::Known("2027-04-01T00:00:00Z".to_owned())
        );
        assert_eq!(expiry_from_api(None, &prior), Attr::Null);
    }

    #[test]
    fn cloud_names() {
        for good in ["openstack", "my-cloud_1.prod"] {
            assert!(valid_cloud_name(good), "{good}");
        }
        for bad in ["", "a b", "a:b", "ä", "x\n"] {
            assert!(!valid_cloud_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn clouds_yaml_is_one_application_credential_cloud() {
        let endpoint = Endpoint {
            auth_url: "https://keystone.example:5000/v3",
            region: Some("RegionOne"),
            interface: "public",
            insecure: false,
        };
        let text = clouds_yaml("openstack", &endpoint, "c1", "s\"e: #c\nr\\e\u{7f}t");
        let doc: serde_json::Value = parse_yaml(&text);
        let clouds = doc["clouds"].as_object().unwrap();
        assert_eq!(clouds.len(), 1);
        let cloud = &clouds["openstack"];
        assert_eq!(cloud["auth_type"], "v3applicationcredential");
        assert_eq!(
            cloud["auth"]["auth_url"],
            "https://keystone.example:5000/v3"
        );
        assert_eq!(cloud["auth"]["application_credential_id"], "c1");
        assert_eq!(
            cloud["auth"]["application_credential_secret"],
            "s\"e: #c\nr\\e\u{7f}t"
        );
        assert_eq!(cloud["region_name"], "RegionOne");
        assert_eq!(cloud["interface"], "public");
        assert_eq!(cloud["identity_api_version"], 3);
        assert!(cloud.get("verify").is_none());

        let bare = Endpoint {
            region: None,
            insecure: true,
            ..endpoint
        };
        let doc = parse_yaml(&clouds_yaml("x", &bare, "c1", "s"));
        assert!(doc["clouds"]["x"].get("region_name").is_none());
        assert_eq!(doc["clouds"]["x"]["verify"], false);
    }

    fn parse_yaml(text: &str) -> serde_json::Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn the_create_body_follows_the_plan() {
        let plan = ApplicationCredentialModel {
            name: Attr::Known("k8s".into()),
            secret: Attr::Unknown,
            roles: Attr::Unknown,
            unrestricted: Attr::Known(false),
            expires_at: Attr::Known("2027-03-01T00:00:00+00:00".into()),
            access_rules: Attr::Known(vec![AccessRuleModel {
                id: Attr::Unknown,
                service: Attr::Known("compute".into()),
                path: Attr::Known("/v2.1/servers".into()),
                method: Attr::Known("GET".into()),
            }]),
            ..Default::default()
        };
        let body = create_body(&plan);
        assert_eq!(body.secret, None);
        assert!(body.roles.is_empty());
        assert_eq!(body.expires_at.as_deref(), Some("2027-03-01T00:00:00Z"));
        assert_eq!(body.access_rules[0].method, "GET");
        assert!(body.access_rules[0].id.is_none());
    }
}
