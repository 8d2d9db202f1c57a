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
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, DataSource};
use tfplugin::schema::{Attribute, Block, Schema, validators};
use tfplugin::value::{Attr, Type, Value, from_value};

use crate::support::{call, client_for};

pub struct FlavorDataSource;

const REQUIREMENTS: [&str; 5] = ["vcpus", "ram", "disk", "cpu_type", "disk_type"];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct FlavorQuery {
    region: Attr<String>,
    name: Attr<String>,
    vcpus: Attr<i64>,
    ram: Attr<f64>,
    disk: Attr<i64>,
    cpu_type: Attr<String>,
    disk_type: Attr<String>,
}

impl FlavorQuery {
    fn requirement_set(&self) -> Vec<&'static str> {
        let set = [
            !self.vcpus.is_null(),
            !self.ram.is_null(),
            !self.disk.is_null(),
            !self.cpu_type.is_null(),
            !self.disk_type.is_null(),
        ];
        REQUIREMENTS
            .into_iter()
            .zip(set)
            .filter_map(|(n, s)| s.then_some(n))
            .collect()
    }

    fn check(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
        let requirements = self.requirement_set();
        if !self.name.is_null() {
            if let Some(first) = requirements.first() {
                d.error_at(
                    AttributePath::attr(*first),
                    "Conflicting arguments",
                    "Choose a flavor either by name or by requirements (vcpus, ram, disk, cpu_type, disk_type), not both.",
                );
            }
        } else if requirements.is_empty() {
            d.error_at(
                AttributePath::attr("name"),
                "Missing flavor query",
                "Set name, or at least one requirement: vcpus, ram (GiB), disk (GB; 0 = diskless), cpu_type, disk_type.",
            );
        }
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
}

#[derive(Debug, Clone, Serialize)]
struct FlavorResult {
    region: Attr<String>,
    id: String,
    name: String,
    vcpus: u32,
    ram: f64,
    disk: u64,
    cpu_type: Option<&'static str>,
    disk_type: Option<&'static str>,
    extra_specs: BTreeMap<String, String>,
    scs_standard: &'static str,
    scs: Option<FlavorNameFields>,
}

impl FlavorResult {
    fn new(region: Attr<String>, flavor: &FlavorCandidate, profile: &FlavorProfile) -> Self {
        FlavorResult {
            region,
            id: flavor.id.clone(),
            name: flavor.name.clone(),
            vcpus: flavor.vcpus,
            ram: flavor.ram_mib as f64 / 1024.0,
            disk: flavor.disk_gb,
            cpu_type: profile.cpu_type.map(CpuType::as_str),
            disk_type: profile.disk_type.map(DiskType::as_str),
            extra_specs: flavor.extra_specs.clone(),
            scs_standard: match profile.standard {
                StandardRank::Mandatory => "mandatory",
                StandardRank::Recommended => "recommended",
                StandardRank::OtherScs => "scs",
                StandardRank::NotScs => "none",
            },
            scs: profile.scs_name.as_ref().map(FlavorNameFields::from),
        }
    }
}

/// The object type of the `scs` attribute: one entry per field of
/// [`FlavorNameFields`].
fn scs_fields_type() -> Type {
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
impl DataSource for FlavorDataSource {
    fn type_name(&self) -> &str {
        "scs_flavor"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .description("Finds a flavor by name, or the smallest flavor that meets requirements, preferring SCS standard flavors.")
                .attribute(Attribute::string("region").optional().computed())
                .attribute(Attribute::string("id").computed().description("The flavor's ID."))
                .attribute(
                    Attribute::string("name")
                        .optional()
                        .computed()
                        .description("Find the flavor by name (also matches scs:name-vN variants)."),
                )
                .attribute(
                    Attribute::number("vcpus")
                        .optional()
                        .computed()
                        .validator(validators::int_between(1, 1 << 20))
                        .description("At least this many vCPUs; the chosen flavor's count."),
                )
                .attribute(
                    Attribute::number("ram")
                        .optional()
                        .computed()
                        .description("At least this much RAM in GiB (0.5 steps allowed); the chosen flavor's RAM in GiB."),
                )
                .attribute(
                    Attribute::number("disk")
                        .optional()
                        .computed()
                        .validator(validators::int_between(0, 1 << 30))
                        .description("Root disk of at least this many GB; 0 asks for a diskless flavor (boot from volume). The chosen flavor's root disk."),
                )
                .attribute(
                    Attribute::string("cpu_type")
                        .optional()
                        .computed()
                        .validator(validators::one_of(&CpuType::NAMES))
                        .description("At least this CPU type; the chosen flavor's type."),
                )
                .attribute(
                    Attribute::string("disk_type")
                        .optional()
                        .computed()
                        .validator(validators::one_of(&DiskType::NAMES))
                        .description("This root disk type (nvme also satisfies ssd); the chosen flavor's type."),
                )
                .attribute(Attribute::map("extra_specs", Type::String).computed())
                .attribute(
                    Attribute::string("scs_standard")
                        .computed()
                        .description("`mandatory` or `recommended` (scs-0103), `scs` (other valid SCS name) or `none`."),
                )
                .attribute(
                    Attribute::new("scs", scs_fields_type())
                        .computed()
                        .description("The fields of the flavor's SCS name (scs-0100); null for other flavors."),
                ),
        )
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        match from_value::<FlavorQuery>(config) {
            Ok(q) => q.check(),
            Err(e) => Diagnostic::error("Invalid configuration", e.to_string()).into(),
        }
    }

    async fn read(&self, ctx: &Ctx, config: Value) -> Result<Value, Diagnostics> {
        let query: FlavorQuery = from_value(&config)?;
        let problems = query.check();
        if problems.has_errors() {
            return Err(problems);
        }
        let (client, region) = client_for(ctx, &query.region)?;
        let (flavor, profile) = match query.name.known() {
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
                let (chosen, profile) = query.requirements().select(&candidates).map_err(|e| {
                    Diagnostics::from(Diagnostic::error("No matching flavor", e.to_string()))
                })?;
                (chosen.clone(), profile)
            }
        };
        ctx.to_value(&FlavorResult::new(region, &flavor, &profile))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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

    #[test]
    fn name_and_requirements_conflict_at_the_requirement() {
        let q = FlavorQuery {
            name: Attr::Known("SCS-2V-4".into()),
            vcpus: Attr::Known(2),
            ..Default::default()
        };
        let d = q.check();
        assert!(d.has_errors());
        assert!(format!("{d:?}").contains("vcpus"));
        assert!(FlavorQuery::default().check().has_errors());
        let ok = FlavorQuery {
            vcpus: Attr::Known(2),
            ram: Attr::Known(4.0),
            ..Default::default()
        };
        assert!(!ok.check().has_errors());
    }

    #[test]
    fn requirements_pick_the_standard_flavor() {
        let flavors = vec![
            candidate("custom-2-4", 2, 4096, 0),
            candidate("SCS-2V-4", 2, 4096, 0),
            candidate("SCS-2V-8", 2, 8192, 0),
            candidate("SCS-4V-8", 4, 8192, 0),
        ];
        let q = FlavorQuery {
            vcpus: Attr::Known(2),
            ram: Attr::Known(4.0),
            ..Default::default()
        };
        let (f, p) = q.requirements().select(&flavors).unwrap();
        assert_eq!(f.name, "SCS-2V-4");
        let out = FlavorResult::new(Attr::Null, f, &p);
        assert_eq!(out.scs_standard, "mandatory");
        assert_eq!(out.ram, 4.0);
        assert_eq!(out.scs.unwrap().cpu_type, "shared-core");
    }

    #[test]
    fn schema_is_valid() {
        assert!(FlavorDataSource.schema().validate().is_empty());
    }
}
