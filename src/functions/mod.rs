//! Provider-defined functions, called as `provider::scs::NAME(...)`: one module per function,
//! each a thin layer over `scs_standards` (no cloud access; functions are pure).

use std::sync::Arc;

use tfplugin::framework::{Function, typed_function};

pub mod flavor_name;
pub mod image_metadata_problems;
pub mod parse_flavor_name;

/// Every function the provider offers.
pub fn all() -> Vec<Arc<dyn Function>> {
    vec![
        typed_function(parse_flavor_name::ParseFlavorName),
        typed_function(flavor_name::FlavorNameFunction),
        typed_function(image_metadata_problems::ImageMetadataProblems),
    ]
}

#[cfg(test)]
mod tests {
    use tfplugin::framework::function::typed_signature_problems;

    #[test]
    fn declarations_are_complete() {
        let mut problems = typed_signature_problems::<super::parse_flavor_name::ParseFlavorName>();
        problems.extend(typed_signature_problems::<
            super::flavor_name::FlavorNameFunction,
        >());
        problems.extend(typed_signature_problems::<
            super::image_metadata_problems::ImageMetadataProblems,
        >());
        assert!(problems.is_empty(), "{problems:?}");
    }
}
