//! Nova server interfaces (`/servers/{id}/os-interface`): NICs attached after boot.

use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Server, service};
use crate::error::Result;
use crate::model::{fetch_one, gone, null_default, segment, wrap};
use crate::network::port::FixedIp;
use crate::session::Client;
use crate::wait::{Poll, wait_for};

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct InterfaceAttachment {
    pub port_id: String,
    pub net_id: String,
    #[serde(deserialize_with = "null_default")]
    pub mac_addr: String,
    #[serde(deserialize_with = "null_default")]
    pub port_state: String,
    #[serde(deserialize_with = "null_default")]
    pub fixed_ips: Vec<FixedIp>,
    pub tag: Option<String>,
}

/// Attach either an existing port or a new port on a network (optionally with an address).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AttachInterface {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_ips: Option<Vec<FixedIp>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

fn interfaces_path(server_id: &str) -> String {
    format!("servers/{}/os-interface", segment(server_id))
}

/// The server's NICs.
pub async fn list_server_interfaces(
    client: &Client,
    server_id: &str,
) -> Result<Vec<InterfaceAttachment>> {
    let request = service(client)
        .get(interfaces_path(server_id))
        .operation(format!("list interfaces of server {server_id}"));
    fetch_one(request, "interfaceAttachments").await
}

/// Attaches a NIC in place (no server rebuild).
pub async fn attach_interface(
    client: &Client,
    server_id: &str,
    req: &AttachInterface,
) -> Result<InterfaceAttachment> {
    let request = service(client)
        .post(interfaces_path(server_id))
        .operation(format!("attach interface to server {server_id}"))
        .json_body(&wrap("interfaceAttachment", req)?);
    fetch_one(request, "interfaceAttachment").await
}

/// Detaches the NIC with `port_id`; one that is already gone counts as detached. Nova detaches
/// asynchronously: poll [`list_server_interfaces`] to see it go.
pub async fn detach_interface(client: &Client, server_id: &str, port_id: &str) -> Result<()> {
    let request = service(client)
        .delete_request(format!(
            "{}/{}",
            interfaces_path(server_id),
            segment(port_id)
        ))
        .operation(format!("detach port {port_id} from server {server_id}"));
    gone(request.send().await.map(|_| ()))
}

/// Waits until none of `port_ids` is attached to the server any more (Nova detaches in the
/// background after [`detach_interface`] returns).
pub async fn wait_for_interfaces_detached(
    client: &Client,
    server_id: &str,
    port_ids: &[String],
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<()> {
    let op = format!(
        "wait for ports {} to be detached from server {server_id}",
        port_ids.join(", ")
    );
    wait_for(&op, deadline, cancel, || async {
        let attached = list_server_interfaces(client, server_id).await?;
        let left: Vec<&str> = attached
            .iter()
            .map(|i| i.port_id.as_str())
            .filter(|p| port_ids.iter().any(|x| x == p))
            .collect();
        Ok(if left.is_empty() {
            Poll::Ready(())
        } else {
            Poll::pending(format!("still attached: {}", left.join(", ")))
        })
    })
    .await
}

/// Puts `interfaces` (as [`list_server_interfaces`] returns them, in Neutron's order) into the
/// order the server has its NICs: boot NICs first as requested, then attachments in the order
/// they were made (see [`super::ServerAddresses`]). NICs Nova shows no address for keep their
/// relative order after the others.
pub fn sort_in_server_order(interfaces: &mut [InterfaceAttachment], server: &Server) {
    let macs = server.addresses.macs_in_order();
    interfaces.sort_by_key(|i| {
        macs.iter()
            .position(|m| m.eq_ignore_ascii_case(&i.mac_addr))
            .unwrap_or(usize::MAX)
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn nic(port: &str, mac: &str) -> InterfaceAttachment {
        InterfaceAttachment {
            port_id: port.into(),
            mac_addr: mac.into(),
            ..Default::default()
        }
    }

    #[test]
    fn interfaces_follow_the_servers_nic_order() {
        // From text: `json!` would sort the keys.
        let server: Server = serde_json::from_str(
            r#"{"id": "s", "addresses": {
                "main": [{"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:0b"}],
                "backend": [{"addr": "10.1.0.5", "version": 4, "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:0a"}]}}"#,
        )
        .unwrap();
        let mut nics = vec![
            nic("p-none", "fa:16:3e:00:00:0f"),
            nic("p-backend", "fa:16:3e:00:00:0a"),
            nic("p-main", "FA:16:3E:00:00:0B"),
        ];
        sort_in_server_order(&mut nics, &server);
        let ports: Vec<&str> = nics.iter().map(|n| n.port_id.as_str()).collect();
        assert_eq!(ports, ["p-main", "p-backend", "p-none"]);
    }
}
