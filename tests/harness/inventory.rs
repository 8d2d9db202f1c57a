//! What the cloud holds of one scenario's objects, listed through the API, and how that
//! compares with what the state holds: orphans (in the cloud, not in the state), missing objects
//! (in the state, gone from the cloud) and duplicates (two objects where the configuration has
//! one).
//!
//! A scenario's objects are those named (floating IPs: described) with its prefix and what hangs
//! off them: the rules of its security groups (without the egress rules Neutron gives every new
//! group), the interface ports of its routers and the volume attachments of its servers. Objects
//! of kinds that take tags or metadata must carry the provider's owner mark: one without it was
//! made by something else, or the mark was lost.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use scs_client::{compute, network as neutron, volume as cinder};
use serde_json::Value;

use super::cloud::Cloud;

/// One object: its resource type (`scs_network`), ID and what tells a duplicate (its name, or
/// for unnamed objects what the create asked for).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Held {
    pub kind: String,
    pub id: String,
    pub label: String,
    /// Whether it carries the owner mark; `None` for kinds that cannot carry one.
    pub marked: Option<bool>,
}

/// The owner mark, as a tag (Neutron objects, servers) and as a metadata key and value (volumes).
const OWNER_TAG: &str = "managed-by=terraform-provider-scs";
const OWNER_KEY: &str = "managed-by";
const OWNER_VALUE: &str = "terraform-provider-scs";

fn tagged(tags: &[String]) -> Option<bool> {
    Some(tags.iter().any(|t| t == OWNER_TAG))
}

impl fmt::Display for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.kind, self.id, self.label)
    }
}

/// The resource types [`cloud_objects`] knows how to find.
pub const KINDS: [&str; 11] = [
    "scs_network",
    "scs_subnet",
    "scs_router",
    "scs_router_interface",
    "scs_security_group",
    "scs_security_group_rule",
    "scs_port",
    "scs_floating_ip",
    "scs_server",
    "scs_volume",
    "scs_volume_attachment",
];

/// Every object of the scenario with name prefix `prefix` that the cloud holds now.
pub fn cloud_objects(cloud: &Cloud, prefix: &str) -> Vec<Held> {
    let c = cloud.client();
    let ours = |name: &str| name.starts_with(&format!("{prefix}-"));
    let mut out = Vec::new();
    let mut add = |kind: &str, id: &str, label: String, marked: Option<bool>| {
        out.push(Held {
            kind: kind.to_owned(),
            id: id.to_owned(),
            label,
            marked,
        });
    };
    for n in cloud.run(neutron::list_networks(c, &[])) {
        if ours(&n.name) {
            add("scs_network", &n.id, n.name, tagged(&n.tags));
        }
    }
    for s in cloud.run(neutron::list_subnets(c, &[])) {
        if ours(&s.name) {
            add("scs_subnet", &s.id, s.name, tagged(&s.tags));
        }
    }
    let routers: BTreeMap<String, (String, Option<bool>)> = cloud
        .run(neutron::list_routers(c, &[]))
        .into_iter()
        .filter(|r| ours(&r.name))
        .map(|r| (r.id.clone(), (r.name.clone(), tagged(&r.tags))))
        .collect();
    for (id, (name, marked)) in &routers {
        add("scs_router", id, name.clone(), *marked);
    }
    let interfaces = cloud.run(neutron::list_ports(
        c,
        &[("device_owner", "network:router_interface")],
    ));
    for p in interfaces {
        if let Some((router, _)) = routers.get(&p.device_id) {
            let subnets: Vec<&str> = p.fixed_ips.iter().map(|ip| ip.subnet_id.as_str()).collect();
            add(
                "scs_router_interface",
                &p.id,
                format!("{router} on {}", subnets.join(",")),
                None,
            );
        }
    }
    let groups: Vec<(String, String, Option<bool>)> = cloud
        .run(neutron::list_security_groups(c, &[]))
        .into_iter()
        .filter(|g| ours(&g.name))
        .map(|g| (g.id.clone(), g.name.clone(), tagged(&g.tags)))
        .collect();
    for (id, name, marked) in &groups {
        add("scs_security_group", id, name.clone(), *marked);
        for r in cloud.run(neutron::list_security_group_rules(
            c,
            &[("security_group_id", id)],
        )) {
            let group_default = r.direction == "egress"
                && r.protocol.is_none()
                && r.port_range_min.is_none()
                && r.remote_ip_prefix.is_none()
                && r.remote_group_id.is_none();
            if !group_default {
                let label = format!(
                    "{name} {} {} {} {:?}-{:?} {}",
                    r.direction,
                    r.ethertype,
                    r.protocol.as_deref().unwrap_or("any"),
                    r.port_range_min,
                    r.port_range_max,
                    r.remote_ip_prefix
                        .as_deref()
                        .or(r.remote_group_id.as_deref())
                        .unwrap_or("-"),
                );
                add("scs_security_group_rule", &r.id, label, None);
            }
        }
    }
    for p in cloud.run(neutron::list_ports(c, &[])) {
        if ours(&p.name) {
            add("scs_port", &p.id, p.name, tagged(&p.tags));
        }
    }
    for f in cloud.run(neutron::list_floating_ips(c, &[])) {
        if ours(&f.description) {
            add("scs_floating_ip", &f.id, f.description, tagged(&f.tags));
        }
    }
    let name_regex = format!("^{prefix}-");
    let servers: Vec<(String, String, Option<bool>)> = cloud
        .run(compute::list_servers(c, &[("name", &name_regex)]))
        .into_iter()
        .filter(|s| ours(&s.name))
        .map(|s| (s.id.clone(), s.name.clone(), tagged(&s.tags)))
        .collect();
    for (id, name, marked) in &servers {
        add("scs_server", id, name.clone(), *marked);
        for a in cloud.run(compute::list_volume_attachments(c, id)) {
            let id = format!("{}/{}", a.server_id, a.volume_id);
            add("scs_volume_attachment", &id, id.clone(), None);
        }
    }
    for v in cloud.run(cinder::list_volumes(c, &[])) {
        if ours(&v.name) {
            let marked = v.metadata.get(OWNER_KEY).map(|m| m == OWNER_VALUE);
            add("scs_volume", &v.id, v.name, Some(marked.unwrap_or(false)));
        }
    }
    out.sort();
    out
}

/// Every managed resource in a `show -json` state (tainted ones included), as `(type, id)`.
pub fn state_objects(state: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(&state["values"]["root_module"], &mut out);
    out.sort();
    out
}

/// The addresses of the tainted resources in a `show -json` state.
pub fn tainted(state: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_tainted(&state["values"]["root_module"], &mut out);
    out
}

fn collect_tainted(module: &Value, out: &mut Vec<String>) {
    for r in module["resources"].as_array().into_iter().flatten() {
        if r["tainted"] == true {
            out.push(r["address"].as_str().unwrap_or_default().to_owned());
        }
    }
    for m in module["child_modules"].as_array().into_iter().flatten() {
        collect_tainted(m, out);
    }
}

fn collect(module: &Value, out: &mut Vec<(String, String)>) {
    for r in module["resources"].as_array().into_iter().flatten() {
        if r["mode"] != "managed" {
            continue;
        }
        let kind = r["type"].as_str().unwrap_or_default().to_owned();
        let id = r["values"]["id"].as_str().unwrap_or_default().to_owned();
        out.push((kind, id));
    }
    for m in module["child_modules"].as_array().into_iter().flatten() {
        collect(m, out);
    }
}

/// How the cloud and the state differ.
#[derive(Clone, Debug, Default)]
pub struct Reconciliation {
    /// In the cloud, not in the state.
    pub orphans: Vec<Held>,
    /// In the state, not in the cloud.
    pub missing: Vec<(String, String)>,
    /// Objects sharing a kind and label with another one (each listed once).
    pub duplicates: Vec<Held>,
    /// Objects of kinds that take the owner mark, without it.
    pub unmarked: Vec<Held>,
    /// How many objects of each kind the cloud holds.
    pub held: BTreeMap<String, usize>,
}

impl Reconciliation {
    /// Cloud and state hold the same objects, and no object twice.
    pub fn is_clean(&self) -> bool {
        self.orphans.is_empty()
            && self.missing.is_empty()
            && self.duplicates.is_empty()
            && self.unmarked.is_empty()
    }

    pub fn total_held(&self) -> usize {
        self.held.values().sum()
    }
}

impl fmt::Display for Reconciliation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held: Vec<String> = self.held.iter().map(|(k, n)| format!("{k} {n}")).collect();
        write!(f, "cloud holds [{}]", held.join(", "))?;
        for o in &self.orphans {
            write!(f, "; orphan {o}")?;
        }
        for (k, id) in &self.missing {
            write!(f, "; missing {k} {id}")?;
        }
        for d in &self.duplicates {
            write!(f, "; duplicate {d}")?;
        }
        for u in &self.unmarked {
            write!(f, "; unmarked {u}")?;
        }
        Ok(())
    }
}

/// Compares what the cloud holds of the scenario with `state` (a `show -json`). Panics on a
/// state resource of a type the inventory cannot list: it would never be found orphaned.
pub fn reconcile(cloud: &Cloud, prefix: &str, state: &Value) -> Reconciliation {
    let in_state = state_objects(state);
    for (kind, _) in &in_state {
        assert!(
            KINDS.contains(&kind.as_str()),
            "the inventory cannot list {kind} objects; teach harness/inventory.rs to"
        );
    }
    compare(&cloud_objects(cloud, prefix), &in_state)
}

fn compare(held: &[Held], in_state: &[(String, String)]) -> Reconciliation {
    let state_ids: BTreeSet<(&str, &str)> = in_state
        .iter()
        .map(|(k, id)| (k.as_str(), id.as_str()))
        .collect();
    let cloud_ids: BTreeSet<(&str, &str)> = held
        .iter()
        .map(|h| (h.kind.as_str(), h.id.as_str()))
        .collect();
    let mut by_label: BTreeMap<(&str, &str), Vec<&Held>> = BTreeMap::new();
    for h in held {
        by_label
            .entry((h.kind.as_str(), h.label.as_str()))
            .or_default()
            .push(h);
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for h in held {
        *counts.entry(h.kind.clone()).or_default() += 1;
    }
    Reconciliation {
        orphans: held
            .iter()
            .filter(|h| !state_ids.contains(&(h.kind.as_str(), h.id.as_str())))
            .cloned()
            .collect(),
        missing: in_state
            .iter()
            .filter(|(k, id)| !cloud_ids.contains(&(k.as_str(), id.as_str())))
            .cloned()
            .collect(),
        duplicates: by_label
            .into_values()
            .filter(|same| same.len() > 1)
            .flatten()
            .cloned()
            .collect(),
        unmarked: held
            .iter()
            .filter(|h| h.marked == Some(false))
            .cloned()
            .collect(),
        held: counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(kind: &str, id: &str, label: &str) -> Held {
        Held {
            kind: kind.into(),
            id: id.into(),
            label: label.into(),
            marked: Some(true),
        }
    }

    #[test]
    fn an_object_without_the_owner_mark_is_reported() {
        let mut unmarked = held("scs_network", "n1", "p-net");
        unmarked.marked = Some(false);
        let mut rule = held("scs_security_group_rule", "r1", "p-sg ingress");
        rule.marked = None;
        let state = [
            ("scs_network".to_owned(), "n1".to_owned()),
            ("scs_security_group_rule".to_owned(), "r1".to_owned()),
        ];
        let r = compare(&[unmarked.clone(), rule], &state);
        assert_eq!(r.unmarked, [unmarked]);
        assert!(!r.is_clean());
        assert_eq!(tagged(&[OWNER_TAG.to_owned()]), Some(true));
        assert_eq!(tagged(&["other".to_owned()]), Some(false));
    }

    #[test]
    fn finds_orphans_missing_objects_and_duplicates() {
        let cloud = [
            held("scs_network", "n1", "p-net"),
            held("scs_network", "n2", "p-net"),
            held("scs_volume", "v1", "p-vol"),
        ];
        let state = [
            ("scs_network".to_owned(), "n1".to_owned()),
            ("scs_subnet".to_owned(), "s1".to_owned()),
            ("scs_volume".to_owned(), "v1".to_owned()),
        ];
        let r = compare(&cloud, &state);
        assert!(!r.is_clean());
        assert_eq!(r.orphans, [held("scs_network", "n2", "p-net")]);
        assert_eq!(r.missing, [("scs_subnet".to_owned(), "s1".to_owned())]);
        assert_eq!(r.duplicates.len(), 2);
        assert_eq!(r.held["scs_network"], 2);
        let clean = compare(&cloud[2..], &state[2..]);
        assert!(clean.is_clean(), "{clean}");
    }

    #[test]
    fn reads_managed_resources_of_every_module() {
        let state = serde_json::json!({"values": {"root_module": {
            "resources": [
                {"mode": "data", "type": "scs_network", "values": {"id": "pub"}},
                {"mode": "managed", "type": "scs_network", "address": "scs_network.a",
                 "values": {"id": "n1"}, "tainted": true}
            ],
            "child_modules": [{"resources": [
                {"mode": "managed", "type": "scs_volume", "values": {"id": "v1"}}
            ]}]
        }}});
        assert_eq!(tainted(&state), ["scs_network.a"]);
        assert_eq!(
            state_objects(&state),
            [
                ("scs_network".to_owned(), "n1".to_owned()),
                ("scs_volume".to_owned(), "v1".to_owned())
            ]
        );
    }
}
