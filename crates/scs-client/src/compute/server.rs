//! Nova servers (`/servers`) and their actions.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{
    MV_BDM_VOLUME_TYPE, MV_CREATE_TAGS, MV_DESCRIPTION, MV_NETWORKS_AUTO, MV_REBUILD_VOLUME_BACKED,
    MV_SERVER_READ, MV_TAGS, server_read_microversion, service,
};
use crate::error::{Error, Result};
use crate::microversion::Microversion;
use crate::model::{Collection, Filters, fetch_one, null_default, segment, wrap};
use crate::session::Client;
use crate::wait::{Poll, wait_for};
use crate::watch::{self, Watched};

/// A server's fault, present when it is in ERROR.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Fault {
    pub code: Option<u16>,
    #[serde(deserialize_with = "null_default")]
    pub message: String,
    pub details: Option<String>,
    pub created: Option<String>,
}

/// The flavor as a server shows it. From microversion 2.47 Nova embeds the flavor's figures and
/// `original_name` instead of its id (the flavor may since have been deleted).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerFlavor {
    pub id: Option<String>,
    pub original_name: Option<String>,
    pub vcpus: Option<u32>,
    pub ram: Option<u64>,
    pub disk: Option<u64>,
    pub ephemeral: Option<u64>,
    pub swap: Option<u64>,
    #[serde(deserialize_with = "null_default")]
    pub extra_specs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerAddress {
    pub addr: String,
    pub version: u8,
    /// `fixed` or `floating`.
    #[serde(rename = "OS-EXT-IPS:type")]
    pub kind: Option<String>,
    #[serde(rename = "OS-EXT-IPS-MAC:mac_addr")]
    pub mac_addr: Option<String>,
}

/// A server's `addresses`: its addresses by network name, in Nova's order.
///
/// Nova lists them from its record of the server's NICs, which keeps the order the NICs were
/// added in (the boot NICs as requested, then each attachment after the last) and survives
/// cache rebuilds; the NICs of one network appear together, under that network's first place.
/// Nova's interface list (`os-interface`) has no such order: it comes from Neutron.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerAddresses(Vec<(String, Vec<ServerAddress>)>);

impl ServerAddresses {
    pub fn new(networks: Vec<(String, Vec<ServerAddress>)>) -> Self {
        ServerAddresses(networks)
    }

    /// The addresses on the network called `network`.
    pub fn get(&self, network: &str) -> Option<&[ServerAddress]> {
        self.0
            .iter()
            .find(|(name, _)| name == network)
            .map(|(_, a)| a.as_slice())
    }

    /// Network names in Nova's order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(name, _)| name.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[ServerAddress])> {
        self.0.iter().map(|(n, a)| (n.as_str(), a.as_slice()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The MAC address of each NIC that has an address, once, in Nova's order.
    pub fn macs_in_order(&self) -> Vec<&str> {
        let mut macs: Vec<&str> = Vec::new();
        for (_, addresses) in &self.0 {
            for mac in addresses.iter().filter_map(|a| a.mac_addr.as_deref()) {
                if !macs.contains(&mac) {
                    macs.push(mac);
                }
            }
        }
        macs
    }
}

impl std::ops::Index<&str> for ServerAddresses {
    type Output = [ServerAddress];

    fn index(&self, network: &str) -> &[ServerAddress] {
        self.get(network).unwrap_or(&[])
    }
}

impl<'de> Deserialize<'de> for ServerAddresses {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ordered;
        impl<'de> serde::de::Visitor<'de> for Ordered {
            type Value = ServerAddresses;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of network names to address lists")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ServerAddresses, A::Error> {
                let mut out = Vec::new();
                while let Some((name, addresses)) =
                    map.next_entry::<String, Option<Vec<ServerAddress>>>()?
                {
                    out.push((name, addresses.unwrap_or_default()));
                }
                Ok(ServerAddresses(out))
            }
        }
        d.deserialize_map(Ordered)
    }
}

impl Serialize for ServerAddresses {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, addresses) in &self.0 {
            map.serialize_entry(name, addresses)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct NamedSecurityGroup {
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct AttachedVolume {
    pub id: String,
    pub delete_on_termination: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Server {
    pub id: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    pub description: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub tenant_id: String,
    #[serde(deserialize_with = "null_default")]
    pub user_id: String,
    /// `None` when the server was booted from a volume (Nova sends `""`).
    #[serde(
        rename = "image",
        deserialize_with = "image_id",
        serialize_with = "ser_image_id"
    )]
    pub image_id: Option<String>,
    pub flavor: ServerFlavor,
    #[serde(deserialize_with = "null_default")]
    pub addresses: ServerAddresses,
    #[serde(deserialize_with = "null_default")]
    pub metadata: BTreeMap<String, String>,
    pub key_name: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub security_groups: Vec<NamedSecurityGroup>,
    #[serde(rename = "accessIPv4", deserialize_with = "null_default")]
    pub access_ipv4: String,
    #[serde(rename = "accessIPv6", deserialize_with = "null_default")]
    pub access_ipv6: String,
    #[serde(
        rename = "OS-EXT-AZ:availability_zone",
        deserialize_with = "null_default"
    )]
    pub availability_zone: String,
    /// 0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, 6 CRASHED, 7 SUSPENDED.
    #[serde(rename = "OS-EXT-STS:power_state")]
    pub power_state: Option<u8>,
    #[serde(rename = "OS-EXT-STS:vm_state")]
    pub vm_state: Option<String>,
    #[serde(rename = "OS-EXT-STS:task_state")]
    pub task_state: Option<String>,
    pub fault: Option<Fault>,
    #[serde(
        rename = "os-extended-volumes:volumes_attached",
        deserialize_with = "null_default"
    )]
    pub volumes_attached: Vec<AttachedVolume>,
    #[serde(deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// `"True"` or `""`.
    #[serde(deserialize_with = "null_default")]
    pub config_drive: String,
    pub progress: Option<u32>,
    #[serde(rename = "hostId", deserialize_with = "null_default")]
    pub host_id: String,
    pub locked: Option<bool>,
    pub created: Option<String>,
    pub updated: Option<String>,
    #[serde(rename = "OS-SRV-USG:launched_at")]
    pub launched_at: Option<String>,
    /// The server group ids (microversion 2.71+; at most one in practice).
    #[serde(deserialize_with = "null_default")]
    pub server_groups: Vec<String>,
}

impl Server {
    pub fn has_config_drive(&self) -> bool {
        self.config_drive.eq_ignore_ascii_case("true")
    }

    /// The fault message when the server is in ERROR.
    pub fn fault_message(&self) -> Option<&str> {
        self.fault
            .as_ref()
            .map(|f| f.message.as_str())
            .filter(|m| !m.is_empty())
    }
}

fn image_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Image {
        Ref { id: String },
        Other(serde::de::IgnoredAny),
    }
    Ok(match Option::<Image>::deserialize(d)? {
        Some(Image::Ref { id }) if !id.is_empty() => Some(id),
        _ => None,
    })
}

fn ser_image_id<S: Serializer>(id: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Ref<'a> {
        id: &'a str,
    }
    match id {
        Some(id) => Ref { id }.serialize(s),
        None => s.serialize_str(""),
    }
}

/// How to attach a server to networks at boot (`networks` is required from microversion 2.37).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ServerNetworks {
    /// Nova picks or creates a network (`"auto"`).
    Auto,
    /// No network at all (`"none"`).
    #[default]
    None,
    List(Vec<ServerNetwork>),
}

impl Serialize for ServerNetworks {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ServerNetworks::Auto => s.serialize_str("auto"),
            ServerNetworks::None => s.serialize_str("none"),
            ServerNetworks::List(list) => list.serialize(s),
        }
    }
}

/// One NIC at boot: a network (optionally with a fixed address) or an existing port.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServerNetwork {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// One entry of `block_device_mapping_v2`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BlockDeviceMapping {
    /// `image`, `volume`, `snapshot` or `blank`.
    pub source_type: String,
    /// `volume` or `local`.
    pub destination_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// 0 for the boot device; `None` for a non-bootable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_index: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<u64>,
    /// Needs microversion 2.67.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_on_termination: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_bus: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_format: Option<String>,
}

impl BlockDeviceMapping {
    /// Boot from a new volume made from `image_id`, `size_gb` large, optionally deleted with the
    /// server: how diskless SCS flavors are used.
    pub fn boot_volume_from_image(
        image_id: &str,
        size_gb: u64,
        volume_type: Option<String>,
        delete_on_termination: bool,
    ) -> Self {
        BlockDeviceMapping {
            source_type: "image".into(),
            destination_type: "volume".into(),
            uuid: Some(image_id.into()),
            boot_index: Some(0),
            volume_size: Some(size_gb),
            volume_type,
            delete_on_termination: Some(delete_on_termination),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SchedulerHints {
    /// Server group to place the server in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateServer {
    pub name: String,
    #[serde(rename = "flavorRef")]
    pub flavor_ref: String,
    /// Left out when booting from a volume.
    #[serde(rename = "imageRef", skip_serializing_if = "Option::is_none")]
    pub image_ref: Option<String>,
    pub networks: ServerNetworks,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<NamedSecurityGroup>>,
    /// The plain text; sent Base64-encoded, as Nova wants it.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_user_data"
    )]
    pub user_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_drive: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_device_mapping_v2: Option<Vec<BlockDeviceMapping>>,
    /// Needs microversion 2.52.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sent beside `server` as `os:scheduler_hints`.
    #[serde(skip)]
    pub scheduler_hints: Option<SchedulerHints>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateServer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "accessIPv4", skip_serializing_if = "Option::is_none")]
    pub access_ipv4: Option<String>,
    #[serde(rename = "accessIPv6", skip_serializing_if = "Option::is_none")]
    pub access_ipv6: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RebuildServer {
    #[serde(rename = "imageRef")]
    pub image_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// The plain text; sent Base64-encoded. Needs microversion 2.57.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_user_data"
    )]
    pub user_data: Option<String>,
    /// Needs microversion 2.54.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
}

/// `user_data` on the wire: Nova takes it Base64-encoded.
fn ser_user_data<S: Serializer>(text: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match text {
        Some(text) => s.serialize_str(&base64(text.as_bytes())),
        None => s.serialize_none(),
    }
}

/// Base64 as RFC 4648 defines it: standard alphabet, padded.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Power-state codes of `OS-EXT-STS:power_state`.
pub mod power_state {
    pub const NOSTATE: u8 = 0;
    pub const RUNNING: u8 = 1;
    pub const PAUSED: u8 = 3;
    pub const SHUTDOWN: u8 = 4;
    pub const CRASHED: u8 = 6;
    pub const SUSPENDED: u8 = 7;
}

// ---- calls -------------------------------------------------------------------------------

const SERVERS: Collection = Collection {
    service,
    path: "servers",
    list_path: "servers/detail",
    one: "server",
    label: "server",
    many: "servers",
    microversion: Some(MV_SERVER_READ),
};

async fn servers_for_reading(client: &Client) -> Result<Collection> {
    Ok(Collection {
        microversion: Some(server_read_microversion(client).await?),
        ..SERVERS
    })
}

/// All servers (details), every page.
pub async fn list_servers(client: &Client, filters: Filters<'_>) -> Result<Vec<Server>> {
    servers_for_reading(client)
        .await?
        .list(client, filters)
        .await
}

/// `None` when the server does not exist.
pub async fn get_server(client: &Client, id: &str) -> Result<Option<Server>> {
    servers_for_reading(client).await?.get(client, id).await
}

/// Creates a server and returns what Nova answers (its id; the rest comes from
/// [`get_server`] or [`wait_for_server`]).
pub async fn create_server(client: &Client, req: &CreateServer) -> Result<Server> {
    let mut mv = MV_NETWORKS_AUTO;
    if req.tags.is_some() {
        mv = mv.max(MV_CREATE_TAGS);
    }
    let bdm_types = req
        .block_device_mapping_v2
        .iter()
        .flatten()
        .any(|b| b.volume_type.is_some());
    if bdm_types {
        mv = mv.max(MV_BDM_VOLUME_TYPE);
    }
    let mut body = wrap("server", req)?;
    if let (Some(hints), Some(obj)) = (&req.scheduler_hints, body.as_object_mut()) {
        let hints = serde_json::to_value(hints).map_err(|e| Error::InvalidRequest {
            operation: format!("create server {}", req.name),
            message: e.to_string(),
        })?;
        obj.insert("os:scheduler_hints".into(), hints);
    }
    let request = service(client)
        .post("servers")
        .microversion(mv)
        .operation(format!("create server {}", req.name))
        .json_body(&body);
    // Nova's name filter is a regular expression.
    let identity = [("name", format!("^{}$", regex_escape(&req.name)))];
    let filters = [("name", identity[0].1.as_str())];
    crate::model::create_once(
        client,
        Some(&identity),
        || fetch_one(request.try_clone(), "server"),
        || list_servers(client, &filters),
    )
    .await
}

/// `s` as a regular expression that matches only `s`.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl crate::model::ApiObject for Server {
    type Create = CreateServer;
    type Update = UpdateServer;
    const KIND: &'static str = "server";

    fn id(&self) -> &str {
        &self.id
    }

    fn created_at(&self) -> Option<&str> {
        self.created.as_deref()
    }
}

/// Waits for servers share their polls (see `watch`): Nova lists the servers changed since a
/// moment (`changes-since`), deleted ones as `DELETED`.
impl Watched for Server {
    const KIND: &'static str = "server";

    fn watched_id(&self) -> &str {
        &self.id
    }

    async fn read(client: &Client, id: &str) -> Result<Option<Self>> {
        get_server(client, id).await
    }

    async fn changed_since(
        client: &Client,
        since: std::time::SystemTime,
    ) -> Result<Option<Vec<Self>>> {
        let since = watch::iso_seconds(since);
        list_servers(client, &[("changes-since", since.as_str())])
            .await
            .map(Some)
    }

    fn listed_as_deleted(&self) -> bool {
        self.status == "DELETED"
    }
}

pub async fn update_server(client: &Client, id: &str, req: &UpdateServer) -> Result<Server> {
    let request = service(client)
        .put(format!("servers/{}", segment(id)))
        .microversion(MV_DESCRIPTION.max(MV_SERVER_READ))
        .operation(format!("update server {id}"))
        .json_body(&wrap("server", req)?);
    fetch_one(request, "server").await
}

/// Deleting a server that is already gone succeeds. Use [`wait_for_server_deleted`] to wait
/// until Nova has finished.
pub async fn delete_server(client: &Client, id: &str) -> Result<()> {
    SERVERS.delete(client, id).await
}

/// Replaces every tag.
pub async fn set_server_tags(client: &Client, id: &str, tags: &[String]) -> Result<()> {
    Collection {
        microversion: Some(MV_TAGS),
        ..SERVERS
    }
    .set_tags(client, id, tags)
    .await
}

/// Replaces all metadata.
pub async fn set_server_metadata(
    client: &Client,
    id: &str,
    metadata: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let request = service(client)
        .put(format!("servers/{}/metadata", segment(id)))
        .operation(format!("set metadata of server {id}"))
        .json_body(&serde_json::json!({ "metadata": metadata }));
    fetch_one(request, "metadata").await
}

/// `POST /servers/{id}/action` with `{name: body}`.
async fn action(
    client: &Client,
    id: &str,
    name: &str,
    body: serde_json::Value,
    idempotent: bool,
) -> Result<()> {
    action_at(client, id, name, body, idempotent, None).await
}

/// A server action that needs microversion `mv` (refused before sending when the cloud lacks it).
async fn action_at(
    client: &Client,
    id: &str,
    name: &str,
    body: serde_json::Value,
    idempotent: bool,
    mv: Option<Microversion>,
) -> Result<()> {
    let mut payload = serde_json::Map::new();
    payload.insert(name.to_owned(), body);
    let mut request = service(client)
        .post(format!("servers/{}/action", segment(id)))
        .operation(format!("{name} server {id}"))
        .idempotent(idempotent)
        .json_body(&payload);
    if let Some(mv) = mv {
        request = request.microversion(mv);
    }
    request.send().await.map(|_| ())
}

/// Starts the resize; wait for `VERIFY_RESIZE`, then [`confirm_resize`].
pub async fn resize_server(client: &Client, id: &str, flavor_id: &str) -> Result<()> {
    action(
        client,
        id,
        "resize",
        serde_json::json!({ "flavorRef": flavor_id }),
        false,
    )
    .await
}

pub async fn confirm_resize(client: &Client, id: &str) -> Result<()> {
    action(client, id, "confirmResize", serde_json::Value::Null, false).await
}

pub async fn revert_resize(client: &Client, id: &str) -> Result<()> {
    action(client, id, "revertResize", serde_json::Value::Null, false).await
}

/// Starts the rebuild; wait for `ACTIVE` (or `SHUTOFF` for a stopped server).
pub async fn rebuild_server(client: &Client, id: &str, req: &RebuildServer) -> Result<()> {
    rebuild(client, id, req, None).await
}

/// Starts the rebuild of a volume-backed server: Nova re-images its root volume through Cinder
/// (microversion 2.93; the data on the root volume is lost). Wait as for [`rebuild_server`].
pub async fn rebuild_volume_backed_server(
    client: &Client,
    id: &str,
    req: &RebuildServer,
) -> Result<()> {
    rebuild(client, id, req, Some(MV_REBUILD_VOLUME_BACKED)).await
}

async fn rebuild(
    client: &Client,
    id: &str,
    req: &RebuildServer,
    mv: Option<Microversion>,
) -> Result<()> {
    let body = serde_json::to_value(req).map_err(|e| Error::InvalidRequest {
        operation: format!("rebuild server {id}"),
        message: e.to_string(),
    })?;
    action_at(client, id, "rebuild", body, false, mv).await
}

/// Whether the cloud can rebuild volume-backed servers in place
/// ([`rebuild_volume_backed_server`]), and the highest compute microversion it offers.
pub async fn volume_backed_rebuild_support(
    client: &Client,
) -> Result<(bool, Option<Microversion>)> {
    let range = service(client).version_range().await?;
    Ok((range.supports(MV_REBUILD_VOLUME_BACKED), range.max))
}

/// Starting a server that is already running is a conflict (409) from Nova; check the status
/// first.
pub async fn start_server(client: &Client, id: &str) -> Result<()> {
    action(client, id, "os-start", serde_json::Value::Null, true).await
}

pub async fn stop_server(client: &Client, id: &str) -> Result<()> {
    action(client, id, "os-stop", serde_json::Value::Null, true).await
}

pub async fn reboot_server(client: &Client, id: &str, hard: bool) -> Result<()> {
    let kind = if hard { "HARD" } else { "SOFT" };
    action(
        client,
        id,
        "reboot",
        serde_json::json!({ "type": kind }),
        false,
    )
    .await
}

pub async fn add_server_security_group(client: &Client, id: &str, name: &str) -> Result<()> {
    action(
        client,
        id,
        "addSecurityGroup",
        serde_json::json!({ "name": name }),
        false,
    )
    .await
}

pub async fn remove_server_security_group(client: &Client, id: &str, name: &str) -> Result<()> {
    action(
        client,
        id,
        "removeSecurityGroup",
        serde_json::json!({ "name": name }),
        false,
    )
    .await
}

/// How many polls an ERROR without a fault is given for the fault to appear.
const FAULT_GRACE_POLLS: u32 = 3;

/// Waits until the server has one of the `wanted` statuses (e.g. `["ACTIVE"]`). ERROR ends the
/// wait with Nova's fault message; a server that disappears ends it as `DELETED`.
pub async fn wait_for_server(
    client: &Client,
    id: &str,
    wanted: &[&str],
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<Server> {
    let op = format!("wait for server {id} to become {}", wanted.join(" or "));
    let since = client.cloud_now();
    // Nova's scheduler sets ERROR before it records the fault, so a poll can see ERROR without
    // a reason; look a few more times before giving up on the reason.
    let faultless_errors = AtomicU32::new(0);
    wait_for(&op, deadline, cancel, || async {
        Ok(match watch::poll::<Server>(client, id, since).await? {
            None => Poll::failed("DELETED", Some("the server no longer exists".into())),
            Some(s) if wanted.contains(&s.status.as_str()) => Poll::Ready(s),
            Some(s) if s.status == "ERROR" => match s.fault_message() {
                Some(fault) => Poll::failed("ERROR", Some(fault.to_owned())),
                None if faultless_errors.fetch_add(1, Ordering::Relaxed) < FAULT_GRACE_POLLS => {
                    Poll::pending("ERROR (waiting for Nova to record the fault)")
                }
                None => Poll::failed("ERROR", None),
            },
            Some(s) => Poll::pending(progress(&s)),
        })
    })
    .await
}

/// Waits until a rebuild Nova accepted has finished: the server is `ACTIVE` or `SHUTOFF` (a
/// stopped server is rebuilt stopped) with no task under way. Nova marks the server as
/// rebuilding before it answers the rebuild call, so a server seen settled afterwards is
/// rebuilt. ERROR ends the wait with Nova's fault message.
pub async fn wait_for_server_rebuilt(
    client: &Client,
    id: &str,
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<Server> {
    let op = format!("wait for the rebuild of server {id}");
    let since = client.cloud_now();
    wait_for(&op, deadline, cancel, || async {
        Ok(match watch::poll::<Server>(client, id, since).await? {
            None => Poll::failed("DELETED", Some("the server no longer exists".into())),
            Some(s) if s.status == "ERROR" => {
                Poll::failed("ERROR", s.fault_message().map(str::to_owned))
            }
            Some(s)
                if matches!(s.status.as_str(), "ACTIVE" | "SHUTOFF") && s.task_state.is_none() =>
            {
                Poll::Ready(s)
            }
            Some(s) => Poll::pending(progress(&s)),
        })
    })
    .await
}

/// Waits until Nova no longer knows the server.
pub async fn wait_for_server_deleted(
    client: &Client,
    id: &str,
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<()> {
    let op = format!("wait for server {id} to be deleted");
    let since = client.cloud_now();
    wait_for(&op, deadline, cancel, || async {
        Ok(match watch::poll::<Server>(client, id, since).await? {
            None => Poll::Ready(()),
            Some(s) if s.status == "ERROR" && s.task_state.is_none() => {
                Poll::failed("ERROR", s.fault_message().map(str::to_owned))
            }
            Some(s) => Poll::pending(progress(&s)),
        })
    })
    .await
}

/// `BUILD (spawning)`: the status with Nova's task state, for progress logs.
fn progress(s: &Server) -> String {
    match &s.task_state {
        Some(t) => format!("{} ({t})", s.status),
        None => s.status.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_a_boot_from_volume_server_in_error() {
        let s: Server = serde_json::from_value(json!({
            "id": "s1", "name": "vm", "status": "ERROR", "image": "",
            "flavor": {"original_name": "SCS-2V-4", "vcpus": 2, "ram": 4096, "disk": 0,
                       "ephemeral": 0, "swap": 0, "extra_specs": {"scs:cpu-type": "shared-core"}},
            "addresses": {}, "key_name": null, "metadata": {},
            "fault": {"code": 500, "message": "No valid host was found.", "created": "2026-01-01T00:00:00Z"},
            "OS-EXT-STS:power_state": 0, "OS-EXT-STS:task_state": null,
            "os-extended-volumes:volumes_attached": [{"id": "v1", "delete_on_termination": true}],
            "accessIPv4": "", "accessIPv6": "", "config_drive": "", "tags": [],
            "description": null
        }))
        .unwrap();
        assert_eq!(s.image_id, None);
        assert_eq!(s.fault_message(), Some("No valid host was found."));
        assert_eq!(s.flavor.original_name.as_deref(), Some("SCS-2V-4"));
        assert_eq!(s.volumes_attached[0].delete_on_termination, Some(true));
        assert!(!s.has_config_drive());
    }

    #[test]
    fn decodes_an_image_booted_server_with_addresses() {
        let s: Server = serde_json::from_value(json!({
            "id": "s2", "status": "ACTIVE",
            "image": {"id": "img", "links": []},
            "flavor": {"id": "f1", "links": []},
            "addresses": {"net": [{"addr": "10.0.0.5", "version": 4,
                "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"}]},
            "security_groups": [{"name": "default"}],
            "OS-EXT-AZ:availability_zone": "nova",
            "config_drive": "True"
        }))
        .unwrap();
        assert_eq!(s.image_id.as_deref(), Some("img"));
        assert_eq!(s.flavor.id.as_deref(), Some("f1"));
        assert_eq!(
            s.addresses["net"][0].mac_addr.as_deref(),
            Some("fa:16:3e:00:00:01")
        );
        assert_eq!(s.security_groups[0].name, "default");
        assert!(s.has_config_drive());
        assert_eq!(s.fault_message(), None);
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn user_data_is_sent_base64_encoded() {
        let create = CreateServer {
            user_data: Some("#cloud-config\n".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&create).unwrap()["user_data"],
            "I2Nsb3VkLWNvbmZpZwo="
        );
        let rebuild = RebuildServer {
            image_ref: "img".into(),
            user_data: Some("foobar".into()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&rebuild).unwrap(),
            json!({"imageRef": "img", "user_data": "Zm9vYmFy"})
        );
    }

    #[test]
    fn addresses_keep_novas_order() {
        // From text: `json!` would sort the keys.
        let s: Server = serde_json::from_str(
            r#"{"id": "s3", "addresses": {
                "zeta": [
                    {"addr": "10.9.0.5", "version": 4, "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:09"},
                    {"addr": "fd00::5", "version": 6, "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:09"},
                    {"addr": "172.24.4.9", "version": 4, "OS-EXT-IPS:type": "floating",
                     "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:09"}],
                "alpha": [{"addr": "10.1.0.7", "version": 4, "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"}],
                "empty": null}}"#,
        )
        .unwrap();
        assert_eq!(
            s.addresses.keys().collect::<Vec<_>>(),
            ["zeta", "alpha", "empty"]
        );
        assert_eq!(
            s.addresses.macs_in_order(),
            ["fa:16:3e:00:00:09", "fa:16:3e:00:00:01"]
        );
        assert_eq!(s.addresses["alpha"][0].addr, "10.1.0.7");
        assert!(s.addresses["nowhere"].is_empty());
        let back = serde_json::to_value(&s).unwrap();
        let keys: Vec<&String> = back["addresses"].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3);
    }

    #[test]
    fn create_request_skips_unset_fields() {
        let req = CreateServer {
            name: "vm".into(),
            flavor_ref: "f".into(),
            networks: ServerNetworks::List(vec![ServerNetwork {
                uuid: Some("n".into()),
                ..Default::default()
            }]),
            block_device_mapping_v2: Some(vec![BlockDeviceMapping::boot_volume_from_image(
                "img", 10, None, true,
            )]),
            scheduler_hints: Some(SchedulerHints {
                group: Some("g".into()),
            }),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"name": "vm", "flavorRef": "f", "networks": [{"uuid": "n"}],
                   "block_device_mapping_v2": [{"source_type": "image", "destination_type": "volume",
                     "uuid": "img", "boot_index": 0, "volume_size": 10, "delete_on_termination": true}]})
        );
        let none = CreateServer::default();
        assert_eq!(serde_json::to_value(&none).unwrap()["networks"], "none");
    }
}
