//! `scs_keypair`: a Nova keypair made from a public key the user supplies.
//!
//! Nova can generate key pairs, but then the private key would end up in the
//! Terraform state; this resource only ever imports a public key.

use async_trait::async_trait;
use scs_client::compute::{self as nova, CreateKeypair, Keypair};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::model::Timeouts;
use tfplugin::value::{Attr, Value};

use crate::lifecycle::{CloudObject, Plan, Step};
use crate::support::schema::region;
use crate::support::text::nova_name_validator;

pub struct KeypairResource;

/// A Nova keypair made from an existing public key. No private key is generated or stored.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct KeypairModel {
    /// The keypair's name (Nova identifies keypairs by name).
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The keypair's name, unique per user.
    #[tf(required, requires_replace, validator = nova_name_validator)]
    name: Attr<String>,
    /// The public key in OpenSSH format (one line, such as the contents of `id_ed25519.pub`). A
    /// trailing newline is ignored when comparing with what Nova stores. A value that looks like a
    /// private key is rejected at plan time.
    #[tf(required, requires_replace, validator = public_key_validator)]
    public_key: Attr<String>,
    /// The key's fingerprint as Nova computed it.
    #[tf(computed, use_state_for_unknown)]
    fingerprint: Attr<String>,
    /// Take over a keypair of this name that already exists, when it has the same public key
    /// (after a lost state, say). Without it, an existing keypair is an error, because it may
    /// belong to another configuration, whose keypair a destroy here would delete. Keypairs differ
    /// from the other resources here in this: their names are unique.
    #[tf(default = false)]
    adopt_existing: Attr<bool>,
    #[tf(timeouts(create, delete))]
    timeouts: Attr<Timeouts>,
}

/// Keys are compared without surrounding whitespace: a key read from a file
/// ends in a newline that Nova may or may not keep.
fn same_key(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

fn public_key_validator(v: &Value, path: &AttributePath, d: &mut Diagnostics) {
    let Some(key) = v.as_str() else { return };
    let key = key.trim();
    if key.contains("PRIVATE KEY") {
        d.error_at(
            path.clone(),
            "Private key given",
            "public_key must be a public key (e.g. the contents of id_ed25519.pub); never put a private key into a configuration.",
        );
    } else if key.is_empty() || key.contains('\n') {
        d.error_at(
            path.clone(),
            "Invalid public key",
            "public_key must be one line in OpenSSH format, such as \"ssh-ed25519 AAAA... comment\".",
        );
    }
}

#[async_trait]
impl CloudObject for KeypairResource {
    type Model = KeypairModel;
    type Api = Keypair;
    const TYPE_NAME: &'static str = "scs_keypair";

    fn state_from(&self, kp: Keypair, prior: &KeypairModel) -> KeypairModel {
        KeypairModel {
            id: Attr::Known(kp.name.clone()),
            name: Attr::Known(kp.name),
            public_key: match prior.public_key.known() {
                Some(p) if same_key(p, &kp.public_key) => prior.public_key.clone(),
                _ => Attr::Known(kp.public_key),
            },
            fingerprint: Attr::Known(kp.fingerprint),
            adopt_existing: Attr::Known(prior.adopt_existing.known() == Some(&true)),
            ..Default::default()
        }
    }

    async fn create(&self, plan: Plan<'_, KeypairModel>) -> Step<Keypair> {
        let body = CreateKeypair {
            name: plan.name.known().cloned().unwrap_or_default(),
            public_key: plan.public_key.known().cloned().unwrap_or_default(),
            key_type: None,
        };
        let adopt = plan.adopt_existing.known() == Some(&true);
        match nova::create_keypair(plan.cloud, &body, adopt).await {
            Err(e) if e.is_conflict() && !adopt => Err(Diagnostic::error(
                "Cannot create keypair",
                format!(
                    "A keypair named {:?} already exists: {e}. Import it \
                     (terraform import scs_keypair.NAME {}) or set adopt_existing = true to take \
                     it over when it has the same public key.",
                    body.name, body.name
                ),
            )
            .into()),
            other => Ok(other?),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn trailing_newline_is_not_drift() {
        let prior = KeypairModel {
            public_key: Attr::Known("ssh-ed25519 AAAA me\n".into()),
            ..Default::default()
        };
        let kp = Keypair {
            name: "k".into(),
            public_key: "ssh-ed25519 AAAA me".into(),
            fingerprint: "f".into(),
            ..Default::default()
        };
        let m = KeypairResource.state_from(kp.clone(), &prior);
        assert_eq!(m.public_key, prior.public_key);
        let other = KeypairModel {
            public_key: Attr::Known("ssh-ed25519 BBBB me".into()),
            ..Default::default()
        };
        assert_eq!(
            KeypairResource.state_from(kp, &other).public_key,
            Attr::Known("ssh-ed25519 AAAA me".into())
        );
    }

    #[test]
    fn private_keys_are_refused() {
        let mut d = Diagnostics::new();
        public_key_validator(
            &Value::from("-----BEGIN OPENSSH PRIVATE KEY-----\nabc"),
            &tfplugin::diagnostics::AttributePath::attr("public_key"),
            &mut d,
        );
        assert!(d.has_errors());
    }
}
