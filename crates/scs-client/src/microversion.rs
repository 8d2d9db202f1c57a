//! API microversions: parsing, discovery from the version document, headers.
//!
//! Each service's supported range is read once per client from its version
//! document (the unversioned or versioned root of its endpoint) and cached.
//! A request that needs a feature asks for the microversion that introduced
//! it; if the cloud's maximum is lower the request fails before it is sent,
//! with an error that names the feature's operation and both versions.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;

use serde_json::Value;

use crate::catalog::ServiceType;
use crate::error::Error;
use crate::session::ServiceClient;

/// An API microversion such as Nova's `2.79` or Cinder's `3.60`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    pub major: u16,
    pub minor: u16,
}

impl Microversion {
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Parse error for a microversion string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid microversion '{0}' (expected MAJOR.MINOR such as 2.79)")]
pub struct ParseMicroversionError(pub String);

impl FromStr for Microversion {
    type Err = ParseMicroversionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let (a, b) = t
            .split_once('.')
            .ok_or_else(|| ParseMicroversionError(s.to_owned()))?;
        let major = a
            .parse()
            .map_err(|_| ParseMicroversionError(s.to_owned()))?;
        let minor = b
            .parse()
            .map_err(|_| ParseMicroversionError(s.to_owned()))?;
        Ok(Self { major, minor })
    }
}

/// The range a service supports; `None` bounds mean the service has no
/// microversions (Neutron, Glance) or did not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VersionRange {
    pub min: Option<Microversion>,
    pub max: Option<Microversion>,
}

impl VersionRange {
    pub fn supports(&self, v: Microversion) -> bool {
        match (self.min, self.max) {
            (_, None) => false,
            (Some(min), Some(max)) => min <= v && v <= max,
            (None, Some(max)) => v <= max,
        }
    }
}

/// Reads the supported range from a version document.
///
/// Accepts the single-version shape (`{"version": {...}}`, what
/// `GET /v2.1/` returns) and the list shape (`{"versions": [...]}` or
/// Keystone's `{"versions": {"values": [...]}}`); from a list, the entry whose
/// id matches `prefer_id` (e.g. `v2.1`) or else the CURRENT one is used.
/// Field names: `version` (max) / `min_version` (Nova, Cinder), and the
/// newer `max_version` some services use.
pub fn parse_version_document(doc: &Value, prefer_id: Option<&str>) -> VersionRange {
    let entry = if let Some(v) = doc.get("version") {
        Some(v)
    } else {
        let list = doc.get("versions").and_then(|v| {
            v.as_array()
                .or_else(|| v.get("values").and_then(Value::as_array))
        });
        list.and_then(|l| {
            // Cinder's path segment is `v3` while its id is `v3.0`.
            let by_id = prefer_id.and_then(|id| {
                let dotted = format!("{id}.0");
                l.iter()
                    .find(|e| e.get("id").and_then(Value::as_str) == Some(id))
                    .or_else(|| {
                        l.iter()
                            .find(|e| e.get("id").and_then(Value::as_str) == Some(dotted.as_str()))
                    })
            });
            by_id
                .or_else(|| {
                    l.iter().find(|e| {
                        e.get("status")
                            .and_then(Value::as_str)
                            .map(|s| s.to_ascii_uppercase())
                            == Some("CURRENT".into())
                    })
                })
                .or_else(|| l.first())
        })
    };
    let Some(entry) = entry else {
        return VersionRange::default();
    };
    let mv = |k: &str| {
        entry
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .and_then(|s| s.parse::<Microversion>().ok())
    };
    VersionRange {
        min: mv("min_version"),
        max: mv("max_version").or_else(|| mv("version")),
    }
}

/// Reads the service's version document once (cached by the caller).
///
/// Returns a boxed future with a named type: `Request::send` calls this for
/// requests that carry a microversion while this sends a request itself, and
/// the compiler can only prove such a cycle `Send` through a concrete type.
pub(crate) fn discover(
    svc: ServiceClient,
) -> Pin<Box<dyn Future<Output = Result<VersionRange, Error>> + Send>> {
    Box::pin(async move {
        let service = svc.service_type();
        if service.microversion_name().is_none() {
            return Ok(VersionRange::default());
        }
        let base = svc.base_url().await?;
        let (root, id) = match crate::catalog::version_root(&base) {
            Some((root, id)) => (root, Some(id)),
            None => (base, None),
        };
        let doc: Value = svc
            .get(root.as_str())
            .operation(format!("discover {service} API microversions"))
            .json()
            .await?;
        let range = parse_version_document(&doc, id.as_deref());
        tracing::debug!(
            target: "scs_client::microversion",
            service = %service,
            min = %range.min.map(|m| m.to_string()).unwrap_or_default(),
            max = %range.max.map(|m| m.to_string()).unwrap_or_default(),
            "discovered microversion range"
        );
        Ok(range)
    })
}

/// Headers that ask `service` for microversion `mv`.
pub(crate) fn headers_for(
    service: ServiceType,
    mv: Microversion,
) -> Vec<(http::HeaderName, http::HeaderValue)> {
    let mut out = Vec::new();
    let Some(name) = service.microversion_name() else {
        return out;
    };
    if let Ok(v) = http::HeaderValue::from_str(&format!("{name} {mv}")) {
        out.push((http::HeaderName::from_static("openstack-api-version"), v));
    }
    if service == ServiceType::Compute {
        // Nova before 2.27 only reads the legacy header.
        if let Ok(v) = http::HeaderValue::from_str(&mv.to_string()) {
            out.push((
                http::HeaderName::from_static("x-openstack-nova-api-version"),
                v,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parse_and_order() {
        let a: Microversion = "2.79".parse().unwrap();
        let b: Microversion = "2.100".parse().unwrap();
        assert!(a < b);
        assert_eq!(a.to_string(), "2.79");
        assert!("2".parse::<Microversion>().is_err());
        assert!("x.1".parse::<Microversion>().is_err());
    }

    #[test]
    fn nova_single_version_doc() {
        let doc = serde_json::json!({"version": {"id": "v2.1", "status": "CURRENT",
            "version": "2.96", "min_version": "2.1"}});
        let r = parse_version_document(&doc, Some("v2.1"));
        assert_eq!(r.max, Some(Microversion::new(2, 96)));
        assert!(r.supports(Microversion::new(2, 79)));
        assert!(!r.supports(Microversion::new(2, 97)));
    }

    #[test]
    fn list_doc_prefers_id() {
        let doc = serde_json::json!({"versions": [
            {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": ""},
            {"id": "v2.1", "status": "CURRENT", "version": "2.90", "min_version": "2.1"}]});
        let r = parse_version_document(&doc, Some("v2.1"));
        assert_eq!(r.max, Some(Microversion::new(2, 90)));
    }

    #[test]
    fn no_microversions() {
        let doc = serde_json::json!({"versions": [{"id": "v2.0", "status": "CURRENT"}]});
        let r = parse_version_document(&doc, None);
        assert_eq!(r, VersionRange::default());
        assert!(!r.supports(Microversion::new(2, 1)));
    }
}
