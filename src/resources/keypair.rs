//! `scs_keypair`: a Nova keypair made from a public key the user supplies.
//!
//! Nova can generate key pairs, but then the private key would end up in the
//! Terraform state; this resource only ever imports a public key.

use async_trait::async_trait;
use scs_client::compute::{self as nova, CreateKeypair, Keypair};
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind, timeouts_block, validators};
use tfplugin::value::{Attr, Value, from_value};

use crate::try_apply;

use super::shared::{applied, call, client_for, region_attribute, with_timeout};

pub struct KeypairResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct KeypairModel {
    id: Attr<String>,
    region: Attr<String>,
    name: Attr<String>,
    public_key: Attr<String>,
    fingerprint: Attr<String>,
    timeouts: Value,
}

/// Keys are compared without surrounding whitespace: a key read from a file
/// ends in a newline that Nova may or may not keep.
fn same_key(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

impl KeypairModel {
    fn from_api(kp: Keypair, prior: &KeypairModel) -> KeypairModel {
        let public_key = match prior.public_key.known() {
            Some(p) if same_key(p, &kp.public_key) => prior.public_key.clone(),
            _ => Attr::Known(kp.public_key),
        };
        KeypairModel {
            id: Attr::Known(kp.name.clone()),
            region: prior.region.clone(),
            name: Attr::Known(kp.name),
            public_key,
            fingerprint: Attr::Known(kp.fingerprint),
            timeouts: prior.timeouts.clone(),
        }
    }
}

fn public_key_validator(
    v: &Value,
    path: &tfplugin::diagnostics::AttributePath,
    d: &mut Diagnostics,
) {
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
impl Resource for KeypairResource {
    fn type_name(&self) -> &str {
        "scs_keypair"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("A Nova keypair made from an existing public key. No private key is generated or stored.")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .description("The keypair's name (Nova identifies keypairs by name)."),
                )
                .attribute(region_attribute())
                .attribute(
                    Attribute::string("name")
                        .required()
                        .requires_replace()
                        .validator(validators::non_empty())
                        .description("The keypair's name; changing it creates a new keypair."),
                )
                .attribute(
                    Attribute::string("public_key")
                        .required()
                        .requires_replace()
                        .validator(public_key_validator)
                        .description("The public key in OpenSSH format; changing it creates a new keypair."),
                )
                .attribute(
                    Attribute::string("fingerprint")
                        .computed()
                        .use_state_for_unknown()
                        .description("The key's fingerprint as Nova reports it."),
                )
                .block(timeouts_block(&[TimeoutKind::Create, TimeoutKind::Delete])),
        )
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let plan: KeypairModel = try_apply!(req.planned_as());
        let ctx = try_apply!(with_timeout(ctx, &req.planned, TimeoutKind::Create));
        let (client, region) = try_apply!(client_for(&ctx, &plan.region));
        let body = CreateKeypair {
            name: plan.name.known().cloned().unwrap_or_default(),
            public_key: plan.public_key.known().cloned().unwrap_or_default(),
            key_type: None,
        };
        let kp = try_apply!(
            call(
                &ctx,
                "Cannot create keypair",
                nova::create_keypair(&client, &body)
            )
            .await
        );
        let state = KeypairModel::from_api(kp, &KeypairModel { region, ..plan });
        applied(&ctx, &state)
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let prior: KeypairModel = from_value(&state)?;
        let Some(name) = prior.id.known().cloned() else {
            return Ok(None);
        };
        let (client, region) = client_for(ctx, &prior.region)?;
        let prior = KeypairModel { region, ..prior };
        let found = call(
            ctx,
            "Cannot read keypair",
            nova::get_keypair(&client, &name),
        )
        .await?;
        found
            .map(|kp| ctx.to_value(&KeypairModel::from_api(kp, &prior)))
            .transpose()
    }

    async fn update(&self, _ctx: &Ctx, _req: UpdateRequest) -> ApplyResult {
        // Every argument forces replacement; only `timeouts` can change in place.
        ApplyResult::ok(_req.planned)
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let prior: KeypairModel = from_value(&state)?;
        let Some(name) = prior.id.known().cloned() else {
            return Ok(());
        };
        let ctx = with_timeout(ctx, &state, TimeoutKind::Delete)?;
        let (client, _) = client_for(&ctx, &prior.region)?;
        call(
            &ctx,
            "Cannot delete keypair",
            nova::delete_keypair(&client, &name),
        )
        .await
    }

    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        if id.trim().is_empty() {
            return Err(Diagnostic::error(
                "Invalid import ID",
                "Import a keypair by its name: terraform import scs_keypair.x <name>.",
            )
            .into());
        }
        tfplugin::framework::import_by_id(&self.schema(), id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn schema_is_valid() {
        assert!(KeypairResource.schema().validate().is_empty());
    }

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
        let m = KeypairModel::from_api(kp.clone(), &prior);
        assert_eq!(m.public_key, prior.public_key);
        let other = KeypairModel {
            public_key: Attr::Known("ssh-ed25519 BBBB me".into()),
            ..Default::default()
        };
        assert_eq!(
            KeypairModel::from_api(kp, &other).public_key,
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
