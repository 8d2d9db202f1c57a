//! Service types and the Keystone service catalog.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::Interface;
use crate::error::Error;

/// The OpenStack services this client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceType {
    Compute,
    Network,
    BlockStorage,
    Image,
    Identity,
}

impl ServiceType {
    pub const ALL: [ServiceType; 5] = [
        ServiceType::Compute,
        ServiceType::Network,
        ServiceType::BlockStorage,
        ServiceType::Image,
        ServiceType::Identity,
    ];

    /// The canonical service-types-authority name, used as the key of
    /// `endpoint_overrides`.
    pub fn key(&self) -> &'static str {
        match self {
            ServiceType::Compute => "compute",
            ServiceType::Network => "network",
            ServiceType::BlockStorage => "block-storage",
            ServiceType::Image => "image",
            ServiceType::Identity => "identity",
        }
    }

    /// Catalog types to look for, in order (clouds register Cinder under
    /// `block-storage`, `volumev3` or the old `volume`).
    pub fn catalog_types(&self) -> &'static [&'static str] {
        match self {
            ServiceType::Compute => &["compute"],
            ServiceType::Network => &["network"],
            ServiceType::BlockStorage => &["block-storage", "volumev3", "volume"],
            ServiceType::Image => &["image"],
            ServiceType::Identity => &["identity"],
        }
    }

    /// API version path segment appended when the catalog URL has none.
    pub fn version_segment(&self) -> &'static str {
        match self {
            ServiceType::Compute => "v2.1",
            ServiceType::Network => "v2.0",
            ServiceType::BlockStorage => "v3",
            ServiceType::Image => "v2",
            ServiceType::Identity => "v3",
        }
    }

    /// Name used in the `OpenStack-API-Version` header, for services with microversions.
    pub fn microversion_name(&self) -> Option<&'static str> {
        match self {
            ServiceType::Compute => Some("compute"),
            ServiceType::BlockStorage => Some("volume"),
            ServiceType::Identity | ServiceType::Network | ServiceType::Image => None,
        }
    }

    /// Accepts canonical names and common aliases (`volumev3`, `volume`,
    /// `block_storage`, `networking`, `nova`, ...).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "compute" | "nova" => Some(Self::Compute),
            "network" | "networking" | "neutron" => Some(Self::Network),
            "block-storage" | "blockstorage" | "volumev3" | "volume" | "volumev2" | "cinder" => {
                Some(Self::BlockStorage)
            }
            "image" | "glance" => Some(Self::Image),
            "identity" | "keystone" => Some(Self::Identity),
            _ => None,
        }
    }
}

impl fmt::Display for ServiceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The catalog from a Keystone token.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Catalog(pub Vec<CatalogEntry>);

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CatalogEntry {
    #[serde(rename = "type")]
    pub service_type: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub endpoints: Vec<CatalogEndpoint>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CatalogEndpoint {
    pub interface: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub region_id: Option<String>,
    pub url: String,
}

impl Catalog {
    /// The endpoint URL for a service, as registered (no version added).
    pub fn find(
        &self,
        service: ServiceType,
        region: Option<&str>,
        interface: Interface,
    ) -> Result<Url, Error> {
        for ty in service.catalog_types() {
            for entry in self.0.iter().filter(|e| e.service_type == *ty) {
                let hit = entry.endpoints.iter().find(|ep| {
                    ep.interface.eq_ignore_ascii_case(interface.as_str())
                        && region.is_none_or(|r| {
                            ep.region_id.as_deref() == Some(r) || ep.region.as_deref() == Some(r)
                        })
                });
                if let Some(ep) = hit {
                    return Url::parse(&ep.url).map_err(|e| Error::Catalog {
                        service: service.key().into(),
                        interface: interface.as_str().into(),
                        region: region.map(str::to_owned),
                        available: format!("an unparsable URL '{}': {e}", ep.url),
                    });
                }
            }
        }
        Err(Error::Catalog {
            service: service.key().into(),
            interface: interface.as_str().into(),
            region: region.map(str::to_owned),
            available: self.describe(),
        })
    }

    /// `type (interface@region, ...)` list for error messages.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return "nothing (unscoped token? set project_name/project_id)".into();
        }
        self.0
            .iter()
            .map(|e| {
                let eps: Vec<String> = e
                    .endpoints
                    .iter()
                    .map(|ep| {
                        format!(
                            "{}@{}",
                            ep.interface,
                            ep.region_id
                                .as_deref()
                                .or(ep.region.as_deref())
                                .unwrap_or("-")
                        )
                    })
                    .collect();
                format!("{} ({})", e.service_type, eps.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Turns a registered endpoint into the base URL request paths are joined to:
/// adds the service's version segment when the URL has none and ends it with
/// `/`. Endpoints that already carry a version (`/v2.1`, `/v3/<project>`)
/// are kept as they are.
pub fn versioned_base(service: ServiceType, endpoint: &Url) -> Url {
    let mut u = endpoint.clone();
    u.set_query(None);
    u.set_fragment(None);
    let has_version = u
        .path_segments()
        .map(|mut segs| segs.any(is_version_segment))
        .unwrap_or(false);
    let mut path = u.path().trim_end_matches('/').to_owned();
    if !has_version {
        path.push('/');
        path.push_str(service.version_segment());
    }
    path.push('/');
    u.set_path(&path);
    u
}

/// The part of a base URL up to and including its version segment, where the
/// version document lives (drops Cinder's/Nova's project-id suffix).
pub fn version_root(base: &Url) -> Option<(Url, String)> {
    let segs: Vec<&str> = base.path_segments()?.collect();
    let idx = segs.iter().position(|s| is_version_segment(s))?;
    let mut u = base.clone();
    u.set_path(&format!("{}/", segs[..=idx].join("/")));
    Some((u, segs[idx].to_owned()))
}

fn is_version_segment(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
        && rest.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn adds_version_only_when_missing() {
        assert_eq!(
            versioned_base(ServiceType::Network, &u("http://h:9696")).as_str(),
            "http://h:9696/v2.0/"
        );
        assert_eq!(
            versioned_base(ServiceType::Network, &u("http://h/networking/")).as_str(),
            "http://h/networking/v2.0/"
        );
        assert_eq!(
            versioned_base(ServiceType::Compute, &u("http://h:8774/v2.1")).as_str(),
            "http://h:8774/v2.1/"
        );
        assert_eq!(
            versioned_base(ServiceType::BlockStorage, &u("http://h:8776/v3/abc")).as_str(),
            "http://h:8776/v3/abc/"
        );
        assert_eq!(
            versioned_base(ServiceType::Image, &u("http://h:9292")).as_str(),
            "http://h:9292/v2/"
        );
    }

    #[test]
    fn version_root_drops_project() {
        let (root, id) = version_root(&u("http://h:8776/v3/abc/")).unwrap();
        assert_eq!(root.as_str(), "http://h:8776/v3/");
        assert_eq!(id, "v3");
    }

    #[test]
    fn find_by_alias_region_interface() {
        let c: Catalog = serde_json::from_value(serde_json::json!([
            {"type": "volumev3", "endpoints": [
                {"interface": "public", "region_id": "R2", "url": "http://other/v3/p"},
                {"interface": "public", "region_id": "R1", "url": "http://c/v3/p"},
                {"interface": "internal", "region_id": "R1", "url": "http://i/v3/p"}]}
        ]))
        .unwrap();
        let got = c
            .find(ServiceType::BlockStorage, Some("R1"), Interface::Public)
            .unwrap();
        assert_eq!(got.as_str(), "http://c/v3/p");
        let err = c
            .find(ServiceType::Compute, Some("R1"), Interface::Public)
            .unwrap_err();
        assert!(err.to_string().contains("volumev3"), "{err}");
    }
}
