//! Keystone v3 token issue (password, application credential, token).

use std::time::{Duration, SystemTime};

use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use crate::catalog::Catalog;
use crate::config::{AuthMethod, DomainRef, ProjectScope, Secret, UserRef};
use crate::error::{Error, parse_openstack_error};
use crate::retry::{RetryPolicy, retry_after, retryable_status};

/// Re-issue a token this long before it expires, so a request that starts
/// just before expiry does not carry a token that dies in flight. Short-lived
/// tokens use a quarter of their lifetime instead.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

/// An issued token with its catalog.
#[derive(Debug, Clone)]
pub struct Token {
    pub value: Secret,
    /// Expiry on the local clock: issue time here plus Keystone's
    /// `expires_at - issued_at`, so clock skew between us and Keystone
    /// does not matter.
    pub expires_at: Option<SystemTime>,
    /// How long before `expires_at` the token counts as stale.
    pub margin: Duration,
    pub catalog: Catalog,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub user_id: Option<String>,
}

impl Token {
    pub fn is_fresh(&self, now: SystemTime) -> bool {
        match self.expires_at {
            Some(exp) => now + self.margin < exp,
            None => true,
        }
    }
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInner,
}

#[derive(Deserialize)]
struct TokenInner {
    #[serde(default)]
    expires_at: Option<String>,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    catalog: Option<Catalog>,
    #[serde(default)]
    project: Option<IdName>,
    #[serde(default)]
    user: Option<IdName>,
}

#[derive(Deserialize)]
struct IdName {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// `<auth_url>/v3/auth/tokens`, whether or not auth_url already ends in `/v3`.
pub fn tokens_url(auth_url: &Url) -> Result<Url, Error> {
    let mut u = auth_url.clone();
    u.set_query(None);
    let path = u.path().trim_end_matches('/').to_owned();
    let base = if path.ends_with("/v3") {
        path
    } else if path.ends_with("/v2.0") {
        return Err(Error::Auth {
            message: format!(
                "auth_url {auth_url} points at the Keystone v2.0 API, which is gone; use the /v3 endpoint"
            ),
            status: None,
            request_id: None,
        });
    } else {
        format!("{path}/v3")
    };
    u.set_path(&format!("{base}/auth/tokens"));
    Ok(u)
}

fn domain_json(d: &DomainRef) -> Value {
    match d {
        DomainRef::Id(id) => json!({"id": id}),
        DomainRef::Name(n) => json!({"name": n}),
    }
}

fn user_json(u: &UserRef) -> Value {
    match u {
        UserRef::Id(id) => json!({"id": id}),
        UserRef::Name { name, domain } => json!({"name": name, "domain": domain_json(domain)}),
    }
}

fn scope_json(p: &Option<ProjectScope>) -> Option<Value> {
    p.as_ref().map(|p| match p {
        ProjectScope::Id(id) => json!({"project": {"id": id}}),
        ProjectScope::Name { name, domain } => {
            json!({"project": {"name": name, "domain": domain_json(domain)}})
        }
    })
}

/// The JSON body for `POST /v3/auth/tokens`. It holds the secret: never log it.
pub(crate) fn request_body(auth: &AuthMethod) -> Value {
    let (identity, scope) = match auth {
        AuthMethod::Password {
            user,
            password,
            project,
        } => {
            let mut u = user_json(user);
            if let Some(o) = u.as_object_mut() {
                o.insert("password".into(), json!(password.expose()));
            }
            (
                json!({"methods": ["password"], "password": {"user": u}}),
                scope_json(project),
            )
        }
        AuthMethod::ApplicationCredential {
            id,
            name,
            user,
            secret,
        } => {
            let mut ac = serde_json::Map::new();
            if let Some(id) = id {
                ac.insert("id".into(), json!(id));
            } else {
                if let Some(n) = name {
                    ac.insert("name".into(), json!(n));
                }
                if let Some(u) = user {
                    ac.insert("user".into(), user_json(u));
                }
            }
            ac.insert("secret".into(), json!(secret.expose()));
            (
                json!({"methods": ["application_credential"], "application_credential": ac}),
                None,
            )
        }
        AuthMethod::Token { token, project } => (
            json!({"methods": ["token"], "token": {"id": token.expose()}}),
            scope_json(project),
        ),
    };
    let mut auth_obj = json!({"identity": identity});
    if let (Some(scope), Some(o)) = (scope, auth_obj.as_object_mut()) {
        o.insert("scope".into(), scope);
    }
    json!({"auth": auth_obj})
}

/// Issues a token. Errors carry Keystone's message, never the credentials.
pub(crate) async fn issue(
    http: &reqwest::Client,
    auth_url: &Url,
    auth: &AuthMethod,
    timeout: Duration,
    policy: RetryPolicy,
) -> Result<Token, Error> {
    let url = tokens_url(auth_url)?;
    let body = serde_json::to_vec(&request_body(auth)).map_err(|e| Error::Auth {
        message: format!("cannot encode the auth request: {e}"),
        status: None,
        request_id: None,
    })?;
    tracing::debug!(target: "scs_client::auth", url = %url, method = auth.kind(), "requesting Keystone token");
    let resp = send_repeating(
        || {
            http.post(url.clone())
                .header(http::header::CONTENT_TYPE, "application/json")
                .header(http::header::ACCEPT, "application/json")
                .timeout(timeout)
                .body(body.clone())
        },
        policy,
    )
    .await;
    finish(resp, &url, auth.kind()).await
}

/// Uses a given token as it is (`token` auth without a project): Keystone
/// validates it and returns its catalog.
pub(crate) async fn validate(
    http: &reqwest::Client,
    auth_url: &Url,
    token: &Secret,
    timeout: Duration,
    policy: RetryPolicy,
) -> Result<Token, Error> {
    let url = tokens_url(auth_url)?;
    let mut value = http::HeaderValue::from_str(token.expose()).map_err(|_| Error::Auth {
        message: "the token contains characters not allowed in an HTTP header".into(),
        status: None,
        request_id: None,
    })?;
    value.set_sensitive(true);
    tracing::debug!(target: "scs_client::auth", url = %url, "validating the given token");
    let resp = send_repeating(
        || {
            http.get(url.clone())
                .header("x-auth-token", value.clone())
                .header("x-subject-token", value.clone())
                .header(http::header::ACCEPT, "application/json")
                .timeout(timeout)
        },
        policy,
    )
    .await;
    finish(resp, &url, "token").await
}

/// Sends a token request, and sends it again after an answer or a failure that says nothing
/// about the credentials: a 429, a server error that requests safe to repeat are retried on
/// ([`retryable_status`]), or a broken connection. Issuing or validating a token twice does no
/// harm. Up to `policy.max_retries` times, waiting `Retry-After` or the policy's backoff. A request
/// that timed out is not sent again (it already took the whole timeout), and Keystone's refusal
/// of the credentials comes back at once.
async fn send_repeating(
    request: impl Fn() -> reqwest::RequestBuilder,
    policy: RetryPolicy,
) -> Result<reqwest::Response, reqwest::Error> {
    let mut retries = 0;
    loop {
        let outcome = request().send().await;
        let wait = match &outcome {
            Ok(r) if retryable_status(r.status(), true) => {
                retry_after(r.headers()).unwrap_or_else(|| policy.backoff(retries))
            }
            Err(e) if !e.is_timeout() && !e.is_builder() => policy.backoff(retries),
            _ => return outcome,
        };
        if retries >= policy.max_retries {
            return outcome;
        }
        let failure = match &outcome {
            Ok(r) => format!("HTTP {}", r.status()),
            Err(e) => crate::session::transport_message(e),
        };
        tracing::warn!(
            target: "scs_client::auth",
            attempt = retries + 1,
            error = %failure,
            wait_ms = wait.as_millis() as u64,
            "token request failed; retrying"
        );
        tokio::time::sleep(wait).await;
        retries += 1;
    }
}

async fn finish(
    resp: Result<reqwest::Response, reqwest::Error>,
    url: &Url,
    kind: &str,
) -> Result<Token, Error> {
    let resp = resp.map_err(|e| Error::Auth {
        message: format!(
            "cannot reach Keystone at {url}: {}",
            crate::session::transport_message(&e)
        ),
        status: None,
        request_id: None,
    })?;
    let status = resp.status();
    let request_id = crate::session::request_id_of(resp.headers());
    let subject = resp
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = resp.bytes().await.map_err(|e| Error::Auth {
        message: format!(
            "reading Keystone's answer failed: {}",
            crate::session::transport_message(&e)
        ),
        status: Some(status),
        request_id: request_id.clone(),
    })?;
    if !status.is_success() {
        let (msg, _) = parse_openstack_error(&bytes);
        return Err(Error::Auth {
            message: format!(
                "Keystone at {url} refused {kind} authentication (HTTP {status}){}",
                msg.map(|m| format!(": {m}")).unwrap_or_default()
            ),
            status: Some(status),
            request_id,
        });
    }
    let subject = subject.ok_or_else(|| Error::Auth {
        message: "Keystone answered without an X-Subject-Token header".into(),
        status: Some(status),
        request_id: request_id.clone(),
    })?;
    let body: TokenBody = serde_json::from_slice(&bytes).map_err(|e| Error::Auth {
        message: format!("unexpected token body from Keystone: {e}"),
        status: Some(status),
        request_id: request_id.clone(),
    })?;
    let t = body.token;
    let received = SystemTime::now();
    let parse = |s: &str| {
        humantime::parse_rfc3339(s)
            .or_else(|_| humantime::parse_rfc3339_weak(s.trim_end_matches('Z')))
            .ok()
    };
    let server_expiry = t.expires_at.as_deref().and_then(parse);
    let server_issued = t.issued_at.as_deref().and_then(parse);
    let lifetime = match (server_issued, server_expiry) {
        (Some(i), Some(e)) => e.duration_since(i).ok(),
        (None, Some(e)) => e.duration_since(received).ok(),
        _ => None,
    };
    let expires_at = lifetime.map(|l| received + l);
    let margin = lifetime.map_or(EXPIRY_MARGIN, |l| EXPIRY_MARGIN.min(l / 4));
    tracing::debug!(
        target: "scs_client::auth",
        project_id = t.project.as_ref().and_then(|p| p.id.as_deref()).unwrap_or("-"),
        "Keystone token issued"
    );
    Ok(Token {
        value: Secret::new(subject),
        expires_at,
        margin,
        catalog: t.catalog.unwrap_or_default(),
        project_id: t.project.as_ref().and_then(|p| p.id.clone()),
        project_name: t.project.and_then(|p| p.name),
        user_id: t.user.and_then(|u| u.id),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_url_variants() {
        for (a, want) in [
            ("http://k:5000", "http://k:5000/v3/auth/tokens"),
            ("http://k:5000/v3", "http://k:5000/v3/auth/tokens"),
            ("http://k:5000/v3/", "http://k:5000/v3/auth/tokens"),
            ("https://k/identity", "https://k/identity/v3/auth/tokens"),
        ] {
            assert_eq!(tokens_url(&Url::parse(a).unwrap()).unwrap().as_str(), want);
        }
        assert!(tokens_url(&Url::parse("http://k/v2.0").unwrap()).is_err());
    }

    #[test]
    fn app_cred_body_has_no_scope() {
        let b = request_body(&AuthMethod::ApplicationCredential {
            id: Some("ac".into()),
            name: None,
            user: None,
            secret: Secret::new("s3cr3t"),
        });
        assert_eq!(b["auth"]["identity"]["application_credential"]["id"], "ac");
        assert!(b["auth"].get("scope").is_none());
    }

    #[test]
    fn password_body_scoped_by_name() {
        let b = request_body(&AuthMethod::Password {
            user: UserRef::Name {
                name: "u".into(),
                domain: DomainRef::Name("Default".into()),
            },
            password: Secret::new("pw"),
            project: Some(ProjectScope::Name {
                name: "p".into(),
                domain: DomainRef::Id("default".into()),
            }),
        });
        assert_eq!(b["auth"]["identity"]["password"]["user"]["password"], "pw");
        assert_eq!(b["auth"]["scope"]["project"]["domain"]["id"], "default");
    }
}
