//! terraform-provider-openstack's resource types and what each becomes here: one table, read by the
//! state move (`moved` blocks), by the `migrate` command that rewrites configuration, and checked
//! against the migration guide.
//!
//! A [`ResourceMapping`] lists every attribute of the source schema, nested ones as
//! `block.attribute` (they apply within each element of the block). An attribute of a nested block
//! that is not listed keeps its name and meaning inside the (possibly renamed) block.

/// The provider whose states and configurations are moved, as `namespace/type`.
pub const SOURCE_PROVIDER: &str = "terraform-provider-openstack/openstack";

/// Earlier addresses of the same provider that old states may still name.
pub const SOURCE_PROVIDER_ALIASES: &[&str] =
    &["hashicorp/openstack", "terraform-providers/openstack"];

/// The local name configurations give the source provider.
pub const SOURCE_LOCAL_NAME: &str = "openstack";

/// One source resource type and the resource type it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceMapping {
    /// The source type, e.g. `openstack_networking_network_v2`.
    pub from: &'static str,
    /// Our type, e.g. `scs_network`.
    pub to: &'static str,
    /// The source schema versions whose state the move reads.
    pub schema_versions: &'static [i64],
    /// Every attribute of the source schema and what becomes of it.
    pub attributes: &'static [AttributeMapping],
    /// What a user must know beyond the attributes (empty when nothing).
    pub note: &'static str,
}

/// One attribute of a source type (`name`, or `block.name` inside a nested block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeMapping {
    pub from: &'static str,
    pub target: Target,
}

/// What becomes of a source attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Same name, same meaning.
    Same,
    /// Same meaning under another name (the last segment of the path for nested attributes).
    Renamed(&'static str),
    /// Its value becomes attribute `to` through `how`.
    Transformed { to: &'static str, how: Transform },
    /// No counterpart here; the reason says why, and the state move warns when the source state
    /// has a value for it.
    Dropped(&'static str),
}

/// A change of shape that is more than a rename; each says what it does for the guide and the
/// `migrate` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// A list of one value becomes that value (`policies = ["anti-affinity"]` -> `policy =
    /// "anti-affinity"`); a list of more than one cannot be moved.
    FirstElement,
    /// `scheduler_hints { group = X }` becomes `server_group_id = X`; the block's other hints have
    /// no counterpart.
    SchedulerHintGroup,
    /// The source state keeps only a hash of `user_data`, which cannot give back the text. The
    /// configuration's `user_data = X` becomes `user_data_wo = X` with `user_data_wo_version = 1`,
    /// and the moved state records version 1, so the server is kept as it is.
    UserDataToWriteOnly,
    /// An image lookup's `properties = { os_distro = ..., os_version = ... }` filter becomes the
    /// attributes `os_distro`, `os_version`, `os_purpose` and `architecture`; other properties
    /// cannot filter here. As an output, `properties` reports the image's properties.
    PropertiesToAttributes,
    /// A size in MiB becomes GiB (`ram = 4096` -> `ram = 4`).
    MebibytesToGibibytes,
}

impl Transform {
    /// One sentence for the guide and the `migrate` command's messages.
    pub fn description(self) -> &'static str {
        match self {
            Transform::FirstElement => "the list's single element becomes the value",
            Transform::SchedulerHintGroup => {
                "the `group` scheduler hint becomes `server_group_id`; other hints have no counterpart"
            }
            Transform::PropertiesToAttributes => {
                "the `os_distro`, `os_version`, `os_purpose` and `architecture` entries become \
                 attributes of those names; other entries cannot filter"
            }
            Transform::MebibytesToGibibytes => "the size in MiB becomes GiB",
            Transform::UserDataToWriteOnly => {
                "`user_data = X` becomes `user_data_wo = X` and `user_data_wo_version = 1` (the \
                 source state holds only a hash of the text)"
            }
        }
    }
}

impl ResourceMapping {
    /// The mapping of one source attribute path (`name` or `block.name`).
    pub fn attribute(&self, from: &str) -> Option<&'static AttributeMapping> {
        self.attributes.iter().find(|a| a.from == from)
    }
}

/// The mapping of one source type.
pub fn mapping(from: &str) -> Option<&'static ResourceMapping> {
    RESOURCES.iter().find(|m| m.from == from)
}

/// The mapping of one source data source type.
pub fn data_source_mapping(from: &str) -> Option<&'static ResourceMapping> {
    DATA_SOURCES.iter().find(|m| m.from == from)
}

/// Every source type that moves to `to`.
pub fn mappings_to(to: &str) -> impl Iterator<Item = &'static ResourceMapping> + '_ {
    RESOURCES.iter().filter(move |m| m.to == to)
}

const fn same(from: &'static str) -> AttributeMapping {
    AttributeMapping {
        from,
        target: Target::Same,
    }
}

const fn renamed(from: &'static str, to: &'static str) -> AttributeMapping {
    AttributeMapping {
        from,
        target: Target::Renamed(to),
    }
}

const fn dropped(from: &'static str, reason: &'static str) -> AttributeMapping {
    AttributeMapping {
        from,
        target: Target::Dropped(reason),
    }
}

const fn transformed(from: &'static str, to: &'static str, how: Transform) -> AttributeMapping {
    AttributeMapping {
        from,
        target: Target::Transformed { to, how },
    }
}

// Reasons shared by several types.
const TENANT: &str = "the project is the one of the provider's credentials";
const ALL_TAGS: &str = "`tags` holds the tags; tags set outside Terraform are not reported";
const VALUE_SPECS: &str =
    "raw API fields are not passed through; every supported field is an attribute";
const AZ_HINTS: &str = "availability zone hints are not supported";
const QOS: &str = "QoS policies are not supported";
const DNS: &str = "DNS integration is not supported";
const VERSION_0: &[i64] = &[0];
const NOT_A_FILTER: &str = "not a filter here; look the object up by name or ID";

/// Every source type this provider takes over.
pub const RESOURCES: &[ResourceMapping] = &[
    ResourceMapping {
        from: "openstack_networking_network_v2",
        to: "scs_network",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("description"),
            same("admin_state_up"),
            same("shared"),
            same("external"),
            same("mtu"),
            same("port_security_enabled"),
            same("tags"),
            same("timeouts"),
            dropped("all_tags", ALL_TAGS),
            dropped("availability_zone_hints", AZ_HINTS),
            dropped("dns_domain", DNS),
            dropped("qos_policy_id", QOS),
            dropped("tenant_id", TENANT),
            dropped("transparent_vlan", "VLAN transparency is not supported"),
            dropped("value_specs", VALUE_SPECS),
            dropped(
                "segments",
                "provider network segments are an administrator's setting",
            ),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_subnet_v2",
        to: "scs_subnet",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("network_id"),
            same("name"),
            same("description"),
            same("cidr"),
            same("ip_version"),
            same("gateway_ip"),
            same("no_gateway"),
            same("enable_dhcp"),
            same("dns_nameservers"),
            same("tags"),
            same("allocation_pool"),
            same("timeouts"),
            dropped("all_tags", ALL_TAGS),
            dropped("dns_publish_fixed_ip", DNS),
            dropped("ipv6_address_mode", "IPv6 address modes are not supported"),
            dropped(
                "ipv6_ra_mode",
                "IPv6 router advertisement modes are not supported",
            ),
            dropped(
                "prefix_length",
                "subnet pools are not supported; set `cidr`",
            ),
            dropped("segment_id", "routed provider networks are not supported"),
            dropped("service_types", "subnet service types are not supported"),
            dropped(
                "subnetpool_id",
                "subnet pools are not supported; set `cidr`",
            ),
            dropped("tenant_id", TENANT),
            dropped("value_specs", VALUE_SPECS),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_router_v2",
        to: "scs_router",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("description"),
            same("admin_state_up"),
            same("external_network_id"),
            same("enable_snat"),
            same("tags"),
            same("timeouts"),
            renamed("external_fixed_ip", "external_fixed_ips"),
            dropped("all_tags", ALL_TAGS),
            dropped("availability_zone_hints", AZ_HINTS),
            dropped(
                "distributed",
                "distributed routing is an administrator's setting",
            ),
            dropped("external_qos_policy_id", QOS),
            dropped(
                "external_subnet_ids",
                "the gateway's subnet is chosen by the cloud; `external_fixed_ips` reports it",
            ),
            dropped("tenant_id", TENANT),
            dropped("value_specs", VALUE_SPECS),
            dropped(
                "vendor_options",
                "the gateway is always set when the router is created",
            ),
        ],
        note: "`external_fixed_ip` blocks become the computed `external_fixed_ips` list.",
    },
    ResourceMapping {
        from: "openstack_networking_router_interface_v2",
        to: "scs_router_interface",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("router_id"),
            same("subnet_id"),
            same("port_id"),
            same("timeouts"),
            dropped(
                "force_destroy",
                "the interface's port is always removed through the router",
            ),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_port_v2",
        to: "scs_port",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("network_id"),
            same("name"),
            same("description"),
            same("admin_state_up"),
            same("security_group_ids"),
            same("no_security_groups"),
            same("port_security_enabled"),
            same("mac_address"),
            same("tags"),
            same("fixed_ip"),
            same("all_fixed_ips"),
            same("device_id"),
            same("device_owner"),
            same("timeouts"),
            renamed("allowed_address_pairs", "allowed_address_pair"),
            dropped(
                "all_security_group_ids",
                "`security_group_ids` reports the groups the cloud applied",
            ),
            dropped("all_tags", ALL_TAGS),
            dropped("binding", "port bindings are an administrator's setting"),
            dropped("dns_assignment", DNS),
            dropped("dns_name", DNS),
            dropped("extra_dhcp_option", "extra DHCP options are not supported"),
            dropped(
                "no_fixed_ip",
                "a port without `fixed_ip` blocks gets addresses from the network's subnets",
            ),
            dropped("qos_policy_id", QOS),
            dropped("tenant_id", TENANT),
            dropped("value_specs", VALUE_SPECS),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_floatingip_v2",
        to: "scs_floating_ip",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("pool"),
            same("address"),
            same("port_id"),
            same("fixed_ip"),
            same("description"),
            same("tags"),
            same("timeouts"),
            dropped("all_tags", ALL_TAGS),
            dropped("dns_domain", DNS),
            dropped("dns_name", DNS),
            dropped(
                "subnet_id",
                "the address comes from any subnet of the pool's network",
            ),
            dropped(
                "subnet_ids",
                "the address comes from any subnet of the pool's network",
            ),
            dropped("tenant_id", TENANT),
            dropped("value_specs", VALUE_SPECS),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_floatingip_associate_v2",
        to: "scs_floating_ip",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            renamed("floating_ip", "address"),
            same("port_id"),
            same("fixed_ip"),
        ],
        note: "`scs_floating_ip` holds its association in `port_id`: an association moves into \
               the floating IP it associates. When that floating IP is managed in the same \
               configuration, set `port_id` there and remove the association instead of moving \
               both.",
    },
    ResourceMapping {
        from: "openstack_networking_secgroup_v2",
        to: "scs_security_group",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("description"),
            same("stateful"),
            same("delete_default_rules"),
            same("tags"),
            same("timeouts"),
            dropped("all_tags", ALL_TAGS),
            dropped("tenant_id", TENANT),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_secgroup_rule_v2",
        to: "scs_security_group_rule",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("security_group_id"),
            same("direction"),
            same("ethertype"),
            same("protocol"),
            same("port_range_min"),
            same("port_range_max"),
            same("remote_ip_prefix"),
            same("remote_group_id"),
            same("description"),
            same("timeouts"),
            dropped(
                "remote_address_group_id",
                "address groups are not supported; use `remote_ip_prefix` or `remote_group_id`",
            ),
            dropped("tenant_id", TENANT),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_compute_instance_v2",
        to: "scs_server",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("flavor_id"),
            same("flavor_name"),
            same("image_id"),
            same("image_name"),
            same("key_pair"),
            same("security_groups"),
            same("metadata"),
            same("all_metadata"),
            same("tags"),
            same("availability_zone"),
            same("config_drive"),
            same("power_state"),
            same("stop_before_destroy"),
            same("access_ip_v4"),
            same("access_ip_v6"),
            same("network"),
            dropped(
                "network.access_network",
                "`access_ip_v4` and `access_ip_v6` report the first network's addresses",
            ),
            same("block_device"),
            dropped(
                "block_device.destination_type",
                "a block device with `source_type = \"image\"` or `\"volume\"` is a volume; \
                 `\"blank\"` with a size is a new volume",
            ),
            dropped(
                "block_device.device_type",
                "the cloud picks the device type",
            ),
            dropped("block_device.disk_bus", "the cloud picks the disk bus"),
            dropped(
                "block_device.guest_format",
                "ephemeral and swap disks come from the flavor",
            ),
            dropped(
                "block_device.multiattach",
                "multi-attach volumes are not supported",
            ),
            same("timeouts"),
            transformed(
                "user_data",
                "user_data_wo_version",
                Transform::UserDataToWriteOnly,
            ),
            transformed(
                "scheduler_hints",
                "server_group_id",
                Transform::SchedulerHintGroup,
            ),
            dropped(
                "admin_pass",
                "the administrator password is not set; use a keypair or cloud-init",
            ),
            dropped("all_tags", ALL_TAGS),
            dropped("availability_zone_hints", "set `availability_zone`"),
            dropped("created", "the creation time is not reported"),
            dropped("updated", "the update time is not reported"),
            dropped(
                "force_delete",
                "servers are deleted normally and waited for",
            ),
            dropped(
                "hypervisor_hostname",
                "placing a server on a host is an administrator's setting",
            ),
            dropped(
                "network_mode",
                "without `network` blocks the server gets no NIC",
            ),
            dropped(
                "personality",
                "file injection was removed from Nova; use `user_data`",
            ),
            dropped(
                "vendor_options",
                "resizes are always confirmed; detaching ports before a delete is not supported",
            ),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_compute_keypair_v2",
        to: "scs_keypair",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("public_key"),
            same("fingerprint"),
            dropped(
                "private_key",
                "keypairs are never generated by the cloud: create the key elsewhere and set \
                 `public_key`",
            ),
            dropped(
                "user_id",
                "keypairs belong to the user of the provider's credentials",
            ),
            dropped("value_specs", VALUE_SPECS),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_compute_servergroup_v2",
        to: "scs_server_group",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("members"),
            transformed("policies", "policy", Transform::FirstElement),
            dropped("rules", "`max_server_per_host` rules are not supported"),
            dropped("value_specs", VALUE_SPECS),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_blockstorage_volume_v3",
        to: "scs_volume",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("description"),
            same("size"),
            same("volume_type"),
            same("image_id"),
            same("snapshot_id"),
            renamed("source_vol_id", "source_volume_id"),
            same("availability_zone"),
            same("metadata"),
            same("timeouts"),
            renamed("attachment", "attachments"),
            renamed("attachment.instance_id", "server_id"),
            dropped("backup_id", "restoring from a backup is not supported"),
            dropped(
                "consistency_group_id",
                "consistency groups are not supported",
            ),
            dropped(
                "enable_online_resize",
                "an attached volume is always extended online",
            ),
            dropped(
                "scheduler_hints",
                "volume scheduler hints are not supported",
            ),
            dropped("source_replica", "volume replicas are not supported"),
            dropped(
                "volume_retype_policy",
                "a change of `volume_type` retypes with migration policy `on-demand`",
            ),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_compute_volume_attach_v2",
        to: "scs_volume_attachment",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            renamed("instance_id", "server_id"),
            same("volume_id"),
            same("device"),
            same("timeouts"),
            dropped("multiattach", "multi-attach volumes are not supported"),
            dropped("tag", "device tags are not supported"),
            dropped(
                "vendor_options",
                "the attachment is always confirmed through the volume's status",
            ),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_identity_application_credential_v3",
        to: "scs_application_credential",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("description"),
            same("unrestricted"),
            same("secret"),
            same("roles"),
            same("access_rules"),
            same("access_rules.id"),
            same("access_rules.service"),
            same("access_rules.path"),
            same("access_rules.method"),
            same("expires_at"),
            same("project_id"),
        ],
        note: "",
    },
];

/// Every source data source this provider has a counterpart for (no state moves: data sources are
/// read again). `schema_versions` is unused for them.
pub const DATA_SOURCES: &[ResourceMapping] = &[
    ResourceMapping {
        from: "openstack_compute_flavor_v2",
        to: "scs_flavor",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("vcpus"),
            same("disk"),
            same("extra_specs"),
            transformed("ram", "ram", Transform::MebibytesToGibibytes),
            dropped("description", NOT_A_FILTER),
            dropped(
                "flavor_id",
                "look the flavor up by name or by what it offers",
            ),
            dropped("is_public", "every flavor the project can use is found"),
            dropped("min_disk", "set `disk`, the exact root disk size in GiB"),
            dropped("min_ram", "set `ram`, the exact memory in GiB"),
            dropped("rx_tx_factor", NOT_A_FILTER),
            dropped("swap", NOT_A_FILTER),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_images_image_v2",
        to: "scs_image",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("name_regex"),
            same("most_recent"),
            same("visibility"),
            same("tags"),
            same("created_at"),
            same("min_disk_gb"),
            same("min_ram_mb"),
            transformed(
                "properties",
                "properties",
                Transform::PropertiesToAttributes,
            ),
            renamed("metadata", "properties"),
            dropped("checksum", "the image checksum is not reported"),
            dropped("container_format", NOT_A_FILTER),
            dropped("disk_format", NOT_A_FILTER),
            dropped("file", "the image file URL is not reported"),
            dropped("hidden", NOT_A_FILTER),
            dropped("member_status", NOT_A_FILTER),
            dropped("owner", NOT_A_FILTER),
            dropped("protected", "the protection flag is not reported"),
            dropped("schema", "the image schema URL is not reported"),
            dropped("size_bytes", "the image size is not reported"),
            dropped("size_max", NOT_A_FILTER),
            dropped("size_min", NOT_A_FILTER),
            dropped("sort", "the newest match wins with `most_recent`"),
            dropped("tag", "filter by tags with `tags`"),
            dropped("updated_at", "the update time is not reported"),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_network_v2",
        to: "scs_network",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("external"),
            same("tags"),
            same("admin_state_up"),
            same("shared"),
            renamed("network_id", "id"),
            renamed("subnets", "subnet_ids"),
            dropped("all_tags", ALL_TAGS),
            dropped("availability_zone_hints", AZ_HINTS),
            dropped("description", NOT_A_FILTER),
            dropped("dns_domain", DNS),
            dropped(
                "matching_subnet_cidr",
                "look the subnet up with the `scs_subnet` data source",
            ),
            dropped("mtu", NOT_A_FILTER),
            dropped(
                "segments",
                "provider network segments are an administrator's setting",
            ),
            dropped("status", NOT_A_FILTER),
            dropped("tenant_id", TENANT),
            dropped("transparent_vlan", "VLAN transparency is not supported"),
        ],
        note: "",
    },
    ResourceMapping {
        from: "openstack_networking_subnet_v2",
        to: "scs_subnet",
        schema_versions: VERSION_0,
        attributes: &[
            same("id"),
            same("region"),
            same("name"),
            same("network_id"),
            same("cidr"),
            same("ip_version"),
            same("description"),
            same("gateway_ip"),
            same("enable_dhcp"),
            same("dns_nameservers"),
            same("allocation_pools"),
            same("host_routes"),
            same("tags"),
            renamed("subnet_id", "id"),
            dropped("all_tags", ALL_TAGS),
            dropped("dhcp_enabled", NOT_A_FILTER),
            dropped("dns_publish_fixed_ip", DNS),
            dropped("ipv6_address_mode", "IPv6 address modes are not supported"),
            dropped(
                "ipv6_ra_mode",
                "IPv6 router advertisement modes are not supported",
            ),
            dropped("segment_id", "routed provider networks are not supported"),
            dropped("service_types", "subnet service types are not supported"),
            dropped("subnetpool_id", "subnet pools are not supported"),
            dropped("tenant_id", TENANT),
        ],
        note: "",
    },
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use tfplugin::value::Type;

    use super::*;

    /// terraform-provider-openstack 3.4.0's schemas of the source types, as facts: `TYPE version
    /// N` and `TYPE ATTRIBUTE` lines.
    const SOURCE_SCHEMAS: &str = include_str!("tpo-3.4.0-attributes.txt");

    struct Source {
        version: i64,
        attributes: BTreeSet<String>,
    }

    /// The resources' schemas, or with `data` the data sources'.
    fn sources(data: bool) -> BTreeMap<String, Source> {
        let mut out: BTreeMap<String, Source> = BTreeMap::new();
        for line in SOURCE_SCHEMAS.lines().filter(|l| !l.starts_with('#')) {
            let words: Vec<&str> = line.split_whitespace().collect();
            let (is_data, name) = match words[0].strip_prefix("data.") {
                Some(name) => (true, name),
                None => (false, words[0]),
            };
            if is_data != data {
                continue;
            }
            let entry = out.entry(name.to_owned()).or_insert(Source {
                version: -1,
                attributes: BTreeSet::new(),
            });
            match words.as_slice() {
                [_, "version", v] => entry.version = v.parse().unwrap_or(-1),
                [_, attribute] => {
                    entry.attributes.insert((*attribute).to_owned());
                }
                _ => panic!("bad line {line:?}"),
            }
        }
        out
    }

    fn target_types() -> BTreeMap<String, Type> {
        crate::resources::all()
            .iter()
            .map(|r| (r.type_name().to_owned(), r.schema().value_type()))
            .collect()
    }

    fn data_source_types() -> BTreeMap<String, Type> {
        crate::data_sources::all()
            .iter()
            .map(|d| (d.type_name().to_owned(), d.schema().value_type()))
            .collect()
    }

    /// The attribute names of an object type, or of the objects of a list or set of objects.
    fn names(ty: &Type) -> BTreeSet<String> {
        ty.attributes()
            .or_else(|| ty.element().and_then(Type::attributes))
            .map(|a| a.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn target_name(m: &AttributeMapping) -> Option<&'static str> {
        let last = m.from.rsplit('.').next().unwrap_or(m.from);
        match m.target {
            Target::Same => Some(last),
            Target::Renamed(to) | Target::Transformed { to, .. } => Some(to),
            Target::Dropped(_) => None,
        }
    }

    #[test]
    fn every_source_type_is_mapped_once_to_a_resource_of_ours() {
        types_are_mapped(RESOURCES, &sources(false), &target_types());
        // Every resource of ours can be reached from one of the source types, but for the
        // Kubernetes objects of cluster stacks, which terraform-provider-openstack does not manage.
        let kubernetes = ["scs_cluster", "scs_cluster_stack"];
        for target in target_types()
            .keys()
            .filter(|t| !kubernetes.contains(&t.as_str()))
        {
            assert!(mappings_to(target).next().is_some(), "{target}");
        }
    }

    #[test]
    fn every_source_data_source_is_mapped_once_to_a_data_source_of_ours() {
        types_are_mapped(DATA_SOURCES, &sources(true), &data_source_types());
    }

    #[test]
    fn every_source_attribute_is_mapped_to_an_attribute_of_ours_or_dropped_with_a_reason() {
        attributes_are_mapped(RESOURCES, &sources(false), &target_types());
    }

    #[test]
    fn every_data_source_attribute_is_mapped_or_dropped_with_a_reason() {
        attributes_are_mapped(DATA_SOURCES, &sources(true), &data_source_types());
    }

    fn types_are_mapped(
        table: &[ResourceMapping],
        sources: &BTreeMap<String, Source>,
        targets: &BTreeMap<String, Type>,
    ) {
        let from: Vec<&str> = table.iter().map(|m| m.from).collect();
        assert_eq!(
            from.iter().copied().collect::<BTreeSet<_>>(),
            sources.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        );
        assert_eq!(from.len(), sources.len(), "a source type is listed twice");
        for m in table {
            assert!(
                targets.contains_key(m.to),
                "{}: no resource {}",
                m.from,
                m.to
            );
            assert!(
                m.schema_versions.contains(&sources[m.from].version),
                "{}: version {}",
                m.from,
                sources[m.from].version
            );
        }
    }

    fn attributes_are_mapped(
        table: &[ResourceMapping],
        sources: &BTreeMap<String, Source>,
        targets: &BTreeMap<String, Type>,
    ) {
        for m in table {
            let source = &sources[m.from];
            let target = &targets[m.to];
            let top = names(target);
            for a in source.attributes.iter().filter(|a| !a.contains('.')) {
                assert!(
                    m.attribute(a).is_some(),
                    "{}.{a} is not in the table",
                    m.from
                );
            }
            for a in m.attributes {
                let parent = a.from.split('.').next().unwrap_or(a.from);
                assert!(
                    source.attributes.contains(a.from) || source.attributes.contains(parent),
                    "{}: the table names {}, which the source schema lacks",
                    m.from,
                    a.from
                );
                if let Target::Dropped(reason) = a.target {
                    assert!(reason.len() > 10, "{}.{}: a reason", m.from, a.from);
                }
                let Some(name) = target_name(a) else { continue };
                if a.from.contains('.') {
                    continue;
                }
                assert!(
                    top.contains(name),
                    "{}.{} -> {}.{name}",
                    m.from,
                    a.from,
                    m.to
                );
            }
            // Nested attributes land in the element type of their (possibly renamed) block.
            let nested = source
                .attributes
                .iter()
                .filter_map(|a| a.split_once('.'))
                .map(|(b, x)| (b.to_owned(), x.to_owned()))
                .chain(
                    m.attributes
                        .iter()
                        .filter_map(|a| a.from.split_once('.'))
                        .map(|(b, x)| (b.to_owned(), x.to_owned())),
                );
            for (block, attribute) in nested {
                let path = format!("{block}.{attribute}");
                let Some(block_target) = m.attribute(&block).and_then(target_name) else {
                    continue;
                };
                if matches!(
                    m.attribute(&block).map(|a| a.target),
                    Some(Target::Transformed { .. })
                ) {
                    continue;
                }
                let renamed = match m.attribute(&path) {
                    Some(a) => target_name(a),
                    None => Some(attribute.as_str()),
                };
                let Some(renamed) = renamed else { continue };
                let inner = target
                    .attributes()
                    .and_then(|a| a.get(block_target))
                    .map(names)
                    .unwrap_or_default();
                assert!(
                    inner.contains(renamed),
                    "{}.{path} -> {}.{block_target}.{renamed}",
                    m.from,
                    m.to
                );
            }
        }
    }
}
