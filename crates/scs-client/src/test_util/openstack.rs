//! The OpenStack services of the fake: the REST collections of Neutron, Nova, Cinder and Glance
//! that the store serves, and the calls that are not plain REST (router interfaces, volume
//! attachments, server and volume actions, flavor extra specs).

use serde_json::{Value, json};

use super::store::{Collection, Store};
use super::{Action, FakeCloud, PROJECT_ID, Recorded};

pub const NETWORKS: &str = "/network/v2.0/networks";
pub const SUBNETS: &str = "/network/v2.0/subnets";
pub const ROUTERS: &str = "/network/v2.0/routers";
pub const PORTS: &str = "/network/v2.0/ports";
pub const FLOATING_IPS: &str = "/network/v2.0/floatingips";
pub const SECURITY_GROUPS: &str = "/network/v2.0/security-groups";
pub const SECURITY_GROUP_RULES: &str = "/network/v2.0/security-group-rules";
pub const SERVERS: &str = "/compute/v2.1/servers";
pub const FLAVORS: &str = "/compute/v2.1/flavors";
pub const KEYPAIRS: &str = "/compute/v2.1/os-keypairs";
pub const SERVER_GROUPS: &str = "/compute/v2.1/os-server-groups";
pub const VOLUMES: &str = "/volume/v3/proj-1/volumes";
pub const VOLUME_TYPES: &str = "/volume/v3/proj-1/types";
pub const IMAGES: &str = "/image/v2/images";
/// The application credentials of the fake token's user.
pub const APPLICATION_CREDENTIALS: &str = "/identity/v3/users/user-1/application_credentials";
/// The access rules of the fake token's user.
pub const ACCESS_RULES: &str = "/identity/v3/users/user-1/access_rules";
/// The secret the fake's Keystone generates for an application credential created without one.
pub const GENERATED_SECRET: &str = "fake-application-credential-secret";

/// The volume attachments of one server.
pub fn volume_attachments(server_id: &str) -> String {
    format!("{SERVERS}/{server_id}/os-volume_attachments")
}

/// The network interfaces of one server.
pub fn interfaces(server_id: &str) -> String {
    format!("{SERVERS}/{server_id}/os-interface")
}

/// Every collection the fake serves.
pub fn collections() -> Vec<Collection> {
    vec![
        Collection {
            defaults: || {
                json!({"project_id": PROJECT_ID, "roles": [], "unrestricted": null,
                    "expires_at": null, "description": null})
            },
            ..Collection::new(
                APPLICATION_CREDENTIALS,
                "application_credential",
                "application_credentials",
            )
        },
        Collection {
            defaults: || {
                json!({"status": "ACTIVE", "admin_state_up": true, "shared": false,
                    "router:external": false, "subnets": [], "tags": [], "mtu": 1450,
                    "port_security_enabled": true, "availability_zone_hints": [],
                    "availability_zones": ["nova"], "description": "", "revision_number": 1})
            },
            ..Collection::new(NETWORKS, "network", "networks")
        },
        Collection {
            defaults: || {
                json!({"ip_version": 4, "enable_dhcp": true, "tags": [], "dns_nameservers": [],
                    "allocation_pools": [], "host_routes": [], "description": "",
                    "ipv6_address_mode": null, "ipv6_ra_mode": null, "subnetpool_id": null,
                    "revision_number": 1})
            },
            ..Collection::new(SUBNETS, "subnet", "subnets")
        },
        Collection {
            defaults: || {
                json!({"status": "ACTIVE", "admin_state_up": true, "external_gateway_info": null,
                    "routes": [], "tags": [], "description": "", "distributed": false, "ha": false,
                    "revision_number": 1})
            },
            ..Collection::new(ROUTERS, "router", "routers")
        },
        Collection {
            defaults: || {
                json!({"status": "DOWN", "admin_state_up": true, "fixed_ips": [], "device_id": "",
                    "device_owner": "", "security_groups": [], "tags": [],
                    "allowed_address_pairs": [], "port_security_enabled": true, "description": "",
                    "binding:vnic_type": "normal", "revision_number": 1})
            },
            ..Collection::new(PORTS, "port", "ports")
        },
        Collection {
            defaults: || {
                json!({"status": "DOWN", "port_id": null, "fixed_ip_address": null,
                    "router_id": null, "tags": [], "description": "", "revision_number": 1})
            },
            ..Collection::new(FLOATING_IPS, "floatingip", "floatingips")
        },
        Collection {
            defaults: || {
                json!({"security_group_rules": [], "tags": [], "description": "", "stateful": true,
                    "revision_number": 1})
            },
            ..Collection::new(SECURITY_GROUPS, "security_group", "security_groups")
        },
        Collection {
            defaults: || {
                json!({"direction": "ingress", "ethertype": "IPv4", "protocol": null,
                    "port_range_min": null, "port_range_max": null, "remote_ip_prefix": null,
                    "remote_group_id": null, "description": "", "revision_number": 1})
            },
            ..Collection::new(
                SECURITY_GROUP_RULES,
                "security_group_rule",
                "security_group_rules",
            )
        },
        Collection {
            detail: Some("detail"),
            defaults: || {
                json!({"status": "ACTIVE", "addresses": {}, "metadata": {}, "tags": [],
                    "description": null, "key_name": null, "security_groups": [],
                    "OS-EXT-STS:power_state": 1, "OS-EXT-STS:vm_state": "active",
                    "OS-EXT-AZ:availability_zone": "nova", "config_drive": "",
                    "os-extended-volumes:volumes_attached": [], "server_groups": [],
                    "tenant_id": PROJECT_ID, "user_id": "user-1"})
            },
            ..Collection::new(SERVERS, "server", "servers")
        },
        Collection {
            detail: Some("detail"),
            defaults: || {
                json!({"vcpus": 1, "ram": 1024, "disk": 0, "OS-FLV-EXT-DATA:ephemeral": 0,
                    "swap": 0, "os-flavor-access:is_public": true, "extra_specs": {},
                    "description": null})
            },
            ..Collection::new(FLAVORS, "flavor", "flavors")
        },
        Collection {
            id_field: "name",
            defaults: || json!({"type": "ssh", "user_id": "user-1"}),
            ..Collection::new(KEYPAIRS, "keypair", "keypairs")
        },
        Collection {
            defaults: || json!({"members": [], "rules": {}, "policies": [], "metadata": {}}),
            ..Collection::new(SERVER_GROUPS, "server_group", "server_groups")
        },
        Collection {
            id_field: "volumeId",
            ..Collection::new(
                "/compute/v2.1/servers/*/os-volume_attachments",
                "volumeAttachment",
                "volumeAttachments",
            )
        },
        Collection {
            id_field: "port_id",
            ..Collection::new(
                "/compute/v2.1/servers/*/os-interface",
                "interfaceAttachment",
                "interfaceAttachments",
            )
        },
        Collection {
            detail: Some("detail"),
            defaults: || {
                json!({"status": "available", "attachments": [], "bootable": "false",
                    "metadata": {}, "volume_type": "__DEFAULT__", "availability_zone": "nova",
                    "encrypted": false, "multiattach": false, "description": null,
                    "volume_image_metadata": null, "snapshot_id": null, "source_volid": null})
            },
            ..Collection::new(VOLUMES, "volume", "volumes")
        },
        Collection {
            defaults: || json!({"extra_specs": {}, "is_public": true, "description": null}),
            ..Collection::new(VOLUME_TYPES, "volume_type", "volume_types")
        },
        Collection {
            one: None,
            defaults: || {
                json!({"status": "active", "visibility": "public", "protected": false,
                    "os_hidden": false, "min_disk": 0, "min_ram": 0, "tags": [],
                    "disk_format": "qcow2", "container_format": "bare", "owner": PROJECT_ID})
            },
            ..Collection::new(IMAGES, "image", "images")
        },
    ]
}

/// Registers every collection and the non-REST calls on `fake`.
pub fn install(fake: &FakeCloud) {
    for c in collections() {
        fake.add_collection(c);
    }
    fake.handle("POST", SUBNETS, create_subnet);
    fake.handle("POST", SECURITY_GROUPS, create_security_group);
    fake.handle("POST", SECURITY_GROUP_RULES, create_security_group_rule);
    fake.handle("POST", FLOATING_IPS, create_floating_ip);
    fake.handle("POST", ROUTERS, create_router);
    fake.handle("POST", KEYPAIRS, create_keypair);
    fake.handle(
        "POST",
        APPLICATION_CREDENTIALS,
        create_application_credential,
    );
    fake.handle("DELETE", &format!("{ACCESS_RULES}/*"), |_, _, _| {
        Action::Text(204, String::new())
    });
    fake.handle("POST", SERVERS, create_server);
    fake.handle(
        "PUT",
        "/network/v2.0/routers/*/add_router_interface",
        add_router_interface,
    );
    fake.handle(
        "PUT",
        "/network/v2.0/routers/*/remove_router_interface",
        remove_router_interface,
    );
    fake.handle(
        "POST",
        "/compute/v2.1/servers/*/os-volume_attachments",
        attach_volume,
    );
    fake.handle(
        "DELETE",
        "/compute/v2.1/servers/*/os-volume_attachments/*",
        detach_volume,
    );
    fake.handle("POST", "/compute/v2.1/servers/*/action", server_action);
    fake.handle("PUT", "/compute/v2.1/servers/*/metadata", |s, req, ids| {
        let metadata = req.json().get("metadata").cloned().unwrap_or(json!({}));
        match s.update(SERVERS, &ids[0], json!({ "metadata": metadata.clone() })) {
            Some(_) => Action::ok(json!({ "metadata": metadata })),
            None => Action::error(SERVERS, 404, "Instance could not be found.", "req-metadata"),
        }
    });
    fake.handle("POST", "/volume/v3/proj-1/volumes/*/action", volume_action);
    fake.handle(
        "GET",
        "/compute/v2.1/flavors/*/os-extra_specs",
        |s, _, ids| match s.get(FLAVORS, &ids[0]) {
            Some(f) => Action::ok(json!({"extra_specs": f["extra_specs"].clone()})),
            None => Action::error(FLAVORS, 404, "Flavor could not be found.", "req-flavor"),
        },
    );
}

/// The object under `key` of the request body.
fn body_of(req: &Recorded, key: &str) -> Value {
    req.json().get(key).cloned().unwrap_or(json!({}))
}

fn created(key: &str, object: Value) -> Action {
    Action::Json(201, json!({ key: object }))
}

/// A subnet gets a gateway (the first address) and an allocation pool from its IPv4 CIDR.
fn create_subnet(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let mut subnet = body_of(req, "subnet");
    let cidr = subnet["cidr"].as_str().unwrap_or_default().to_owned();
    if let Some((prefix, bits)) = cidr.split_once('/')
        && let Ok(addr) = prefix.parse::<std::net::Ipv4Addr>()
        && let Ok(bits) = bits.parse::<u32>()
        && bits < 31
    {
        let base = u32::from(addr);
        let last = base | (u32::MAX >> bits);
        let ip = |n: u32| std::net::Ipv4Addr::from(n).to_string();
        if subnet.get("gateway_ip").is_none() {
            subnet["gateway_ip"] = json!(ip(base + 1));
        }
        if subnet.get("allocation_pools").is_none() {
            subnet["allocation_pools"] = json!([{"start": ip(base + 2), "end": ip(last - 1)}]);
        }
    }
    subnet["project_id"] = json!(PROJECT_ID);
    let stored = s.insert(SUBNETS, subnet);
    if let (Some(net), Some(id)) = (stored["network_id"].as_str(), stored["id"].as_str())
        && let Some(network) = s.get_mut(NETWORKS, net)
        && let Some(subnets) = network["subnets"].as_array_mut()
    {
        subnets.push(json!(id));
    }
    created("subnet", stored)
}

/// Like Neutron, a new security group comes with its two egress rules.
fn create_security_group(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let mut group = body_of(req, "security_group");
    group["project_id"] = json!(PROJECT_ID);
    let stored = s.insert(SECURITY_GROUPS, group);
    let id = stored["id"].clone();
    let rules: Vec<Value> = ["IPv4", "IPv6"]
        .iter()
        .map(|ethertype| {
            s.insert(
                SECURITY_GROUP_RULES,
                json!({"security_group_id": id, "direction": "egress", "ethertype": ethertype,
                    "project_id": PROJECT_ID}),
            )
        })
        .collect();
    let stored = s
        .update(
            SECURITY_GROUPS,
            id.as_str().unwrap_or_default(),
            json!({"security_group_rules": rules}),
        )
        .unwrap_or(stored);
    created("security_group", stored)
}

/// One rule, or like Neutron's bulk create a list of them (`security_group_rules`) of one group,
/// all or nothing: when one is refused, none is kept and the answer is that refusal.
fn create_security_group_rule(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let Some(rules) = req.json().get("security_group_rules").cloned() else {
        return create_one_rule(s, req, body_of(req, "security_group_rule"));
    };
    let groups: std::collections::BTreeSet<String> = rules
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["security_group_id"].to_string())
        .collect();
    if groups.len() > 1 {
        return Action::Json(
            400,
            json!({"NeutronError": {"type": "SecurityGroupNotSingleGroupRules",
                "message": "Only allowed to update rules for one security profile at a time",
                "detail": ""}}),
        );
    }
    let mut made = Vec::new();
    for rule in rules.as_array().cloned().unwrap_or_default() {
        match create_one_rule(s, req, rule) {
            Action::Json(201, answer) => made.push(answer["security_group_rule"].clone()),
            refused => {
                for rule in &made {
                    s.remove(
                        SECURITY_GROUP_RULES,
                        rule["id"].as_str().unwrap_or_default(),
                    );
                }
                return refused;
            }
        }
    }
    Action::Json(201, json!({ "security_group_rules": made }))
}

/// What makes two rules the same rule for Neutron.
const RULE_FIELDS: [&str; 8] = [
    "security_group_id",
    "direction",
    "ethertype",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_group_id",
];

/// Like Neutron, the legacy names of ICMPv6 in an IPv6 rule (`icmp`, `icmpv6`) are stored as
/// `ipv6-icmp`, and a rule the group has already is refused with `SecurityGroupRuleExists`,
/// naming it.
fn create_one_rule(s: &mut Store, req: &Recorded, mut rule: Value) -> Action {
    let legacy = rule["protocol"]
        .as_str()
        .is_some_and(|p| ["icmp", "icmpv6"].contains(&p.to_ascii_lowercase().as_str()));
    if rule["ethertype"] == "IPv6" && legacy {
        rule["protocol"] = json!("ipv6-icmp");
    }
    let field = |r: &Value, f: &str, default: Value| r.get(f).cloned().unwrap_or(default);
    let defaults = |f: &str| match f {
        "direction" => json!("ingress"),
        "ethertype" => json!("IPv4"),
        _ => Value::Null,
    };
    let same = s.list(SECURITY_GROUP_RULES).iter().find(|existing| {
        RULE_FIELDS
            .iter()
            .all(|f| field(existing, f, defaults(f)) == field(&rule, f, defaults(f)))
    });
    if let Some(existing) = same {
        let id = existing["id"].as_str().unwrap_or_default();
        return Action::Json(
            409,
            json!({"NeutronError": {"type": "SecurityGroupRuleExists",
                "message": format!("Security group rule already exists. Rule id is {id}."),
                "detail": ""}}),
        );
    }
    let mut req = req.clone();
    req.body = json!({ "security_group_rule": rule }).to_string();
    s.answer(&req)
        .expect("the store serves security group rules")
}

/// A router with an external gateway gets SNAT and an address on the external network's first
/// subnet, as Neutron gives it.
fn create_router(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let mut router = body_of(req, "router");
    if let Some(net) = router["external_gateway_info"]["network_id"].as_str() {
        let net = net.to_owned();
        let subnet = s
            .list(SUBNETS)
            .iter()
            .find(|sn| sn["network_id"].as_str() == Some(net.as_str()))
            .map(|sn| sn["id"].clone());
        let gateway = &mut router["external_gateway_info"];
        if gateway.get("enable_snat").is_none() {
            gateway["enable_snat"] = json!(true);
        }
        gateway["external_fixed_ips"] = match subnet {
            Some(id) => json!([{"subnet_id": id, "ip_address": "172.24.4.200"}]),
            None => json!([]),
        };
    }
    router["project_id"] = json!(PROJECT_ID);
    created("router", s.insert(ROUTERS, router))
}

/// A floating IP gets the next free address of 172.24.4.0/24 unless the request names one.
fn create_floating_ip(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let mut fip = body_of(req, "floatingip");
    let network_id = fip["floating_network_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if s.get(NETWORKS, &network_id).is_none() {
        return Action::error(
            FLOATING_IPS,
            404,
            &format!("Network {network_id} could not be found."),
            "req-fip",
        );
    }
    if fip["floating_ip_address"].as_str().is_none() {
        let n = s.list(FLOATING_IPS).len() + 10;
        fip["floating_ip_address"] = json!(format!("172.24.4.{n}"));
    }
    fip["project_id"] = json!(PROJECT_ID);
    if fip["port_id"].as_str().is_some() {
        fip["status"] = json!("ACTIVE");
    }
    created("floatingip", s.insert(FLOATING_IPS, fip))
}

fn create_keypair(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let mut keypair = body_of(req, "keypair");
    let name = keypair["name"].as_str().unwrap_or_default().to_owned();
    if s.get(KEYPAIRS, &name).is_some() {
        return Action::error(
            KEYPAIRS,
            409,
            &format!("Key pair '{name}' already exists."),
            "req-keypair-exists",
        );
    }
    let key = keypair["public_key"].as_str().unwrap_or_default();
    // A stand-in fingerprint that differs for different keys.
    let sum = key
        .bytes()
        .fold(0u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
    keypair["fingerprint"] = json!(format!("fa:ke:{sum:08x}"));
    created("keypair", s.insert(KEYPAIRS, keypair))
}

/// Like Keystone: names are unique per user; the secret is the one asked for or a generated one,
/// and appears in this answer only; without roles the credential gets all of the user's
/// (`member` and `reader`); access rules get IDs; `unrestricted: false` reads back as `null`.
fn create_application_credential(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let mut credential = body_of(req, "application_credential");
    let name = credential["name"].as_str().unwrap_or_default().to_owned();
    if s.list(APPLICATION_CREDENTIALS)
        .iter()
        .any(|c| c["name"] == json!(name))
    {
        return Action::error(
            APPLICATION_CREDENTIALS,
            409,
            &format!(
                "Conflict occurred attempting to store application_credential - Duplicate entry found with name {name}."
            ),
            "req-appcred-exists",
        );
    }
    let secret = credential
        .as_object_mut()
        .and_then(|c| c.remove("secret"))
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| GENERATED_SECRET.to_owned());
    if credential["roles"].as_array().is_none_or(Vec::is_empty) {
        credential["roles"] = json!([{"name": "member"}, {"name": "reader"}]);
    }
    if credential["unrestricted"] != json!(true) {
        credential["unrestricted"] = Value::Null;
    }
    if let Some(rules) = credential["access_rules"].as_array_mut() {
        for (n, rule) in rules.iter_mut().enumerate() {
            rule["id"] = json!(format!("rule-{name}-{n}"));
        }
    }
    let mut answer = s.insert(APPLICATION_CREDENTIALS, credential);
    answer["secret"] = json!(secret);
    created("application_credential", answer)
}

/// A server is ACTIVE at once, with its flavor embedded (as from microversion 2.47 on) and one
/// port per requested network.
fn create_server(s: &mut Store, req: &Recorded, _: &[String]) -> Action {
    let mut server = body_of(req, "server");
    let flavor_ref = server["flavorRef"].as_str().unwrap_or_default().to_owned();
    let Some(flavor) = s.get(FLAVORS, &flavor_ref).cloned() else {
        return Action::error(
            SERVERS,
            400,
            &format!("Flavor {flavor_ref} could not be found."),
            "req-flavor",
        );
    };
    server["flavor"] = json!({"original_name": flavor["name"], "vcpus": flavor["vcpus"],
        "ram": flavor["ram"], "disk": flavor["disk"], "swap": flavor["swap"],
        "ephemeral": flavor["OS-FLV-EXT-DATA:ephemeral"], "extra_specs": flavor["extra_specs"]});
    server["image"] = match server["imageRef"].as_str() {
        Some(id) if !id.is_empty() => json!({"id": id}),
        _ => json!(""),
    };
    let groups: Vec<Value> = server["security_groups"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| vec![json!({"name": "default"})]);
    server["security_groups"] = json!(groups);
    let networks = server
        .as_object_mut()
        .and_then(|o| o.remove("networks"))
        .unwrap_or(Value::Null);
    for key in [
        "flavorRef",
        "imageRef",
        "block_device_mapping_v2",
        "user_data",
        "adminPass",
    ] {
        if let Some(o) = server.as_object_mut() {
            o.remove(key);
        }
    }
    let stored = s.insert(SERVERS, server);
    let id = stored["id"].as_str().unwrap_or_default().to_owned();
    let mut addresses = serde_json::Map::new();
    for (n, net) in networks.as_array().into_iter().flatten().enumerate() {
        let port = match net["port"].as_str() {
            Some(port_id) => s.update(
                PORTS,
                port_id,
                json!({"device_id": id, "device_owner": "compute:nova"}),
            ),
            None => {
                let net_id = net["uuid"].as_str().unwrap_or_default();
                Some(s.insert(
                    PORTS,
                    json!({"network_id": net_id, "device_id": id, "device_owner": "compute:nova",
                        "status": "ACTIVE", "mac_address": format!("fa:16:3e:00:00:{n:02x}"),
                        "fixed_ips": [{"subnet_id": "", "ip_address": format!("10.0.0.{}", n + 10)}],
                        "project_id": PROJECT_ID}),
                ))
            }
        };
        let Some(port) = port else { continue };
        let net_name = s
            .get(NETWORKS, port["network_id"].as_str().unwrap_or_default())
            .and_then(|n| n["name"].as_str())
            .unwrap_or("net")
            .to_owned();
        let ips: Vec<Value> = port["fixed_ips"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|ip| {
                json!({"addr": ip["ip_address"], "version": 4, "OS-EXT-IPS:type": "fixed",
                "OS-EXT-IPS-MAC:mac_addr": port["mac_address"]})
            })
            .collect();
        addresses.insert(net_name, json!(ips));
        s.insert(
            &interfaces(&id),
            json!({"port_id": port["id"], "net_id": port["network_id"],
                "mac_addr": port["mac_address"], "port_state": "ACTIVE",
                "fixed_ips": port["fixed_ips"]}),
        );
    }
    let stored = s
        .update(SERVERS, &id, json!({"addresses": addresses}))
        .unwrap_or(stored);
    Action::Json(202, json!({"server": stored}))
}

/// The router interface answer Neutron gives for `port`.
fn interface_info(router_id: &str, port: &Value) -> Value {
    let subnet_id = port["fixed_ips"][0]["subnet_id"].clone();
    json!({"id": router_id, "port_id": port["id"], "subnet_id": subnet_id,
        "subnet_ids": [subnet_id], "network_id": port["network_id"], "tenant_id": PROJECT_ID,
        "project_id": PROJECT_ID})
}

fn add_router_interface(s: &mut Store, req: &Recorded, ids: &[String]) -> Action {
    let router_id = &ids[0];
    if s.get(ROUTERS, router_id).is_none() {
        return Action::error(
            ROUTERS,
            404,
            &format!("Router {router_id} could not be found"),
            "req-router",
        );
    }
    let body = req.json();
    let owner = json!({"device_id": router_id, "device_owner": "network:router_interface",
        "status": "ACTIVE"});
    let port = if let Some(port_id) = body["port_id"].as_str() {
        s.update(PORTS, port_id, owner)
    } else if let Some(subnet_id) = body["subnet_id"].as_str() {
        s.get(SUBNETS, subnet_id).cloned().map(|subnet| {
            let mut port = json!({"network_id": subnet["network_id"], "project_id": PROJECT_ID,
                "fixed_ips": [{"subnet_id": subnet_id, "ip_address": subnet["gateway_ip"]}]});
            super::store::merge(&mut port, owner);
            s.insert(PORTS, port)
        })
    } else {
        None
    };
    match port {
        Some(port) => Action::ok(interface_info(router_id, &port)),
        None => Action::error(
            ROUTERS,
            404,
            "Subnet or port could not be found",
            "req-router",
        ),
    }
}

fn remove_router_interface(s: &mut Store, req: &Recorded, ids: &[String]) -> Action {
    let router_id = &ids[0];
    let body = req.json();
    let on_router = |p: &&Value| {
        p["device_id"].as_str() == Some(router_id)
            && p["device_owner"].as_str() == Some("network:router_interface")
    };
    let port = s
        .list(PORTS)
        .iter()
        .filter(on_router)
        .find(
            |p| match (body["port_id"].as_str(), body["subnet_id"].as_str()) {
                (Some(port_id), _) => p["id"].as_str() == Some(port_id),
                (None, Some(subnet_id)) => p["fixed_ips"].as_array().is_some_and(|ips| {
                    ips.iter()
                        .any(|ip| ip["subnet_id"].as_str() == Some(subnet_id))
                }),
                (None, None) => false,
            },
        )
        .cloned();
    match port {
        Some(port) => {
            s.remove(PORTS, port["id"].as_str().unwrap_or_default());
            Action::ok(interface_info(router_id, &port))
        }
        None => Action::error(
            ROUTERS,
            404,
            &format!("Router {router_id} has no interface matching the request"),
            "req-router",
        ),
    }
}

fn attach_volume(s: &mut Store, req: &Recorded, ids: &[String]) -> Action {
    let server_id = &ids[0];
    if s.get(SERVERS, server_id).is_none() {
        return Action::error(
            SERVERS,
            404,
            &format!("Instance {server_id} could not be found."),
            "req-attach",
        );
    }
    let body = body_of(req, "volumeAttachment");
    let volume_id = body["volumeId"].as_str().unwrap_or_default().to_owned();
    match s.get(VOLUMES, &volume_id).map(|v| v["status"].clone()) {
        None => {
            return Action::error(
                SERVERS,
                404,
                &format!("Volume {volume_id} could not be found."),
                "req-attach",
            );
        }
        Some(status) if status != "available" => {
            return Action::error(
                SERVERS,
                400,
                &format!("Invalid volume: volume {volume_id} status must be available"),
                "req-attach",
            );
        }
        Some(_) => {}
    }
    let path = volume_attachments(server_id);
    let device = format!(
        "/dev/vd{}",
        char::from(b'b' + s.list(&path).len().min(20) as u8)
    );
    let attachment = s.insert(
        &path,
        json!({"id": volume_id, "volumeId": volume_id, "serverId": server_id,
            "device": body["device"].as_str().unwrap_or(&device), "tag": body["tag"],
            "delete_on_termination": body["delete_on_termination"].as_bool().unwrap_or(false)}),
    );
    let attachment_id = s.new_id();
    s.update(
        VOLUMES,
        &volume_id,
        json!({"status": "in-use", "attachments": [{"server_id": server_id,
            "attachment_id": attachment_id, "volume_id": volume_id, "id": volume_id,
            "device": attachment["device"]}]}),
    );
    Action::ok(json!({"volumeAttachment": attachment}))
}

fn detach_volume(s: &mut Store, _: &Recorded, ids: &[String]) -> Action {
    let (server_id, volume_id) = (&ids[0], &ids[1]);
    match s.remove(&volume_attachments(server_id), volume_id) {
        Some(_) => {
            s.update(
                VOLUMES,
                volume_id,
                json!({"status": "available", "attachments": []}),
            );
            Action::Text(202, String::new())
        }
        None => Action::error(
            SERVERS,
            404,
            &format!("volume_id not found: {volume_id}"),
            "req-detach",
        ),
    }
}

fn server_action(s: &mut Store, req: &Recorded, ids: &[String]) -> Action {
    let server_id = &ids[0];
    let body = req.json();
    let status = if body.get("os-stop").is_some() {
        Some("SHUTOFF")
    } else if body.get("os-start").is_some() || body.get("reboot").is_some() {
        Some("ACTIVE")
    } else {
        None
    };
    let fields = match status {
        Some(st) => json!({"status": st}),
        None => json!({}),
    };
    match s.update(SERVERS, server_id, fields) {
        Some(_) => Action::Text(202, String::new()),
        None => Action::error(
            SERVERS,
            404,
            &format!("Instance {server_id} could not be found."),
            "req-action",
        ),
    }
}

fn volume_action(s: &mut Store, req: &Recorded, ids: &[String]) -> Action {
    let volume_id = &ids[0];
    let body = req.json();
    let fields = if let Some(size) = body["os-extend"]["new_size"].as_u64() {
        json!({"size": size})
    } else if let Some(new_type) = body["os-retype"]["new_type"].as_str() {
        json!({"volume_type": new_type})
    } else {
        json!({})
    };
    match s.update(VOLUMES, volume_id, fields) {
        Some(_) => Action::Text(202, String::new()),
        None => Action::error(
            VOLUMES,
            404,
            &format!("Volume {volume_id} could not be found."),
            "req-action",
        ),
    }
}
