//! Address and protocol rules that several Neutron resources check at plan
//! time, so a bad CIDR or port range fails `plan` instead of half an `apply`.
//!
//! Errors are plain sentences; callers attach the attribute they came from
//! (the schema validators here attach it themselves).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::value::Value;

use super::schema::check_string;

/// An address range in CIDR notation whose host bits are zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n` or `x::/n`. Host bits must be zero: Neutron would
    /// silently store a different range than the one written.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (addr, prefix) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not in CIDR notation (address/prefix length)"))?;
        let network = parse_ip(addr)?;
        let max = bits(network);
        let prefix: u8 = prefix
            .parse()
            .ok()
            .filter(|p| u32::from(*p) <= max)
            .ok_or_else(|| {
                format!("{text:?} has an invalid prefix length; it must be 0 to {max}")
            })?;
        let cidr = Cidr { network, prefix };
        if to_u128(network) != cidr.first() {
            let canonical = Cidr {
                network: from_u128(cidr.first(), network),
                prefix,
            };
            return Err(format!(
                "{text:?} has host bits set; the network address is {canonical}"
            ));
        }
        Ok(cidr)
    }

    /// 4 or 6.
    pub fn version(&self) -> i64 {
        ip_version(self.network)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        ip_version(ip) == self.version() && (self.first()..=self.last()).contains(&to_u128(ip))
    }

    fn host_mask(&self) -> u128 {
        let host_bits = bits(self.network) - u32::from(self.prefix);
        if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        }
    }

    fn first(&self) -> u128 {
        to_u128(self.network) & !self.host_mask()
    }

    fn last(&self) -> u128 {
        self.first() | self.host_mask()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

pub fn parse_ip(text: &str) -> Result<IpAddr, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not an IPv4 or IPv6 address"))
}

pub fn ip_version(ip: IpAddr) -> i64 {
    match ip {
        IpAddr::V4(_) => 4,
        IpAddr::V6(_) => 6,
    }
}

fn bits(ip: IpAddr) -> u32 {
    match ip {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// The address `value` in the same family as `like`.
fn from_u128(value: u128, like: IpAddr) -> IpAddr {
    match like {
        // Only called with values derived from an IPv4 address, which fit.
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX))),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

/// Schema validator: an IPv4 or IPv6 address.
pub fn ip_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_string(v, path, diags, "Invalid IP address", parse_ip);
}

/// Schema validator: a range in CIDR notation without host bits.
pub fn cidr_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    check_string(v, path, diags, "Invalid CIDR", Cidr::parse);
}

/// The pools Neutron allocates from when a subnet is created without any:
/// the whole range minus the network address, the IPv4 broadcast address and
/// the gateway. Knowing them lets a subnet without `allocation_pool` blocks
/// (and an imported one) read back as "no blocks" instead of a diff.
pub fn default_allocation_pools(cidr: &Cidr, gateway: Option<IpAddr>) -> Vec<(IpAddr, IpAddr)> {
    let (first, last) = (cidr.first(), cidr.last());
    if first == last {
        return vec![(cidr.network, cidr.network)];
    }
    let start = first + 1;
    let end = if cidr.version() == 4 { last - 1 } else { last };
    if start >= end {
        return Vec::new();
    }
    let mut ranges = vec![(start, end)];
    if let Some(gw) = gateway.filter(|gw| cidr.contains(*gw)).map(to_u128) {
        ranges = ranges
            .into_iter()
            .flat_map(|(s, e)| {
                if gw < s || gw > e {
                    vec![(s, e)]
                } else {
                    let mut parts = Vec::new();
                    if gw > s {
                        parts.push((s, gw - 1));
                    }
                    if gw < e {
                        parts.push((gw + 1, e));
                    }
                    parts
                }
            })
            .collect();
    }
    ranges
        .into_iter()
        .map(|(s, e)| (from_u128(s, cidr.network), from_u128(e, cidr.network)))
        .collect()
}

/// Checks that an allocation pool is a forward range inside `cidr`.
pub fn check_pool(cidr: &Cidr, start: &str, end: &str) -> Result<(), String> {
    let (s, e) = (parse_ip(start)?, parse_ip(end)?);
    for ip in [s, e] {
        if !cidr.contains(ip) {
            return Err(format!(
                "allocation pool address {ip} is outside the subnet {cidr}"
            ));
        }
    }
    if to_u128(s) > to_u128(e) {
        return Err(format!("allocation pool start {s} is after its end {e}"));
    }
    Ok(())
}

/// What the port range fields of a security group rule mean for a protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortRangeKind {
    /// TCP-like: ports 1-65535.
    Ports,
    /// ICMP: `port_range_min` is the type, `port_range_max` the code, 0-255.
    Icmp,
    /// The protocol has no ports; the fields must stay unset.
    NoPorts,
}

/// Protocol names Neutron accepts, with their IANA numbers.
const PROTOCOLS: &[(&str, u8)] = &[
    ("hopopt", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("ipip", 4),
    ("tcp", 6),
    ("egp", 8),
    ("udp", 17),
    ("dccp", 33),
    ("ipv6-encap", 41),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("rsvp", 46),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("icmpv6", 58),
    ("ipv6-icmp", 58),
    ("ipv6-nonxt", 59),
    ("ipv6-opts", 60),
    ("ospf", 89),
    ("vrrp", 112),
    ("pgm", 113),
    ("sctp", 132),
    ("udplite", 136),
];

/// The IANA number of a protocol given by name or number.
pub fn protocol_number(protocol: &str) -> Result<u8, String> {
    let lower = protocol.to_ascii_lowercase();
    if let Some((_, n)) = PROTOCOLS.iter().find(|(name, _)| *name == lower) {
        return Ok(*n);
    }
    protocol.parse::<u8>().map_err(|_| {
        let names: Vec<&str> = PROTOCOLS.iter().map(|(name, _)| *name).collect();
        format!(
            "{protocol:?} is not a protocol Neutron knows; use a number 0-255 or one of: {}",
            names.join(", ")
        )
    })
}

pub fn port_range_kind(protocol: Option<&str>) -> Result<PortRangeKind, String> {
    let Some(protocol) = protocol else {
        return Ok(PortRangeKind::NoPorts);
    };
    Ok(match protocol_number(protocol)? {
        6 | 17 | 33 | 132 | 136 => PortRangeKind::Ports,
        1 | 58 => PortRangeKind::Icmp,
        _ => PortRangeKind::NoPorts,
    })
}

/// Which of the two port fields a range problem belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortField {
    Min,
    Max,
}

/// Neutron's rules for `port_range_min`/`port_range_max` of a rule.
pub fn check_port_range(
    protocol: Option<&str>,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), (PortField, String)> {
    let kind = port_range_kind(protocol).map_err(|e| (PortField::Min, e))?;
    match kind {
        PortRangeKind::NoPorts => {
            if min.is_some() || max.is_some() {
                let field = if min.is_some() {
                    PortField::Min
                } else {
                    PortField::Max
                };
                let shown = protocol.unwrap_or("any protocol");
                return Err((
                    field,
                    format!(
                        "port ranges need a protocol with ports (tcp, udp, sctp, dccp, udplite) or icmp; {shown} has none"
                    ),
                ));
            }
        }
        PortRangeKind::Ports => {
            for (field, value) in [(PortField::Min, min), (PortField::Max, max)] {
                if let Some(v) = value.filter(|v| !(1..=65535).contains(v)) {
                    return Err((field, format!("port {v} is outside 1-65535")));
                }
            }
            if let (Some(lo), Some(hi)) = (min, max)
                && lo > hi
            {
                return Err((
                    PortField::Max,
                    format!("port_range_max {hi} is below port_range_min {lo}"),
                ));
            }
        }
        PortRangeKind::Icmp => {
            for (field, value, what) in
                [(PortField::Min, min, "type"), (PortField::Max, max, "code")]
            {
                if let Some(v) = value.filter(|v| !(0..=255).contains(v)) {
                    return Err((field, format!("ICMP {what} {v} is outside 0-255")));
                }
            }
            if min.is_none() && max.is_some() {
                return Err((
                    PortField::Max,
                    "an ICMP code (port_range_max) needs an ICMP type (port_range_min)".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Neutron answers "" for a description or name that was never set; the
/// state keeps null so an unset argument plans no change.
pub fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_parse_accepts_networks_and_rejects_host_bits() {
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert_eq!(c.version(), 4);
        assert!(c.contains(ip("10.1.255.255")));
        assert!(!c.contains(ip("10.2.0.0")));
        assert!(!c.contains(ip("::1")));
        let err = Cidr::parse("10.1.2.3/16").unwrap_err();
        assert!(err.contains("10.1.0.0/16"), "{err}");
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("10.0.0.0").is_err());
        assert!(Cidr::parse("banana/8").is_err());
        assert_eq!(Cidr::parse("2001:db8::/64").unwrap().version(), 6);
        assert!(Cidr::parse("2001:db8::1/64").is_err());
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("2001:db8::1")));
    }

    #[test]
    fn default_pools_follow_neutron() {
        let c = Cidr::parse("10.0.0.0/24").unwrap();
        assert_eq!(
            default_allocation_pools(&c, Some(ip("10.0.0.1"))),
            vec![(ip("10.0.0.2"), ip("10.0.0.254"))]
        );
        assert_eq!(
            default_allocation_pools(&c, Some(ip("10.0.0.100"))),
            vec![
                (ip("10.0.0.1"), ip("10.0.0.99")),
                (ip("10.0.0.101"), ip("10.0.0.254"))
            ]
        );
        assert_eq!(
            default_allocation_pools(&c, None),
            vec![(ip("10.0.0.1"), ip("10.0.0.254"))]
        );
        let v6 = Cidr::parse("fd00::/64").unwrap();
        assert_eq!(
            default_allocation_pools(&v6, Some(ip("fd00::1"))),
            vec![(ip("fd00::2"), ip("fd00::ffff:ffff:ffff:ffff"))]
        );
        assert!(default_allocation_pools(&Cidr::parse("10.0.0.0/31").unwrap(), None).is_empty());
    }

    #[test]
    fn pools_must_lie_inside_and_run_forward() {
        let c = Cidr::parse("10.0.0.0/24").unwrap();
        assert!(check_pool(&c, "10.0.0.10", "10.0.0.20").is_ok());
        assert!(
            check_pool(&c, "10.0.0.10", "10.0.1.20")
                .unwrap_err()
                .contains("outside")
        );
        assert!(
            check_pool(&c, "10.0.0.30", "10.0.0.20")
                .unwrap_err()
                .contains("after")
        );
        assert!(check_pool(&c, "fd00::1", "fd00::2").is_err());
    }

    #[test]
    fn protocols_by_name_or_number() {
        assert_eq!(protocol_number("TCP").unwrap(), 6);
        assert_eq!(protocol_number("58").unwrap(), 58);
        assert!(protocol_number("256").is_err());
        assert!(protocol_number("tcpp").unwrap_err().contains("tcp"));
        assert_eq!(port_range_kind(Some("icmp")).unwrap(), PortRangeKind::Icmp);
        assert_eq!(port_range_kind(Some("17")).unwrap(), PortRangeKind::Ports);
        assert_eq!(
            port_range_kind(Some("gre")).unwrap(),
            PortRangeKind::NoPorts
        );
    }

    #[test]
    fn port_ranges() {
        assert!(check_port_range(Some("tcp"), Some(22), Some(22)).is_ok());
        assert!(check_port_range(Some("tcp"), None, None).is_ok());
        assert_eq!(
            check_port_range(Some("tcp"), Some(0), Some(22))
                .unwrap_err()
                .0,
            PortField::Min
        );
        assert_eq!(
            check_port_range(Some("udp"), Some(1), Some(65536))
                .unwrap_err()
                .0,
            PortField::Max
        );
        assert_eq!(
            check_port_range(Some("tcp"), Some(30), Some(20))
                .unwrap_err()
                .0,
            PortField::Max
        );
        assert!(check_port_range(Some("icmp"), Some(8), Some(0)).is_ok());
        assert!(check_port_range(Some("icmp"), Some(256), None).is_err());
        assert!(check_port_range(Some("icmp"), None, Some(0)).is_err());
        assert!(check_port_range(None, Some(22), None).is_err());
        assert!(check_port_range(Some("gre"), None, Some(1)).is_err());
    }
}
