//! Keystone (identity v3): application credentials of the authenticated user.
//!
//! An application credential lets another tool act as the user in one project, with a subset of
//! the user's roles, until it expires. Keystone shows its secret only in the answer to the create
//! request; the secret is never logged (it is a [`Secret`], whose `Debug` is redacted).
//!
//! Application credentials cannot be changed after they are made, and their names are unique
//! among the user's credentials. [`create_application_credential`] uses that to create exactly
//! one credential even when the answer to the create request is lost.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::Secret;
use crate::error::{Error, Result};
use crate::model::{ApiObject, null_default, segment};
use crate::session::Client;

/// A role by name, as Keystone lists the roles of an application credential.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RoleRef {
    pub name: String,
}

/// One access rule: the only API calls a credential with access rules may make. Keystone keeps
/// the rules as objects of their own (`id`), shared by the credentials that name the same rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AccessRule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The service type, such as `compute` or `identity`.
    #[serde(deserialize_with = "null_default")]
    pub service: String,
    /// The API path; `*` matches one segment, `**` any number.
    #[serde(deserialize_with = "null_default")]
    pub path: String,
    /// The HTTP method, such as `GET`.
    #[serde(deserialize_with = "null_default")]
    pub method: String,
}

/// What to create.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateApplicationCredential {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The secret to give the credential; Keystone generates one when absent.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_secret"
    )]
    pub secret: Option<Secret>,
    /// Roles of the user in the token's project; all of them when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleRef>,
    /// The only calls the credential may make; any call when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub access_rules: Vec<AccessRule>,
    /// RFC 3339, UTC; never expires when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// `true` lets the credential create further application credentials and trusts.
    pub unrestricted: bool,
}

fn expose_secret<S: Serializer>(secret: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_str(secret.expose()),
        None => s.serialize_none(),
    }
}

fn read_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(Secret::new))
}

/// An application credential as Keystone returns it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationCredential {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub project_id: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub roles: Vec<RoleRef>,
    #[serde(deserialize_with = "null_default")]
    pub access_rules: Vec<AccessRule>,
    /// As Keystone writes it (`2027-01-01T00:00:00.000000`, UTC without a zone).
    pub expires_at: Option<String>,
    /// Keystone answers `null` for a restricted credential.
    #[serde(deserialize_with = "null_default")]
    pub unrestricted: bool,
    /// Only in the answer to the create request.
    #[serde(deserialize_with = "read_secret")]
    pub secret: Option<Secret>,
}

impl ApiObject for ApplicationCredential {
    type Create = CreateApplicationCredential;
    /// Keystone changes nothing of a credential in place.
    type Update = ();
    const KIND: &'static str = "application credential";

    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Deserialize)]
struct Envelope {
    application_credential: ApplicationCredential,
}

/// The authenticated user's ID, which the application credential API is addressed by.
pub async fn current_user_id(client: &Client) -> Result<String> {
    client
        .authenticate()
        .await?
        .user_id
        .ok_or_else(|| Error::InvalidRequest {
            operation: "application credentials".into(),
            message: "the token names no user; application credentials belong to a user".into(),
        })
}

fn collection(user_id: &str) -> String {
    format!("users/{}/application_credentials", segment(user_id))
}

fn item(user_id: &str, id: &str) -> String {
    format!("{}/{}", collection(user_id), segment(id))
}

/// Sends one create request; the secret comes back once, here.
async fn post_application_credential(
    client: &Client,
    user_id: &str,
    request: &CreateApplicationCredential,
) -> Result<(ApplicationCredential, Secret)> {
    let body = serde_json::json!({ "application_credential": request });
    let mut created: Envelope = client
        .identity()
        .post_json(&collection(user_id), &body)
        .await?;
    let secret = created
        .application_credential
        .secret
        .take()
        .ok_or_else(|| Error::Decode {
            operation: "create application credential".into(),
            message: "Keystone returned no secret".into(),
            request_id: None,
        })?;
    Ok((created.application_credential, secret))
}

/// Creates an application credential for `user_id` in the token's project and returns it with
/// its secret, and never makes two.
///
/// A credential of the same name that exists already is a conflict, found before anything is
/// sent. When the create's answer is lost (a reset after the request went out, a 5xx), the
/// credential of that name is looked up: it was made by this create, since the name was free.
/// With a secret in the request it is the answer; without one, Keystone's secret went down with
/// the answer, so that credential is deleted and the create sent again.
pub async fn create_application_credential(
    client: &Client,
    user_id: &str,
    request: &CreateApplicationCredential,
) -> Result<(ApplicationCredential, Secret)> {
    if let Some(existing) = find_application_credential(client, user_id, &request.name).await? {
        return Err(Error::InvalidRequest {
            operation: format!("create application credential {}", request.name),
            message: format!(
                "the user has an application credential of that name already ({}); names are \
                 unique per user",
                existing.id
            ),
        });
    }
    client
        .create_with_lookup(
            "create application credential",
            move || post_application_credential(client, user_id, request),
            move || async move {
                let Some(made) = find_application_credential(client, user_id, &request.name).await?
                else {
                    return Ok(None);
                };
                match &request.secret {
                    Some(secret) => Ok(Some((made, secret.clone()))),
                    None => {
                        tracing::info!(
                            target: "scs_client::identity",
                            id = %made.id,
                            "the create answer with the credential's secret was lost; deleting the credential to create it again"
                        );
                        delete_application_credential(client, user_id, &made.id).await?;
                        Ok(None)
                    }
                }
            },
        )
        .await
}

/// The user's application credential named `name`, if any.
pub async fn find_application_credential(
    client: &Client,
    user_id: &str,
    name: &str,
) -> Result<Option<ApplicationCredential>> {
    let found: Vec<ApplicationCredential> = client
        .identity()
        .get(collection(user_id))
        .operation(format!("find application credential {name}"))
        .query([("name", name)])
        .paginate("application_credentials")
        .await?;
    // Keystone filters by exact name; the check keeps a looser filter from matching others.
    Ok(found.into_iter().find(|c| c.name == name))
}

/// The application credential, `None` when it does not exist (or belongs to another user).
pub async fn get_application_credential(
    client: &Client,
    user_id: &str,
    id: &str,
) -> Result<Option<ApplicationCredential>> {
    match client
        .identity()
        .get_json::<Envelope>(&item(user_id, id))
        .await
    {
        Ok(found) => Ok(Some(found.application_credential)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deletes an application credential; one already gone is success.
pub async fn delete_application_credential(client: &Client, user_id: &str, id: &str) -> Result<()> {
    match client.identity().delete(&item(user_id, id)).await {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

/// Deletes access rules that the user's deleted credentials left behind (Keystone keeps them).
/// A rule that is gone is success; one that another credential still uses stays (Keystone
/// refuses its delete with 403).
pub async fn delete_unused_access_rules(
    client: &Client,
    user_id: &str,
    ids: &[String],
) -> Result<()> {
    for id in ids {
        let path = format!("users/{}/access_rules/{}", segment(user_id), segment(id));
        match client.identity().delete(&path).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() || e.status().is_some_and(|s| s.as_u16() == 403) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether the application credential still exists.
pub async fn application_credential_exists(
    client: &Client,
    user_id: &str,
    id: &str,
) -> Result<bool> {
    Ok(get_application_credential(client, user_id, id)
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keystone_answers_decode_and_secrets_stay_hidden() {
        let body = br#"{"application_credential": {"id": "c1", "name": "ci",
            "description": null, "project_id": "p", "expires_at": null, "unrestricted": null,
            "roles": [{"id": "r", "name": "reader", "domain_id": null}],
            "access_rules": [{"id": "a1", "service": "compute", "path": "/v2.1/servers",
            "method": "GET"}], "secret": "s3cr3t", "links": {}}}"#;
        let c: Envelope = serde_json::from_slice(body).unwrap();
        let c = c.application_credential;
        assert!(!c.unrestricted);
        assert_eq!(
            c.roles,
            [RoleRef {
                name: "reader".into()
            }]
        );
        assert_eq!(c.access_rules[0].id.as_deref(), Some("a1"));
        assert_eq!(c.secret.as_ref().map(Secret::expose), Some("s3cr3t"));
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let listed: Envelope =
            serde_json::from_slice(br#"{"application_credential": {"id": "c1", "name": "ci"}}"#)
                .unwrap();
        assert!(listed.application_credential.secret.is_none());
    }

    #[test]
    fn the_create_body_carries_the_secret_only_when_given() {
        let mut request = CreateApplicationCredential {
            name: "ci".into(),
            access_rules: vec![AccessRule {
                id: None,
                service: "compute".into(),
                path: "/v2.1/servers".into(),
                method: "GET".into(),
            }],
            ..Default::default()
        };
        let body = serde_json::to_value(&request).unwrap();
        assert!(body.get("secret").is_none(), "{body}");
        assert!(body["access_rules"][0].get("id").is_none(), "{body}");
        assert!(body.get("roles").is_none(), "{body}");
        request.secret = Some(Secret::new("mine"));
        let body = serde_json::to_value(&request).unwrap();
        assert_eq!(body["secret"], "mine");
        assert!(!format!("{request:?}").contains("mine"));
    }
}
