//! Sovereign Cloud Stack standards as code: flavor names (scs-0100), standard flavors (scs-0103),
//! and selecting flavors and images by what they offer (scs-0100/0103 extra specs, scs-0102 image
//! metadata). Pure functions over plain data; nothing here talks HTTP.
//!
//! The crate depends on no HTTP client and no async runtime, so tools and tests can check names
//! and selections without a cloud. `scs-client` re-exports it as `scs_client::scs`.

pub mod date;
pub mod flavor_name;
pub mod flavor_select;
pub mod flavor_spec;
pub mod image_metadata;
pub mod image_select;
pub mod standard_flavors;

pub use flavor_name::{
    CpuType, DiskType, FieldKind, FlavorName, FlavorNameError, FlavorNameFields,
};
pub use flavor_select::{
    FlavorCandidate, FlavorProfile, FlavorRequirements, NamedFlavor, SelectError, flavors_named,
};
pub use flavor_spec::{FlavorSpec, FlavorSpecError};
pub use image_select::{ImageCandidate, ImageLifecycle, ImageQuery, ImageSelectError};
