//! The way back from [`FlavorNameFields`](crate::FlavorNameFields): the properties of a flavor,
//! spelled as words, to its canonical SCS name (scs-0100).
//!
//! Every field is optional except `vcpus`, `cpu_type` and `ram_gib`. A field left out (or null)
//! means the name does not mention it: no disk part, no extension, flags off. The fields `name`
//! and `name_v1` are accepted and ignored, so that the fields of a parsed name can be changed and
//! turned back into a name.

use std::fmt;

use crate::flavor_name::{
    CpuArch, CpuType, CpuVendor, Disk, DiskType, FlavorName, Gpu, GpuMode, GpuVendor, Hypervisor,
};

/// A flavor's properties, named as [`FlavorNameFields`](crate::FlavorNameFields) names them.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlavorSpec {
    pub name: Option<String>,
    pub name_v1: Option<String>,
    pub vcpus: Option<u32>,
    pub cpu_type: Option<String>,
    pub cpu_insecure: Option<bool>,
    pub ram_gib: Option<f64>,
    pub ram_no_ecc: Option<bool>,
    pub ram_oversubscribed: Option<bool>,
    pub disk_count: Option<u32>,
    pub disk_gb: Option<u32>,
    pub disk_type: Option<String>,
    pub hypervisor: Option<String>,
    pub hardware_virtualization: Option<bool>,
    pub cpu_vendor: Option<String>,
    pub cpu_generation: Option<u32>,
    pub cpu_high_frequency: Option<u8>,
    pub gpu_type: Option<String>,
    pub gpu_vendor: Option<String>,
    pub gpu_generation: Option<String>,
    pub gpu_compute_units: Option<u32>,
    pub gpu_vram_gib: Option<u32>,
    pub infiniband: Option<bool>,
}

/// A field of a [`FlavorSpec`] that cannot be part of an SCS name, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlavorSpecError {
    /// The field at fault; empty when the fields only fail together.
    pub field: &'static str,
    pub reason: String,
}

impl fmt::Display for FlavorSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

impl std::error::Error for FlavorSpecError {}

fn fail<T>(field: &'static str, reason: impl Into<String>) -> Result<T, FlavorSpecError> {
    Err(FlavorSpecError {
        field,
        reason: reason.into(),
    })
}

fn one_of<T: Copy>(
    field: &'static str,
    value: &str,
    choices: &[(&'static str, T)],
) -> Result<T, FlavorSpecError> {
    match choices.iter().find(|(word, _)| *word == value) {
        Some((_, v)) => Ok(*v),
        None => {
            let words: Vec<&str> = choices.iter().map(|(w, _)| *w).collect();
            fail(
                field,
                format!("{value:?} is not one of {}", words.join(", ")),
            )
        }
    }
}

const CPU_VENDORS: [(&str, CpuVendor); 4] = [
    ("intel", CpuVendor::Intel),
    ("amd", CpuVendor::Amd),
    ("arm", CpuVendor::Arm),
    ("risc-v", CpuVendor::RiscV),
];

const GPU_TYPES: [(&str, GpuMode); 2] = [
    ("pass-through", GpuMode::PassThrough),
    ("virtual", GpuMode::Virtual),
];

const GPU_VENDORS: [(&str, GpuVendor); 3] = [
    ("nvidia", GpuVendor::Nvidia),
    ("amd", GpuVendor::Amd),
    ("intel", GpuVendor::Intel),
];

impl FlavorSpec {
    /// The name these properties make. The result is checked by parsing it back, so any name this
    /// returns is valid.
    pub fn to_flavor_name(&self) -> Result<FlavorName, FlavorSpecError> {
        let vcpus = match self.vcpus {
            None => return fail("vcpus", "is required"),
            Some(0) => return fail("vcpus", "must be positive"),
            Some(n) => n,
        };
        let cpu_type = match &self.cpu_type {
            None => {
                return fail(
                    "cpu_type",
                    format!("is required, one of {}", CpuType::NAMES.join(", ")),
                );
            }
            Some(t) => t.parse::<CpuType>().or_else(|e| fail("cpu_type", e))?,
        };
        let ram_half_gib = match self.ram_gib {
            None => return fail("ram_gib", "is required"),
            Some(r) if !(r.is_finite() && r > 0.0) => {
                return fail("ram_gib", format!("must be positive, got {r}"));
            }
            Some(r) if (r * 2.0).fract() != 0.0 => {
                return fail(
                    "ram_gib",
                    format!("must be a whole or half number of GiB, got {r}"),
                );
            }
            Some(r) if r * 2.0 > f64::from(u32::MAX) => {
                return fail("ram_gib", format!("{r} is too large"));
            }
            // Whole and in range, checked above.
            Some(r) => (r * 2.0) as u32,
        };
        let disk = self.disk()?;
        let hypervisor = match &self.hypervisor {
            None => None,
            Some(code) => Some(Hypervisor::from_code(code).map_or_else(
                || {
                    let codes: Vec<&str> = Hypervisor::ALL.iter().map(|h| h.code()).collect();
                    fail(
                        "hypervisor",
                        format!("{code:?} is not one of {}", codes.join(", ")),
                    )
                },
                Ok,
            )?),
        };
        let name = FlavorName {
            vcpus,
            cpu_type,
            cpu_insecure: self.cpu_insecure.unwrap_or(false),
            ram_half_gib,
            ram_no_ecc: self.ram_no_ecc.unwrap_or(false),
            ram_oversubscribed: self.ram_oversubscribed.unwrap_or(false),
            disk,
            hypervisor,
            hardware_virtualization: self.hardware_virtualization.unwrap_or(false),
            cpu_arch: self.cpu_arch()?,
            gpu: self.gpu()?,
            infiniband: self.infiniband.unwrap_or(false),
        };
        // The checks above cover every field; parsing the result back is the last word.
        match FlavorName::parse(&name.to_string()) {
            Ok(parsed) if parsed == name => Ok(name),
            Ok(_) => fail("", format!("the fields do not make one name ({name})")),
            Err(e) => fail("", e.reason),
        }
    }

    fn disk(&self) -> Result<Option<Disk>, FlavorSpecError> {
        if self.disk_count.is_none() && self.disk_gb.is_none() && self.disk_type.is_none() {
            return Ok(None);
        }
        if self.disk_count == Some(0) {
            return fail(
                "disk_count",
                "must be positive; leave disk_count, disk_gb and disk_type out for a flavor without a root disk",
            );
        }
        if self.disk_gb == Some(0) {
            return fail(
                "disk_gb",
                "must be positive; leave it out for a disk the cloud sizes from the image",
            );
        }
        let disk_type = match &self.disk_type {
            None => None,
            Some(t) => Some(t.parse::<DiskType>().or_else(|e| fail("disk_type", e))?),
        };
        Ok(Some(Disk {
            count: self.disk_count.unwrap_or(1),
            size_gb: self.disk_gb,
            disk_type,
        }))
    }

    fn cpu_arch(&self) -> Result<Option<CpuArch>, FlavorSpecError> {
        let frequency = self.cpu_high_frequency.unwrap_or(0);
        if frequency > 3 {
            return fail(
                "cpu_high_frequency",
                format!("must be 0 to 3, got {frequency}"),
            );
        }
        let Some(vendor) = &self.cpu_vendor else {
            if self.cpu_generation.is_some() {
                return fail("cpu_generation", "needs cpu_vendor");
            }
            if frequency > 0 {
                return fail("cpu_high_frequency", "needs cpu_vendor");
            }
            return Ok(None);
        };
        Ok(Some(CpuArch {
            vendor: one_of("cpu_vendor", vendor, &CPU_VENDORS)?,
            generation: self.cpu_generation,
            frequency,
        }))
    }

    fn gpu(&self) -> Result<Option<Gpu>, FlavorSpecError> {
        let Some(mode) = &self.gpu_type else {
            for (field, set) in [
                ("gpu_vendor", self.gpu_vendor.is_some()),
                ("gpu_generation", self.gpu_generation.is_some()),
                ("gpu_compute_units", self.gpu_compute_units.is_some()),
                ("gpu_vram_gib", self.gpu_vram_gib.is_some()),
            ] {
                if set {
                    return fail(field, "needs gpu_type (pass-through or virtual)");
                }
            }
            return Ok(None);
        };
        let mode = one_of("gpu_type", mode, &GPU_TYPES)?;
        let Some(vendor) = &self.gpu_vendor else {
            return fail(
                "gpu_vendor",
                "is required with gpu_type: nvidia, amd or intel",
            );
        };
        let vendor = one_of("gpu_vendor", vendor, &GPU_VENDORS)?;
        if let Some(generation) = &self.gpu_generation {
            let shaped = match vendor {
                GpuVendor::Nvidia => {
                    generation.len() == 1
                        && generation
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() && b != b'h')
                }
                GpuVendor::Amd | GpuVendor::Intel => {
                    let mut parts = generation.split('.');
                    let whole = parts.next().unwrap_or_default();
                    let frac = parts.next();
                    parts.next().is_none()
                        && !whole.is_empty()
                        && whole.bytes().all(|b| b.is_ascii_digit())
                        && frac
                            .is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
                }
            };
            if !shaped {
                return fail(
                    "gpu_generation",
                    format!(
                        "{generation:?} has the wrong shape: one lowercase letter for nvidia, a number such as 3.5 for amd and intel"
                    ),
                );
            }
        }
        if self.gpu_compute_units.is_some() && self.gpu_generation.is_none() {
            return fail("gpu_compute_units", "needs gpu_generation");
        }
        if self.gpu_compute_units == Some(0) {
            return fail("gpu_compute_units", "must be positive");
        }
        if self.gpu_vram_gib.is_some() && self.gpu_compute_units.is_none() {
            return fail("gpu_vram_gib", "needs gpu_compute_units");
        }
        if self.gpu_vram_gib == Some(0) {
            return fail("gpu_vram_gib", "must be positive");
        }
        Ok(Some(Gpu {
            mode,
            vendor,
            generation: self.gpu_generation.clone(),
            compute_units: self.gpu_compute_units,
            high_frequency: 0,
            vram_gib: self.gpu_vram_gib,
            high_bandwidth: 0,
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::FlavorNameFields;

    fn spec(json: serde_json::Value) -> FlavorSpec {
        serde_json::from_value(json).unwrap()
    }

    fn name_of(json: serde_json::Value) -> Result<String, FlavorSpecError> {
        spec(json).to_flavor_name().map(|n| n.to_string())
    }

    #[test]
    fn the_least_a_name_needs() {
        assert_eq!(
            name_of(serde_json::json!({"vcpus": 2, "cpu_type": "shared-core", "ram_gib": 4}))
                .unwrap(),
            "SCS-2V-4"
        );
        assert_eq!(
            name_of(
                serde_json::json!({"vcpus": 1, "cpu_type": "crowded-core", "ram_gib": 0.5,
                "disk_gb": 10, "disk_type": "ssd"})
            )
            .unwrap(),
            "SCS-1L-0.5-10s"
        );
    }

    #[test]
    fn parsed_fields_make_the_name_again() {
        for name in [
            "SCS-16V-64-500s",
            "SCS-2C-4-3x10s_bms_z3",
            "SCS-16T-64-3x10s_bms_hwv_i3h_GNa-64_ib",
            "SCS-4V-16_gA3.5-16-8",
            "SCS-2Li-3.5uo-",
            "SCS-2V-4_chy",
        ] {
            let fields = FlavorNameFields::from(&FlavorName::parse(name).unwrap());
            let back: FlavorSpec =
                serde_json::from_value(serde_json::to_value(&fields).unwrap()).unwrap();
            assert_eq!(back.to_flavor_name().unwrap().to_string(), name);
        }
    }

    #[test]
    fn each_problem_names_its_field() {
        let base = serde_json::json!({"vcpus": 2, "cpu_type": "shared-core", "ram_gib": 4});
        let with = |k: &str, v: serde_json::Value| {
            let mut j = base.clone();
            j[k] = v;
            name_of(j).unwrap_err()
        };
        assert_eq!(with("vcpus", 0.into()).field, "vcpus");
        let e = with("cpu_type", "fast".into());
        assert_eq!(e.field, "cpu_type");
        assert!(e.reason.contains("dedicated-core"), "{e}");
        assert_eq!(with("ram_gib", 1.25.into()).field, "ram_gib");
        assert_eq!(with("ram_gib", (-1).into()).field, "ram_gib");
        assert_eq!(with("disk_gb", 0.into()).field, "disk_gb");
        assert_eq!(with("disk_count", 0.into()).field, "disk_count");
        assert_eq!(with("disk_type", "fast".into()).field, "disk_type");
        assert_eq!(with("hypervisor", "vbox".into()).field, "hypervisor");
        assert_eq!(with("cpu_generation", 3.into()).field, "cpu_generation");
        assert_eq!(
            with("cpu_high_frequency", 4.into()).field,
            "cpu_high_frequency"
        );
        assert_eq!(with("cpu_vendor", "sparc".into()).field, "cpu_vendor");
        assert_eq!(with("gpu_vendor", "nvidia".into()).field, "gpu_vendor");
        assert_eq!(with("gpu_type", "pass-through".into()).field, "gpu_vendor");
        let mut gpu = base.clone();
        gpu["gpu_type"] = "virtual".into();
        gpu["gpu_vendor"] = "nvidia".into();
        gpu["gpu_generation"] = "3.5".into();
        assert_eq!(name_of(gpu.clone()).unwrap_err().field, "gpu_generation");
        gpu["gpu_generation"] = "a".into();
        gpu["gpu_vram_gib"] = 8.into();
        assert_eq!(name_of(gpu.clone()).unwrap_err().field, "gpu_vram_gib");
        gpu["gpu_compute_units"] = 40.into();
        assert_eq!(name_of(gpu).unwrap(), "SCS-2V-4_gNa-40-8");
        for missing in ["vcpus", "cpu_type", "ram_gib"] {
            let mut j = base.clone();
            j.as_object_mut().unwrap().remove(missing);
            assert_eq!(name_of(j).unwrap_err().field, missing);
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = serde_json::from_value::<FlavorSpec>(serde_json::json!({"cpus": 2}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("cpus") && e.contains("vcpus"), "{e}");
    }
}
