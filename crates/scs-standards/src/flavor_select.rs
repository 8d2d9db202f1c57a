//! Choosing a flavor by what it offers (the `scs_flavor` data source).
//!
//! A flavor meets the requirements when
//! - its vCPU count and RAM are at least the ones asked for;
//! - `disk = 0` asks for a diskless flavor (boot from volume); a positive `disk` asks for a root
//!   disk at least that large; no `disk` accepts both;
//! - its CPU type is at least the one asked for (crowded < shared < dedicated thread < dedicated
//!   core: scs-0100 lets a flavor understate, never overstate);
//! - its disk type is the one asked for, or NVMe where SSD is asked for (the one substitution the
//!   standard names).
//!
//! CPU and disk types come from the scs-0103 extra specs (`scs:cpu-type`, `scs:disk0-type`) and,
//! where those are missing, from the flavor's SCS name. A flavor whose type is unknown does not meet
//! a type requirement. Disabled flavors are never chosen.
//!
//! Among the flavors that meet everything, the first in this order wins (deterministic):
//! 1. fewest vCPUs, 2. least RAM, 3. smallest root disk (diskless first),
//! 4. closest CPU type to the one asked for, 5. exact disk type before a substitute,
//! 6. scs-0103 mandatory, then recommended, then other SCS-named, then other flavors,
//! 7. name, 8. id.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use super::flavor_name::{CpuType, DiskType, FlavorName, is_scs_name};
use super::standard_flavors::{self, Status};

/// What the selection needs to know about one flavor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlavorCandidate {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    pub ram_mib: u64,
    pub disk_gb: u64,
    pub extra_specs: BTreeMap<String, String>,
    pub disabled: bool,
}

/// Requirements of the `scs_flavor` data source. `None` means "don't care".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlavorRequirements {
    pub vcpus: Option<u32>,
    pub ram_gib: Option<f64>,
    /// GB; `Some(0)` means diskless.
    pub disk_gb: Option<u64>,
    pub cpu_type: Option<CpuType>,
    pub disk_type: Option<DiskType>,
}

/// Where a flavor stands with respect to scs-0103.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StandardRank {
    Mandatory,
    Recommended,
    /// Has a valid SCS name that is not in the standard lists.
    OtherScs,
    NotScs,
}

/// What is known about a flavor beyond Nova's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct FlavorProfile {
    /// The flavor's own name if it is a valid SCS name, else the first valid `scs:name-vN`.
    pub scs_name: Option<FlavorName>,
    pub cpu_type: Option<CpuType>,
    pub disk_type: Option<DiskType>,
    pub standard: StandardRank,
}

impl FlavorProfile {
    pub fn of(flavor: &FlavorCandidate) -> Self {
        let parsed: Vec<FlavorName> = scs_names(flavor)
            .filter_map(|n| FlavorName::parse(n).ok())
            .collect();
        let standard = parsed
            .iter()
            .map(
                |n| match standard_flavors::lookup(&n.to_string()).map(|s| s.status) {
                    Some(Status::Mandatory) => StandardRank::Mandatory,
                    Some(Status::Recommended) => StandardRank::Recommended,
                    None => StandardRank::OtherScs,
                },
            )
            .min()
            .unwrap_or(StandardRank::NotScs);
        let scs_name = parsed.into_iter().next();
        let cpu_type = flavor
            .extra_specs
            .get("scs:cpu-type")
            .and_then(|v| CpuType::from_extra_spec(v))
            .or(scs_name.as_ref().map(|n| n.cpu_type));
        let disk_type = if flavor.disk_gb == 0 {
            None
        } else {
            flavor
                .extra_specs
                .get("scs:disk0-type")
                .and_then(|v| DiskType::from_extra_spec(v))
                .or(scs_name.as_ref().and_then(FlavorName::disk_type))
        };
        FlavorProfile {
            scs_name,
            cpu_type,
            disk_type,
            standard,
        }
    }
}

/// What matching a flavor by name needs: its own name and its extra specs (where the
/// `scs:name-vN` variants live). Implemented by every flavor shape that can be looked up by name.
pub trait NamedFlavor {
    fn flavor_name(&self) -> &str;
    fn flavor_extra_specs(&self) -> &BTreeMap<String, String>;
}

impl NamedFlavor for FlavorCandidate {
    fn flavor_name(&self) -> &str {
        &self.name
    }

    fn flavor_extra_specs(&self) -> &BTreeMap<String, String> {
        &self.extra_specs
    }
}

/// The flavor's name and every `scs:name-vN` value (name variants, scs-0103 v1.1+).
fn scs_names<F: NamedFlavor + ?Sized>(flavor: &F) -> impl Iterator<Item = &str> {
    std::iter::once(flavor.flavor_name())
        .chain(
            flavor
                .flavor_extra_specs()
                .iter()
                .filter(|(k, _)| is_name_variant_key(k))
                .map(|(_, v)| v.as_str()),
        )
        .filter(|n| is_scs_name(n))
}

fn is_name_variant_key(key: &str) -> bool {
    key.strip_prefix("scs:name-v")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `wanted` names this flavor: its own name, one of its `scs:name-vN` variants, or the same
/// SCS flavor spelled in the other syntax (`SCS-2V:4` for `SCS-2V-4`).
pub fn flavor_has_name<F: NamedFlavor + ?Sized>(flavor: &F, wanted: &str) -> bool {
    if flavor.flavor_name() == wanted
        || flavor
            .flavor_extra_specs()
            .iter()
            .any(|(k, v)| is_name_variant_key(k) && v == wanted)
    {
        return true;
    }
    let Ok(wanted) = FlavorName::parse(wanted) else {
        return false;
    };
    scs_names(flavor).any(|n| FlavorName::parse(n).is_ok_and(|n| n == wanted))
}

/// The flavors `wanted` names: the one whose own name it is exactly (Nova keeps flavor names
/// unique), else every flavor that answers to it by [`flavor_has_name`]. One entry is a match,
/// none is "not found", several are ambiguous.
pub fn flavors_named<'a, F: NamedFlavor>(flavors: &'a [F], wanted: &str) -> Vec<&'a F> {
    if let Some(exact) = flavors.iter().find(|f| f.flavor_name() == wanted) {
        return vec![exact];
    }
    flavors
        .iter()
        .filter(|f| flavor_has_name(*f, wanted))
        .collect()
}

/// A requirement that can never be met, caught before looking at flavors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequirements(pub String);

impl fmt::Display for InvalidRequirements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidRequirements {}

/// Why no flavor was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    Invalid(InvalidRequirements),
    NoMatch {
        requirements: String,
        checked: usize,
    },
}

impl fmt::Display for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectError::Invalid(e) => write!(f, "invalid flavor requirements: {e}"),
            SelectError::NoMatch {
                requirements,
                checked,
            } => write!(
                f,
                "no flavor meets {requirements} ({checked} enabled flavors checked)"
            ),
        }
    }
}

impl std::error::Error for SelectError {}

impl FlavorRequirements {
    pub fn validate(&self) -> Result<(), InvalidRequirements> {
        if self.vcpus == Some(0) {
            return Err(InvalidRequirements("vcpus must be at least 1".into()));
        }
        if let Some(ram) = self.ram_gib
            && !(ram.is_finite() && ram > 0.0)
        {
            return Err(InvalidRequirements(format!(
                "ram must be a positive number of GiB, got {ram}"
            )));
        }
        if self.disk_gb == Some(0)
            && let Some(t) = self.disk_type
        {
            return Err(InvalidRequirements(format!(
                "disk = 0 asks for a diskless flavor, which has no disk of type {t}"
            )));
        }
        Ok(())
    }

    fn ram_mib(&self) -> Option<u64> {
        // Float to integer casts saturate; validate() has ruled out NaN and negatives.
        self.ram_gib.map(|g| (g * 1024.0).ceil() as u64)
    }

    /// Whether `flavor` (with its `profile`) meets every requirement.
    pub fn is_met_by(&self, flavor: &FlavorCandidate, profile: &FlavorProfile) -> bool {
        if flavor.disabled {
            return false;
        }
        if self.vcpus.is_some_and(|v| flavor.vcpus < v) {
            return false;
        }
        if self.ram_mib().is_some_and(|r| flavor.ram_mib < r) {
            return false;
        }
        match self.disk_gb {
            Some(0) if flavor.disk_gb != 0 => return false,
            Some(d) if flavor.disk_gb < d => return false,
            _ => {}
        }
        if let Some(want) = self.cpu_type
            && profile.cpu_type.is_none_or(|have| have < want)
        {
            return false;
        }
        if let Some(want) = self.disk_type
            && !profile.disk_type.is_some_and(|have| have.satisfies(want))
        {
            return false;
        }
        true
    }

    /// The tie-break order documented at the top of this module.
    fn compare(
        &self,
        (a, pa): (&FlavorCandidate, &FlavorProfile),
        (b, pb): (&FlavorCandidate, &FlavorProfile),
    ) -> Ordering {
        let cpu_distance = |p: &FlavorProfile| match (self.cpu_type, p.cpu_type) {
            (Some(want), Some(have)) => (have as usize).saturating_sub(want as usize),
            _ => 0,
        };
        let disk_substitute = |p: &FlavorProfile| match self.disk_type {
            Some(want) => p.disk_type != Some(want),
            None => false,
        };
        a.vcpus
            .cmp(&b.vcpus)
            .then(a.ram_mib.cmp(&b.ram_mib))
            .then(a.disk_gb.cmp(&b.disk_gb))
            .then(cpu_distance(pa).cmp(&cpu_distance(pb)))
            .then(disk_substitute(pa).cmp(&disk_substitute(pb)))
            .then(pa.standard.cmp(&pb.standard))
            .then(a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id))
    }

    /// Every flavor that meets the requirements, best first.
    pub fn rank<'a>(
        &self,
        flavors: &'a [FlavorCandidate],
    ) -> Result<Vec<(&'a FlavorCandidate, FlavorProfile)>, InvalidRequirements> {
        self.validate()?;
        let mut matching: Vec<_> = flavors
            .iter()
            .map(|f| (f, FlavorProfile::of(f)))
            .filter(|(f, p)| self.is_met_by(f, p))
            .collect();
        matching.sort_by(|(a, pa), (b, pb)| self.compare((a, pa), (b, pb)));
        Ok(matching)
    }

    /// The best flavor, or an error that says what was asked for.
    pub fn select<'a>(
        &self,
        flavors: &'a [FlavorCandidate],
    ) -> Result<(&'a FlavorCandidate, FlavorProfile), SelectError> {
        self.rank(flavors)
            .map_err(SelectError::Invalid)?
            .into_iter()
            .next()
            .ok_or_else(|| SelectError::NoMatch {
                requirements: self.to_string(),
                checked: flavors.iter().filter(|f| !f.disabled).count(),
            })
    }
}

impl fmt::Display for FlavorRequirements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(v) = self.vcpus {
            parts.push(format!("vcpus >= {v}"));
        }
        if let Some(r) = self.ram_gib {
            parts.push(format!("ram >= {r} GiB"));
        }
        match self.disk_gb {
            Some(0) => parts.push("no root disk (diskless)".into()),
            Some(d) => parts.push(format!("disk >= {d} GB")),
            None => {}
        }
        if let Some(t) = self.cpu_type {
            parts.push(format!("cpu_type {t} or better"));
        }
        if let Some(t) = self.disk_type {
            parts.push(format!("disk_type {t}"));
        }
        if parts.is_empty() {
            f.write_str("no requirements")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::standard_flavors::{MANDATORY, RECOMMENDED};

    fn candidate(name: &str, vcpus: u32, ram_gib: u64, disk_gb: u64) -> FlavorCandidate {
        FlavorCandidate {
            id: format!("id-{name}"),
            name: name.into(),
            vcpus,
            ram_mib: ram_gib * 1024,
            disk_gb,
            ..Default::default()
        }
    }

    fn with_specs(mut f: FlavorCandidate, specs: &[(&str, &str)]) -> FlavorCandidate {
        for (k, v) in specs {
            f.extra_specs.insert((*k).into(), (*v).into());
        }
        f
    }

    /// A cloud with every scs-0103 flavor, with extra specs as the standard asks for them.
    fn scs_cloud() -> Vec<FlavorCandidate> {
        MANDATORY
            .iter()
            .chain(RECOMMENDED)
            .map(|s| {
                let mut f = candidate(
                    s.name,
                    s.vcpus,
                    u64::from(s.ram_gib),
                    u64::from(s.disk_gb.unwrap_or(0)),
                );
                f.extra_specs
                    .insert("scs:cpu-type".into(), s.cpu_type.as_str().into());
                if let Some(t) = s.disk_type {
                    f.extra_specs
                        .insert("scs:disk0-type".into(), t.as_str().into());
                }
                f
            })
            .collect()
    }

    fn pick(req: FlavorRequirements, flavors: &[FlavorCandidate]) -> String {
        req.select(flavors).unwrap().0.name.clone()
    }

    fn req(vcpus: u32, ram: f64) -> FlavorRequirements {
        FlavorRequirements {
            vcpus: Some(vcpus),
            ram_gib: Some(ram),
            ..Default::default()
        }
    }

    #[test]
    fn picks_the_smallest_standard_flavor() {
        let cloud = scs_cloud();
        assert_eq!(pick(req(2, 4.0), &cloud), "SCS-2V-4");
        assert_eq!(pick(req(1, 1.0), &cloud), "SCS-1L-1");
        assert_eq!(pick(req(1, 3.0), &cloud), "SCS-1V-4");
        assert_eq!(pick(req(3, 1.0), &cloud), "SCS-4V-8");
        assert_eq!(pick(req(16, 100.0), &cloud), "SCS-16V-128");
    }

    #[test]
    fn disk_requirements() {
        let cloud = scs_cloud();
        let mut r = req(2, 4.0);
        r.disk_gb = Some(15);
        assert_eq!(pick(r.clone(), &cloud), "SCS-2V-4-20s");
        r.disk_gb = Some(0);
        assert_eq!(pick(r.clone(), &cloud), "SCS-2V-4");
        r.disk_gb = Some(5);
        assert_eq!(pick(r.clone(), &cloud), "SCS-2V-4-10");
        r.disk_type = Some(DiskType::Ssd);
        assert_eq!(pick(r.clone(), &cloud), "SCS-2V-4-20s");
        r.disk_type = Some(DiskType::Network);
        assert!(matches!(
            r.select(&cloud),
            Err(SelectError::NoMatch { checked: 31, .. })
        ));
    }

    #[test]
    fn cpu_type_is_a_minimum_and_the_closest_wins() {
        let mut cloud = scs_cloud();
        let mut r = req(1, 1.0);
        r.cpu_type = Some(CpuType::SharedCore);
        assert_eq!(pick(r.clone(), &cloud), "SCS-1V-2");
        r.cpu_type = Some(CpuType::DedicatedThread);
        assert!(r.select(&cloud).is_err());
        cloud.push(candidate("SCS-1C-2", 1, 2, 0));
        cloud.push(candidate("SCS-1T-2", 1, 2, 0));
        assert_eq!(pick(r.clone(), &cloud), "SCS-1T-2");
        r.cpu_type = Some(CpuType::DedicatedCore);
        assert_eq!(pick(r, &cloud), "SCS-1C-2");
    }

    #[test]
    fn nvme_stands_in_for_ssd_only_when_no_ssd_is_as_small() {
        let cloud = vec![
            candidate("SCS-2V-4-20p", 2, 4, 20),
            candidate("SCS-2V-4-20s", 2, 4, 20),
            candidate("SCS-2V-4-10p", 2, 4, 10),
        ];
        let mut r = req(2, 4.0);
        r.disk_type = Some(DiskType::Ssd);
        assert_eq!(pick(r.clone(), &cloud), "SCS-2V-4-10p");
        r.disk_gb = Some(20);
        assert_eq!(pick(r.clone(), &cloud), "SCS-2V-4-20s");
        r.disk_type = Some(DiskType::Nvme);
        assert_eq!(pick(r, &cloud), "SCS-2V-4-20p");
    }

    #[test]
    fn standard_flavors_win_ties_then_name_then_id() {
        let mut cloud = vec![
            candidate("a-custom", 2, 4, 0),
            candidate("SCS-2V-4_kvm", 2, 4, 0),
            candidate("SCS-2V-4", 2, 4, 0),
        ];
        assert_eq!(pick(req(2, 4.0), &cloud), "SCS-2V-4");
        cloud.remove(2);
        assert_eq!(pick(req(2, 4.0), &cloud), "SCS-2V-4_kvm");
        cloud.remove(1);
        cloud.push(candidate("a-custom", 2, 4, 0));
        cloud[1].id = "0".into();
        let chosen = req(2, 4.0).select(&cloud).unwrap().0;
        assert_eq!(chosen.id, "0");
        // Input order never matters.
        let mut reversed = scs_cloud();
        reversed.reverse();
        assert_eq!(pick(req(2, 4.0), &reversed), "SCS-2V-4");
    }

    #[test]
    fn smaller_beats_standard() {
        let cloud = vec![candidate("SCS-1V-4", 1, 4, 0), candidate("tiny", 1, 3, 0)];
        assert_eq!(pick(req(1, 3.0), &cloud), "tiny");
    }

    #[test]
    fn extra_specs_describe_flavors_with_other_names() {
        let cloud = vec![
            with_specs(
                candidate("m1.medium", 2, 4, 0),
                &[
                    ("scs:name-v1", "SCS-2V:4"),
                    ("scs:name-v2", "SCS-2V-4"),
                    ("scs:cpu-type", "shared-core"),
                ],
            ),
            candidate("m2.medium", 2, 4, 0),
        ];
        let (f, p) = req(2, 4.0).select(&cloud).unwrap();
        assert_eq!(f.name, "m1.medium");
        assert_eq!(p.standard, StandardRank::Mandatory);
        assert_eq!(p.scs_name.unwrap().to_string(), "SCS-2V-4");
        let mut r = req(2, 4.0);
        r.cpu_type = Some(CpuType::SharedCore);
        // m2.medium's CPU type is unknown, so it cannot meet a type requirement.
        assert_eq!(r.rank(&cloud).unwrap().len(), 1);
    }

    #[test]
    fn extra_specs_override_the_name() {
        let f = with_specs(
            candidate("SCS-2V-4-10", 2, 4, 10),
            &[
                ("scs:cpu-type", "dedicated-core"),
                ("scs:disk0-type", "nvme"),
            ],
        );
        let p = FlavorProfile::of(&f);
        assert_eq!(p.cpu_type, Some(CpuType::DedicatedCore));
        assert_eq!(p.disk_type, Some(DiskType::Nvme));
        // A diskless flavor has no disk type whatever its specs say.
        let f = with_specs(candidate("SCS-2V-4", 2, 4, 0), &[("scs:disk0-type", "ssd")]);
        assert_eq!(FlavorProfile::of(&f).disk_type, None);
    }

    #[test]
    fn disabled_flavors_are_skipped() {
        let mut cloud = scs_cloud();
        for f in &mut cloud {
            if f.name == "SCS-2V-4" {
                f.disabled = true;
            }
        }
        assert_eq!(pick(req(2, 4.0), &cloud), "SCS-2V-4-10");
    }

    #[test]
    fn ram_in_half_gib_and_rounding() {
        let cloud = vec![
            candidate("SCS-1V-1", 1, 1, 0),
            FlavorCandidate {
                ram_mib: 512,
                ..candidate("SCS-1V-0.5", 1, 0, 0)
            },
        ];
        assert_eq!(pick(req(1, 0.5), &cloud), "SCS-1V-0.5");
        assert_eq!(pick(req(1, 0.6), &cloud), "SCS-1V-1");
    }

    #[test]
    fn invalid_requirements_are_reported() {
        let cloud = scs_cloud();
        let mut r = req(0, 1.0);
        assert!(matches!(r.select(&cloud), Err(SelectError::Invalid(_))));
        r = req(1, f64::NAN);
        assert!(matches!(r.select(&cloud), Err(SelectError::Invalid(_))));
        r = req(1, 1.0);
        r.disk_gb = Some(0);
        r.disk_type = Some(DiskType::Ssd);
        let msg = r.select(&cloud).unwrap_err().to_string();
        assert!(msg.contains("diskless"), "{msg}");
    }

    #[test]
    fn no_match_message_names_the_requirements() {
        let msg = req(64, 512.0).select(&scs_cloud()).unwrap_err().to_string();
        assert_eq!(
            msg,
            "no flavor meets vcpus >= 64, ram >= 512 GiB (31 enabled flavors checked)"
        );
    }

    #[test]
    fn names_match_across_syntaxes_and_variants() {
        let f = with_specs(
            candidate("m1.medium", 2, 4, 0),
            &[("scs:name-v2", "SCS-2V-4")],
        );
        assert!(flavor_has_name(&f, "m1.medium"));
        assert!(flavor_has_name(&f, "SCS-2V-4"));
        assert!(flavor_has_name(&f, "SCS-2V:4"));
        assert!(!flavor_has_name(&f, "SCS-2V-8"));
        assert!(!flavor_has_name(&f, "m1.large"));
        let g = candidate("SCS-2V-4-20s", 2, 4, 20);
        assert!(flavor_has_name(&g, "SCS-2V:4:20s"));
        // Not a name variant key.
        let h = with_specs(candidate("x", 2, 4, 0), &[("scs:name-vx", "SCS-2V-4")]);
        assert!(!flavor_has_name(&h, "SCS-2V-4"));
    }

    #[test]
    fn exact_name_wins_then_variants_in_either_syntax() {
        let v2 = candidate("SCS-2V-4", 2, 4, 0);
        let v1 = candidate("SCS-2V:8", 2, 8, 0);
        let flavors = vec![v2.clone(), v1.clone(), candidate("m1.small", 1, 2, 0)];
        let ids = |wanted: &str| -> Vec<&str> {
            flavors_named(&flavors, wanted)
                .into_iter()
                .map(|f| f.id.as_str())
                .collect()
        };
        assert_eq!(
            ids("SCS-2V:4"),
            [v2.id.as_str()],
            "v1 spelling finds the v2 name"
        );
        assert_eq!(
            ids("SCS-2V-8"),
            [v1.id.as_str()],
            "v2 spelling finds the v1 name"
        );
        assert_eq!(ids("m1.small").len(), 1);
        assert!(ids("SCS-4V-16").is_empty());
        assert!(ids("no such").is_empty());

        // A flavor whose variant spec names another one's flavor: the exact name still wins,
        // and the other spelling is ambiguous.
        let alias = with_specs(
            candidate("custom-2-4", 2, 4, 0),
            &[("scs:name-v2", "SCS-2V-4")],
        );
        let flavors = vec![v2.clone(), alias.clone()];
        let exact = flavors_named(&flavors, "SCS-2V-4");
        assert_eq!(exact.len(), 1);
        assert_eq!(exact[0].id, v2.id);
        let both: Vec<&str> = flavors_named(&flavors, "SCS-2V:4")
            .into_iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(both, ["SCS-2V-4", "custom-2-4"]);
    }
}
