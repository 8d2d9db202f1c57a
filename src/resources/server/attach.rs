//! NICs attached and detached in place.
//!
//! Nova's attach call takes no security groups: a NIC it makes on a network
//! gets only the project's `default` group, whatever groups the server has.
//! So once Nova has made the port, the resource gives it the server's groups
//! (resolved the way Nova resolves them at boot). The port stays Nova's:
//! Nova deletes it when the NIC is detached or the server is deleted, also
//! when the server is deleted outside Terraform, so no port is left behind.

use scs_client::compute::{self as nova, AttachInterface, InterfaceAttachment, ServerNetwork};
use scs_client::network::{self as neutron, FixedIp, UpdatePort};
use tfplugin::diagnostics::Diagnostics;
use tfplugin::value::Attr;

use super::outcome::wait_deadline;
use crate::support::Cloud;
use crate::support::call;

/// The security groups the port of a NIC on a network needs besides what
/// Nova gives it: none when the server has no other group than `default`.
fn port_groups(server_groups: &Attr<Vec<String>>) -> Option<&[String]> {
    match server_groups.known() {
        Some(groups) if groups.iter().any(|g| g != "default") => Some(groups),
        _ => None,
    }
}

/// Attaches the NIC `nic` (from `nic_request`) to server `id`, whose
/// security groups are `groups`.
pub(crate) async fn attach(
    cloud: &Cloud<'_>,
    id: &str,
    nic: ServerNetwork,
    groups: &Attr<Vec<String>>,
) -> Result<InterfaceAttachment, Diagnostics> {
    // A port of the configuration's is attached as it is, with its own groups.
    let on_network = nic.port.is_none();
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
    let attached = call(
        cloud.ctx,
        "Cannot attach interface",
        nova::attach_interface(cloud, id, &body),
    )
    .await?;
    if let (true, Some(names)) = (on_network, port_groups(groups)) {
        give_server_groups(cloud, id, &attached.port_id, names).await?;
    }
    Ok(attached)
}

/// Sets the groups `names` of server `id` on the port Nova made for a NIC.
async fn give_server_groups(
    cloud: &Cloud<'_>,
    id: &str,
    port: &str,
    names: &[String],
) -> Result<(), Diagnostics> {
    let server = call(cloud.ctx, "Cannot read server", nova::get_server(cloud, id))
        .await?
        .ok_or_else(|| super::status::gone("Cannot attach interface", id))?;
    let security_groups = call(
        cloud.ctx,
        "Cannot find the server's security groups",
        neutron::security_group_ids(cloud, &server.tenant_id, names),
    )
    .await?;
    let body = UpdatePort {
        security_groups: Some(security_groups),
        ..Default::default()
    };
    call(
        cloud.ctx,
        "Cannot give the new NIC the server's security groups",
        neutron::update_port(cloud, port, &body),
    )
    .await?;
    Ok(())
}

/// Detaches the NICs with `ports` from server `id` and waits until Nova has.
pub(crate) async fn detach(
    cloud: &Cloud<'_>,
    id: &str,
    ports: &[String],
) -> Result<(), Diagnostics> {
    if ports.is_empty() {
        return Ok(());
    }
    for port in ports {
        call(
            cloud.ctx,
            "Cannot detach interface",
            nova::detach_interface(cloud, id, port),
        )
        .await?;
    }
    call(
        cloud.ctx,
        "Interface detach did not finish",
        nova::wait_for_interfaces_detached(
            cloud,
            id,
            ports,
            wait_deadline(cloud.ctx, super::SERVER_TIMEOUT),
            cloud.ctx.cancellation_token(),
        ),
    )
    .await?;
    Ok(())
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
