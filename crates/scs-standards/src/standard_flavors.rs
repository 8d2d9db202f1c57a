//! The scs-0103 v1.2 standard flavors. vCPU count, RAM and disk size "must match precisely";
//! every one of them is `shared-core` except the two `L` flavors, and only the two `…s` flavors fix
//! a disk type.

use super::flavor_name::{CpuType, DiskType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Mandatory,
    Recommended,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardFlavor {
    pub name: &'static str,
    pub vcpus: u32,
    pub cpu_type: CpuType,
    pub ram_gib: u32,
    /// `None`: no root disk (boot from volume).
    pub disk_gb: Option<u32>,
    pub disk_type: Option<DiskType>,
    pub status: Status,
}

const fn flavor(
    name: &'static str,
    vcpus: u32,
    cpu_type: CpuType,
    ram_gib: u32,
    disk_gb: Option<u32>,
    disk_type: Option<DiskType>,
    status: Status,
) -> StandardFlavor {
    StandardFlavor {
        name,
        vcpus,
        cpu_type,
        ram_gib,
        disk_gb,
        disk_type,
        status,
    }
}

use CpuType::{CrowdedCore as L, SharedCore as V};
use Status::{Mandatory as M, Recommended as R};

/// The 15 mandatory flavors, in the standard's table order.
pub const MANDATORY: &[StandardFlavor] = &[
    flavor("SCS-1V-4", 1, V, 4, None, None, M),
    flavor("SCS-2V-8", 2, V, 8, None, None, M),
    flavor("SCS-4V-16", 4, V, 16, None, None, M),
    flavor(
        "SCS-4V-16-100s",
        4,
        V,
        16,
        Some(100),
        Some(DiskType::Ssd),
        M,
    ),
    flavor("SCS-8V-32", 8, V, 32, None, None, M),
    flavor("SCS-1V-2", 1, V, 2, None, None, M),
    flavor("SCS-2V-4", 2, V, 4, None, None, M),
    flavor("SCS-2V-4-20s", 2, V, 4, Some(20), Some(DiskType::Ssd), M),
    flavor("SCS-4V-8", 4, V, 8, None, None, M),
    flavor("SCS-8V-16", 8, V, 16, None, None, M),
    flavor("SCS-16V-32", 16, V, 32, None, None, M),
    flavor("SCS-1V-8", 1, V, 8, None, None, M),
    flavor("SCS-2V-16", 2, V, 16, None, None, M),
    flavor("SCS-4V-32", 4, V, 32, None, None, M),
    flavor("SCS-1L-1", 1, L, 1, None, None, M),
];

/// The recommended flavors (parts 1 and 2 of the standard's tables).
pub const RECOMMENDED: &[StandardFlavor] = &[
    flavor("SCS-1V-4-10", 1, V, 4, Some(10), None, R),
    flavor("SCS-2V-8-20", 2, V, 8, Some(20), None, R),
    flavor("SCS-4V-16-50", 4, V, 16, Some(50), None, R),
    flavor("SCS-8V-32-100", 8, V, 32, Some(100), None, R),
    flavor("SCS-1V-2-5", 1, V, 2, Some(5), None, R),
    flavor("SCS-2V-4-10", 2, V, 4, Some(10), None, R),
    flavor("SCS-4V-8-20", 4, V, 8, Some(20), None, R),
    flavor("SCS-8V-16-50", 8, V, 16, Some(50), None, R),
    flavor("SCS-16V-32-100", 16, V, 32, Some(100), None, R),
    flavor("SCS-1V-8-20", 1, V, 8, Some(20), None, R),
    flavor("SCS-2V-16-50", 2, V, 16, Some(50), None, R),
    flavor("SCS-4V-32-100", 4, V, 32, Some(100), None, R),
    flavor("SCS-1L-1-5", 1, L, 1, Some(5), None, R),
    flavor("SCS-16V-64", 16, V, 64, None, None, R),
    flavor("SCS-8V-64", 8, V, 64, None, None, R),
    flavor("SCS-16V-128", 16, V, 128, None, None, R),
];

/// Looks a v2 name up in both lists.
pub fn lookup(name: &str) -> Option<&'static StandardFlavor> {
    MANDATORY.iter().chain(RECOMMENDED).find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn list_sizes_match_the_standard() {
        assert_eq!(MANDATORY.len(), 15);
        assert_eq!(RECOMMENDED.len(), 16);
        assert_eq!(lookup("SCS-2V-4").unwrap().status, Status::Mandatory);
        assert_eq!(lookup("SCS-1V-2-5").unwrap().status, Status::Recommended);
        assert!(lookup("SCS-2V-4-20p").is_none());
    }

    #[test]
    fn recommended_names_agree_with_their_figures() {
        for f in RECOMMENDED {
            let n = crate::flavor_name::FlavorName::parse(f.name).unwrap();
            assert_eq!(n.vcpus, f.vcpus);
            assert_eq!(n.cpu_type, f.cpu_type);
            assert_eq!(n.ram_mib(), u64::from(f.ram_gib) * 1024);
            assert_eq!(n.disk_gb(), f.disk_gb);
            assert_eq!(n.disk_type(), f.disk_type);
            assert_eq!(n.to_string(), f.name);
        }
    }
}
