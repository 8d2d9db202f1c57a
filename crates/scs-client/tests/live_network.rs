//! Networking calls against a real cloud: router gateway and interface, port, floating IP,
//! security group with a rule. Skips, saying why, when no cloud is configured.
#![allow(clippy::unwrap_used)]

use std::time::{SystemTime, UNIX_EPOCH};

use scs_client::config::{CloudConfig, Overrides};
use scs_client::{Client, network};

fn live_client(test: &str) -> Option<Client> {
    let configured = ["OS_CLOUD", "OS_AUTH_URL"]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()));
    if !configured {
        eprintln!("{test}: skipped: no cloud configured (set OS_CLOUD and OS_CLIENT_CONFIG_FILE)");
        return None;
    }
    Some(Client::new(CloudConfig::resolve(Overrides::default()).unwrap()).unwrap())
}

fn unique(what: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("models-live-{what}-{}-{nanos}", std::process::id())
}

/// What was created, so cleanup can undo exactly that, in reverse order.
#[derive(Default)]
struct Created {
    network: Option<String>,
    subnet: Option<String>,
    router: Option<String>,
    interface: bool,
    port: Option<String>,
    floating_ip: Option<String>,
    security_group: Option<String>,
}

async fn cleanup(c: &Client, made: &Created) -> Result<(), String> {
    let e = |e: scs_client::Error| e.to_string();
    if let Some(id) = &made.floating_ip {
        network::delete_floating_ip(c, id).await.map_err(e)?;
    }
    if let Some(id) = &made.port {
        network::delete_port(c, id).await.map_err(e)?;
    }
    if let (true, Some(router), Some(subnet)) = (made.interface, &made.router, &made.subnet) {
        let req = network::RouterInterfaceRequest::SubnetId(subnet.clone());
        network::remove_router_interface(c, router, &req)
            .await
            .map_err(e)?;
    }
    if let Some(id) = &made.router {
        network::delete_router(c, id).await.map_err(e)?;
    }
    if let Some(id) = &made.network {
        network::delete_network(c, id).await.map_err(e)?;
    }
    if let Some(id) = &made.security_group {
        network::delete_security_group(c, id).await.map_err(e)?;
    }
    Ok(())
}

async fn build(c: &Client, name: &str, made: &mut Created) -> Result<(), String> {
    let e = |e: scs_client::Error| e.to_string();
    let external = network::list_networks(c, &[("router:external", "true")])
        .await
        .map_err(e)?;
    let ext = external
        .first()
        .ok_or("the cloud has no external network")?;

    let net = network::create_network(
        c,
        &network::CreateNetwork {
            name: Some(name.into()),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    made.network = Some(net.id.clone());
    let subnet = network::create_subnet(
        c,
        &network::CreateSubnet {
            network_id: net.id.clone(),
            cidr: "10.251.0.0/24".into(),
            ip_version: 4,
            name: Some(name.into()),
            dns_nameservers: Some(vec!["192.0.2.53".into()]),
            allocation_pools: Some(vec![network::AllocationPool {
                start: "10.251.0.10".into(),
                end: "10.251.0.99".into(),
            }]),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    made.subnet = Some(subnet.id.clone());
    if subnet.gateway_ip.as_deref() != Some("10.251.0.1") {
        return Err(format!("gateway {:?}", subnet.gateway_ip));
    }

    let router = network::create_router(
        c,
        &network::CreateRouter {
            name: Some(name.into()),
            external_gateway_info: Some(network::GatewayRequest {
                network_id: ext.id.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    made.router = Some(router.id.clone());
    let gw = router
        .external_gateway_info
        .ok_or("router has no gateway after create")?;
    if gw.network_id != ext.id || gw.external_fixed_ips.is_empty() {
        return Err(format!("gateway {gw:?}"));
    }
    let itf = network::add_router_interface(
        c,
        &router.id,
        &network::RouterInterfaceRequest::SubnetId(subnet.id.clone()),
    )
    .await
    .map_err(e)?;
    made.interface = true;
    if itf.subnet_id != subnet.id {
        return Err(format!("interface {itf:?}"));
    }

    let sg = network::create_security_group(
        c,
        &network::CreateSecurityGroup {
            name: name.into(),
            description: Some("scs-client live test".into()),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    made.security_group = Some(sg.id.clone());
    let rule = network::create_security_group_rule(
        c,
        &network::CreateSecurityGroupRule {
            security_group_id: sg.id.clone(),
            direction: "ingress".into(),
            ethertype: Some("IPv4".into()),
            protocol: Some("tcp".into()),
            port_range_min: Some(22),
            port_range_max: Some(22),
            remote_ip_prefix: Some("0.0.0.0/0".into()),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    let read = network::get_security_group(c, &sg.id)
        .await
        .map_err(e)?
        .ok_or("security group vanished")?;
    if !read
        .security_group_rules
        .iter()
        .any(|r| r.id == rule.id && r.port_range_min == Some(22))
    {
        return Err(format!("rule not listed: {:?}", read.security_group_rules));
    }

    let port = network::create_port(
        c,
        &network::CreatePort {
            network_id: net.id.clone(),
            name: Some(name.into()),
            fixed_ips: Some(vec![network::FixedIp {
                subnet_id: subnet.id.clone(),
                ip_address: "10.251.0.42".into(),
            }]),
            security_groups: Some(vec![sg.id.clone()]),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    made.port = Some(port.id.clone());
    if port.fixed_ips.first().map(|f| f.ip_address.as_str()) != Some("10.251.0.42") {
        return Err(format!("port addresses {:?}", port.fixed_ips));
    }

    let fip = network::create_floating_ip(
        c,
        &network::CreateFloatingIp {
            floating_network_id: ext.id.clone(),
            port_id: Some(port.id.clone()),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    made.floating_ip = Some(fip.id.clone());
    if fip.fixed_ip_address.as_deref() != Some("10.251.0.42") {
        return Err(format!("floating IP {fip:?}"));
    }
    let fip = network::update_floating_ip(
        c,
        &fip.id,
        &network::UpdateFloatingIp {
            port_id: Some(None),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    if fip.port_id.is_some() {
        return Err(format!("floating IP still associated: {fip:?}"));
    }
    eprintln!(
        "live_network: router {} with gateway {:?}, floating IP {}",
        router.id, gw.external_fixed_ips, fip.floating_ip_address
    );
    Ok(())
}

#[tokio::test]
async fn live_router_port_floating_ip_and_security_group() {
    let Some(c) = live_client("live_network") else {
        return;
    };
    let name = unique("topo");
    let mut made = Created::default();
    let built = build(&c, &name, &mut made).await;
    let cleaned = cleanup(&c, &made).await;
    built.unwrap();
    cleaned.unwrap();
    if let Some(id) = &made.network {
        assert!(network::get_network(&c, id).await.unwrap().is_none());
    }
    if let Some(id) = &made.router {
        assert!(network::get_router(&c, id).await.unwrap().is_none());
    }
    if let Some(id) = &made.security_group {
        assert!(network::get_security_group(&c, id).await.unwrap().is_none());
    }
    if let Some(id) = &made.floating_ip {
        assert!(network::get_floating_ip(&c, id).await.unwrap().is_none());
    }
}
