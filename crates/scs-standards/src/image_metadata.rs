//! Checking an image's properties against the SCS image metadata standard (scs-0102): the
//! properties it makes mandatory, and the values it allows for them.

use std::collections::BTreeMap;
use std::fmt;

use crate::date::Timestamp;

/// Mandatory properties (scs-0102), in the standard's order: operating system, architecture and
/// hypervisor, hardware, build, and maintenance.
pub const MANDATORY: [&str; 12] = [
    "os_distro",
    "os_version",
    "architecture",
    "hypervisor_type",
    "hw_disk_bus",
    "image_build_date",
    "image_original_user",
    "image_source",
    "image_description",
    "replace_frequency",
    "provided_until",
    "uuid_validity",
];

const ARCHITECTURES: [&str; 3] = ["x86_64", "aarch64", "risc-v"];
const HYPERVISORS: [&str; 5] = ["qemu", "kvm", "xen", "hyper-v", "esxi"];
const DISK_BUSES: [&str; 2] = ["virtio", "scsi"];
const RNG_MODELS: [&str; 1] = ["virtio"];
const REPLACE_FREQUENCIES: [&str; 7] = [
    "yearly",
    "quarterly",
    "monthly",
    "weekly",
    "daily",
    "critical_bug",
    "never",
];

/// One way an image's properties fall short of scs-0102.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyProblem {
    pub property: String,
    pub message: String,
}

impl fmt::Display for PropertyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property, self.message)
    }
}

fn problem(property: &str, message: impl Into<String>) -> PropertyProblem {
    PropertyProblem {
        property: property.to_owned(),
        message: message.into(),
    }
}

fn allowed(value: &str, choices: &[&str]) -> Result<(), String> {
    if choices.contains(&value) {
        Ok(())
    } else {
        Err(format!("{value:?} is not one of {}", choices.join(", ")))
    }
}

/// `image_build_date`, `provided_until` and dated `uuid_validity`: `YYYY-MM-DD`, optionally with
/// a time.
fn date(value: &str) -> Result<(), String> {
    Timestamp::parse(value)
        .map(|_| ())
        .ok_or_else(|| format!("{value:?} is not a date (YYYY-MM-DD, optionally with hh:mm[:ss])"))
}

fn check_value(property: &str, value: &str) -> Result<(), String> {
    match property {
        "architecture" => allowed(value, &ARCHITECTURES),
        "hypervisor_type" => allowed(value, &HYPERVISORS),
        "hw_disk_bus" => allowed(value, &DISK_BUSES),
        "hw_rng_model" => allowed(value, &RNG_MODELS),
        "replace_frequency" => allowed(value, &REPLACE_FREQUENCIES),
        "image_build_date" => date(value),
        "provided_until" => match value {
            "none" | "notice" => Ok(()),
            _ => date(value).map_err(|e| format!("{e}, none or notice")),
        },
        "uuid_validity" => match value {
            "none" | "notice" | "forever" => Ok(()),
            _ if value
                .strip_prefix("last-")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Ok(())
            }
            _ => date(value).map_err(|e| format!("{e}, none, notice, forever or last-N")),
        },
        "image_source" => {
            let url = ["http://", "https://", "ftp://", "ftps://"]
                .iter()
                .any(|scheme| value.starts_with(scheme));
            if url || value == "private" {
                Ok(())
            } else {
                Err(format!("{value:?} is neither a URL nor \"private\""))
            }
        }
        "hotfix_hours" | "min_ram" | "min_disk" => {
            if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
                Ok(())
            } else {
                Err(format!("{value:?} is not a whole number"))
            }
        }
        _ if value.trim().is_empty() => Err("is empty".to_owned()),
        _ => Ok(()),
    }
}

/// What is missing or not allowed in `properties` (Glance's image properties as strings, with
/// `min_ram` and `min_disk` as numbers in text), in the standard's order; empty when the image
/// meets scs-0102. Properties the standard does not name are not looked at.
pub fn check_properties(properties: &BTreeMap<String, String>) -> Vec<PropertyProblem> {
    let mut problems = Vec::new();
    for name in MANDATORY {
        match properties.get(name) {
            None => problems.push(problem(name, "is missing (mandatory)")),
            Some(value) => {
                if let Err(message) = check_value(name, value) {
                    problems.push(problem(name, message));
                }
            }
        }
    }
    for name in ["hw_rng_model", "hotfix_hours", "min_ram", "min_disk"] {
        if let Some(value) = properties.get(name)
            && let Err(message) = check_value(name, value)
        {
            problems.push(problem(name, message));
        }
    }
    if let (Some(build), Some(until)) = (
        properties
            .get("image_build_date")
            .and_then(|v| Timestamp::parse(v)),
        properties
            .get("provided_until")
            .and_then(|v| Timestamp::parse(v)),
    ) && until < build.start_of_day()
    {
        problems.push(problem("provided_until", "is before image_build_date"));
    }
    problems
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn good() -> BTreeMap<String, String> {
        [
            ("os_distro", "ubuntu"),
            ("os_version", "24.04"),
            ("architecture", "x86_64"),
            ("hypervisor_type", "qemu"),
            ("hw_disk_bus", "scsi"),
            ("hw_rng_model", "virtio"),
            ("image_build_date", "2026-11-02"),
            ("image_original_user", "ubuntu"),
            ("image_source", "https://cloud-images.ubuntu.com/noble/"),
            ("image_description", "https://docs.example/ubuntu"),
            ("replace_frequency", "monthly"),
            ("provided_until", "none"),
            ("uuid_validity", "last-3"),
            ("min_ram", "512"),
            ("min_disk", "8"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn a_complete_image_has_no_problems() {
        assert_eq!(check_properties(&good()), []);
        let mut dated = good();
        dated.insert("provided_until".into(), "2027-11-02".into());
        dated.insert("uuid_validity".into(), "forever".into());
        dated.insert("image_source".into(), "private".into());
        assert_eq!(check_properties(&dated), []);
    }

    #[test]
    fn every_missing_mandatory_property_is_named_in_order() {
        let problems = check_properties(&BTreeMap::new());
        let named: Vec<&str> = problems.iter().map(|p| p.property.as_str()).collect();
        assert_eq!(named, MANDATORY);
        assert!(problems[0].to_string().contains("mandatory"));
    }

    #[test]
    fn values_outside_the_standard_are_named_with_what_is_allowed() {
        for (property, value, hint) in [
            ("architecture", "amd64", "x86_64"),
            ("hypervisor_type", "vbox", "kvm"),
            ("hw_disk_bus", "ide", "virtio"),
            ("hw_rng_model", "random", "virtio"),
            ("replace_frequency", "sometimes", "critical_bug"),
            ("image_build_date", "last tuesday", "YYYY-MM-DD"),
            ("provided_until", "soon", "notice"),
            ("uuid_validity", "last-x", "last-N"),
            ("image_source", "ubuntu.com", "URL"),
            ("hotfix_hours", "a few", "whole number"),
            ("os_distro", " ", "empty"),
        ] {
            let mut props = good();
            props.insert(property.into(), value.into());
            let problems = check_properties(&props);
            assert_eq!(problems.len(), 1, "{property}: {problems:?}");
            assert_eq!(problems[0].property, property);
            assert!(problems[0].message.contains(hint), "{}", problems[0]);
        }
    }

    #[test]
    fn provided_until_cannot_precede_the_build() {
        let mut props = good();
        props.insert("provided_until".into(), "2026-01-01".into());
        let problems = check_properties(&props);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("before image_build_date"));
    }
}
