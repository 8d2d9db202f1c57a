//! The typed shape of `scs_server` (its schema is derived from it) and how a
//! Nova server maps onto it.

use std::collections::{BTreeMap, BTreeSet};

use scs_client::compute::Server;
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::model::Timeouts;
use tfplugin::schema::validators::{int_between, one_of};
use tfplugin::value::Attr;

use super::validate::user_data_validator;
use crate::support::configured_tags;
use crate::support::schema::{region, tags};
use crate::support::text::nova_name_validator;

/// A Nova server (virtual machine).
#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[tf(
    conflicts_with(flavor_id, flavor_name),
    conflicts_with(image_id, image_name),
    conflicts_with(user_data, user_data_wo),
    required_with(user_data_wo_version, user_data_wo)
)]
pub(crate) struct ServerModel {
    /// The server's UUID.
    pub id: Attr<String>,
    #[tf(schema = region)]
    pub region: Attr<String>,
    /// The server's name. Changed in place.
    #[tf(required, validator = nova_name_validator)]
    pub name: Attr<String>,
    /// The flavor's ID. Exactly one of `flavor_id` and `flavor_name` is required; the other is
    /// filled in. A change resizes the server in place (the resize is confirmed by the provider).
    #[tf(optional, computed)]
    pub flavor_id: Attr<String>,
    /// The flavor's name, e.g. `SCS-2V-4`, found as the `scs_flavor` data source finds it: the v1
    /// spelling `SCS-2V:4` and the flavor's `scs:name-vN` extra specs are names too, and a name
    /// that several flavors answer to is an error listing them. The name is kept as written. See
    /// `flavor_id`.
    #[tf(optional, computed)]
    pub flavor_name: Attr<String>,
    /// The image's ID. A change rebuilds the server in place. Not needed when `block_device`
    /// blocks describe the boot volume.
    #[tf(optional, computed)]
    pub image_id: Attr<String>,
    /// The image's name; resolved to the newest active image of that name at create and rebuild
    /// only (see Image rotation above). Conflicts with `image_id`.
    #[tf(optional, computed)]
    pub image_name: Attr<String>,
    /// The name of a keypair to inject.
    #[tf(optional, requires_replace)]
    pub key_pair: Attr<String>,
    /// A set of security group names for the server's ports, changed in place. If unset, Nova
    /// applies the project's `default` group and it is recorded in the state. Don't combine this
    /// with security groups set on a `port` that the server uses.
    #[tf(optional, computed, use_state_for_unknown, set)]
    pub security_groups: Attr<Vec<String>>,
    /// Zero or more NICs, in order. Adding or removing a block attaches or detaches that NIC in
    /// place; blocks are matched to NICs by their network, port and address, not by position.
    /// Without any block the server gets no NIC.
    #[tf(block)]
    pub network: Attr<Vec<NetworkBlock>>,
    /// Cloud-init user data, as text (the client base64-encodes it). Nova does not return user
    /// data, so an imported server has none in state. The state keeps the text, marked sensitive,
    /// not a hash as terraform-provider-openstack does: over plugin protocol 6, Terraform 1.0.3
    /// rejects a planned value that differs from the configuration ("planned an invalid value ...
    /// does not match config value nor prior value"); only the legacy SDK's protocol 5 may do
    /// that. Keep secrets out of user data, or protect the state as you protect secrets. Nova takes
    /// at most 65,535 bytes of Base64, that is 49,149 bytes of user data; larger user data is
    /// refused when Terraform validates the configuration, before anything is sent.
    #[tf(optional, sensitive, requires_replace, validator = user_data_validator)]
    pub user_data: Attr<String>,
    /// Cloud-init user data like `user_data`, but write-only: the text goes to Nova when the
    /// server is created and is kept in no state and no plan file. Needs Terraform 1.11 or later,
    /// or OpenTofu 1.11 or later; an older client gets an error naming these versions (it would
    /// store the value). Terraform does not compare a write-only value with anything, so changing
    /// the text alone changes nothing: change `user_data_wo_version` with it to replace the
    /// server with one created with the new user data. Conflicts with `user_data`.
    #[tf(optional, sensitive, write_only, validator = user_data_validator)]
    pub user_data_wo: Attr<String>,
    /// Any number; changing it replaces the server, which is then created with the current
    /// `user_data_wo`. Stored in state in place of the write-only text.
    #[tf(optional, requires_replace)]
    pub user_data_wo_version: Attr<i64>,
    /// A map of metadata key/value pairs, changed in place. Keys set outside Terraform show up as
    /// drift and are removed on the next apply.
    #[tf(optional)]
    pub metadata: Attr<BTreeMap<String, String>>,
    #[tf(schema = tags)]
    pub tags: Attr<Vec<String>>,
    /// The availability zone. If unset, Nova's choice is recorded.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pub availability_zone: Attr<String>,
    /// A server group to place the server in (scheduler hint).
    #[tf(optional, requires_replace)]
    pub server_group_id: Attr<String>,
    /// Whether to attach a config drive. If unset, Nova's choice is recorded.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pub config_drive: Attr<bool>,
    /// Volumes mapped at boot, for boot from volume written out by hand. Any change creates a new
    /// server. Conflicts with `root_volume_size` and `root_volume_type`.
    #[tf(block, requires_replace)]
    pub block_device: Attr<Vec<BlockDevice>>,
    /// `active` or `shutoff`. Changed in place by starting or stopping the server.
    #[tf(default = ACTIVE, validator = one_of(&[ACTIVE, SHUTOFF]))]
    pub power_state: Attr<String>,
    /// Stop the server (graceful shutdown) before deleting it.
    #[tf(default = false)]
    pub stop_before_destroy: Attr<bool>,
    /// Size in GiB of the root volume created for boot from volume (see Diskless SCS flavors). If
    /// unset and the server boots from a volume, the image's `min_disk` is used and recorded.
    /// Setting it boots from a volume even on a flavor with a disk.
    #[tf(optional, computed, requires_replace, validator = int_between(1, 1 << 40))]
    pub root_volume_size: Attr<i64>,
    /// Volume type of that root volume. If unset, the cloud's default type is recorded.
    #[tf(optional, computed, requires_replace)]
    pub root_volume_type: Attr<String>,
    /// The ID of the root volume this provider had Nova create for boot from volume; null when
    /// the server boots from an image or from `block_device` blocks.
    #[tf(computed)]
    pub root_volume_id: Attr<String>,
    /// Nova's IPv4 access address, or else the first NIC's IPv4 address.
    #[tf(computed)]
    pub access_ip_v4: Attr<String>,
    /// Nova's IPv6 access address, or else the first NIC's IPv6 address.
    #[tf(computed)]
    pub access_ip_v6: Attr<String>,
    /// Nova's status (`ACTIVE`, `SHUTOFF`, `ERROR`, ...).
    #[tf(computed)]
    pub status: Attr<String>,
    /// All of the server's metadata as Nova reports it.
    #[tf(computed)]
    pub all_metadata: Attr<BTreeMap<String, String>>,
    #[tf(timeouts(create, update, delete))]
    pub timeouts: Attr<Timeouts>,
}

/// A NIC. Adding or removing a block attaches or detaches a NIC in place.
/// Exactly one of `uuid`, `name` or `port` comes from configuration; the
/// others are filled from the cloud.
#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct NetworkBlock {
    /// The network's ID. Exactly one of `uuid`, `name` and `port` is required; `uuid` and `name`
    /// are filled in for every NIC.
    #[tf(optional, computed)]
    pub uuid: Attr<String>,
    /// The network's name; it must name exactly one network.
    #[tf(optional, computed)]
    pub name: Attr<String>,
    /// The ID of an existing port to attach. For NICs on a network, the ID of the port Nova made
    /// for the NIC; for a NIC attached in place to a server with `security_groups` other than
    /// `default`, the provider then gives that port the server's groups (Nova's attach call would
    /// leave it with only the project's `default` group). Nova deletes such a port when the NIC is
    /// detached or the server deleted. A port given here is detached, not deleted, when the block
    /// is removed or the server is destroyed.
    #[tf(optional, computed)]
    pub port: Attr<String>,
    /// The NIC's IPv4 address. If unset, Neutron picks one and it is recorded. Conflicts with
    /// `port`.
    #[tf(optional, computed)]
    pub fixed_ip_v4: Attr<String>,
    /// The NIC's IPv6 address, if it has one.
    #[tf(computed)]
    pub fixed_ip_v6: Attr<String>,
    /// The NIC's MAC address.
    #[tf(computed)]
    pub mac: Attr<String>,
}

/// A volume mapped at boot (boot from volume). Any change replaces the server.
#[derive(Model, Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct BlockDevice {
    /// `image` (a new volume made from an image), `volume` (an existing volume) or `blank` (a new
    /// empty volume).
    #[tf(required, validator = one_of(&["image", "volume", "blank"]))]
    pub source_type: Attr<String>,
    /// The image or volume ID; required for `image` and `volume`.
    #[tf(optional, computed, use_state_for_unknown)]
    pub uuid: Attr<String>,
    /// Size in GiB of the new volume; required for `image` and `blank`.
    #[tf(optional, computed, use_state_for_unknown, validator = int_between(1, 1 << 40))]
    pub volume_size: Attr<i64>,
    /// Volume type of the new volume.
    #[tf(optional, computed, use_state_for_unknown)]
    pub volume_type: Attr<String>,
    /// `0` for the boot device; unset or `-1` for a volume that is not booted from.
    #[tf(optional, computed, use_state_for_unknown)]
    pub boot_index: Attr<i64>,
    /// Delete the volume with the server.
    #[tf(default = false)]
    pub delete_on_termination: Attr<bool>,
}

/// `power_state` as the resource spells it.
pub(crate) const ACTIVE: &str = "active";
pub(crate) const SHUTOFF: &str = "shutoff";

/// Nova statuses that are on their way somewhere else: they say nothing about
/// the power state the user asked for.
const TRANSITIONAL: &[&str] = &[
    "BUILD",
    "REBOOT",
    "HARD_REBOOT",
    "RESIZE",
    "REVERT_RESIZE",
    "VERIFY_RESIZE",
    "MIGRATING",
    "REBUILD",
    "PASSWORD",
];

pub(crate) fn power_state_of(status: &str, prior: &Attr<String>) -> Attr<String> {
    match status {
        "ACTIVE" => Attr::Known(ACTIVE.to_owned()),
        "SHUTOFF" => Attr::Known(SHUTOFF.to_owned()),
        s if TRANSITIONAL.contains(&s) && prior.is_known() => prior.clone(),
        s => Attr::Known(s.to_ascii_lowercase()),
    }
}

/// Security group names as a set; Nova lists a group once per port.
pub(crate) fn security_group_names(server: &Server) -> Vec<String> {
    server
        .security_groups
        .iter()
        .map(|g| g.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl ServerModel {
    /// Fields read straight off the server; what needs further lookups
    /// (flavor id, image, networks, boot volume) the caller fills in.
    pub(crate) fn with_server(&self, server: &Server) -> ServerModel {
        let metadata = if server.metadata.is_empty() && self.metadata.is_null() {
            Attr::Null
        } else {
            Attr::Known(server.metadata.clone())
        };
        ServerModel {
            id: Attr::Known(server.id.clone()),
            name: Attr::Known(server.name.clone()),
            // The recorded name while it still names the server's flavor
            // (in another SCS syntax, say), else Nova's name for it.
            flavor_name: match &server.flavor.original_name {
                Some(name)
                    if !self
                        .flavor_name
                        .known()
                        .is_some_and(|n| server.flavor.answers_to(n)) =>
                {
                    Attr::Known(name.clone())
                }
                _ => self.flavor_name.clone(),
            },
            key_pair: server.key_name.clone().map_or(Attr::Null, Attr::Known),
            security_groups: Attr::Known(security_group_names(server)),
            metadata,
            all_metadata: Attr::Known(server.metadata.clone()),
            tags: configured_tags(&server.tags, &self.tags),
            availability_zone: Attr::Known(server.availability_zone.clone()),
            server_group_id: server
                .server_groups
                .first()
                .cloned()
                .map_or_else(|| self.server_group_id.clone(), Attr::Known),
            config_drive: Attr::Known(server.has_config_drive()),
            power_state: power_state_of(&server.status, &self.power_state),
            stop_before_destroy: Attr::Known(
                self.stop_before_destroy.known().copied().unwrap_or(false),
            ),
            status: Attr::Known(server.status.clone()),
            ..self.clone()
        }
    }

    /// `access_ip_v4`/`_v6`: Nova's access addresses, else the first NIC's.
    pub(crate) fn fill_access_ips(&mut self, server: &Server) {
        let nics = self.network.known().cloned().unwrap_or_default();
        let first = |pick: fn(&NetworkBlock) -> &Attr<String>| {
            nics.iter()
                .find_map(|n| pick(n).known().filter(|a| !a.is_empty()).cloned())
        };
        self.access_ip_v4 = Attr::Known(if server.access_ipv4.is_empty() {
            first(|n| &n.fixed_ip_v4).unwrap_or_default()
        } else {
            server.access_ipv4.clone()
        });
        self.access_ip_v6 = Attr::Known(if server.access_ipv6.is_empty() {
            first(|n| &n.fixed_ip_v6).unwrap_or_default()
        } else {
            server.access_ipv6.clone()
        });
    }

    /// Whether this state came from `terraform import`: only the id is set
    /// (`name` is required, so any other state has it).
    pub(crate) fn is_fresh_import(&self) -> bool {
        self.name.is_null()
    }

    /// The server boots from a volume (implicit root volume or an explicit
    /// boot block device): Nova shows no image for it.
    pub(crate) fn boots_from_volume(&self) -> bool {
        self.root_volume_size.is_known()
            || self.root_volume_id.is_known()
            || self
                .block_device
                .known()
                .is_some_and(|b| b.iter().any(|d| d.boot_index.known() == Some(&0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_state_keeps_prior_while_in_transition() {
        let prior = Attr::Known(SHUTOFF.to_owned());
        assert_eq!(
            power_state_of("ACTIVE", &prior),
            Attr::Known("active".to_owned())
        );
        assert_eq!(power_state_of("RESIZE", &prior), prior);
        assert_eq!(
            power_state_of("RESIZE", &Attr::Null),
            Attr::Known("resize".to_owned())
        );
        assert_eq!(
            power_state_of("PAUSED", &prior),
            Attr::Known("paused".to_owned())
        );
    }
}
