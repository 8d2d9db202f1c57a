//! The pure-CPU work of the `scs_flavor` data source: choosing a flavor by
//! requirements among a realistic listing, and parsing SCS flavor names
//! (scs-0100). No cloud and no I/O.
//!
//! Run: `cargo bench -p scs-standards --bench flavor_select`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use divan::counter::ItemsCount;
use divan::{AllocProfiler, Bencher, black_box};
use scs_standards::FlavorCandidate;
use scs_standards::flavor_name::{CpuType, DiskType, FlavorName};
use scs_standards::flavor_select::FlavorRequirements;
use scs_standards::standard_flavors::{MANDATORY, RECOMMENDED};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

/// 200 flavors like a public SCS cloud lists them: the standard ones, SCS
/// names with extra specs, and provider-specific names without.
static FLAVORS: LazyLock<Vec<FlavorCandidate>> = LazyLock::new(|| {
    let standard = MANDATORY.iter().chain(RECOMMENDED).map(|s| s.name);
    let mut out: Vec<FlavorCandidate> = Vec::new();
    for (i, name) in standard.enumerate() {
        out.push(candidate(i, name.to_owned(), true));
    }
    let mut i = out.len();
    'outer: for vcpus in [1u32, 2, 4, 8, 16, 32] {
        for ram in [1u64, 2, 4, 8, 16, 32, 64] {
            for suffix in ["", "-20s", "-50n", "-100p", "_kvm"] {
                if out.len() >= 180 {
                    break 'outer;
                }
                let cpu = ["C", "T", "V", "L"][i % 4];
                out.push(candidate(
                    i,
                    format!("SCS-{vcpus}{cpu}-{ram}{suffix}"),
                    !i.is_multiple_of(3),
                ));
                i += 1;
            }
        }
    }
    while out.len() < 200 {
        out.push(candidate(i, format!("m1.custom-{i}"), false));
        i += 1;
    }
    out
});

fn candidate(i: usize, name: String, extra_specs: bool) -> FlavorCandidate {
    let parsed = FlavorName::parse(&name).ok();
    let mut specs = BTreeMap::new();
    if extra_specs && let Some(p) = &parsed {
        specs.insert("scs:name-v2".to_owned(), name.clone());
        specs.insert("scs:cpu-type".to_owned(), p.cpu_type.as_str().to_owned());
    }
    let vcpus = parsed.as_ref().map_or(2 + (i as u32 % 6), |p| p.vcpus);
    let ram_mib = parsed.as_ref().map_or(4096, FlavorName::ram_mib);
    let disk_gb = parsed
        .as_ref()
        .and_then(FlavorName::disk_gb)
        .map_or(0, u64::from);
    FlavorCandidate {
        id: format!("flavor-{i:04}"),
        name,
        vcpus,
        ram_mib,
        disk_gb,
        extra_specs: specs,
        disabled: i % 50 == 49,
    }
}

mod flavors {
    use super::*;

    /// `scs_flavor { vcpus = 4, ram = 16, cpu_type = "shared-core", disk_type = "ssd" }` over 200 flavors.
    #[divan::bench(max_time = 2)]
    fn select_among_200(bencher: Bencher) {
        let flavors = &*FLAVORS;
        assert_eq!(flavors.len(), 200);
        let wanted = FlavorRequirements {
            vcpus: Some(4),
            ram_gib: Some(16.0),
            disk_gb: None,
            cpu_type: Some(CpuType::SharedCore),
            disk_type: Some(DiskType::Ssd),
        };
        assert!(wanted.select(flavors).is_ok(), "a flavor matches");
        bencher
            .counter(ItemsCount::new(flavors.len()))
            .bench(|| black_box(&wanted).select(flavors).map(|(f, _)| f.id.len()));
    }

    /// scs-0100 name parsing of all 200 names (the non-SCS ones fail fast).
    #[divan::bench(max_time = 2)]
    fn parse_200_names(bencher: Bencher) {
        let names: Vec<&str> = FLAVORS.iter().map(|f| f.name.as_str()).collect();
        bencher.counter(ItemsCount::new(names.len())).bench(|| {
            black_box(&names)
                .iter()
                .filter(|n| FlavorName::parse(n).is_ok())
                .count()
        });
    }
}
