//! Fixtures shared by the tfplugin benches: schemas shaped like the
//! provider's resources and values of realistic size built from them.
//!
//! The shapes follow the provider's own resources (a security group with its
//! rules as a list block; a server with ~30 attributes and nested blocks), so
//! the numbers speak for real plans without the bench depending on the root
//! crate.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema, TimeoutKind, timeouts_block};
use tfplugin::value::{Attr, Type, Value};

/// A security group whose rules are a list block: the biggest state one
/// resource of this provider can realistically hold.
pub fn security_group_schema() -> Schema {
    let rule = Block::new()
        .attribute(Attribute::string("id").computed())
        .attribute(Attribute::string("direction").required())
        .attribute(Attribute::string("ethertype").optional().computed())
        .attribute(Attribute::string("protocol").optional())
        .attribute(Attribute::number("port_range_min").optional())
        .attribute(Attribute::number("port_range_max").optional())
        .attribute(Attribute::string("remote_ip_prefix").optional())
        .attribute(Attribute::string("remote_group_id").optional())
        .attribute(Attribute::string("description").optional())
        .attribute(Attribute::set("tags", Type::String).optional());
    Schema::new(
        Block::new()
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("description").optional())
            .attribute(
                Attribute::string("region")
                    .optional()
                    .computed()
                    .requires_replace(),
            )
            .attribute(Attribute::string("project_id").computed())
            .attribute(Attribute::bool("stateful").default(true))
            .attribute(Attribute::set("tags", Type::String).optional())
            .block(NestedBlock::list("rule", rule))
            .block(timeouts_block(&[TimeoutKind::Create, TimeoutKind::Delete])),
    )
}

/// A known security group state with `rules` rules.
pub fn security_group_state(rules: usize) -> Value {
    let rule = |i: usize| {
        let port = i64::try_from(1024 + i % 60_000).unwrap_or(1024);
        Value::object([
            ("id", Value::from(uuid_like(i))),
            (
                "direction",
                Value::from(if i.is_multiple_of(4) {
                    "egress"
                } else {
                    "ingress"
                }),
            ),
            (
                "ethertype",
                Value::from(if i.is_multiple_of(3) { "IPv6" } else { "IPv4" }),
            ),
            ("protocol", Value::from("tcp")),
            ("port_range_min", Value::from(port)),
            ("port_range_max", Value::from(port)),
            (
                "remote_ip_prefix",
                Value::from(format!("10.{}.{}.0/24", (i / 256) % 256, i % 256)),
            ),
            ("remote_group_id", Value::Null),
            ("description", Value::from(format!("allow service {i}"))),
            (
                "tags",
                Value::Set(vec![
                    Value::from("bench"),
                    Value::from(format!("svc-{}", i % 17)),
                ]),
            ),
        ])
    };
    Value::object([
        ("id", Value::from(uuid_like(usize::MAX / 2))),
        ("name", Value::from("bench-sg")),
        (
            "description",
            Value::from("security group built by the benches"),
        ),
        ("region", Value::from("RegionOne")),
        (
            "project_id",
            Value::from("6f1a3b5c9d7e4f2a8b0c1d2e3f4a5b6c"),
        ),
        ("stateful", Value::Bool(true)),
        (
            "tags",
            Value::Set(vec![Value::from("bench"), Value::from("large")]),
        ),
        ("rule", Value::List((0..rules).map(rule).collect())),
        ("timeouts", Value::Null),
    ])
}

fn uuid_like(i: usize) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        i.wrapping_mul(2_654_435_761) & 0xffff_ffff,
        i & 0xffff,
        (i >> 4) & 0xfff,
        (i >> 8) & 0xfff,
        i
    )
}

/// Typed model of [`security_group_schema`], as a resource would declare it.
#[derive(Debug, Serialize, Deserialize)]
pub struct SecurityGroupModel {
    pub id: Attr<String>,
    pub name: Attr<String>,
    pub description: Attr<String>,
    pub region: Attr<String>,
    pub project_id: Attr<String>,
    pub stateful: Attr<bool>,
    pub tags: Attr<Vec<String>>,
    pub rule: Vec<RuleModel>,
    pub timeouts: Value,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RuleModel {
    pub id: Attr<String>,
    pub direction: Attr<String>,
    pub ethertype: Attr<String>,
    pub protocol: Attr<String>,
    pub port_range_min: Attr<i64>,
    pub port_range_max: Attr<i64>,
    pub remote_ip_prefix: Attr<String>,
    pub remote_group_id: Attr<String>,
    pub description: Attr<String>,
    pub tags: Attr<Vec<String>>,
}

/// A server-like resource: 30 top-level attributes, two list blocks (one
/// forcing replacement), a single block and the timeouts block; defaults,
/// requires-replace, use-state-for-unknown and sensitive attributes mixed in.
pub fn server_schema() -> Schema {
    let network = Block::new()
        .attribute(Attribute::string("uuid").optional().computed())
        .attribute(Attribute::string("name").optional().computed())
        .attribute(Attribute::string("port").optional().computed())
        .attribute(Attribute::string("fixed_ip_v4").optional().computed())
        .attribute(Attribute::string("fixed_ip_v6").optional().computed())
        .attribute(Attribute::string("mac").computed());
    let block_device = Block::new()
        .attribute(Attribute::string("source_type").required())
        .attribute(Attribute::string("uuid").optional())
        .attribute(Attribute::number("volume_size").optional())
        .attribute(Attribute::string("volume_type").optional())
        .attribute(Attribute::number("boot_index").optional())
        .attribute(Attribute::bool("delete_on_termination").default(false));
    let hints = Block::new()
        .attribute(Attribute::string("group").optional())
        .attribute(Attribute::set("different_host", Type::String).optional());
    let mut root = Block::new()
        .attribute(Attribute::string("id").computed().use_state_for_unknown())
        .attribute(Attribute::string("name").required())
        .attribute(
            Attribute::string("region")
                .optional()
                .computed()
                .requires_replace(),
        )
        .attribute(Attribute::string("flavor_id").optional().computed())
        .attribute(Attribute::string("flavor_name").optional().computed())
        .attribute(Attribute::string("image_id").optional().computed())
        .attribute(Attribute::string("image_name").optional().computed())
        .attribute(Attribute::string("key_pair").optional().requires_replace())
        .attribute(
            Attribute::set("security_groups", Type::String)
                .optional()
                .computed(),
        )
        .attribute(
            Attribute::string("user_data")
                .optional()
                .sensitive()
                .requires_replace(),
        )
        .attribute(Attribute::map("metadata", Type::String).optional())
        .attribute(
            Attribute::string("availability_zone")
                .optional()
                .computed()
                .requires_replace(),
        )
        .attribute(
            Attribute::string("server_group_id")
                .optional()
                .requires_replace(),
        )
        .attribute(
            Attribute::bool("config_drive")
                .optional()
                .requires_replace(),
        )
        .attribute(Attribute::string("power_state").default("active"))
        .attribute(Attribute::bool("stop_before_destroy").default(false))
        .attribute(Attribute::number("root_volume_size").optional().computed())
        .attribute(Attribute::string("root_volume_type").optional().computed())
        .attribute(
            Attribute::string("root_volume_id")
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(Attribute::string("access_ip_v4").computed())
        .attribute(Attribute::string("access_ip_v6").computed())
        .attribute(Attribute::string("status").computed())
        .attribute(Attribute::map("all_metadata", Type::String).computed())
        .attribute(Attribute::set("tags", Type::String).optional())
        .attribute(
            Attribute::string("created")
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(Attribute::string("updated").computed());
    // Filler attributes up to 30, as a provider grows them (descriptions, flags).
    for i in 0..4 {
        root = root.attribute(Attribute::string(format!("extra_{i}")).optional());
    }
    Schema::new(
        root.block(NestedBlock::list("network", network))
            .block(NestedBlock::list("block_device", block_device).requires_replace())
            .block(NestedBlock::single("scheduler_hints", hints))
            .block(timeouts_block(&[
                TimeoutKind::Create,
                TimeoutKind::Update,
                TimeoutKind::Delete,
            ])),
    )
}

/// What the user writes for a server with `networks` NICs: computed
/// attributes null, as Terraform sends the config.
pub fn server_config(networks: usize) -> Value {
    let ty = server_schema().value_type();
    let mut v = BTreeMap::new();
    if let Some(attrs) = ty.attributes() {
        for name in attrs.keys() {
            v.insert(name.clone(), Value::Null);
        }
    }
    let set = |k: &str, val: Value| (k.to_owned(), val);
    v.extend([
        set("name", Value::from("bench-server")),
        set("flavor_name", Value::from("SCS-2V-4")),
        set("image_name", Value::from("Ubuntu 24.04")),
        set("key_pair", Value::from("bench-key")),
        set(
            "security_groups",
            Value::Set(vec![Value::from("default"), Value::from("ssh")]),
        ),
        set(
            "user_data",
            Value::from("#cloud-config\npackages: [nginx]\n"),
        ),
        set(
            "metadata",
            Value::Map(BTreeMap::from([
                ("role".to_owned(), Value::from("web")),
                ("owner".to_owned(), Value::from("bench")),
            ])),
        ),
        set("tags", Value::Set(vec![Value::from("bench")])),
        set("extra_0", Value::from("x")),
        set(
            "network",
            Value::List(
                (0..networks)
                    .map(|i| {
                        Value::object([
                            ("uuid", Value::from(uuid_like(i))),
                            ("name", Value::Null),
                            ("port", Value::Null),
                            ("fixed_ip_v4", Value::Null),
                            ("fixed_ip_v6", Value::Null),
                            ("mac", Value::Null),
                        ])
                    })
                    .collect(),
            ),
        ),
        set("block_device", Value::List(vec![])),
        set(
            "scheduler_hints",
            Value::object([
                ("group", Value::from("anti-affinity-group")),
                ("different_host", Value::Null),
            ]),
        ),
        set("timeouts", Value::Null),
    ]);
    Value::Object(v)
}

/// The state after apply of [`server_config`]: every computed attribute known.
pub fn server_state(networks: usize) -> Value {
    let mut v = server_config(networks);
    let Value::Object(m) = &mut v else {
        return v;
    };
    let fill = [
        ("id", Value::from(uuid_like(7))),
        ("region", Value::from("RegionOne")),
        ("flavor_id", Value::from(uuid_like(8))),
        ("image_id", Value::from(uuid_like(9))),
        ("availability_zone", Value::from("nova")),
        ("power_state", Value::from("active")),
        ("stop_before_destroy", Value::Bool(false)),
        ("root_volume_size", Value::from(8)),
        ("root_volume_type", Value::from("__DEFAULT__")),
        ("root_volume_id", Value::from(uuid_like(10))),
        ("access_ip_v4", Value::from("10.0.0.12")),
        ("access_ip_v6", Value::from("")),
        ("status", Value::from("ACTIVE")),
        (
            "all_metadata",
            Value::Map(BTreeMap::from([
                ("role".to_owned(), Value::from("web")),
                ("owner".to_owned(), Value::from("bench")),
            ])),
        ),
        ("created", Value::from("2026-11-27T23:00:00Z")),
        ("updated", Value::from("2026-11-27T23:01:00Z")),
    ];
    for (k, val) in fill {
        m.insert(k.to_owned(), val);
    }
    if let Some(Value::List(nets)) = m.get_mut("network") {
        for (i, n) in nets.iter_mut().enumerate() {
            if let Value::Object(n) = n {
                n.insert("name".into(), Value::from(format!("net-{i}")));
                n.insert("port".into(), Value::from(uuid_like(100 + i)));
                n.insert("fixed_ip_v4".into(), Value::from(format!("10.0.{i}.12")));
                n.insert("fixed_ip_v6".into(), Value::from(""));
                n.insert("mac".into(), Value::from(format!("fa:16:3e:00:00:{i:02x}")));
            }
        }
    }
    v
}

/// Typed model of [`server_schema`], as the resource would declare it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ServerModel {
    pub id: Attr<String>,
    pub name: Attr<String>,
    pub region: Attr<String>,
    pub flavor_id: Attr<String>,
    pub flavor_name: Attr<String>,
    pub image_id: Attr<String>,
    pub image_name: Attr<String>,
    pub key_pair: Attr<String>,
    pub security_groups: Attr<Vec<String>>,
    pub user_data: Attr<String>,
    pub metadata: Attr<BTreeMap<String, String>>,
    pub availability_zone: Attr<String>,
    pub server_group_id: Attr<String>,
    pub config_drive: Attr<bool>,
    pub power_state: Attr<String>,
    pub stop_before_destroy: Attr<bool>,
    pub root_volume_size: Attr<i64>,
    pub root_volume_type: Attr<String>,
    pub root_volume_id: Attr<String>,
    pub access_ip_v4: Attr<String>,
    pub access_ip_v6: Attr<String>,
    pub status: Attr<String>,
    pub all_metadata: Attr<BTreeMap<String, String>>,
    pub tags: Attr<Vec<String>>,
    pub created: Attr<String>,
    pub updated: Attr<String>,
    pub extra_0: Attr<String>,
    pub extra_1: Attr<String>,
    pub extra_2: Attr<String>,
    pub extra_3: Attr<String>,
    pub network: Vec<NetworkModel>,
    pub block_device: Vec<BlockDeviceModel>,
    pub scheduler_hints: Attr<HintsModel>,
    pub timeouts: Value,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct NetworkModel {
    pub uuid: Attr<String>,
    pub name: Attr<String>,
    pub port: Attr<String>,
    pub fixed_ip_v4: Attr<String>,
    pub fixed_ip_v6: Attr<String>,
    pub mac: Attr<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct BlockDeviceModel {
    pub source_type: Attr<String>,
    pub uuid: Attr<String>,
    pub volume_size: Attr<i64>,
    pub volume_type: Attr<String>,
    pub boot_index: Attr<i64>,
    pub delete_on_termination: Attr<bool>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct HintsModel {
    pub group: Attr<String>,
    pub different_host: Attr<Vec<String>>,
}
