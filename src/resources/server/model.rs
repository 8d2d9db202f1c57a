//! The typed shape of `scs_server` and how a Nova server maps onto it.

use std::collections::{BTreeMap, BTreeSet};

use scs_client::compute::Server;
use serde::{Deserialize, Serialize};
use tfplugin::value::{Attr, Value};

use super::super::shared::list_from_api;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct ServerModel {
    pub id: Attr<String>,
    pub region: Attr<String>,
    pub name: Attr<String>,
    pub flavor_id: Attr<String>,
    pub flavor_name: Attr<String>,
    pub image_id: Attr<String>,
    pub image_name: Attr<String>,
    pub key_pair: Attr<String>,
    pub security_groups: Attr<Vec<String>>,
    pub network: Attr<Vec<NetworkBlock>>,
    pub user_data: Attr<String>,
    pub metadata: Attr<BTreeMap<String, String>>,
    pub tags: Attr<Vec<String>>,
    pub availability_zone: Attr<String>,
    pub server_group_id: Attr<String>,
    pub config_drive: Attr<bool>,
    pub block_device: Attr<Vec<BlockDevice>>,
    pub power_state: Attr<String>,
    pub stop_before_destroy: Attr<bool>,
    pub root_volume_size: Attr<i64>,
    pub root_volume_type: Attr<String>,
    pub root_volume_id: Attr<String>,
    pub access_ip_v4: Attr<String>,
    pub access_ip_v6: Attr<String>,
    pub status: Attr<String>,
    pub all_metadata: Attr<BTreeMap<String, String>>,
    pub timeouts: Value,
}

/// One NIC. Exactly one of `uuid`, `name` or `port` comes from configuration;
/// the others are filled from the cloud.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct NetworkBlock {
    pub uuid: Attr<String>,
    pub name: Attr<String>,
    pub port: Attr<String>,
    pub fixed_ip_v4: Attr<String>,
    pub fixed_ip_v6: Attr<String>,
    pub mac: Attr<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct BlockDevice {
    pub source_type: Attr<String>,
    pub uuid: Attr<String>,
    pub volume_size: Attr<i64>,
    pub volume_type: Attr<String>,
    pub boot_index: Attr<i64>,
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
            tags: list_from_api(server.tags.clone(), &self.tags),
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
