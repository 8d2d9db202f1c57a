//! `scs_flavor` data source: a flavor by name, or the smallest flavor that
//! offers what the configuration asks for (scs-0100 / scs-0103 aware).

use std::collections::BTreeMap;

use async_trait::async_trait;
use scs_client::Client;
use scs_client::compute::{self as nova, Flavor, FlavorRef};
use scs_client::scs::flavor_select::StandardRank;
use scs_client::scs::{
    CpuType, DiskType, FieldKind, FlavorCandidate, FlavorNameFields, FlavorProfile,
    FlavorRequirements,
};
use serde::{Deserialize, Serialize};
use tfplugin::Model;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, TypedDataSource};
use tfplugin::schema::validators;
use tfplugin::value::{Attr, Type, Value, to_untyped_value};

use crate::support::{attr_of, call, client_for};

pub struct FlavorDataSource;

/// Finds a flavor by name, or the smallest flavor that meets requirements, preferring SCS standard
/// flavors.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
#[tf(at_least_one_of(name, vcpus, ram, disk, cpu_type, disk_type))]
// `name` conflicts with each requirement on its own (requirements combine
// freely), so it appears in several rules; clippy takes the repeated word in
// these derive settings for a repeated attribute.
#[allow(clippy::duplicated_attributes)]
#[tf(conflicts_with(name, vcpus))]
#[tf(conflicts_with(name, ram))]
#[tf(conflicts_with(name, disk))]
#[tf(conflicts_with(name, cpu_type))]
#[tf(conflicts_with(name, disk_type))]
pub struct FlavorLookup {
    /// The region to search in. Defaults to the provider's region.
    #[tf(optional, computed)]
    region: Attr<String>,
    /// The flavor's ID (use it as `scs_server.flavor_id`).
    #[tf(computed)]
    id: Attr<String>,
    /// The flavor's name (or one of its SCS name variants: `scs:name-vN` extra specs, or the same
    /// SCS name in the other syntax, such as `SCS-2V:4` for `SCS-2V-4`). A flavor's own name
    /// always wins; a name that several other flavors answer to is an error listing them.
    #[tf(optional, computed)]
    name: Attr<String>,
    /// At least this many vCPUs; the chosen flavor's count.
    #[tf(optional, computed, validator = validators::int_between(1, 1 << 20))]
    vcpus: Attr<i64>,
    /// At least this much RAM, in GiB (fractions such as `0.5` allowed); the chosen flavor's RAM
    /// in GiB.
    #[tf(optional, computed)]
    ram: Attr<f64>,
    /// Root disk in GB: `0` asks for a diskless flavor (boot from volume, as most SCS standard
    /// flavors are); a positive value asks for a root disk at least that large. The chosen
    /// flavor's root disk.
    #[tf(optional, computed, validator = validators::int_between(0, 1 << 30))]
    disk: Attr<i64>,
    /// At least this CPU type: `crowded-core` < `shared-core` < `dedicated-thread` <
    /// `dedicated-core`. The chosen flavor's type, where its extra specs or name say it.
    #[tf(optional, computed, validator = validators::one_of(&CpuType::NAMES))]
    cpu_type: Attr<String>,
    /// One of `ssd`, `nvme`, `hdd`, `network` (`nvme` also satisfies `ssd`). Cannot be combined
    /// with `disk = 0`. The chosen flavor's root disk type, where its extra specs or name say it.
    #[tf(optional, computed, validator = validators::one_of(&DiskType::NAMES))]
    disk_type: Attr<String>,
    /// The flavor's extra specs.
    #[tf(computed)]
    extra_specs: Attr<BTreeMap<String, String>>,
    /// `mandatory` or `recommended` for scs-0103 standard flavors, `scs` for other valid SCS
    /// names, `none` otherwise.
    #[tf(computed)]
    scs_standard: Attr<String>,
    /// The fields parsed from the flavor's SCS name (scs-0100), or null when it has none: `name`
    /// (canonical), `name_v1` (the `:` syntax), `vcpus`, `cpu_type`, `cpu_insecure`, `ram_gib`,
    /// `ram_no_ecc`, `ram_oversubscribed`, `disk_count`, `disk_gb`, `disk_type` (null without a
    /// disk part), `hypervisor` (e.g. `kvm`), `hardware_virtualization`, `cpu_vendor` (`intel`,
    /// `amd`, `arm`, `risc-v`), `cpu_generation`, `cpu_high_frequency` (number of `h`),
    /// `gpu_type` (`pass-through` or `virtual`), `gpu_vendor`, `gpu_generation`,
    /// `gpu_compute_units`, `gpu_vram_gib`, `infiniband`.
    #[tf(computed, ty = scs_fields_type())]
    scs: Attr<Value>,
}

impl FlavorLookup {
    /// Checks the block rules cannot express: `ram` must be positive, and
    /// `disk_type` conflicts with `disk` only when `disk` is `0`.
    fn check(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Attr::Known(r) = self.ram
            && !(r.is_finite() && r > 0.0)
        {
            d.error_at(
                AttributePath::attr("ram"),
                "Invalid ram",
                format!("ram is in GiB and must be positive, got {r}."),
            );
        }
        if self.disk.known().is_some_and(|&g| g == 0) && !self.disk_type.is_null() {
            d.error_at(
                AttributePath::attr("disk_type"),
                "Conflicting arguments",
                "disk = 0 asks for a diskless flavor (boot from volume), which has no disk type.",
            );
        }
        d
    }

    fn requirements(&self) -> FlavorRequirements {
        FlavorRequirements {
            vcpus: self.vcpus.known().and_then(|&v| u32::try_from(v).ok()),
            ram_gib: self.ram.known().copied(),
            disk_gb: self.disk.known().and_then(|&v| u64::try_from(v).ok()),
            cpu_type: self
                .cpu_type
                .known()
                .and_then(|t| CpuType::from_extra_spec(t)),
            disk_type: self
                .disk_type
                .known()
                .and_then(|t| DiskType::from_extra_spec(t)),
        }
    }

    /// The chosen flavor as the data source reports it.
    fn found(
        region: Attr<String>,
        flavor: &FlavorCandidate,
        profile: &FlavorProfile,
    ) -> Result<Self, Diagnostics> {
        let scs = match &profile.scs_name {
            Some(name) => Attr::Known(to_untyped_value(&FlavorNameFields::from(name))?),
            None => Attr::Null,
        };
        Ok(FlavorLookup {
            region,
            id: Attr::Known(flavor.id.clone()),
            name: Attr::Known(flavor.name.clone()),
            vcpus: Attr::Known(i64::from(flavor.vcpus)),
            ram: Attr::Known(flavor.ram_mib as f64 / 1024.0),
            disk: attr_of(i64::try_from(flavor.disk_gb).ok()),
            cpu_type: attr_of(profile.cpu_type.map(|t| t.as_str().to_owned())),
            disk_type: attr_of(profile.disk_type.map(|t| t.as_str().to_owned())),
            extra_specs: Attr::Known(flavor.extra_specs.clone()),
            scs_standard: Attr::Known(
                match profile.standard {
                    StandardRank::Mandatory => "mandatory",
                    StandardRank::Recommended => "recommended",
                    StandardRank::OtherScs => "scs",
                    StandardRank::NotScs => "none",
                }
                .to_owned(),
            ),
            scs,
        })
    }
}

/// The object type of the `scs` attribute: one entry per field of
/// [`FlavorNameFields`], from the list scs-standards keeps next to it.
pub(crate) fn scs_fields_type() -> Type {
    Type::object(FlavorNameFields::FIELDS.map(|(name, kind)| {
        let ty = match kind {
            FieldKind::Text => Type::String,
            FieldKind::Number => Type::Number,
            FieldKind::Bool => Type::Bool,
        };
        (name, ty)
    }))
}

/// The flavor `name` names, SCS name variants included.
async fn by_name(ctx: &Ctx, client: &Client, name: &str) -> Result<Flavor, Diagnostics> {
    call(
        ctx,
        "Cannot look up flavor",
        nova::find_flavor(client, FlavorRef::Name(name)),
    )
    .await?
    .map_err(|e| {
        Diagnostic::error(e.summary(), e.to_string())
            .with_path(AttributePath::attr("name"))
            .into()
    })
}

#[async_trait]
impl TypedDataSource for FlavorDataSource {
    type Model = FlavorLookup;
    const TYPE_NAME: &'static str = "scs_flavor";

    async fn validate(&self, _ctx: &Ctx, config: &FlavorLookup) -> Diagnostics {
        config.check()
    }

    async fn read(&self, ctx: &Ctx, want: FlavorLookup) -> Result<FlavorLookup, Diagnostics> {
        let problems = want.check();
        if problems.has_errors() {
            return Err(problems);
        }
        let (client, region) = client_for(ctx, &want.region)?;
        let (flavor, profile) = match want.name.known() {
            Some(name) => {
                let found = FlavorCandidate::from(&by_name(ctx, &client, name).await?);
                let profile = FlavorProfile::of(&found);
                (found, profile)
            }
            None => {
                let flavors: Vec<Flavor> =
                    call(ctx, "Cannot list flavors", nova::list_flavors(&client, &[])).await?;
                let candidates: Vec<FlavorCandidate> =
                    flavors.iter().map(FlavorCandidate::from).collect();
                let (chosen, profile) = want.requirements().select(&candidates).map_err(|e| {
                    Diagnostics::from(Diagnostic::error("No matching flavor", e.to_string()))
                })?;
                (chosen.clone(), profile)
            }
        };
        FlavorLookup::found(region, &flavor, &profile)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tfplugin::model::{Model as _, check_model};

    fn candidate(name: &str, vcpus: u32, ram_mib: u64, disk_gb: u64) -> FlavorCandidate {
        FlavorCandidate {
            id: format!("id-{name}"),
            name: name.into(),
            vcpus,
            ram_mib,
            disk_gb,
            ..Default::default()
        }
    }

    /// What validation reports: the schema's block rules, then `check`.
    fn problems(q: &FlavorLookup) -> Diagnostics {
        super::super::testing::validation_problems(q, FlavorLookup::check)
    }

    #[test]
    fn name_and_requirements_conflict_at_the_requirement() {
        let both = FlavorLookup {
            name: Attr::Known("SCS-2V-4".into()),
            vcpus: Attr::Known(2),
            ..Default::default()
        };
        let found = format!("{:?}", problems(&both));
        assert!(found.contains("Conflicting arguments"), "{found}");
        assert!(found.contains("\"vcpus\""), "{found}");
        let none = format!("{:?}", problems(&FlavorLookup::default()));
        assert!(none.contains("Missing required argument"), "{none}");
        let unknown_name = FlavorLookup {
            name: Attr::Unknown,
            vcpus: Attr::Known(2),
            ..Default::default()
        };
        assert!(!problems(&unknown_name).has_errors());
        let ok = FlavorLookup {
            vcpus: Attr::Known(2),
            ram: Attr::Known(4.0),
            ..Default::default()
        };
        assert!(!problems(&ok).has_errors());
    }

    #[test]
    fn ram_must_be_positive_and_a_diskless_flavor_has_no_disk_type() {
        let no_ram = FlavorLookup {
            ram: Attr::Known(0.0),
            ..Default::default()
        };
        assert!(format!("{:?}", no_ram.check()).contains("Invalid ram"));
        let diskless_ssd = FlavorLookup {
            disk: Attr::Known(0),
            disk_type: Attr::Known("ssd".into()),
            ..Default::default()
        };
        assert!(diskless_ssd.check().has_errors());
        let local_ssd = FlavorLookup {
            disk: Attr::Known(20),
            ..diskless_ssd
        };
        assert!(!local_ssd.check().has_errors());
    }

    #[test]
    fn requirements_pick_the_standard_flavor() {
        let flavors = vec![
            candidate("custom-2-4", 2, 4096, 0),
            candidate("SCS-2V-4", 2, 4096, 0),
            candidate("SCS-2V-8", 2, 8192, 0),
            candidate("SCS-4V-8", 4, 8192, 0),
        ];
        let q = FlavorLookup {
            vcpus: Attr::Known(2),
            ram: Attr::Known(4.0),
            ..Default::default()
        };
        let (f, p) = q.requirements().select(&flavors).unwrap();
        assert_eq!(f.name, "SCS-2V-4");
        let out = FlavorLookup::found(Attr::Null, f, &p).unwrap();
        assert_eq!(out.scs_standard, Attr::Known("mandatory".into()));
        assert_eq!(out.ram, Attr::Known(4.0));
        assert_eq!(out.disk, Attr::Known(0));
        let scs = out.scs.known().unwrap();
        assert_eq!(scs.attr("cpu_type"), Some(&Value::from("shared-core")));
        // The result fits the schema's type, `scs` object included.
        let value = to_untyped_value(&out)
            .unwrap()
            .conform(&FlavorLookup::block().value_type())
            .unwrap();
        assert_eq!(
            value.attr("scs").and_then(|s| s.attr("disk_type")),
            Some(&Value::Null)
        );
        let custom = FlavorLookup::found(Attr::Null, &flavors[0], &FlavorProfile::of(&flavors[0]));
        assert_eq!(custom.unwrap().scs, Attr::Null);
    }

    #[test]
    fn schema_is_valid_and_describes_every_listed_value() {
        assert!(FlavorLookup::schema().validate().is_empty());
        assert!(check_model::<FlavorLookup>().is_empty());
        let block = FlavorLookup::block();
        let text = |name: &str| block.get_attribute(name).unwrap().description.clone();
        for (field, _) in FlavorNameFields::FIELDS {
            assert!(text("scs").contains(&format!("`{field}`")), "{field}");
        }
        for name in CpuType::NAMES {
            assert!(text("cpu_type").contains(&format!("`{name}`")), "{name}");
        }
        for name in DiskType::NAMES {
            assert!(text("disk_type").contains(&format!("`{name}`")), "{name}");
        }
    }
}
