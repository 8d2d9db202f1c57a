//! The one error type of this crate.
//!
//! Every failure names the operation it belongs to, so a Terraform diagnostic
//! built from `to_string()` already says what was being done. Secrets never
//! reach this type: request bodies are not kept, headers are not kept, and
//! transport errors are reduced to their message (reqwest errors carry the URL
//! only, never headers).

use std::time::Duration;

use http::StatusCode;

use crate::config::ConfigError;
use crate::microversion::Microversion;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between the provider and the cloud.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration could not be resolved.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// The cloud answered with a non-success status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The request did not get an HTTP answer (connection refused/reset, TLS, DNS).
    #[error("{operation}: connection failed: {message}{}", retried_note(*.attempts))]
    Transport {
        operation: String,
        message: String,
        /// True when the request may have reached the server before the
        /// connection broke (so a create may have happened).
        may_have_reached_server: bool,
        attempts: u32,
    },

    /// Keystone refused the credentials or returned something unusable.
    #[error("authentication failed: {message}")]
    Auth {
        message: String,
        status: Option<StatusCode>,
        request_id: Option<String>,
    },

    /// No endpoint for a service in the catalog.
    #[error(
        "no endpoint for service '{service}' (interface '{interface}', region {}) in the service catalog; \
         catalog has: {available}; set endpoint_overrides to use a fixed URL",
        region.as_deref().unwrap_or("<any>")
    )]
    Catalog {
        service: String,
        interface: String,
        region: Option<String>,
        available: String,
    },

    /// The cloud's API is older than the feature needs.
    #[error(
        "{operation}: needs {service} API microversion {wanted}, but this cloud supports at most {}; \
         the cloud is too old for this feature",
        max.map(|m| m.to_string()).unwrap_or_else(|| "none (no microversions)".into())
    )]
    MicroversionUnsupported {
        operation: String,
        service: String,
        wanted: Microversion,
        max: Option<Microversion>,
    },

    /// The deadline passed before the operation finished.
    #[error("{operation}: timed out after {}{}", fmt_duration(*.after), last_status_note(.last_status))]
    Timeout {
        operation: String,
        after: Duration,
        last_status: Option<String>,
    },

    /// The operation was cancelled (Terraform's StopProvider).
    #[error("{operation}: cancelled")]
    Cancelled { operation: String },

    /// A waited-for resource reached a terminal failure state.
    #[error("{operation}: resource went to status {status}{}", fault_note(.fault))]
    WaitFailed {
        operation: String,
        status: String,
        fault: Option<String>,
    },

    /// The body could not be decoded into the expected shape.
    #[error("{operation}: unexpected response body: {message}")]
    Decode {
        operation: String,
        message: String,
        request_id: Option<String>,
    },

    /// A request could not be built (bad path, unserializable body).
    #[error("{operation}: invalid request: {message}")]
    InvalidRequest { operation: String, message: String },
}

/// An HTTP error answer from an OpenStack service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub operation: String,
    pub status: StatusCode,
    /// The message the service put in its JSON error body (or a short text body).
    pub message: Option<String>,
    /// The error type name where the service gives one (Neutron's `type`,
    /// e.g. `SecurityGroupRuleExists`).
    pub error_type: Option<String>,
    pub request_id: Option<String>,
    /// How many attempts were made (1 = no retry).
    pub attempts: u32,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(t) = &self.error_type {
            write!(f, " {t}")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(r) = &self.request_id {
            write!(f, " (request id {r})")?;
        }
        f.write_str(&retried_note(self.attempts))
    }
}

fn retried_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" [after {attempts} attempts]")
    } else {
        String::new()
    }
}

fn fault_note(fault: &Option<String>) -> String {
    fault
        .as_deref()
        .map(|f| format!(": {f}"))
        .unwrap_or_default()
}

fn last_status_note(s: &Option<String>) -> String {
    s.as_deref()
        .map(|s| format!(" (last status {s})"))
        .unwrap_or_default()
}

pub(crate) fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 10.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}s", d.as_secs())
    }
}

impl Error {
    /// HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// `404 Not Found`: the object is gone (refresh should drop it).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// `409 Conflict`: e.g. an object in use or a duplicate rule.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// Deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Cancelled by the caller.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled { .. })
    }

    /// The `x-openstack-request-id` of the failed request, where known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Auth { request_id, .. } | Error::Decode { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The service's error type name (e.g. Neutron's `SecurityGroupRuleExists`).
    pub fn error_type(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.error_type.as_deref(),
            _ => None,
        }
    }

    /// The OpenStack message of an API error.
    pub fn api_message(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.message.as_deref(),
            _ => None,
        }
    }

    /// True when a non-idempotent request failed in a way that leaves open
    /// whether the server acted on it (a 5xx, broken connection after
    /// sending, timeout). Callers should look the object up before retrying.
    pub fn may_have_succeeded(&self) -> bool {
        match self {
            Error::Api(e) => matches!(
                e.status,
                StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            Error::Transport {
                may_have_reached_server,
                ..
            } => *may_have_reached_server,
            Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// Replaces the operation name (e.g. a generic "GET /servers/x" with "read server x").
    pub fn with_operation(mut self, op: impl Into<String>) -> Self {
        let op = op.into();
        match &mut self {
            Error::Api(e) => e.operation = op,
            Error::Transport { operation, .. }
            | Error::MicroversionUnsupported { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Cancelled { operation }
            | Error::WaitFailed { operation, .. }
            | Error::Decode { operation, .. }
            | Error::InvalidRequest { operation, .. } => *operation = op,
            Error::Config(_) | Error::Auth { .. } | Error::Catalog { .. } => {}
        }
        self
    }
}

/// Pulls the human message (and error type name) out of an OpenStack error body.
///
/// Shapes handled:
/// - Nova/Cinder: `{"itemNotFound": {"message": "...", "code": 404}}` (one key, any name)
/// - Neutron: `{"NeutronError": {"type": "...", "message": "...", "detail": ""}}`
/// - Keystone: `{"error": {"message": "...", "code": 401, "title": "Unauthorized"}}`
/// - Glance: plain text or HTML (`<h1>404 Not Found</h1>\n\nNo image found...`),
///   sometimes JSON `{"message": "...", ...}`
/// - Placement/newer: `{"errors": [{"detail": "...", "title": "..."}]}`
/// - Ironic/others: `{"error_message": "{\"faultstring\": ...}"}`
pub fn parse_openstack_error(body: &[u8]) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return (None, None);
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed)
        && let Some(found) = message_from_json(&v)
    {
        return found;
    }
    (Some(plain_text_message(trimmed)), None)
}

fn message_from_json(v: &serde_json::Value) -> Option<(Option<String>, Option<String>)> {
    let obj = v.as_object()?;
    let str_of = |o: &serde_json::Map<String, serde_json::Value>, k: &str| {
        o.get(k)
            .and_then(|x| x.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(m) = str_of(obj, "message") {
        return Some((Some(m), str_of(obj, "type")));
    }
    if let Some(errs) = obj.get("errors").and_then(|e| e.as_array()) {
        let msgs: Vec<String> = errs
            .iter()
            .filter_map(|e| e.as_object())
            .filter_map(|e| str_of(e, "detail").or_else(|| str_of(e, "title")))
            .collect();
        if !msgs.is_empty() {
            return Some((Some(msgs.join("; ")), None));
        }
    }
    if let Some(em) = obj.get("error_message") {
        let inner = match em {
            serde_json::Value::String(s) => serde_json::from_str::<serde_json::Value>(s)
                .ok()
                .and_then(|j| {
                    j.get("faultstring")
                        .and_then(|f| f.as_str())
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| s.clone()),
            other => other.to_string(),
        };
        return Some((Some(inner), None));
    }
    // Wrapped shapes: a single object value holding message/type.
    for (key, inner) in obj {
        if let Some(io) = inner.as_object()
            && let Some(m) = str_of(io, "message")
        {
            let ty = str_of(io, "type").or_else(|| {
                // Nova/Cinder use the wrapper key itself as the type
                // name (itemNotFound, badRequest); Keystone uses "error".
                (key != "error").then(|| key.clone())
            });
            let detail = str_of(io, "detail");
            let msg = match detail {
                Some(d) if d != m => format!("{m} ({d})"),
                _ => m,
            };
            return Some((Some(msg), ty));
        }
    }
    None
}

fn plain_text_message(text: &str) -> String {
    // Glance and some proxies answer with HTML; strip the tags and squeeze lines.
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let squeezed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 500;
    if squeezed.chars().count() > MAX {
        let cut: String = squeezed.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        squeezed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nova_shape() {
        let (m, t) = parse_openstack_error(
            br#"{"itemNotFound": {"code": 404, "message": "Flavor m1.x could not be found."}}"#,
        );
        assert_eq!(m.as_deref(), Some("Flavor m1.x could not be found."));
        assert_eq!(t.as_deref(), Some("itemNotFound"));
    }

    #[test]
    fn neutron_shape() {
        let (m, t) = parse_openstack_error(
            br#"{"NeutronError": {"type": "SecurityGroupRuleExists", "message": "Security group rule already exists. Rule id is 1.", "detail": ""}}"#,
        );
        assert_eq!(
            m.as_deref(),
            Some("Security group rule already exists. Rule id is 1.")
        );
        assert_eq!(t.as_deref(), Some("SecurityGroupRuleExists"));
    }

    #[test]
    fn keystone_shape() {
        let (m, t) = parse_openstack_error(
            br#"{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}"#,
        );
        assert_eq!(
            m.as_deref(),
            Some("The request you have made requires authentication.")
        );
        assert_eq!(t, None);
    }

    #[test]
    fn glance_html_shape() {
        let (m, _) = parse_openstack_error(
            b"<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  No image found with ID abc<br /><br />\n\n\n\n </body>\n</html>",
        );
        let m = m.unwrap_or_default();
        assert!(m.contains("No image found with ID abc"), "{m}");
        assert!(!m.contains('<'), "{m}");
    }

    #[test]
    fn errors_array_shape() {
        let (m, _) = parse_openstack_error(
            br#"{"errors": [{"status": 409, "title": "Conflict", "detail": "Inventory in use"}]}"#,
        );
        assert_eq!(m.as_deref(), Some("Inventory in use"));
    }

    #[test]
    fn helpers() {
        let e = Error::Api(Box::new(ApiError {
            operation: "read network".into(),
            status: StatusCode::NOT_FOUND,
            message: Some("Network x could not be found.".into()),
            error_type: Some("NetworkNotFound".into()),
            request_id: Some("req-1".into()),
            attempts: 1,
        }));
        assert!(e.is_not_found());
        assert!(!e.is_conflict());
        assert_eq!(e.request_id(), Some("req-1"));
        let s = e.to_string();
        assert!(
            s.contains("read network") && s.contains("404") && s.contains("req-1"),
            "{s}"
        );
    }
}
