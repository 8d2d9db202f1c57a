//! Nova keypairs (`/os-keypairs`). Only public keys are ever sent: the provider never asks Nova
//! to generate a private key.

use serde::{Deserialize, Serialize};

use super::{MV_KEYPAIR_TYPE, service};
use crate::error::Result;
use crate::model::{Collection, null_default};
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Keypair {
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub public_key: String,
    #[serde(deserialize_with = "null_default")]
    pub fingerprint: String,
    /// `ssh` or `x509` (microversion 2.2+).
    #[serde(rename = "type")]
    pub key_type: Option<String>,
    pub user_id: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateKeypair {
    pub name: String,
    pub public_key: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub key_type: Option<String>,
}

impl crate::model::ApiObject for Keypair {
    type Create = CreateKeypair;
    /// A keypair is only ever replaced.
    type Update = ();
    const KIND: &'static str = "keypair";

    fn id(&self) -> &str {
        &self.name
    }

    /// Reads and deletes go through the plain collection; creates have their own function.
    fn objects() -> Option<&'static crate::model::Objects<Self>> {
        Some(&KEYPAIR_OBJECTS)
    }
}

/// Listings wrap every keypair in its own `{"keypair": …}` object.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct KeypairItem {
    pub keypair: Keypair,
}

static KEYPAIR_OBJECTS: crate::model::Objects<Keypair> = crate::model::Objects::new(KEYPAIRS);

const KEYPAIRS: Collection = Collection {
    service,
    path: "os-keypairs",
    list_path: "os-keypairs",
    one: "keypair",
    label: "keypair",
    many: "keypairs",
    microversion: None,
};

/// The caller's keypairs, every page.
pub async fn list_keypairs(client: &Client) -> Result<Vec<Keypair>> {
    let items: Vec<KeypairItem> = KEYPAIRS.list(client, &[]).await?;
    Ok(items.into_iter().map(|i| i.keypair).collect())
}

/// Keypairs are named, not numbered: `None` when no keypair has this name.
pub async fn get_keypair(client: &Client, name: &str) -> Result<Option<Keypair>> {
    KEYPAIRS.get(client, name).await
}

/// Imports a public key. Keypair names are unique, so a create whose answer was lost finds its
/// keypair by name: one with the same public key is the one it made. A keypair of that name that
/// existed before (Nova answers 409) is only taken over with `adopt_existing`, and only when it has
/// the same public key: otherwise it may belong to another configuration, whose keypair a later
/// destroy would delete.
pub async fn create_keypair(
    client: &Client,
    req: &CreateKeypair,
    adopt_existing: bool,
) -> Result<Keypair> {
    let coll = if req.key_type.is_some() {
        Collection {
            microversion: Some(MV_KEYPAIR_TYPE),
            ..KEYPAIRS
        }
    } else {
        KEYPAIRS
    };
    let e = match coll.create(client, req, &req.name).await {
        Err(e) if e.may_have_succeeded() || (adopt_existing && e.is_conflict()) => e,
        other => return other,
    };
    match get_keypair(client, &req.name).await {
        Ok(Some(existing)) if existing.public_key.trim() == req.public_key.trim() => {
            tracing::info!(target: "scs_client::retry", keypair = %req.name, "the keypair exists with this public key; using it");
            Ok(existing)
        }
        _ => Err(e),
    }
}

pub async fn delete_keypair(client: &Client, name: &str) -> Result<()> {
    KEYPAIRS.delete(client, name).await
}
