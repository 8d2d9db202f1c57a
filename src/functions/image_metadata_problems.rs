//! `provider::scs::image_metadata_problems(properties)`: how an image's properties fall short of
//! the SCS image metadata standard (scs-0102).

use std::collections::BTreeMap;

use scs_client::scs::image_metadata::check_properties;
use tfplugin::framework::{FunctionError, TypedFunction};

pub struct ImageMetadataProblems;

impl TypedFunction for ImageMetadataProblems {
    const NAME: &'static str = "image_metadata_problems";
    const SUMMARY: &'static str =
        "What an image's properties lack for the SCS image metadata standard (scs-0102).";
    const DESCRIPTION: &'static str = "Checks a map of image properties (such as the \
        `properties` of the `scs_image` data source) against scs-0102 and returns one message \
        per problem, as `property: what is wrong`: a mandatory property that is missing \
        (`os_distro`, `os_version`, `architecture`, `hypervisor_type`, `hw_disk_bus`, \
        `image_build_date`, `image_original_user`, `image_source`, `image_description`, \
        `replace_frequency`, `provided_until`, `uuid_validity`), or a value the standard does \
        not allow (also for the optional `hw_rng_model` and `hotfix_hours`). The list is empty \
        when the image meets the standard, so `length(...) == 0` makes a precondition.";
    const PARAMETERS: &'static [(&'static str, &'static str)] =
        &[("properties", "The image's properties as a map of strings.")];

    type Args = (BTreeMap<String, String>,);
    type Output = Vec<String>;

    fn call(
        &self,
        (properties,): (BTreeMap<String, String>,),
    ) -> Result<Vec<String>, FunctionError> {
        Ok(check_properties(&properties)
            .iter()
            .map(ToString::to_string)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_each_problem_as_property_and_message() {
        let properties = BTreeMap::from([
            ("os_distro".to_owned(), "ubuntu".to_owned()),
            ("architecture".to_owned(), "amd64".to_owned()),
        ]);
        let Ok(problems) = ImageMetadataProblems.call((properties,)) else {
            panic!("the check failed");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("os_version: is missing"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("architecture: \"amd64\""))
        );
        assert!(!problems.iter().any(|p| p.starts_with("os_distro")));
    }
}
