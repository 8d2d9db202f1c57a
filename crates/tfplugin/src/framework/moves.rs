//! Taking over another resource type's state: what a `moved` block from a
//! resource of another type (often of another provider) asks for through
//! MoveResourceState (Terraform 1.8 and later, OpenTofu 1.12 and later).
//!
//! A provider offers [`StateMover`]s; each says which provider's states it
//! reads, which source types it turns into which of the provider's types,
//! and builds the target state from the source state's JSON. The dispatcher
//! finds the mover, checks the result against the target schema, and lets
//! the target resource refresh it from the cloud.

use async_trait::async_trait;
use serde_json::{Map, Value as Json};

use super::Ctx;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::Value;

/// The registry hosts a provider address may name.
pub const REGISTRY_HOSTS: [&str; 2] = ["registry.terraform.io", "registry.opentofu.org"];

/// A provider's source address as clients send it: Terraform sends
/// `registry.terraform.io/NAMESPACE/TYPE`; OpenTofu has sent the same with its
/// own registry host, and older releases only `TYPE`. The configuration form
/// `provider["HOST/NAMESPACE/TYPE"]` is read too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAddress {
    pub hostname: Option<String>,
    pub namespace: Option<String>,
    pub type_name: String,
}

impl ProviderAddress {
    /// Reads `address` in any of the forms above; `None` when it is none of them.
    pub fn parse(address: &str) -> Option<Self> {
        let mut s = address.trim();
        if let Some(inner) = s
            .strip_prefix("provider[")
            .and_then(|r| r.strip_suffix(']'))
        {
            s = inner.trim().trim_matches('"');
        }
        let parts: Vec<&str> = s.split('/').collect();
        let valid = |p: &&str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        };
        if !parts.iter().all(valid) {
            return None;
        }
        let lower = |p: &str| p.to_ascii_lowercase();
        match parts.as_slice() {
            [t] => Some(Self {
                hostname: None,
                namespace: None,
                type_name: lower(t),
            }),
            [n, t] => Some(Self {
                hostname: None,
                namespace: Some(lower(n)),
                type_name: lower(t),
            }),
            [h, n, t] => Some(Self {
                hostname: Some(lower(h)),
                namespace: Some(lower(n)),
                type_name: lower(t),
            }),
            _ => None,
        }
    }

    /// Whether this address can name the provider `namespace/type` (e.g.
    /// `"terraform-provider-openstack/openstack"`) of one of the public
    /// registries: parts it leaves out match anything.
    pub fn names(&self, namespace_type: &str) -> bool {
        let Some((namespace, type_name)) = namespace_type.split_once('/') else {
            return false;
        };
        self.type_name.eq_ignore_ascii_case(type_name)
            && self
                .namespace
                .as_deref()
                .is_none_or(|n| n.eq_ignore_ascii_case(namespace))
            && self
                .hostname
                .as_deref()
                .is_none_or(|h| REGISTRY_HOSTS.contains(&h))
    }
}

/// The state a `moved` block moves, as the client sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct MoveSource {
    /// The source provider's address as sent.
    pub provider_address: String,
    pub type_name: String,
    pub schema_version: i64,
    /// The state in the source schema's JSON form.
    pub json: Vec<u8>,
}

impl MoveSource {
    /// The source provider's address, read.
    pub fn provider(&self) -> Option<ProviderAddress> {
        ProviderAddress::parse(&self.provider_address)
    }

    /// The state's top-level attributes as JSON.
    pub fn attributes(&self) -> Result<Map<String, Json>, Diagnostics> {
        match serde_json::from_slice::<Json>(&self.json) {
            Ok(Json::Object(map)) => Ok(map),
            Ok(_) => Err(invalid_source(self, "it is not a JSON object")),
            Err(e) => Err(invalid_source(self, &e.to_string())),
        }
    }
}

fn invalid_source(source: &MoveSource, why: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid source state",
        format!(
            "The state of the {} being moved could not be read: {why}.",
            source.type_name
        ),
    )
    .into()
}

/// Turns states of another provider's (or another type's) resources into
/// states of this provider's resources.
#[async_trait]
pub trait StateMover: Send + Sync + 'static {
    /// The providers whose states this reads, as `namespace/type`; the
    /// first is the one messages name.
    fn source_providers(&self) -> Vec<String>;

    /// The source resource types this turns into `target_type` (empty when
    /// none).
    fn source_types(&self, target_type: &str) -> Vec<String>;

    /// The target state for `source`; `target` is the target type's schema.
    /// Warnings go through [`Ctx::add_diagnostic`]. The dispatcher checks
    /// the result against the schema and refreshes it through the target
    /// resource's `read` when the provider is configured.
    async fn move_state(
        &self,
        ctx: &Ctx,
        source: &MoveSource,
        target_type: &str,
        target: &Schema,
    ) -> Result<Value, Diagnostics>;
}

/// Whether `mover` reads states of the provider at `address`.
pub(crate) fn reads_provider(mover: &dyn StateMover, address: &ProviderAddress) -> bool {
    mover.source_providers().iter().any(|p| address.names(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TPO: &str = "terraform-provider-openstack/openstack";

    #[test]
    fn every_form_clients_send_names_the_provider() {
        for address in [
            "registry.terraform.io/terraform-provider-openstack/openstack",
            "registry.opentofu.org/terraform-provider-openstack/openstack",
            "terraform-provider-openstack/openstack",
            "openstack",
            "provider[\"registry.terraform.io/terraform-provider-openstack/openstack\"]",
            "Registry.Terraform.io/Terraform-Provider-OpenStack/OpenStack",
        ] {
            let parsed = ProviderAddress::parse(address);
            assert!(
                parsed.as_ref().is_some_and(|a| a.names(TPO)),
                "{address}: {parsed:?}"
            );
        }
    }

    #[test]
    fn other_providers_and_malformed_addresses_do_not() {
        for address in [
            "registry.terraform.io/hashicorp/aws",
            "registry.terraform.io/someone/openstack",
            "example.com/terraform-provider-openstack/openstack",
            "aws",
            "",
            "a/b/c/d",
            "registry.terraform.io//openstack",
            "provider[\"registry.terraform.io/hashicorp/aws\"]",
        ] {
            let parsed = ProviderAddress::parse(address);
            assert!(
                !parsed.as_ref().is_some_and(|a| a.names(TPO)),
                "{address}: {parsed:?}"
            );
        }
        assert!(
            !ProviderAddress::parse("openstack")
                .unwrap_or_else(|| panic!("parses"))
                .names("no-slash")
        );
    }

    #[test]
    fn source_attributes_must_be_a_json_object() {
        let source = |json: &str| MoveSource {
            provider_address: "openstack".into(),
            type_name: "openstack_x".into(),
            schema_version: 0,
            json: json.as_bytes().to_vec(),
        };
        let map = source(r#"{"id":"a","n":1}"#).attributes();
        assert_eq!(
            map.map(|m| m.keys().cloned().collect::<Vec<_>>()).ok(),
            Some(vec!["id".to_string(), "n".to_string()])
        );
        for bad in ["[1]", "{", ""] {
            let err = source(bad).attributes().err().map(|d| d.to_string());
            assert!(
                err.as_deref()
                    .is_some_and(|e| e.contains("openstack_x") && e.contains("could not be read")),
                "{bad}: {err:?}"
            );
        }
    }
}
