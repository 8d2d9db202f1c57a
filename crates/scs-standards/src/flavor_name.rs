//! Parser and printer for SCS flavor names (scs-0100, "v3.3" text, syntax unchanged since v2).
//!
//! Grammar (v2/v3 delimiters):
//!
//! ```text
//! SCS- N(L|V|T|C)[i] - N[u][o] [ - [Mx][N][n|h|s|p] ]
//!      [_hyp] [_hwv] [_arch[N][h…]] [_(G|g)X[N[-M[h…][-V[h…]]]]] [_ib]
//! ```
//!
//! v1 names use `:` where v2 uses `-`, and `-` where v2 uses `_`; the `SCS-` prefix is the same.
//! [`FlavorName::parse`] accepts both and remembers nothing about which one it saw: `Display`
//! always prints the canonical v2 name and [`FlavorName::to_v1_string`] the v1 spelling.
//!
//! Where the standard's prose and the reference checker (`flavor_names.py`) differ, the prose wins:
//! a GPU frequency `h` needs a compute-unit count and a compute-unit count needs a generation
//! (`_[G/g]X[N[-M[h][-V[h]]]]`). Generations are checked for shape (a lowercase letter for nVidia,
//! a number such as `3.5` for AMD and Intel, digits for CPUs) rather than against today's tables,
//! so that names for hardware released after this code still parse.

use std::fmt;

/// The `SCS-` prefix every SCS flavor name starts with (in both syntaxes).
pub const PREFIX: &str = "SCS-";

/// Whether `name` claims to be an SCS flavor name. Such names must parse; other names are
/// simply not SCS names.
pub fn is_scs_name(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// vCPU kind, ordered from least to most capable (a flavor may understate, never overstate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CpuType {
    /// `L`: heavily oversubscribed vCPU.
    CrowdedCore,
    /// `V`: vCPU with at least 20% of a core in >99% of the time.
    SharedCore,
    /// `T`: dedicated hyperthread.
    DedicatedThread,
    /// `C`: dedicated core.
    DedicatedCore,
}

impl CpuType {
    pub const ALL: [CpuType; 4] = [
        CpuType::CrowdedCore,
        CpuType::SharedCore,
        CpuType::DedicatedThread,
        CpuType::DedicatedCore,
    ];

    pub fn letter(self) -> char {
        match self {
            CpuType::CrowdedCore => 'L',
            CpuType::SharedCore => 'V',
            CpuType::DedicatedThread => 'T',
            CpuType::DedicatedCore => 'C',
        }
    }

    pub fn from_letter(c: char) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.letter() == c)
    }

    /// Every value of the scs-0103 extra spec `scs:cpu-type`, least capable first.
    pub const NAMES: [&'static str; 4] = [
        Self::ALL[0].as_str(),
        Self::ALL[1].as_str(),
        Self::ALL[2].as_str(),
        Self::ALL[3].as_str(),
    ];

    /// Value of the scs-0103 extra spec `scs:cpu-type`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CpuType::CrowdedCore => "crowded-core",
            CpuType::SharedCore => "shared-core",
            CpuType::DedicatedThread => "dedicated-thread",
            CpuType::DedicatedCore => "dedicated-core",
        }
    }

    pub fn from_extra_spec(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

impl fmt::Display for CpuType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CpuType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_extra_spec(s).ok_or_else(|| {
            format!(
                "unknown cpu type {s:?}; expected one of {}",
                Self::NAMES.join(", ")
            )
        })
    }
}

/// Root disk kind (`n`, `h`, `s`, `p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DiskType {
    /// `n`: network shared storage (ceph/cinder).
    Network,
    /// `h`: local HDD.
    Hdd,
    /// `s`: local SSD.
    Ssd,
    /// `p`: local high-performance NVMe.
    Nvme,
}

impl DiskType {
    pub const ALL: [DiskType; 4] = [
        DiskType::Network,
        DiskType::Hdd,
        DiskType::Ssd,
        DiskType::Nvme,
    ];

    pub fn letter(self) -> char {
        match self {
            DiskType::Network => 'n',
            DiskType::Hdd => 'h',
            DiskType::Ssd => 's',
            DiskType::Nvme => 'p',
        }
    }

    pub fn from_letter(c: char) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.letter() == c)
    }

    /// Every value of the scs-0103 extra spec `scs:diskN-type`.
    pub const NAMES: [&'static str; 4] = [
        Self::ALL[0].as_str(),
        Self::ALL[1].as_str(),
        Self::ALL[2].as_str(),
        Self::ALL[3].as_str(),
    ];

    /// Value of the scs-0103 extra spec `scs:diskN-type`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DiskType::Network => "network",
            DiskType::Hdd => "hdd",
            DiskType::Ssd => "ssd",
            DiskType::Nvme => "nvme",
        }
    }

    pub fn from_extra_spec(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// Whether a disk of this type may be offered where `wanted` is asked for. The standard's only
    /// stated substitution is local NVMe for local SSD ("`SCS-2V-4-20s` with a `SCS-2V-4-20p`");
    /// network and local HDD trade durability against latency, so neither stands in for another.
    pub fn satisfies(self, wanted: DiskType) -> bool {
        self == wanted || (self == DiskType::Nvme && wanted == DiskType::Ssd)
    }
}

impl fmt::Display for DiskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DiskType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_extra_spec(s).ok_or_else(|| {
            format!(
                "unknown disk type {s:?}; expected one of {}",
                Self::NAMES.join(", ")
            )
        })
    }
}

/// Hypervisor extension (`_kvm`, …); KVM is assumed when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hypervisor {
    Kvm,
    CloudHypervisor,
    Xen,
    VMware,
    HyperV,
    BareMetal,
}

impl Hypervisor {
    pub const ALL: [Hypervisor; 6] = [
        Hypervisor::Kvm,
        Hypervisor::CloudHypervisor,
        Hypervisor::Xen,
        Hypervisor::VMware,
        Hypervisor::HyperV,
        Hypervisor::BareMetal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Hypervisor::Kvm => "kvm",
            Hypervisor::CloudHypervisor => "chy",
            Hypervisor::Xen => "xen",
            Hypervisor::VMware => "vmw",
            Hypervisor::HyperV => "hyv",
            Hypervisor::BareMetal => "bms",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.code() == code)
    }
}

/// CPU vendor / architecture letter of the `_arch` extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuVendor {
    Intel,
    Amd,
    Arm,
    RiscV,
}

impl CpuVendor {
    pub const ALL: [CpuVendor; 4] = [
        CpuVendor::Intel,
        CpuVendor::Amd,
        CpuVendor::Arm,
        CpuVendor::RiscV,
    ];

    pub fn letter(self) -> char {
        match self {
            CpuVendor::Intel => 'i',
            CpuVendor::Amd => 'z',
            CpuVendor::Arm => 'a',
            CpuVendor::RiscV => 'r',
        }
    }

    pub fn from_letter(c: char) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.letter() == c)
    }

    /// The Glance `architecture` property images need for this CPU (the standard's table; RISC-V
    /// has no Glance value yet).
    pub fn image_architecture(self) -> Option<&'static str> {
        match self {
            CpuVendor::Intel | CpuVendor::Amd => Some("x86_64"),
            CpuVendor::Arm => Some("aarch64"),
            CpuVendor::RiscV => None,
        }
    }
}

/// `_arch[N][h…]`: vendor, generation and all-core frequency class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CpuArch {
    pub vendor: CpuVendor,
    /// Vendor-specific generation; 0 means "old or unspecified" and is printed as nothing.
    pub generation: Option<u32>,
    /// Number of `h`: 1 = >2.75 GHz, 2 = >3.25 GHz, 3 = >3.75 GHz all-core.
    pub frequency: u8,
}

/// Pass-through (`G`) or virtual (`g`) GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GpuMode {
    PassThrough,
    Virtual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GpuVendor {
    Nvidia,
    Amd,
    Intel,
}

impl GpuVendor {
    pub fn letter(self) -> char {
        match self {
            GpuVendor::Nvidia => 'N',
            GpuVendor::Amd => 'A',
            GpuVendor::Intel => 'I',
        }
    }

    pub fn from_letter(c: char) -> Option<Self> {
        [GpuVendor::Nvidia, GpuVendor::Amd, GpuVendor::Intel]
            .into_iter()
            .find(|v| v.letter() == c)
    }
}

/// `_(G|g)X[N[-M[h…][-V[h…]]]]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Gpu {
    pub mode: GpuMode,
    pub vendor: GpuVendor,
    /// nVidia: a letter (`a` = Ampere, …); AMD/Intel: a number such as `3.5` or `0.9`.
    pub generation: Option<String>,
    /// SMs (nVidia), CUs (AMD) or EUs (Intel).
    pub compute_units: Option<u32>,
    /// Number of `h` after the compute units (higher-frequency variants).
    pub high_frequency: u8,
    /// Video memory in GiB.
    pub vram_gib: Option<u32>,
    /// Number of `h` after the VRAM (high-bandwidth memory).
    pub high_bandwidth: u8,
}

/// The disk part: `[Mx][N][type]`. A present disk part with no size means the cloud sizes the
/// root disk from the image's `min_disk`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Disk {
    /// Number of independent disks (the `M` of `Mx`), 1 when absent.
    pub count: u32,
    pub size_gb: Option<u32>,
    pub disk_type: Option<DiskType>,
}

/// A parsed SCS flavor name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FlavorName {
    pub vcpus: u32,
    pub cpu_type: CpuType,
    /// `i`: mitigations for CPU vulnerabilities are not guaranteed.
    pub cpu_insecure: bool,
    /// RAM in half GiB (the standard allows halves, e.g. `3.5`); see [`FlavorName::ram_gib`].
    pub ram_half_gib: u32,
    /// `u`: no ECC memory.
    pub ram_no_ecc: bool,
    /// `o`: memory is oversubscribed.
    pub ram_oversubscribed: bool,
    /// `None`: no root disk, the user boots from a volume.
    pub disk: Option<Disk>,
    pub hypervisor: Option<Hypervisor>,
    /// `_hwv`: hardware-assisted (nested) virtualisation is available in the instance.
    pub hardware_virtualization: bool,
    pub cpu_arch: Option<CpuArch>,
    pub gpu: Option<Gpu>,
    /// `_ib`: Infiniband networking.
    pub infiniband: bool,
}

/// Which delimiter set a name uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSyntax {
    /// scs-0100 v2 and v3: `SCS-2V-4-20s_kvm`.
    V2,
    /// scs-0100 v1: `SCS-2V:4:20s-kvm`.
    V1,
}

impl NameSyntax {
    /// Delimiter between CPU, RAM, disk and inside the GPU extension.
    fn part_sep(self) -> char {
        match self {
            NameSyntax::V2 => '-',
            NameSyntax::V1 => ':',
        }
    }

    /// Delimiter in front of each extension.
    fn ext_sep(self) -> char {
        match self {
            NameSyntax::V2 => '_',
            NameSyntax::V1 => '-',
        }
    }
}

/// Why a name that starts with `SCS-` is not a valid SCS flavor name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlavorNameError {
    pub name: String,
    /// Byte offset in `name` of the part that is not valid: where the element that failed starts
    /// (the vCPU count, the RAM size, the disk part, an extension, ...), or where text nothing
    /// can follow begins.
    pub position: usize,
    pub reason: String,
}

impl FlavorNameError {
    /// The 1-based character position of [`FlavorNameError::position`], as people count.
    pub fn character(&self) -> usize {
        let end = self.position.min(self.name.len());
        self.name
            .char_indices()
            .take_while(|(i, _)| *i < end)
            .count()
            + 1
    }

    /// The name from the invalid part on (empty when the name ended too early).
    pub fn remainder(&self) -> &str {
        self.name.get(self.position..).unwrap_or_default()
    }
}

impl fmt::Display for FlavorNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = match self.remainder() {
            "" => format!("at character {} (the end of the name)", self.character()),
            rest => format!("at character {} ({rest:?})", self.character()),
        };
        write!(
            f,
            "{:?} is not a valid SCS flavor name (scs-0100) {at}: {}",
            self.name, self.reason
        )
    }
}

impl std::error::Error for FlavorNameError {}

impl FlavorName {
    /// Parses a v2/v3 name, or failing that a v1 name. A name that is valid in neither reports
    /// the v2 error, since v2 is what clouds are expected to use.
    pub fn parse(name: &str) -> Result<Self, FlavorNameError> {
        match Self::parse_with(name, NameSyntax::V2) {
            Ok(parsed) => Ok(parsed),
            Err(v2_error) => Self::parse_with(name, NameSyntax::V1).map_err(|_| v2_error),
        }
    }

    /// Parses with one syntax only.
    pub fn parse_with(name: &str, syntax: NameSyntax) -> Result<Self, FlavorNameError> {
        let Some(rest) = name.strip_prefix(PREFIX) else {
            return Err(FlavorNameError {
                name: name.to_string(),
                position: 0,
                reason: format!("does not start with {PREFIX:?}"),
            });
        };
        let mut parser = Parser {
            cur: Cursor::new(rest),
            syntax,
            start: 0,
        };
        parser.parse().map_err(|reason| FlavorNameError {
            name: name.to_string(),
            position: PREFIX.len() + parser.start,
            reason,
        })
    }

    /// RAM in GiB (may be a half, e.g. 0.5).
    pub fn ram_gib(&self) -> f64 {
        f64::from(self.ram_half_gib) / 2.0
    }

    /// RAM in MiB, the unit Nova reports.
    pub fn ram_mib(&self) -> u64 {
        u64::from(self.ram_half_gib) * 512
    }

    /// Root disk size in GB, if the name fixes one.
    pub fn disk_gb(&self) -> Option<u32> {
        self.disk.and_then(|d| d.size_gb)
    }

    pub fn disk_type(&self) -> Option<DiskType> {
        self.disk.and_then(|d| d.disk_type)
    }

    /// The name in v1 syntax (`SCS-2V:4:20s-kvm`), as scs-0103 wants in `scs:name-v1`.
    pub fn to_v1_string(&self) -> String {
        self.render(NameSyntax::V1)
    }

    /// The short name the standard recommends offering next to a detailed one: no hypervisor,
    /// no `_hwv`, no x86 vendor (it does not change the architecture), no GPU `h` modifiers.
    pub fn shortened(&self) -> FlavorName {
        let mut short = self.clone();
        short.hypervisor = None;
        short.hardware_virtualization = false;
        short.cpu_arch = self.cpu_arch.and_then(|arch| match arch.vendor {
            CpuVendor::Intel | CpuVendor::Amd => None,
            CpuVendor::Arm | CpuVendor::RiscV => Some(CpuArch {
                vendor: arch.vendor,
                generation: None,
                frequency: 0,
            }),
        });
        if let Some(gpu) = short.gpu.as_mut() {
            gpu.high_frequency = 0;
            gpu.high_bandwidth = 0;
        }
        short
    }

    fn render(&self, syntax: NameSyntax) -> String {
        let part = syntax.part_sep();
        let ext = syntax.ext_sep();
        let mut s = String::from(PREFIX);
        s.push_str(&self.vcpus.to_string());
        s.push(self.cpu_type.letter());
        if self.cpu_insecure {
            s.push('i');
        }
        s.push(part);
        s.push_str(&(self.ram_half_gib / 2).to_string());
        if self.ram_half_gib % 2 == 1 {
            s.push_str(".5");
        }
        if self.ram_no_ecc {
            s.push('u');
        }
        if self.ram_oversubscribed {
            s.push('o');
        }
        if let Some(disk) = self.disk {
            s.push(part);
            if disk.count != 1 {
                s.push_str(&format!("{}x", disk.count));
            }
            if let Some(size) = disk.size_gb {
                s.push_str(&size.to_string());
            }
            if let Some(t) = disk.disk_type {
                s.push(t.letter());
            }
        }
        if let Some(h) = self.hypervisor {
            s.push(ext);
            s.push_str(h.code());
        }
        if self.hardware_virtualization {
            s.push(ext);
            s.push_str("hwv");
        }
        if let Some(arch) = self.cpu_arch {
            s.push(ext);
            s.push(arch.vendor.letter());
            if let Some(g) = arch.generation.filter(|g| *g != 0) {
                s.push_str(&g.to_string());
            }
            push_h(&mut s, arch.frequency);
        }
        if let Some(gpu) = &self.gpu {
            s.push(ext);
            s.push(match gpu.mode {
                GpuMode::PassThrough => 'G',
                GpuMode::Virtual => 'g',
            });
            s.push(gpu.vendor.letter());
            if let Some(g) = &gpu.generation {
                s.push_str(g);
            }
            if let Some(cu) = gpu.compute_units {
                s.push(part);
                s.push_str(&cu.to_string());
                push_h(&mut s, gpu.high_frequency);
                if let Some(vram) = gpu.vram_gib {
                    s.push(part);
                    s.push_str(&vram.to_string());
                    push_h(&mut s, gpu.high_bandwidth);
                }
            }
        }
        if self.infiniband {
            s.push(ext);
            s.push_str("ib");
        }
        s
    }
}

fn push_h(s: &mut String, n: u8) {
    for _ in 0..n {
        s.push('h');
    }
}

impl fmt::Display for FlavorName {
    /// The canonical v2/v3 name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(NameSyntax::V2))
    }
}

impl std::str::FromStr for FlavorName {
    type Err = FlavorNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FlavorName::parse(s)
    }
}

/// A flat, serializable view of a parsed name: what the `scs_flavor` data source reports. Codes
/// become words (`shared-core`, `nvme`, `bms`, `amd`, `pass-through`, `nvidia`) so that users
/// need not know the letters.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FlavorNameFields {
    /// The canonical v2 name.
    pub name: String,
    pub name_v1: String,
    pub vcpus: u32,
    pub cpu_type: &'static str,
    pub cpu_insecure: bool,
    pub ram_gib: f64,
    pub ram_no_ecc: bool,
    pub ram_oversubscribed: bool,
    /// `None` when the name has no disk part (boot from volume).
    pub disk_count: Option<u32>,
    pub disk_gb: Option<u32>,
    pub disk_type: Option<&'static str>,
    pub hypervisor: Option<&'static str>,
    pub hardware_virtualization: bool,
    pub cpu_vendor: Option<&'static str>,
    pub cpu_generation: Option<u32>,
    /// Number of `h`: 1 = >2.75 GHz, 2 = >3.25 GHz, 3 = >3.75 GHz all-core.
    pub cpu_high_frequency: u8,
    pub gpu_type: Option<&'static str>,
    pub gpu_vendor: Option<&'static str>,
    pub gpu_generation: Option<String>,
    pub gpu_compute_units: Option<u32>,
    pub gpu_vram_gib: Option<u32>,
    pub infiniband: bool,
}

/// The JSON kind of one [`FlavorNameFields`] field (an `Option` field may also be null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Number,
    Bool,
}

impl FlavorNameFields {
    /// Every field as it serializes, in declaration order, with its kind: the one list a schema
    /// of these fields is built from.
    pub const FIELDS: [(&'static str, FieldKind); 22] = {
        use FieldKind::{Bool, Number, Text};
        [
            ("name", Text),
            ("name_v1", Text),
            ("vcpus", Number),
            ("cpu_type", Text),
            ("cpu_insecure", Bool),
            ("ram_gib", Number),
            ("ram_no_ecc", Bool),
            ("ram_oversubscribed", Bool),
            ("disk_count", Number),
            ("disk_gb", Number),
            ("disk_type", Text),
            ("hypervisor", Text),
            ("hardware_virtualization", Bool),
            ("cpu_vendor", Text),
            ("cpu_generation", Number),
            ("cpu_high_frequency", Number),
            ("gpu_type", Text),
            ("gpu_vendor", Text),
            ("gpu_generation", Text),
            ("gpu_compute_units", Number),
            ("gpu_vram_gib", Number),
            ("infiniband", Bool),
        ]
    };
}

impl From<&FlavorName> for FlavorNameFields {
    fn from(n: &FlavorName) -> Self {
        let gpu = n.gpu.as_ref();
        FlavorNameFields {
            name: n.to_string(),
            name_v1: n.to_v1_string(),
            vcpus: n.vcpus,
            cpu_type: n.cpu_type.as_str(),
            cpu_insecure: n.cpu_insecure,
            ram_gib: n.ram_gib(),
            ram_no_ecc: n.ram_no_ecc,
            ram_oversubscribed: n.ram_oversubscribed,
            disk_count: n.disk.map(|d| d.count),
            disk_gb: n.disk_gb(),
            disk_type: n.disk_type().map(DiskType::as_str),
            hypervisor: n.hypervisor.map(Hypervisor::code),
            hardware_virtualization: n.hardware_virtualization,
            cpu_vendor: n.cpu_arch.map(|a| match a.vendor {
                CpuVendor::Intel => "intel",
                CpuVendor::Amd => "amd",
                CpuVendor::Arm => "arm",
                CpuVendor::RiscV => "risc-v",
            }),
            cpu_generation: n.cpu_arch.and_then(|a| a.generation),
            cpu_high_frequency: n.cpu_arch.map(|a| a.frequency).unwrap_or(0),
            gpu_type: gpu.map(|g| match g.mode {
                GpuMode::PassThrough => "pass-through",
                GpuMode::Virtual => "virtual",
            }),
            gpu_vendor: gpu.map(|g| match g.vendor {
                GpuVendor::Nvidia => "nvidia",
                GpuVendor::Amd => "amd",
                GpuVendor::Intel => "intel",
            }),
            gpu_generation: gpu.and_then(|g| g.generation.clone()),
            gpu_compute_units: gpu.and_then(|g| g.compute_units),
            gpu_vram_gib: gpu.and_then(|g| g.vram_gib),
            infiniband: n.infiniband,
        }
    }
}

/// Byte cursor over the ASCII name (non-ASCII never matches any expectation and so fails).
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn take_while(&mut self, pred: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !pred(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        &self.s[start..self.pos]
    }

    fn count_h(&mut self, max: u8, what: &str) -> Result<u8, String> {
        let hs = self.take_while(|c| c == 'h').len();
        u8::try_from(hs)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("at most {max} `h` allowed after {what}"))
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn at_end(&self) -> bool {
        self.pos == self.s.len()
    }
}

fn positive(digits: &str, what: &str) -> Result<u32, String> {
    match digits.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        Ok(_) => Err(format!("{what} must be positive")),
        Err(_) => Err(format!("{what} {digits:?} is not a number")),
    }
}

struct Parser<'a> {
    cur: Cursor<'a>,
    syntax: NameSyntax,
    /// Where the element being parsed starts (after the prefix): an error is reported there.
    start: usize,
}

/// Extension kinds in the order the standard fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ExtKind {
    Hypervisor,
    HardwareVirtualization,
    CpuArch,
    Gpu,
    Infiniband,
}

impl<'a> Parser<'a> {
    /// Marks the current position as the start of the next element.
    fn mark(&mut self) {
        self.start = self.cur.pos;
    }

    fn parse(&mut self) -> Result<FlavorName, String> {
        let part = self.syntax.part_sep();
        self.mark();
        let digits = self.cur.take_while(|c| c.is_ascii_digit());
        if digits.is_empty() {
            return Err("the vCPU count is missing after \"SCS-\"".into());
        }
        let vcpus = positive(digits, "the vCPU count")?;
        self.mark();
        if self.cur.peek() == Some('i') {
            return Err(
                "the insecure flag `i` must follow the CPU type letter (`2Ti`, not `2iT`)".into(),
            );
        }
        let cpu_type = self
            .cur
            .peek()
            .and_then(CpuType::from_letter)
            .ok_or("the CPU type letter (L, V, T or C) is missing after the vCPU count")?;
        self.cur.eat(cpu_type.letter());
        let cpu_insecure = self.cur.eat('i');
        self.mark();
        if !self.cur.eat(part) {
            return Err(format!(
                "expected {part:?} and the RAM size after the CPU part, found {:?}",
                self.cur.rest()
            ));
        }
        self.mark();
        let ram_half_gib = self.ram()?;
        self.mark();
        let ram_no_ecc = self.cur.eat('u');
        let ram_oversubscribed = self.cur.eat('o');
        if ram_oversubscribed && self.cur.peek() == Some('u') {
            return Err("RAM suffixes must be in the order `uo` (`ou` is forbidden)".into());
        }
        let disk = if self.cur.eat(part) {
            self.mark();
            Some(self.disk()?)
        } else {
            None
        };
        let mut name = FlavorName {
            vcpus,
            cpu_type,
            cpu_insecure,
            ram_half_gib,
            ram_no_ecc,
            ram_oversubscribed,
            disk,
            hypervisor: None,
            hardware_virtualization: false,
            cpu_arch: None,
            gpu: None,
            infiniband: false,
        };
        self.extensions(&mut name)?;
        Ok(name)
    }

    fn ram(&mut self) -> Result<u32, String> {
        let whole = self.cur.take_while(|c| c.is_ascii_digit());
        if whole.is_empty() {
            return Err("the RAM size is missing".into());
        }
        let whole: u32 = whole
            .parse()
            .map_err(|_| format!("RAM size {whole:?} is too large"))?;
        let mut half = 0;
        if self.cur.eat('.') {
            let frac = self.cur.take_while(|c| c.is_ascii_digit());
            let frac = frac.trim_end_matches('0');
            half = match frac {
                "" => 0,
                "5" => 1,
                _ => return Err("RAM must be a whole or half number of GiB".into()),
            };
        }
        let total = whole
            .checked_mul(2)
            .and_then(|w| w.checked_add(half))
            .ok_or("RAM size is too large")?;
        if total == 0 {
            return Err("RAM must be positive".into());
        }
        Ok(total)
    }

    fn disk(&mut self) -> Result<Disk, String> {
        let first = self.cur.take_while(|c| c.is_ascii_digit());
        let (count, size) = if self.cur.eat('x') {
            if first.is_empty() {
                return Err("the disk multiplier `x` needs a count before it (`3x10s`)".into());
            }
            let size = self.cur.take_while(|c| c.is_ascii_digit());
            (positive(first, "the disk count")?, size)
        } else {
            (1, first)
        };
        let size_gb = if size.is_empty() {
            None
        } else {
            Some(positive(size, "the disk size")?)
        };
        let disk_type = self.cur.peek().and_then(DiskType::from_letter);
        if let Some(t) = disk_type {
            self.cur.eat(t.letter());
        }
        if self.cur.peek() == Some('.') {
            return Err("disk sizes must be whole GB".into());
        }
        Ok(Disk {
            count,
            size_gb,
            disk_type,
        })
    }

    fn extensions(&mut self, name: &mut FlavorName) -> Result<(), String> {
        let ext = self.syntax.ext_sep();
        self.mark();
        if self.cur.at_end() {
            return Ok(());
        }
        let rest = self.cur.rest();
        let Some(tail) = rest.strip_prefix(ext) else {
            return Err(format!(
                "unexpected {rest:?}; extensions start with {ext:?}"
            ));
        };
        let mut last: Option<ExtKind> = None;
        let mut token_start = self.cur.pos + ext.len_utf8();
        for token in tail.split(ext) {
            self.start = token_start;
            token_start += token.len() + ext.len_utf8();
            let kind = self.extension(token, name)?;
            if let Some(prev) = last
                && kind <= prev
            {
                return Err(format!(
                    "extension {token:?} is out of order or repeated; the order is hypervisor, hwv, CPU architecture, GPU, ib"
                ));
            }
            last = Some(kind);
        }
        Ok(())
    }

    fn extension(&self, token: &str, name: &mut FlavorName) -> Result<ExtKind, String> {
        if let Some(h) = Hypervisor::from_code(token) {
            // v1 of the standard predates Cloud Hypervisor.
            if h == Hypervisor::CloudHypervisor && self.syntax == NameSyntax::V1 {
                return Err("hypervisor `chy` only exists in v2+ names".into());
            }
            name.hypervisor = Some(h);
            return Ok(ExtKind::Hypervisor);
        }
        match token {
            "hwv" => {
                name.hardware_virtualization = true;
                return Ok(ExtKind::HardwareVirtualization);
            }
            "ib" => {
                name.infiniband = true;
                return Ok(ExtKind::Infiniband);
            }
            "" => return Err("empty extension".into()),
            _ => {}
        }
        let mut cur = Cursor::new(token);
        let first = cur.peek().unwrap_or_default();
        if let Some(vendor) = CpuVendor::from_letter(first) {
            cur.eat(first);
            let gen_digits = cur.take_while(|c| c.is_ascii_digit());
            // Generation 0 means "old or unspecified", the same as none: `_i0` is `_i`.
            let generation = if gen_digits.is_empty() {
                None
            } else {
                Some(
                    gen_digits
                        .parse::<u32>()
                        .map_err(|_| format!("CPU generation {gen_digits:?} is too large"))?,
                )
                .filter(|&g| g != 0)
            };
            let frequency = cur.count_h(3, "the CPU generation")?;
            if !cur.at_end() {
                return Err(format!("unknown extension {token:?}"));
            }
            name.cpu_arch = Some(CpuArch {
                vendor,
                generation,
                frequency,
            });
            return Ok(ExtKind::CpuArch);
        }
        let mode = match first {
            'G' => GpuMode::PassThrough,
            'g' => GpuMode::Virtual,
            _ => return Err(format!("unknown extension {token:?}")),
        };
        cur.eat(first);
        name.gpu = Some(self.gpu(mode, &mut cur, token)?);
        Ok(ExtKind::Gpu)
    }

    fn gpu(&self, mode: GpuMode, cur: &mut Cursor<'_>, token: &str) -> Result<Gpu, String> {
        let part = self.syntax.part_sep();
        let vendor = cur
            .peek()
            .and_then(GpuVendor::from_letter)
            .ok_or_else(|| format!("GPU extension {token:?} needs a vendor letter N, A or I"))?;
        cur.eat(vendor.letter());
        let generation = match vendor {
            GpuVendor::Nvidia => cur.take_while(|c| c.is_ascii_lowercase() && c != 'h'),
            GpuVendor::Amd | GpuVendor::Intel => cur.take_while(|c| c.is_ascii_digit() || c == '.'),
        };
        let generation_ok = match vendor {
            GpuVendor::Nvidia => generation.len() <= 1,
            GpuVendor::Amd | GpuVendor::Intel => generation.is_empty() || is_decimal(generation),
        };
        if !generation_ok {
            return Err(format!("GPU generation {generation:?} has the wrong shape"));
        }
        let mut gpu = Gpu {
            mode,
            vendor,
            generation: (!generation.is_empty()).then(|| generation.to_string()),
            compute_units: None,
            high_frequency: 0,
            vram_gib: None,
            high_bandwidth: 0,
        };
        if cur.eat(part) {
            if gpu.generation.is_none() {
                return Err("a GPU compute-unit count needs the GPU generation before it".into());
            }
            let cu = cur.take_while(|c| c.is_ascii_digit());
            gpu.compute_units = Some(positive(cu, "the GPU compute-unit count")?);
            gpu.high_frequency = cur.count_h(2, "the GPU compute units")?;
            if cur.eat(part) {
                let vram = cur.take_while(|c| c.is_ascii_digit());
                gpu.vram_gib = Some(positive(vram, "the GPU VRAM size")?);
                gpu.high_bandwidth = cur.count_h(2, "the GPU VRAM size")?;
            }
        }
        if cur.peek() == Some('h') && gpu.compute_units.is_none() {
            return Err("a GPU `h` modifier needs the compute-unit count before it".into());
        }
        if !cur.at_end() {
            return Err(format!(
                "unexpected {:?} in GPU extension {token:?}",
                cur.rest()
            ));
        }
        Ok(gpu)
    }
}

fn is_decimal(s: &str) -> bool {
    let mut parts = s.split('.');
    let whole = parts.next().unwrap_or_default();
    let frac = parts.next();
    parts.next().is_none()
        && !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ok(name: &str) -> FlavorName {
        FlavorName::parse(name).unwrap_or_else(|e| panic!("{name} should parse: {e}"))
    }

    fn bad(name: &str) -> FlavorNameError {
        match FlavorName::parse(name) {
            Ok(parsed) => panic!("{name} should be rejected, parsed as {parsed:?}"),
            Err(e) => e,
        }
    }

    /// Every valid example in scs-0100-v3 (v3.3 text), in v2 syntax. Each prints back unchanged.
    const STANDARD_VALID: &[&str] = &[
        // CPU suffixes
        "SCS-2C-4-10n",
        "SCS-2T-4-10n",
        "SCS-2V-4-10n",
        "SCS-2L-4-10n",
        "SCS-2Li-4-10n",
        // memory
        "SCS-2C-3.5-10n",
        "SCS-2C-4u-10n",
        "SCS-2C-4o-10n",
        "SCS-2C-4uo-10n",
        // disks
        "SCS-2C-4-10s",
        "SCS-2C-4-10s_bms_z3",
        "SCS-2C-4-3x10s",
        "SCS-2C-4-3x10s_bms_z3",
        "SCS-2C-4-10",
        "SCS-2C-4-10_bms_z3",
        "SCS-2C-4-n",
        "SCS-2C-4-",
        "SCS-2C-4-_bms_z3",
        "SCS-2C-4-_bms_z3h_GNa-64_ib",
        "SCS-2C-4-_ib",
        "SCS-2C-4",
        "SCS-2C-4_bms_z3",
        "SCS-2C-4-3x10",
        // hypervisor
        "SCS-2C-4-10n_bms",
        "SCS-2C-4-10n_bms_z3h",
        // hardware virtualisation
        "SCS-2C-4-10",
        "SCS-2C-4-10_kvm_hwv",
        "SCS-2C-4-10_hwv",
        "SCS-2C-4-10_bms_hwv",
        // CPU architecture
        "SCS-2C-4-10n_z",
        "SCS-2C-4-10n_z3",
        "SCS-2C-4-10n_z3h",
        "SCS-2C-4-10n_z3hh",
        "SCS-2C-4-10n_bms_z",
        "SCS-2C-4-10n_bms_z3hh",
        // GPU and the proposal examples table
        "SCS-16V-64-500s_GNa-14-6h",
        "SCS-8Ti-32-50p_i1",
        "SCS-1L-1u-5",
        "SCS-16T-64-200s_GNa-72-24_ib",
        "SCS-4C-16-2x200p_a1",
        "SCS-1V-0.5",
        // naming advice and compliance section
        "SCS-4V-16-50",
        "SCS-8T-16-50n_i2",
        "SCS-8T-16-50n_z2",
        "SCS-1C-1.5-8s",
        "SCS-1T-1-5n",
        "SCS-2V-4-20p",
        // the reference tool's own self-test name
        "SCS-16T-64-3x10s_bms_hwv_i3h_GNa-64_ib",
        // hypervisor added in v3.x
        "SCS-2V-4_chy",
    ];

    /// The standard's struck-through examples, plus one typo in its disk examples
    /// (`SCS-2C-4-n_bms_3`: `_3` has no CPU vendor letter; the reference checker rejects it too).
    const STANDARD_INVALID: &[&str] = &[
        "SCS-2-4-10n",
        "SCS-2iT-4-10n",
        "SCS-2C-4ou-10n",
        "SCS-2C-4-1.5n",
        "SCS-2C-4-10_hwv_xen",
        "SCS-2C-4-n_bms_3",
    ];

    #[test]
    fn standard_valid_examples_parse_and_print_back() {
        for name in STANDARD_VALID {
            assert_eq!(ok(name).to_string(), *name);
        }
    }

    #[test]
    fn standard_invalid_examples_are_rejected() {
        for name in STANDARD_INVALID {
            bad(name);
        }
    }

    #[test]
    fn mandatory_flavors_parse() {
        for std in crate::standard_flavors::MANDATORY {
            let n = ok(std.name);
            assert_eq!(n.vcpus, std.vcpus, "{}", std.name);
            assert_eq!(n.ram_mib(), u64::from(std.ram_gib) * 1024);
            assert_eq!(n.disk_gb(), std.disk_gb);
            assert_eq!(n.disk_type(), std.disk_type);
            assert_eq!(n.cpu_type, std.cpu_type);
        }
    }

    #[test]
    fn decodes_every_field_of_a_long_name() {
        let n = ok("SCS-16T-64-3x10s_bms_hwv_i3h_GNa-64_ib");
        assert_eq!(n.vcpus, 16);
        assert_eq!(n.cpu_type, CpuType::DedicatedThread);
        assert!(!n.cpu_insecure);
        assert_eq!(n.ram_gib(), 64.0);
        assert_eq!(
            n.disk,
            Some(Disk {
                count: 3,
                size_gb: Some(10),
                disk_type: Some(DiskType::Ssd)
            })
        );
        assert_eq!(n.hypervisor, Some(Hypervisor::BareMetal));
        assert!(n.hardware_virtualization);
        assert_eq!(
            n.cpu_arch,
            Some(CpuArch {
                vendor: CpuVendor::Intel,
                generation: Some(3),
                frequency: 1
            })
        );
        let gpu = n.gpu.as_ref().unwrap();
        assert_eq!(gpu.mode, GpuMode::PassThrough);
        assert_eq!(gpu.vendor, GpuVendor::Nvidia);
        assert_eq!(gpu.generation.as_deref(), Some("a"));
        assert_eq!(gpu.compute_units, Some(64));
        assert_eq!(gpu.vram_gib, None);
        assert!(n.infiniband);
    }

    #[test]
    fn decodes_gpu_vram_and_bandwidth() {
        let gpu = ok("SCS-16V-64-500s_GNa-14-6h").gpu.unwrap();
        assert_eq!(gpu.compute_units, Some(14));
        assert_eq!(gpu.high_frequency, 0);
        assert_eq!(gpu.vram_gib, Some(6));
        assert_eq!(gpu.high_bandwidth, 1);
        let gpu = ok("SCS-4V-16_gA3.5-16h-8").gpu.unwrap();
        assert_eq!(gpu.mode, GpuMode::Virtual);
        assert_eq!(gpu.generation.as_deref(), Some("3.5"));
        assert_eq!(gpu.high_frequency, 1);
        assert_eq!(gpu.vram_gib, Some(8));
        // Vendor alone is enough.
        assert_eq!(ok("SCS-4V-16_GN_ib").gpu.unwrap().generation, None);
    }

    #[test]
    fn disk_part_variants() {
        assert_eq!(ok("SCS-2C-4").disk, None);
        let auto = ok("SCS-2C-4-").disk.unwrap();
        assert_eq!((auto.count, auto.size_gb, auto.disk_type), (1, None, None));
        let typed = ok("SCS-2C-4-n").disk.unwrap();
        assert_eq!(
            (typed.size_gb, typed.disk_type),
            (None, Some(DiskType::Network))
        );
        // v1 listed "3x" and "3xs" (cloud sizes three disks); the reference checker accepts them.
        assert_eq!(ok("SCS-2C-4-3xs").disk.unwrap().count, 3);
        assert_eq!(ok("SCS-2C-4-3x").to_string(), "SCS-2C-4-3x");
    }

    #[test]
    fn ram_halves_and_mib() {
        let n = ok("SCS-1V-0.5");
        assert_eq!(n.ram_mib(), 512);
        assert_eq!(n.disk, None);
        assert_eq!(ok("SCS-2C-3.5-10n").ram_mib(), 3584);
        bad("SCS-1V-1.25");
        bad("SCS-1V-0");
        bad("SCS-1V-");
    }

    #[test]
    fn canonical_form_drops_redundant_spellings() {
        assert_eq!(ok("SCS-2V-4.0").to_string(), "SCS-2V-4");
        assert_eq!(ok("SCS-2V-4-1x10s").to_string(), "SCS-2V-4-10s");
        // Generation 0 means "old or unspecified" and is left out.
        assert_eq!(ok("SCS-2V-4_z0").to_string(), "SCS-2V-4_z");
    }

    #[test]
    fn v1_names_parse_and_convert() {
        let v1 = "SCS-16T:64:3x10s-bms-hwv-i3h-GNa:64-ib";
        let n = ok(v1);
        assert_eq!(n.to_string(), "SCS-16T-64-3x10s_bms_hwv_i3h_GNa-64_ib");
        assert_eq!(n.to_v1_string(), v1);
        for (v1, v2) in [
            ("SCS-2C:4:10n", "SCS-2C-4-10n"),
            ("SCS-8Ti:32:50p-i1", "SCS-8Ti-32-50p_i1"),
            ("SCS-1L:1u:5", "SCS-1L-1u-5"),
            ("SCS-4C:16:2x200p-a1", "SCS-4C-16-2x200p_a1"),
            ("SCS-1V:0.5", "SCS-1V-0.5"),
            ("SCS-2C:4:-bms-z3h-GNa:64-ib", "SCS-2C-4-_bms_z3h_GNa-64_ib"),
            ("SCS-2C:4-bms-z3", "SCS-2C-4_bms_z3"),
        ] {
            assert_eq!(ok(v1).to_string(), v2);
            assert_eq!(ok(v2).to_v1_string(), v1);
        }
        for v1_invalid in [
            "SCS-2C:4ou:10n",
            "SCS-2C:4:1.5n",
            "SCS-2C:4:10-hwv-xen",
            "SCS-2V:4-chy",
        ] {
            bad(v1_invalid);
        }
        // Mixed delimiters are neither v1 nor v2.
        bad("SCS-2V:4-10s");
        bad("SCS-2V-4:10s");
        bad("SCS-2V-4-10s-kvm");
    }

    #[test]
    fn extension_order_and_shape_are_enforced() {
        for name in [
            "SCS-2V-4_ib_bms",
            "SCS-2V-4_z3_kvm",
            "SCS-2V-4_GNa_z3",
            "SCS-2V-4_kvm_kvm",
            "SCS-2V-4_z3_i2",
            "SCS-2V-4_foo",
            "SCS-2V-4_",
            "SCS-2V-4__kvm",
            "SCS-2V-4_z3hhhh",
            "SCS-2V-4_GX",
            "SCS-2V-4_GN-14",
            "SCS-2V-4_GNah",
            "SCS-2V-4_GNa-14hhh",
            "SCS-2V-4_GNab",
            "SCS-2V-4_GA3..5",
            "SCS-2V-4_GNa-14-",
            "SCS-2V-4_Gna",
        ] {
            bad(name);
        }
        assert!(
            ok("SCS-2V-4_kvm_hwv_a2hh_gI0.9-96h-16hh_ib")
                .to_string()
                .ends_with("_ib")
        );
    }

    #[test]
    fn core_part_errors_are_explained() {
        assert!(bad("SCS-2iT-4").reason.contains("2Ti"));
        assert!(bad("SCS-2C-4ou").reason.contains("uo"));
        assert!(bad("SCS-2-4").reason.contains("CPU type letter"));
        assert!(bad("SCS-0V-4").reason.contains("positive"));
        assert!(bad("SCS-2V-4-0s").reason.contains("positive"));
        assert!(bad("SCS-2v-4").reason.contains("CPU type letter"));
        assert!(bad("SCS-V-4").reason.contains("vCPU count"));
        assert!(bad("m1.small").reason.contains("SCS-"));
        bad("SCS-2V-4-10q");
        bad("SCS-2V-4-10s ");
        bad("SCS-2V-4ü");
        bad("SCS-2V-4-0x10s");
        bad("SCS-2V-4-x10s");
        bad("SCS-99999999999V-4");
    }

    #[test]
    fn errors_point_at_the_invalid_part() {
        for (name, character, remainder) in [
            ("m1.small", 1, "m1.small"),
            ("SCS-V-4", 5, "V-4"),
            ("SCS-0V-4", 5, "0V-4"),
            ("SCS-16X-64", 7, "X-64"),
            ("SCS-16V:64-500s", 8, ":64-500s"),
            ("SCS-16V-64.25-500s", 9, "64.25-500s"),
            ("SCS-16V-64ou-500s", 11, "ou-500s"),
            ("SCS-16V-64-0s", 12, "0s"),
            ("SCS-16V-64-500q", 15, "q"),
            ("SCS-16V-64-500s_kvm_foo", 21, "foo"),
            ("SCS-16V-64-500s_ib_kvm", 20, "kvm"),
            ("SCS-16V-64-500s_GNa-14hhh", 17, "GNa-14hhh"),
            ("SCS-2V-", 8, ""),
        ] {
            let e = bad(name);
            assert_eq!(
                (e.character(), e.remainder()),
                (character, remainder),
                "{name}: {e}"
            );
            assert!(
                e.to_string().contains(&format!("at character {character}")),
                "{e}"
            );
        }
        assert!(bad("SCS-2V-").to_string().contains("the end of the name"));
        // Characters, not bytes.
        assert_eq!(bad("SCS-2V-4ü").character(), 9);
    }

    #[test]
    fn letters_map_to_scs_0103_extra_specs() {
        let pairs = [
            ('L', "crowded-core"),
            ('V', "shared-core"),
            ('T', "dedicated-thread"),
            ('C', "dedicated-core"),
        ];
        for (letter, spec) in pairs {
            let t = CpuType::from_letter(letter).unwrap();
            assert_eq!(t.as_str(), spec);
            assert_eq!(spec.parse::<CpuType>().unwrap(), t);
        }
        for (letter, spec) in [('n', "network"), ('h', "hdd"), ('s', "ssd"), ('p', "nvme")] {
            let t = DiskType::from_letter(letter).unwrap();
            assert_eq!(t.as_str(), spec);
            assert_eq!(spec.parse::<DiskType>().unwrap(), t);
        }
        assert!("fast".parse::<DiskType>().is_err());
        assert!(CpuType::CrowdedCore < CpuType::SharedCore);
        assert!(CpuType::DedicatedThread < CpuType::DedicatedCore);
        assert!(DiskType::Nvme.satisfies(DiskType::Ssd));
        assert!(!DiskType::Ssd.satisfies(DiskType::Nvme));
        assert!(!DiskType::Hdd.satisfies(DiskType::Network));
    }

    #[test]
    fn shortened_names_follow_the_standard_advice() {
        assert_eq!(
            ok("SCS-16T-64-3x10s_bms_hwv_i3h_GNa-64h-24h_ib")
                .shortened()
                .to_string(),
            "SCS-16T-64-3x10s_GNa-64-24_ib"
        );
        assert_eq!(
            ok("SCS-4C-16-2x200p_a1").shortened().to_string(),
            "SCS-4C-16-2x200p_a"
        );
    }

    #[test]
    fn flat_fields_use_words() {
        let f = FlavorNameFields::from(&ok("SCS-16T-64-3x10s_bms_hwv_z4hh_gA3.5-60-24h_ib"));
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["name"], "SCS-16T-64-3x10s_bms_hwv_z4hh_gA3.5-60-24h_ib");
        assert_eq!(
            v["name_v1"],
            "SCS-16T:64:3x10s-bms-hwv-z4hh-gA3.5:60:24h-ib"
        );
        assert_eq!(v["cpu_type"], "dedicated-thread");
        assert_eq!(v["disk_type"], "ssd");
        assert_eq!(v["disk_count"], 3);
        assert_eq!(v["hypervisor"], "bms");
        assert_eq!(v["cpu_vendor"], "amd");
        assert_eq!(v["cpu_high_frequency"], 2);
        assert_eq!(v["gpu_type"], "virtual");
        assert_eq!(v["gpu_vendor"], "amd");
        assert_eq!(v["gpu_vram_gib"], 24);
        let f = FlavorNameFields::from(&ok("SCS-1V-0.5"));
        assert_eq!((f.ram_gib, f.disk_count, f.cpu_vendor), (0.5, None, None));
    }

    #[test]
    fn field_list_matches_what_serializes() {
        // Every optional field set, so each value shows its kind.
        let full = ok("SCS-16T-64-3x10s_bms_hwv_z4hh_gA3.5-60-24h_ib");
        let v = serde_json::to_value(FlavorNameFields::from(&full)).unwrap();
        let object = v.as_object().unwrap();
        let mut serialized: Vec<&str> = object.keys().map(String::as_str).collect();
        serialized.sort_unstable();
        let mut listed: Vec<&str> = FlavorNameFields::FIELDS.iter().map(|(n, _)| *n).collect();
        listed.sort_unstable();
        assert_eq!(serialized, listed);
        for (name, kind) in FlavorNameFields::FIELDS {
            let value = &object[name];
            let matches = match kind {
                FieldKind::Text => value.is_string(),
                FieldKind::Number => value.is_number(),
                FieldKind::Bool => value.is_boolean(),
            };
            assert!(matches, "{name} is {value}, listed as {kind:?}");
        }
    }

    #[test]
    fn type_names_are_the_extra_spec_values() {
        for t in CpuType::ALL {
            assert_eq!(
                CpuType::from_extra_spec(CpuType::NAMES[t as usize]),
                Some(t)
            );
        }
        for t in DiskType::ALL {
            assert_eq!(
                DiskType::from_extra_spec(DiskType::NAMES[t as usize]),
                Some(t)
            );
        }
        assert!(
            "fast"
                .parse::<CpuType>()
                .unwrap_err()
                .contains("shared-core"),
            "the error lists the valid values"
        );
    }

    #[test]
    fn architecture_of_cpu_vendor() {
        assert_eq!(CpuVendor::Arm.image_architecture(), Some("aarch64"));
        assert_eq!(CpuVendor::Amd.image_architecture(), Some("x86_64"));
        assert_eq!(CpuVendor::RiscV.image_architecture(), None);
    }

    /// Tiny deterministic generator (no dependency) for the round-trip property below.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.next(items.len() as u64) as usize]
        }

        fn chance(&mut self) -> bool {
            self.next(2) == 0
        }
    }

    fn random_name(r: &mut Lcg) -> FlavorName {
        let disk = r.chance().then(|| Disk {
            count: r.pick(&[1, 1, 2, 3]),
            size_gb: r.chance().then(|| 1 + r.next(1000) as u32),
            disk_type: r.chance().then(|| r.pick(&DiskType::ALL)),
        });
        let gpu = r.chance().then(|| {
            let vendor = r.pick(&[GpuVendor::Nvidia, GpuVendor::Amd, GpuVendor::Intel]);
            let generation = r.chance().then(|| match vendor {
                GpuVendor::Nvidia => r.pick(&["a", "l", "g", "b", "t"]).to_string(),
                GpuVendor::Amd | GpuVendor::Intel => r.pick(&["1", "3.5", "0.95", "4"]).to_string(),
            });
            let compute_units = generation
                .as_ref()
                .and_then(|_| r.chance().then(|| 1 + r.next(200) as u32));
            let vram_gib = compute_units.and_then(|_| r.chance().then(|| 1 + r.next(96) as u32));
            Gpu {
                mode: r.pick(&[GpuMode::PassThrough, GpuMode::Virtual]),
                vendor,
                generation,
                compute_units,
                high_frequency: if compute_units.is_some() {
                    r.next(3) as u8
                } else {
                    0
                },
                vram_gib,
                high_bandwidth: if vram_gib.is_some() {
                    r.next(3) as u8
                } else {
                    0
                },
            }
        });
        FlavorName {
            vcpus: 1 + r.next(128) as u32,
            cpu_type: r.pick(&CpuType::ALL),
            cpu_insecure: r.chance(),
            ram_half_gib: 1 + r.next(1024) as u32,
            ram_no_ecc: r.chance(),
            ram_oversubscribed: r.chance(),
            disk,
            hypervisor: r.chance().then(|| r.pick(&Hypervisor::ALL)),
            hardware_virtualization: r.chance(),
            cpu_arch: r.chance().then(|| CpuArch {
                vendor: r.pick(&CpuVendor::ALL),
                generation: r.chance().then(|| 1 + r.next(6) as u32),
                frequency: r.next(4) as u8,
            }),
            gpu,
            infiniband: r.chance(),
        }
    }

    #[test]
    fn every_name_prints_and_parses_back_in_both_syntaxes() {
        let mut r = Lcg(0x5c5_0100);
        for _ in 0..5000 {
            let name = random_name(&mut r);
            let v2 = name.to_string();
            assert_eq!(
                FlavorName::parse_with(&v2, NameSyntax::V2).unwrap(),
                name,
                "{v2}"
            );
            if name.hypervisor != Some(Hypervisor::CloudHypervisor) {
                let v1 = name.to_v1_string();
                assert_eq!(
                    FlavorName::parse_with(&v1, NameSyntax::V1).unwrap(),
                    name,
                    "{v1}"
                );
            }
            // The shortened name is itself a valid name that keeps the core figures.
            let short = FlavorName::parse(&name.shortened().to_string()).unwrap();
            assert_eq!(
                (short.vcpus, short.ram_half_gib, short.disk),
                (name.vcpus, name.ram_half_gib, name.disk)
            );
        }
    }
}
