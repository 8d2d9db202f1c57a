//! `scs_security_group_rule`: one rule of a security group
//! (`/v2.0/security-group-rules`). Neutron cannot change a rule, so every
//! argument replaces it.
//!
//! Rules are created without any lock: Terraform's parallelism decides how
//! many go at once. A rule Neutron already has (409 SecurityGroupRuleExists,
//! typically a default egress rule) is adopted with a warning.

use async_trait::async_trait;
use scs_client::network::{
    self as neutron, CreateSecurityGroupRule, RuleCreated, SecurityGroupRule,
};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::model::Timeouts;
use tfplugin::schema::validators::one_of;
use tfplugin::value::Attr;

use crate::lifecycle::{CloudObject, Plan, Step};
use crate::support::Cloud;
use crate::support::net::{Cidr, PortField, check_port_range, protocol_number};
use crate::support::schema::{description, region};
use crate::support::string_from_api;

pub struct SecurityGroupRuleResource;

/// One rule of a Neutron security group.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[tf(conflicts_with(remote_ip_prefix, remote_group_id))]
pub struct RuleModel {
    /// The rule's UUID.
    id: Attr<String>,
    #[tf(schema = region)]
    region: Attr<String>,
    /// The ID of the group the rule belongs to.
    #[tf(required, requires_replace)]
    security_group_id: Attr<String>,
    /// `ingress` or `egress`.
    #[tf(required, requires_replace, validator = one_of(&["ingress", "egress"]))]
    direction: Attr<String>,
    /// `IPv4` or `IPv6`. Must match `remote_ip_prefix`, which is checked when planning.
    #[tf(default = "IPv4", requires_replace, validator = one_of(&["IPv4", "IPv6"]))]
    ethertype: Attr<String>,
    /// A protocol name (`tcp`, `udp`, `icmp`, `icmpv6`, `sctp`, `gre`, `esp`, `ah`, `vrrp`, ... as
    /// Neutron knows them) or a number from `0` to `255`. Unset means any protocol.
    #[tf(optional, requires_replace)]
    protocol: Attr<String>,
    /// For port-based protocols (`tcp`, `udp`, `sctp`, `dccp`, `udplite`): the lowest port, `1` to
    /// `65535`. For `icmp`/`icmpv6`: the ICMP type, `0` to `255`.
    #[tf(optional, requires_replace)]
    port_range_min: Attr<i64>,
    /// For port-based protocols: the highest port, `1` to `65535`, not below `port_range_min`. For
    /// `icmp`/`icmpv6`: the ICMP code, `0` to `255`.
    #[tf(optional, requires_replace)]
    port_range_max: Attr<i64>,
    /// The remote address range in CIDR notation. Conflicts with `remote_group_id`.
    #[tf(optional, requires_replace)]
    remote_ip_prefix: Attr<String>,
    /// The ID of a remote security group. Conflicts with `remote_ip_prefix`.
    #[tf(optional, requires_replace)]
    remote_group_id: Attr<String>,
    #[tf(schema = description("Free text describing the rule."), requires_replace)]
    description: Attr<String>,
    #[tf(timeouts(create, update, delete))]
    timeouts: Attr<Timeouts>,
}

/// Protocols Neutron only accepts with ethertype IPv6.
const IPV6_ONLY: &[u8] = &[41, 43, 44, 58, 59, 60];

/// The protocol number `protocol` stands for in a rule of `ethertype`.
/// Neutron stores the names `icmp` and `icmpv6` of an IPv6 rule as
/// `ipv6-icmp`: in an IPv6 rule, `icmp` means ICMPv6. The number `1` is
/// stored as it is.
fn protocol_in(protocol: &str, ethertype: &str) -> Option<u8> {
    let n = protocol_number(protocol).ok()?;
    if ethertype == "IPv6" && protocol.eq_ignore_ascii_case("icmp") {
        Some(58)
    } else {
        Some(n)
    }
}

/// The configured spelling of the protocol when it names the same protocol
/// as the cloud's answer (`tcp` and `6` are one rule; so are `icmp` and
/// `ipv6-icmp` in an IPv6 rule).
fn same_protocol(api: Option<String>, prior: &Attr<String>, ethertype: &str) -> Attr<String> {
    match (api, prior.known()) {
        (None, Some(p)) if p.eq_ignore_ascii_case("any") => prior.clone(),
        (Some(a), Some(p))
            if protocol_in(&a, ethertype).is_some_and(|n| protocol_in(p, ethertype) == Some(n)) =>
        {
            prior.clone()
        }
        (api, _) => api.map_or(Attr::Null, Attr::Known),
    }
}

/// `0.0.0.0/0` and `::/0` mean "anywhere", as does no prefix at all.
fn same_prefix(api: Option<String>, prior: &Attr<String>) -> Attr<String> {
    let anywhere = |p: &str| {
        Cidr::parse(p)
            .ok()
            .is_some_and(|c| c.to_string().ends_with("/0"))
    };
    match (api, prior.known()) {
        (None, Some(p)) if anywhere(p) => prior.clone(),
        (Some(a), Some(p))
            if Cidr::parse(&a)
                .ok()
                .is_some_and(|c| Cidr::parse(p).ok() == Some(c)) =>
        {
            prior.clone()
        }
        (api, _) => api.map_or(Attr::Null, Attr::Known),
    }
}

/// Checks across attributes; each diagnostic names the attribute to fix.
fn check_config(rule: &RuleModel) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let protocol = rule.protocol.known().map(String::as_str);
    if let Some(p) = protocol
        && let Err(e) = protocol_number(p)
    {
        diags.error_at(AttributePath::attr("protocol"), "Unknown protocol", e);
        return diags;
    }
    let ports_known = !rule.port_range_min.is_unknown() && !rule.port_range_max.is_unknown();
    if !rule.protocol.is_unknown()
        && ports_known
        && let Err((field, e)) = check_port_range(
            protocol,
            rule.port_range_min.known().copied(),
            rule.port_range_max.known().copied(),
        )
    {
        let name = match field {
            PortField::Min => "port_range_min",
            PortField::Max => "port_range_max",
        };
        diags.error_at(AttributePath::attr(name), "Invalid port range", e);
    }
    let ethertype = rule.ethertype.known().map(String::as_str);
    if ethertype == Some("IPv4")
        && let Some(n) = protocol.and_then(|p| protocol_number(p).ok())
        && IPV6_ONLY.contains(&n)
    {
        diags.error_at(
            AttributePath::attr("protocol"),
            "Protocol needs IPv6",
            format!(
                "protocol {:?} only exists for ethertype = \"IPv6\"",
                protocol.unwrap_or_default()
            ),
        );
    }
    if let Some(prefix) = rule.remote_ip_prefix.known() {
        match Cidr::parse(prefix) {
            Err(e) => diags.error_at(AttributePath::attr("remote_ip_prefix"), "Invalid CIDR", e),
            Ok(cidr) => {
                let want = if cidr.version() == 4 { "IPv4" } else { "IPv6" };
                if let Some(e) = ethertype
                    && e != want
                {
                    diags.error_at(
                        AttributePath::attr("remote_ip_prefix"),
                        "Prefix does not match the ethertype",
                        format!("remote_ip_prefix {cidr} is {want}, but ethertype is {e}"),
                    );
                }
            }
        }
    }
    diags
}

fn port(value: &Attr<i64>) -> Option<u32> {
    value.known().and_then(|p| u32::try_from(*p).ok())
}

#[async_trait]
impl CloudObject for SecurityGroupRuleResource {
    type Model = RuleModel;
    type Api = SecurityGroupRule;
    const TYPE_NAME: &'static str = "scs_security_group_rule";

    fn state_from(&self, rule: SecurityGroupRule, prior: &RuleModel) -> RuleModel {
        RuleModel {
            security_group_id: Attr::Known(rule.security_group_id),
            direction: Attr::Known(rule.direction),
            protocol: same_protocol(rule.protocol, &prior.protocol, &rule.ethertype),
            ethertype: Attr::Known(rule.ethertype),
            port_range_min: rule
                .port_range_min
                .map_or(Attr::Null, |p| Attr::Known(i64::from(p))),
            port_range_max: rule
                .port_range_max
                .map_or(Attr::Null, |p| Attr::Known(i64::from(p))),
            remote_ip_prefix: same_prefix(rule.remote_ip_prefix, &prior.remote_ip_prefix),
            remote_group_id: rule.remote_group_id.map_or(Attr::Null, Attr::Known),
            description: string_from_api(rule.description, &prior.description),
            ..Default::default()
        }
    }

    fn validate(&self, config: &RuleModel) -> Diagnostics {
        let mut rule = config.clone();
        if rule.ethertype.is_null() {
            rule.ethertype = Attr::Known("IPv4".to_owned());
        }
        check_config(&rule)
    }

    /// A rule Neutron already has (409 SecurityGroupRuleExists) is adopted
    /// with a warning instead of failing the apply.
    async fn create(&self, plan: Plan<'_, RuleModel>) -> Step<SecurityGroupRule> {
        let body = CreateSecurityGroupRule {
            security_group_id: plan.security_group_id.known().cloned().unwrap_or_default(),
            direction: plan.direction.known().cloned().unwrap_or_default(),
            ethertype: plan.ethertype.known().cloned(),
            protocol: plan.protocol.known().cloned(),
            port_range_min: port(&plan.port_range_min),
            port_range_max: port(&plan.port_range_max),
            remote_ip_prefix: plan.remote_ip_prefix.known().cloned(),
            remote_group_id: plan.remote_group_id.known().cloned(),
            description: plan.description.known().cloned(),
        };
        let existing = match neutron::create_or_find_security_group_rule(plan.cloud, &body).await? {
            RuleCreated::Made(rule) => return Ok(rule),
            RuleCreated::Existing(rule) => rule,
        };
        plan.cloud.ctx.warn(
            "Adopted an existing security group rule",
            format!(
                "Security group {} already had this rule ({}), for example as one of the rules Neutron \
                 adds to every new group. It is now managed by this resource; destroying the resource \
                 deletes it.",
                existing.security_group_id, existing.id
            ),
        );
        Ok(existing)
    }

    /// Waits behind other deletes of the same group: Neutron runs them one
    /// after the other anyway, and ten at once collide and back off.
    async fn delete(&self, cloud: &Cloud<'_>, id: &str, state: &RuleModel) -> Step<()> {
        let group_id = state.security_group_id.known().map_or("", String::as_str);
        Ok(neutron::delete_group_rule(cloud, group_id, id).await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rule(protocol: Option<&str>, min: Option<i64>, max: Option<i64>) -> RuleModel {
        RuleModel {
            direction: Attr::Known("ingress".into()),
            ethertype: Attr::Known("IPv4".into()),
            protocol: protocol.map_or(Attr::Null, |p| Attr::Known(p.into())),
            port_range_min: min.map_or(Attr::Null, Attr::Known),
            port_range_max: max.map_or(Attr::Null, Attr::Known),
            ..Default::default()
        }
    }

    #[test]
    fn plan_time_checks_name_their_attribute() {
        assert!(check_config(&rule(Some("tcp"), Some(22), Some(22))).is_empty());
        assert_eq!(
            check_config(&rule(Some("tcp"), Some(0), Some(22))).attribute_paths(),
            ["port_range_min"]
        );
        assert_eq!(
            check_config(&rule(Some("tcp"), Some(80), Some(22))).attribute_paths(),
            ["port_range_max"]
        );
        assert_eq!(
            check_config(&rule(Some("tcpp"), None, None)).attribute_paths(),
            ["protocol"]
        );
        assert_eq!(
            check_config(&rule(Some("ipv6-icmp"), None, None)).attribute_paths(),
            ["protocol"]
        );
        let mut r = rule(None, None, None);
        r.remote_ip_prefix = Attr::Known("2001:db8::/32".into());
        assert_eq!(check_config(&r).attribute_paths(), ["remote_ip_prefix"]);
        r.remote_ip_prefix = Attr::Known("10.0.0.1/24".into());
        assert_eq!(check_config(&r).attribute_paths(), ["remote_ip_prefix"]);
    }

    #[test]
    fn unknown_values_are_not_judged() {
        let mut r = rule(Some("tcp"), Some(22), None);
        r.port_range_max = Attr::Unknown;
        assert!(check_config(&r).is_empty());
    }

    #[test]
    fn icmp_of_an_ipv6_rule_is_what_neutron_calls_ipv6_icmp() {
        let icmp = Attr::Known("icmp".to_owned());
        for stored in ["ipv6-icmp", "icmpv6", "58"] {
            assert_eq!(same_protocol(Some(stored.into()), &icmp, "IPv6"), icmp);
        }
        let icmpv6 = Attr::Known("icmpv6".to_owned());
        assert_eq!(
            same_protocol(Some("ipv6-icmp".into()), &icmpv6, "IPv6"),
            icmpv6
        );
        // ICMP for IPv4 is another protocol than ICMPv6.
        assert_eq!(
            same_protocol(Some("ipv6-icmp".into()), &icmp, "IPv4"),
            Attr::Known("ipv6-icmp".into())
        );
        // The number 1 is kept by Neutron and is not ICMPv6.
        assert_eq!(
            same_protocol(Some("ipv6-icmp".into()), &Attr::Known("1".into()), "IPv6"),
            Attr::Known("ipv6-icmp".into())
        );
    }

    #[test]
    fn equivalent_spellings_are_not_drift() {
        assert_eq!(
            same_protocol(Some("6".into()), &Attr::Known("tcp".into()), "IPv4"),
            Attr::Known("tcp".into())
        );
        assert_eq!(
            same_protocol(Some("udp".into()), &Attr::Known("tcp".into()), "IPv4"),
            Attr::Known("udp".into())
        );
        assert_eq!(
            same_prefix(None, &Attr::Known("0.0.0.0/0".into())),
            Attr::Known("0.0.0.0/0".into())
        );
        assert_eq!(
            same_prefix(Some("0.0.0.0/0".into()), &Attr::Null),
            Attr::Known("0.0.0.0/0".into())
        );
    }
}
