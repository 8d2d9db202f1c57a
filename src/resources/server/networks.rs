//! NICs: which configured `network` block is which existing NIC (at plan and
//! at read), and attaching/detaching them in place.

use std::collections::BTreeMap;

use scs_client::compute::{InterfaceAttachment, ServerNetwork};
use scs_client::network as neutron;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::Attr;

use super::model::NetworkBlock;
use crate::support::Cloud;
use crate::support::call;

fn same_ip_or_unset(want: &Attr<String>, have: &Attr<String>) -> bool {
    match want {
        Attr::Known(ip) => have.known() == Some(ip),
        Attr::Null => true,
        Attr::Unknown => false,
    }
}

/// Whether the NIC recorded as `prior` is the one configuration block `c`
/// asks for. A value only known after apply never matches: it may name
/// another network.
fn is_same_nic(c: &NetworkBlock, prior: &NetworkBlock) -> bool {
    if !c.port.is_null() {
        return c
            .port
            .known()
            .is_some_and(|p| prior.port.known() == Some(p));
    }
    if !c.uuid.is_null() {
        return c
            .uuid
            .known()
            .is_some_and(|u| prior.uuid.known() == Some(u))
            && same_ip_or_unset(&c.fixed_ip_v4, &prior.fixed_ip_v4);
    }
    c.name
        .known()
        .is_some_and(|n| prior.name.known() == Some(n))
        && same_ip_or_unset(&c.fixed_ip_v4, &prior.fixed_ip_v4)
}

fn or_unknown(a: &Attr<String>) -> Attr<String> {
    if a.is_null() {
        Attr::Unknown
    } else {
        a.clone()
    }
}

/// The planned NICs: a configured block that is an existing NIC keeps all of
/// that NIC's values, whatever its position; any other block is a NIC to
/// attach, its computed values known after apply. Existing NICs no block
/// matches are detached.
pub(crate) fn plan_networks(config: &[NetworkBlock], prior: &[NetworkBlock]) -> Vec<NetworkBlock> {
    let mut used = vec![false; prior.len()];
    config
        .iter()
        .map(|c| {
            let found = (0..prior.len()).find(|&i| !used[i] && is_same_nic(c, &prior[i]));
            match found {
                Some(i) => {
                    used[i] = true;
                    prior[i].clone()
                }
                None => NetworkBlock {
                    uuid: or_unknown(&c.uuid),
                    name: or_unknown(&c.name),
                    port: or_unknown(&c.port),
                    fixed_ip_v4: or_unknown(&c.fixed_ip_v4),
                    fixed_ip_v6: Attr::Unknown,
                    mac: Attr::Unknown,
                },
            }
        })
        .collect()
}

fn is_v4(ip: &str) -> bool {
    !ip.contains(':')
}

/// The block for NIC `iface`, keeping the wanted block's own spelling of the
/// network (name) and address.
fn block_of(
    iface: &InterfaceAttachment,
    wanted: Option<&NetworkBlock>,
    names: &BTreeMap<String, String>,
) -> NetworkBlock {
    let ips: Vec<&str> = iface
        .fixed_ips
        .iter()
        .map(|ip| ip.ip_address.as_str())
        .collect();
    let v4 = match wanted.and_then(|w| w.fixed_ip_v4.known()) {
        Some(want) if ips.contains(&want.as_str()) => want.clone(),
        _ => ips
            .iter()
            .find(|ip| is_v4(ip))
            .map(|s| s.to_string())
            .unwrap_or_default(),
    };
    let v6 = ips
        .iter()
        .find(|ip| !is_v4(ip))
        .map(|s| s.to_string())
        .unwrap_or_default();
    let name = match wanted.and_then(|w| w.name.known()) {
        Some(n) => Attr::Known(n.clone()),
        None => names
            .get(&iface.net_id)
            .cloned()
            .map_or(Attr::Null, Attr::Known),
    };
    NetworkBlock {
        uuid: Attr::Known(iface.net_id.clone()),
        name,
        port: Attr::Known(iface.port_id.clone()),
        fixed_ip_v4: Attr::Known(v4),
        fixed_ip_v6: Attr::Known(v6),
        mac: Attr::Known(iface.mac_addr.clone()),
    }
}

/// Whether NIC `iface` is the one `w` describes (a planned or prior block).
fn iface_matches(
    w: &NetworkBlock,
    iface: &InterfaceAttachment,
    names: &BTreeMap<String, String>,
) -> bool {
    if let Some(port) = w.port.known() {
        return *port == iface.port_id;
    }
    let ip_ok = match w.fixed_ip_v4.known() {
        Some(ip) => iface.fixed_ips.iter().any(|f| f.ip_address == *ip),
        None => true,
    };
    if let Some(uuid) = w.uuid.known() {
        return *uuid == iface.net_id && ip_ok;
    }
    w.name
        .known()
        .is_some_and(|n| names.get(&iface.net_id) == Some(n))
        && ip_ok
}

/// The server's NICs as blocks, in the order of `wanted` (the prior or
/// planned blocks) so that Nova's order is no drift; NICs no block asked for
/// come last (drift: the next plan detaches them), blocks whose NIC is gone
/// are left out (the next plan attaches them again).
pub(crate) fn blocks_from_interfaces(
    ifaces: &[InterfaceAttachment],
    wanted: &[NetworkBlock],
    names: &BTreeMap<String, String>,
) -> Vec<NetworkBlock> {
    let mut left: Vec<&InterfaceAttachment> = ifaces.iter().collect();
    let mut out = Vec::new();
    // Blocks that name their port first: they cannot take another NIC.
    let mut order: Vec<&NetworkBlock> = wanted.iter().filter(|w| w.port.is_known()).collect();
    order.extend(wanted.iter().filter(|w| !w.port.is_known()));
    let mut placed: Vec<(usize, NetworkBlock)> = Vec::new();
    for w in order {
        if let Some(i) = left.iter().position(|iface| iface_matches(w, iface, names)) {
            let iface = left.remove(i);
            let pos = wanted
                .iter()
                .position(|x| std::ptr::eq(x, w))
                .unwrap_or(usize::MAX);
            placed.push((pos, block_of(iface, Some(w), names)));
        }
    }
    placed.sort_by_key(|(pos, _)| *pos);
    out.extend(placed.into_iter().map(|(_, b)| b));
    out.extend(left.into_iter().map(|iface| block_of(iface, None, names)));
    out
}

/// Network names for the NICs whose block does not already carry one.
pub(crate) async fn network_names(
    cloud: &Cloud<'_>,
    ifaces: &[InterfaceAttachment],
    wanted: &[NetworkBlock],
) -> Result<BTreeMap<String, String>, Diagnostics> {
    let mut names = BTreeMap::new();
    for w in wanted {
        if let (Some(uuid), Some(name)) = (w.uuid.known(), w.name.known()) {
            names.insert(uuid.clone(), name.clone());
        }
    }
    for iface in ifaces {
        if names.contains_key(&iface.net_id) {
            continue;
        }
        let net = call(
            cloud.ctx,
            "Cannot read the server's network",
            neutron::get_network(cloud, &iface.net_id),
        )
        .await?;
        if let Some(net) = net.filter(|n| !n.name.is_empty()) {
            names.insert(iface.net_id.clone(), net.name);
        }
    }
    Ok(names)
}

/// The id of the network called `name` (one, not zero or several).
pub(crate) async fn network_id_by_name(
    cloud: &Cloud<'_>,
    name: &str,
    path: AttributePath,
) -> Result<String, Diagnostics> {
    let found = call(
        cloud.ctx,
        "Cannot look up the network",
        neutron::list_networks(cloud, &[("name", name)]),
    )
    .await?;
    match found.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Err(Diagnostic::error(
            "Network not found",
            format!("There is no network named {name:?} visible to this project."),
        )
        .with_path(path)
        .into()),
        many => Err(Diagnostic::error(
            "Network name is ambiguous",
            format!(
                "{} networks are named {name:?}; use `uuid` instead of `name`.",
                many.len()
            ),
        )
        .with_path(path)
        .into()),
    }
}

/// What Nova needs to create or attach the NIC of block `index`.
pub(crate) async fn nic_request(
    cloud: &Cloud<'_>,
    block: &NetworkBlock,
    index: usize,
) -> Result<ServerNetwork, Diagnostics> {
    let path = AttributePath::attr("network").join_index(index as i64);
    if let Some(port) = block.port.known() {
        return Ok(ServerNetwork {
            port: Some(port.clone()),
            ..Default::default()
        });
    }
    let uuid = match (block.uuid.known(), block.name.known()) {
        (Some(u), _) => u.clone(),
        (None, Some(n)) => network_id_by_name(cloud, n, path.join_attr("name")).await?,
        (None, None) => {
            return Err(Diagnostic::error(
                "Network block without a network",
                "Each network block needs one of uuid, name or port.",
            )
            .with_path(path)
            .into());
        }
    };
    Ok(ServerNetwork {
        uuid: Some(uuid),
        fixed_ip: block.fixed_ip_v4.known().cloned(),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use scs_client::network::FixedIp;

    fn existing(uuid: &str, port: &str, ip: &str) -> NetworkBlock {
        NetworkBlock {
            uuid: Attr::from(uuid),
            name: Attr::from(format!("{uuid}-name")),
            port: Attr::from(port),
            fixed_ip_v4: Attr::from(ip),
            fixed_ip_v6: Attr::from(""),
            mac: Attr::from("fa:16:3e:00:00:01"),
        }
    }

    /// A server's two NICs, on networks `a` and `b`.
    fn two_nics() -> Vec<NetworkBlock> {
        vec![
            existing("a", "pa", "10.0.0.1"),
            existing("b", "pb", "10.1.0.1"),
        ]
    }

    fn by_uuid(uuid: &str) -> NetworkBlock {
        NetworkBlock {
            uuid: Attr::from(uuid),
            ..Default::default()
        }
    }

    #[test]
    fn removing_the_first_nic_keeps_the_second_as_it_is() {
        let prior = two_nics();
        let planned = plan_networks(&[by_uuid("b")], &prior);
        assert_eq!(planned, vec![prior[1].clone()]);
    }

    #[test]
    fn an_added_nic_is_known_after_apply_and_the_rest_unchanged() {
        let prior = vec![existing("a", "pa", "10.0.0.1")];
        let planned = plan_networks(&[by_uuid("a"), by_uuid("c")], &prior);
        assert_eq!(planned[0], prior[0]);
        assert_eq!(planned[1].uuid, Attr::from("c"));
        assert!(planned[1].port.is_unknown() && planned[1].mac.is_unknown());
    }

    #[test]
    fn a_changed_fixed_ip_is_a_new_nic() {
        let prior = vec![existing("a", "pa", "10.0.0.1")];
        let mut c = by_uuid("a");
        c.fixed_ip_v4 = Attr::from("10.0.0.9");
        let planned = plan_networks(&[c], &prior);
        assert!(planned[0].port.is_unknown());
    }

    #[test]
    fn by_name_and_by_port() {
        let prior = two_nics();
        let by_name = NetworkBlock {
            name: Attr::from("b-name"),
            ..Default::default()
        };
        let by_port = NetworkBlock {
            port: Attr::from("pa"),
            ..Default::default()
        };
        assert_eq!(
            plan_networks(&[by_name, by_port], &prior),
            vec![prior[1].clone(), prior[0].clone()]
        );
    }

    fn iface(net: &str, port: &str, ip: &str) -> InterfaceAttachment {
        InterfaceAttachment {
            port_id: port.into(),
            net_id: net.into(),
            mac_addr: "fa:16:3e:00:00:01".into(),
            fixed_ips: vec![FixedIp {
                subnet_id: "s".into(),
                ip_address: ip.into(),
            }],
            ..Default::default()
        }
    }

    /// Interfaces in the server's order, in no order of network, port or address.
    fn three_interfaces() -> Vec<InterfaceAttachment> {
        vec![
            iface("b", "pb", "10.1.0.1"),
            iface("x", "px", "10.9.0.1"),
            iface("a", "pa", "10.0.0.1"),
        ]
    }

    #[test]
    fn read_keeps_the_configured_order_and_appends_strangers() {
        let ifaces = three_interfaces();
        let names = BTreeMap::from([
            ("a".to_owned(), "a-name".to_owned()),
            ("b".to_owned(), "b-name".to_owned()),
        ]);
        let wanted = vec![by_uuid("a"), by_uuid("b")];
        let blocks = blocks_from_interfaces(&ifaces, &wanted, &names);
        let ports: Vec<_> = blocks
            .iter()
            .map(|b| b.port.known().cloned().unwrap())
            .collect();
        assert_eq!(ports, ["pa", "pb", "px"]);
        assert_eq!(blocks[0].name, Attr::from("a-name"));
        assert_eq!(blocks[2].name, Attr::Null);
        assert_eq!(blocks[0].fixed_ip_v4, Attr::from("10.0.0.1"));
    }

    #[test]
    fn on_import_the_nics_keep_the_servers_order() {
        // No block to follow: the order the interfaces come in (the
        // server's, see `sort_in_server_order`) is the state's.
        let ifaces = three_interfaces();
        let blocks = blocks_from_interfaces(&ifaces, &[], &BTreeMap::new());
        let ports: Vec<_> = blocks.iter().map(|b| b.port.clone()).collect();
        assert_eq!(
            ports,
            [Attr::from("pb"), Attr::from("px"), Attr::from("pa")]
        );
    }

    #[test]
    fn a_gone_nic_is_left_out() {
        let names = BTreeMap::new();
        let blocks = blocks_from_interfaces(
            &[iface("a", "pa", "10.0.0.1")],
            &[existing("b", "pb", "10.1.0.1"), by_uuid("a")],
            &names,
        );
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].port, Attr::from("pa"));
    }
}
