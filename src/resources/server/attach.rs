//! NICs attached and detached in place.
//!
//! Nova's attach call takes no security groups: a NIC it makes on a network
//! gets only the project's `default` group, whatever groups the server has.
//! So for a NIC on a network of a server with other groups the resource makes
//! the port itself, with the server's groups (resolved the way Nova resolves
//! them at boot), and attaches it by id. Nova keeps a port it did not make when the NIC is detached or the
//! server deleted; the resource then deletes it, as Nova deletes the ports it
//! made for the boot NICs. A tag marks these ports, so that they are known
//! after an import too.

use scs_client::Client;
use scs_client::compute::{self as nova, AttachInterface, InterfaceAttachment, ServerNetwork};
use scs_client::network::{self as neutron, CreatePort, FixedIp};
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::Ctx;
use tfplugin::value::Attr;

use super::outcome::wait_deadline;
use crate::support::call;

/// The tag on ports the resource made for a NIC it attached: the port goes
/// with the NIC.
pub(crate) const OWNED_PORT_TAG: &str = "scs_server:nic";

/// The security groups a NIC on a network needs its port made with: none
/// when the server has no other group than `default` (what Nova's own port
/// gets, as at boot).
fn port_groups(server_groups: &Attr<Vec<String>>) -> Option<&[String]> {
    match server_groups.known() {
        Some(groups) if groups.iter().any(|g| g != "default") => Some(groups),
        _ => None,
    }
}

/// Attaches the NIC `nic` (from `nic_request`) to server `id`, whose
/// security groups are `groups`.
pub(crate) async fn attach(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    nic: ServerNetwork,
    groups: &Attr<Vec<String>>,
) -> Result<InterfaceAttachment, Diagnostics> {
    let (Some(network), Some(names)) = (nic.uuid.clone(), port_groups(groups)) else {
        // A port of the configuration's (attached as it is, and kept), or a
        // NIC on a network of a server with only the default group: Nova's
        // own port has that group, and Nova deletes it with the NIC.
        let body = AttachInterface {
            port_id: nic.port,
            net_id: nic.uuid,
            fixed_ips: nic.fixed_ip.map(|ip| {
                vec![FixedIp {
                    ip_address: ip,
                    ..Default::default()
                }]
            }),
            ..Default::default()
        };
        return call(
            ctx,
            "Cannot attach interface",
            nova::attach_interface(client, id, &body),
        )
        .await;
    };
    let port = create_port(ctx, client, id, network, nic.fixed_ip, names).await?;
    let body = AttachInterface {
        port_id: Some(port.clone()),
        ..Default::default()
    };
    let attached = call(
        ctx,
        "Cannot attach interface",
        nova::attach_interface(client, id, &body),
    )
    .await;
    if attached.is_err() {
        // Nothing uses the port: leave nothing behind.
        let _ = call(
            ctx,
            "Cannot delete the port made for the NIC",
            neutron::delete_port(client, &port),
        )
        .await;
    }
    attached
}

/// Makes the port for a NIC on `network`, marked as the server's.
async fn create_port(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    network: String,
    fixed_ip: Option<String>,
    names: &[String],
) -> Result<String, Diagnostics> {
    let server = call(ctx, "Cannot read server", nova::get_server(client, id))
        .await?
        .ok_or_else(|| super::status::gone("Cannot attach interface", id))?;
    let security_groups = Some(
        call(
            ctx,
            "Cannot find the server's security groups",
            neutron::security_group_ids(client, &server.tenant_id, names),
        )
        .await?,
    );
    let body = CreatePort {
        network_id: network,
        description: Some(format!(
            "NIC of server {id}; deleted when it is detached or the server is deleted"
        )),
        fixed_ips: fixed_ip.map(|ip| {
            vec![FixedIp {
                ip_address: ip,
                ..Default::default()
            }]
        }),
        security_groups,
        ..Default::default()
    };
    let port = call(
        ctx,
        "Cannot create the port for the NIC",
        neutron::create_port(client, &body),
    )
    .await?;
    let tagged = call(
        ctx,
        "Cannot tag the port for the NIC",
        neutron::set_port_tags(client, &port.id, &[OWNED_PORT_TAG.to_owned()]),
    )
    .await;
    if let Err(d) = tagged {
        let _ = call(
            ctx,
            "Cannot delete the port made for the NIC",
            neutron::delete_port(client, &port.id),
        )
        .await;
        return Err(d);
    }
    Ok(port.id)
}

/// Detaches the NICs with `ports` from server `id`, waits until Nova has, and
/// deletes the ports the resource made for them.
pub(crate) async fn detach(
    ctx: &Ctx,
    client: &Client,
    id: &str,
    ports: &[String],
) -> Result<(), Diagnostics> {
    if ports.is_empty() {
        return Ok(());
    }
    for port in ports {
        call(
            ctx,
            "Cannot detach interface",
            nova::detach_interface(client, id, port),
        )
        .await?;
    }
    call(
        ctx,
        "Interface detach did not finish",
        nova::wait_for_interfaces_detached(
            client,
            id,
            ports,
            wait_deadline(ctx, super::SERVER_TIMEOUT),
            ctx.cancellation_token(),
        ),
    )
    .await?;
    for port in ports {
        let found = call(ctx, "Cannot read port", neutron::get_port(client, port)).await?;
        if found.is_some_and(|p| is_owned(&p)) {
            delete_owned(ctx, client, port).await?;
        }
    }
    Ok(())
}

fn is_owned(port: &neutron::Port) -> bool {
    port.tags.iter().any(|t| t == OWNED_PORT_TAG)
}

/// The ports the resource made for NICs of server `id` (looked up while the
/// server still has them: Nova unbinds them when it deletes the server).
pub(crate) async fn owned_ports(
    ctx: &Ctx,
    client: &Client,
    id: &str,
) -> Result<Vec<String>, Diagnostics> {
    let ports = call(
        ctx,
        "Cannot list the server's ports",
        neutron::list_ports(client, &[("device_id", id), ("tags", OWNED_PORT_TAG)]),
    )
    .await?;
    Ok(ports
        .iter()
        .filter(|p| is_owned(p))
        .map(|p| p.id.clone())
        .collect())
}

pub(crate) async fn delete_owned(
    ctx: &Ctx,
    client: &Client,
    port: &str,
) -> Result<(), Diagnostics> {
    call(
        ctx,
        "Cannot delete the port of a NIC",
        neutron::delete_port(client, port),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(names: &[&str]) -> Attr<Vec<String>> {
        Attr::Known(names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn only_default_is_left_to_neutron() {
        assert_eq!(port_groups(&groups(&["default"])), None);
        assert_eq!(port_groups(&Attr::Unknown), None);
        assert_eq!(port_groups(&Attr::Null), None);
        let two = groups(&["default", "web"]);
        assert_eq!(port_groups(&two).map(<[String]>::len), Some(2));
        let web = groups(&["web"]);
        assert_eq!(port_groups(&web), Some(&["web".to_owned()][..]));
    }
}
