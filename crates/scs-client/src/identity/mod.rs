//! Keystone (identity v3): application credentials of the authenticated user.
//!
//! An application credential lets another tool act as the user in one project, with a subset of
//! the user's roles, until it expires. Keystone shows its secret only in the answer to the create
//! request; the secret is never logged (`secret` is a redacted key).

use serde::{Deserialize, Serialize};

use crate::config::Secret;
use crate::error::{Error, Result};
use crate::session::Client;

/// A role by name, as Keystone lists the roles of an application credential.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct RoleRef {
    pub name: String,
}

/// What to create.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateApplicationCredential {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Roles of the user in the token's project; all of them when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<RoleRef>,
    /// RFC 3339, UTC; never expires when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// `false` lets the credential create further application credentials and trusts.
    pub unrestricted: bool,
}

/// An application credential as Keystone returns it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationCredential {
    pub id: String,
    pub name: String,
    pub project_id: Option<String>,
    pub roles: Vec<RoleRef>,
    pub expires_at: Option<String>,
    pub unrestricted: bool,
    /// Only in the answer to the create request.
    #[serde(skip_serializing)]
    pub secret: Option<String>,
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

/// Creates an application credential for `user_id` in the token's project. The secret comes
/// back once, here.
pub async fn create_application_credential(
    client: &Client,
    user_id: &str,
    request: &CreateApplicationCredential,
) -> Result<(ApplicationCredential, Secret)> {
    let body = serde_json::json!({ "application_credential": request });
    let mut created: Envelope = client
        .identity()
        .post_json(&format!("users/{user_id}/application_credentials"), &body)
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
    Ok((created.application_credential, Secret::new(secret)))
}

/// Deletes an application credential; one already gone is success.
pub async fn delete_application_credential(client: &Client, user_id: &str, id: &str) -> Result<()> {
    match client
        .identity()
        .delete(&format!("users/{user_id}/application_credentials/{id}"))
        .await
    {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

/// Whether the application credential still exists.
pub async fn application_credential_exists(
    client: &Client,
    user_id: &str,
    id: &str,
) -> Result<bool> {
    match client
        .identity()
        .get_json::<Envelope>(&format!("users/{user_id}/application_credentials/{id}"))
        .await
    {
        Ok(_) => Ok(true),
        Err(e) if e.is_not_found() => Ok(false),
        Err(e) => Err(e),
    }
}
