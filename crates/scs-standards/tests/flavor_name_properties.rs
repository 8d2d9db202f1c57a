//! Property-based tests of the scs-0100 flavor-name parser: it reads names from the cloud and from
//! users, so no input may make it panic, and every name it renders must parse back to the same
//! flavor. The case counts bound the run time inside `make test` (under a second); a failure
//! proptest finds is saved in `flavor_name_properties.proptest-regressions` beside this file and
//! replayed first on every later run, so it stays a regression test once committed.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use scs_standards::flavor_name::{
    CpuArch, CpuType, CpuVendor, Disk, DiskType, FlavorName, Gpu, GpuMode, GpuVendor, Hypervisor,
    NameSyntax,
};

fn cpu_type() -> impl Strategy<Value = CpuType> {
    prop_oneof![
        Just(CpuType::CrowdedCore),
        Just(CpuType::SharedCore),
        Just(CpuType::DedicatedThread),
        Just(CpuType::DedicatedCore),
    ]
}

fn disk_type() -> impl Strategy<Value = DiskType> {
    prop_oneof![
        Just(DiskType::Network),
        Just(DiskType::Hdd),
        Just(DiskType::Ssd),
        Just(DiskType::Nvme),
    ]
}

fn disk() -> impl Strategy<Value = Disk> {
    (
        1u32..5,
        proptest::option::of(1u32..2000),
        proptest::option::of(disk_type()),
    )
        .prop_map(|(count, size_gb, disk_type)| Disk {
            count,
            size_gb,
            disk_type,
        })
}

fn cpu_arch() -> impl Strategy<Value = CpuArch> {
    (
        proptest::sample::select(CpuVendor::ALL.to_vec()),
        proptest::option::of(1u32..10),
        0u8..=3,
    )
        .prop_map(|(vendor, generation, frequency)| CpuArch {
            vendor,
            generation,
            frequency,
        })
}

/// Compute units with their `h` count, and VRAM with its `h` count.
type GpuUnits = (u32, u8, Option<(u32, u8)>);

/// A GPU extension as the standard shapes it: a compute-unit count needs a generation, VRAM needs
/// a compute-unit count, and each `h` follows the number it modifies.
fn gpu() -> impl Strategy<Value = Gpu> {
    let vendor = prop_oneof![
        Just(GpuVendor::Nvidia),
        Just(GpuVendor::Amd),
        Just(GpuVendor::Intel)
    ];
    let mode = prop_oneof![Just(GpuMode::PassThrough), Just(GpuMode::Virtual)];
    let units = proptest::option::of((
        1u32..200,
        0u8..=2,
        proptest::option::of((1u32..200, 0u8..=2)),
    ));
    (mode, vendor, units).prop_flat_map(|(mode, vendor, units): (_, _, Option<GpuUnits>)| {
        let generation = match vendor {
            // Any lower-case letter but `h`, which would read as a frequency modifier.
            GpuVendor::Nvidia => "[a-gi-z]".boxed(),
            GpuVendor::Amd | GpuVendor::Intel => "[0-9]{1,2}(\\.[0-9])?".boxed(),
        };
        // Units need a generation; without units it is optional.
        let generation = if units.is_some() {
            generation.prop_map(Some).boxed()
        } else {
            proptest::option::of(generation).boxed()
        };
        generation.prop_map(move |generation| Gpu {
            mode,
            vendor,
            generation,
            compute_units: units.map(|u| u.0),
            high_frequency: units.map_or(0, |u| u.1),
            vram_gib: units.and_then(|u| u.2.map(|v| v.0)),
            high_bandwidth: units.and_then(|u| u.2).map_or(0, |v| v.1),
        })
    })
}

fn flavor() -> impl Strategy<Value = FlavorName> {
    (
        (
            1u32..512,
            cpu_type(),
            any::<bool>(),
            1u32..2048,
            any::<bool>(),
            any::<bool>(),
        ),
        (
            proptest::option::of(disk()),
            proptest::option::of(proptest::sample::select(Hypervisor::ALL.to_vec())),
            any::<bool>(),
            proptest::option::of(cpu_arch()),
            proptest::option::of(gpu()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (vcpus, cpu_type, cpu_insecure, ram_half_gib, ram_no_ecc, ram_oversubscribed),
                (disk, hypervisor, hardware_virtualization, cpu_arch, gpu, infiniband),
            )| FlavorName {
                vcpus,
                cpu_type,
                cpu_insecure,
                ram_half_gib,
                ram_no_ecc,
                ram_oversubscribed,
                disk,
                hypervisor,
                hardware_virtualization,
                cpu_arch,
                gpu,
                infiniband,
            },
        )
}

/// Strings shaped like flavor names: the grammar's delimiters, letters and digits in arbitrary
/// order, so the parser's error branches are reached far more often than by random text.
const NAME_LIKE: &str = "SCS-[0-9]{0,4}[LVTCix]{0,2}[-:_.]?[0-9]{0,4}(\\.[05])?[uo]{0,2}\
                         ([-:][0-9]{0,2}x?[0-9]{0,4}[nhsp.]?)?\
                         ([-_:](kvm|chy|xen|vmw|hyv|bms|hwv|ib|[izar][0-9]{0,2}h{0,4}|\
                         [Gg][NAIX][a-z0-9.]{0,4}([-:][0-9]{0,3}h{0,3}([-:][0-9]{0,3}h{0,3})?)?|\
                         [a-z]{0,4})){0,5}";

/// Names that follow the grammar's order with small slips (a repeated or misplaced extension, an
/// `h` too many), so that many are accepted and the accepted ones are checked too.
const NEARLY_VALID: &str = "SCS-[1-9][0-9]{0,2}[LVTC]i?-[1-9][0-9]{0,2}(\\.5)?u?o?\
                            (-([2-4]x)?[1-9]?[0-9]{0,3}[nhsp]?)?\
                            (_(kvm|chy|xen|vmw|hyv|bms|hwv|ib|[izar][0-9]?h{0,4}|\
                            [Gg][NAI]([a-z]|[0-9](\\.[0-9])?)?(-[1-9][0-9]{0,2}h{0,3}(-[1-9][0-9]?h{0,3})?)?)){0,3}";

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_rendered_name_parses_back_to_the_same_flavor(f in flavor()) {
        let name = f.to_string();
        prop_assert_eq!(FlavorName::parse(&name), Ok(f.clone()), "v2 name {}", name);
        // v1 of the standard predates Cloud Hypervisor: such flavors have no v1 name.
        if f.hypervisor != Some(Hypervisor::CloudHypervisor) {
            let v1 = f.to_v1_string();
            prop_assert_eq!(
                FlavorName::parse_with(&v1, NameSyntax::V1),
                Ok(f.clone()),
                "v1 name {}",
                v1
            );
        }
    }

    #[test]
    fn name_like_text_parses_or_is_refused_without_panic(
        name in prop_oneof![NAME_LIKE, NEARLY_VALID]
    ) {
        if let Ok(f) = FlavorName::parse(&name) {
            // What the parser accepts it renders canonically, and the canonical name is stable.
            let canonical = f.to_string();
            prop_assert_eq!(
                FlavorName::parse(&canonical),
                Ok(f.clone()),
                "{} -> {}",
                name,
                canonical
            );
        }
    }

    #[test]
    fn any_text_parses_or_is_refused_without_panic(name in "(SCS-)?\\PC{0,40}") {
        let _ = FlavorName::parse(&name);
        let _ = scs_standards::flavor_name::is_scs_name(&name);
    }

    #[test]
    fn a_changed_character_in_a_valid_name_never_panics(
        f in flavor(),
        at in any::<proptest::sample::Index>(),
        c in prop_oneof![
            Just('-'), Just('_'), Just(':'), Just('.'), Just('x'), Just('h'), any::<char>()
        ],
        insert in any::<bool>(),
    ) {
        let mut chars: Vec<char> = f.to_string().chars().collect();
        let i = at.index(chars.len());
        if insert {
            chars.insert(i, c);
        } else {
            chars[i] = c;
        }
        let name: String = chars.into_iter().collect();
        if let Ok(parsed) = FlavorName::parse(&name) {
            prop_assert_eq!(
                FlavorName::parse(&parsed.to_string()),
                Ok(parsed.clone()),
                "{}",
                name
            );
        }
    }
}
