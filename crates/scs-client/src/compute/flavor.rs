//! Nova flavors (`/flavors`) and their extra specs.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::{MV_FLAVOR_EXTRA_SPECS, service};
use crate::error::Result;
use crate::model::{Collection, Filters, fetch_one, null_default, segment};
use crate::scs::FlavorCandidate;
use crate::session::Client;

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Flavor {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    /// MiB.
    pub ram: u64,
    /// Root disk in GiB; 0 means the flavor has none (boot from volume).
    pub disk: u64,
    #[serde(rename = "OS-FLV-EXT-DATA:ephemeral")]
    pub ephemeral: u64,
    /// MiB. Nova sends `""` for none before microversion 2.75.
    #[serde(deserialize_with = "swap_mib")]
    pub swap: u64,
    #[serde(rename = "os-flavor-access:is_public")]
    pub is_public: Option<bool>,
    #[serde(rename = "OS-FLV-DISABLED:disabled")]
    pub disabled: Option<bool>,
    pub description: Option<String>,
    /// Included in listings from microversion 2.61 (for specs the caller may see).
    #[serde(deserialize_with = "null_default")]
    pub extra_specs: BTreeMap<String, String>,
}

fn swap_mib<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Swap {
        Mib(u64),
        Text(String),
    }
    match Option::<Swap>::deserialize(d)? {
        None => Ok(0),
        Some(Swap::Mib(n)) => Ok(n),
        Some(Swap::Text(t)) if t.is_empty() => Ok(0),
        Some(Swap::Text(t)) => t.parse().map_err(serde::de::Error::custom),
    }
}

impl From<&Flavor> for FlavorCandidate {
    fn from(f: &Flavor) -> Self {
        FlavorCandidate {
            id: f.id.clone(),
            name: f.name.clone(),
            vcpus: f.vcpus,
            ram_mib: f.ram,
            disk_gb: f.disk,
            extra_specs: f.extra_specs.clone(),
            disabled: f.disabled.unwrap_or(false),
        }
    }
}

// ---- calls -------------------------------------------------------------------------------

const FLAVORS: Collection = Collection {
    service,
    path: "flavors",
    list_path: "flavors/detail",
    one: "flavor",
    label: "flavor",
    many: "flavors",
    microversion: None,
};

/// All flavors the caller may use, every page, each with its extra specs. On clouds older than
/// microversion 2.61 the specs are fetched flavor by flavor.
pub async fn list_flavors(client: &Client, filters: Filters<'_>) -> Result<Vec<Flavor>> {
    let (listing, with_specs) = listing(client).await?;
    let mut flavors: Vec<Flavor> = listing.list(client, filters).await?;
    if !with_specs {
        for f in &mut flavors {
            f.extra_specs = get_flavor_extra_specs(client, &f.id).await?;
        }
    }
    Ok(flavors)
}

/// All flavors the caller may use in one listing, with their extra specs only where the listing
/// carries them (microversion 2.61); the flag says whether it did.
pub(crate) async fn list_flavor_summaries(client: &Client) -> Result<(Vec<Flavor>, bool)> {
    let (listing, with_specs) = listing(client).await?;
    Ok((listing.list(client, &[]).await?, with_specs))
}

/// The flavor listing at the microversion that includes extra specs where the cloud has it.
async fn listing(client: &Client) -> Result<(Collection, bool)> {
    let with_specs = service(client)
        .supports_microversion(MV_FLAVOR_EXTRA_SPECS)
        .await?;
    let microversion = with_specs.then_some(MV_FLAVOR_EXTRA_SPECS);
    Ok((
        Collection {
            microversion,
            ..FLAVORS
        },
        with_specs,
    ))
}

/// `None` when the flavor does not exist. Extra specs are included where the cloud supports
/// microversion 2.61. Flavors do not change under this client, so one lookup per id serves the
/// whole command.
pub async fn get_flavor(client: &Client, id: &str) -> Result<Option<Flavor>> {
    client
        .lookups()
        .get("flavor", client.region(), id, || fetch_flavor(client, id))
        .await
}

async fn fetch_flavor(client: &Client, id: &str) -> Result<Option<Flavor>> {
    let (coll, with_specs) = listing(client).await?;
    let Some(mut flavor) = coll.get::<Flavor>(client, id).await? else {
        return Ok(None);
    };
    if !with_specs {
        flavor.extra_specs = get_flavor_extra_specs(client, id).await?;
    }
    Ok(Some(flavor))
}

pub async fn get_flavor_extra_specs(client: &Client, id: &str) -> Result<BTreeMap<String, String>> {
    let request = service(client)
        .get(format!("flavors/{}/os-extra_specs", segment(id)))
        .operation(format!("get extra specs of flavor {id}"));
    fetch_one(request, "extra_specs").await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_old_and_new_swap_and_extra_specs() {
        let f: Flavor = serde_json::from_value(json!({
            "id": "1", "name": "SCS-2V-4", "vcpus": 2, "ram": 4096, "disk": 0, "swap": "",
            "OS-FLV-EXT-DATA:ephemeral": 0, "os-flavor-access:is_public": true,
            "OS-FLV-DISABLED:disabled": false, "rxtx_factor": 1.0, "links": []
        }))
        .unwrap();
        assert_eq!(f.swap, 0);
        assert!(f.extra_specs.is_empty());
        let f: Flavor = serde_json::from_value(json!({
            "id": "2", "name": "x", "vcpus": 1, "ram": 1024, "disk": 5, "swap": 512,
            "extra_specs": {"scs:name-v1": "SCS-1V:1:5"}, "description": null
        }))
        .unwrap();
        assert_eq!(f.swap, 512);
        let c = FlavorCandidate::from(&f);
        assert_eq!((c.ram_mib, c.disk_gb, c.disabled), (1024, 5, false));
        assert_eq!(c.extra_specs["scs:name-v1"], "SCS-1V:1:5");
    }
}
