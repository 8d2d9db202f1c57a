//! `provider::scs::parse_flavor_name(name)`: the fields of an SCS flavor name (scs-0100).

use scs_client::scs::{FlavorName, FlavorNameFields};
use serde::Serialize;
use tfplugin::framework::{FunctionError, TypedFunction};
use tfplugin::model::TfType;
use tfplugin::value::Type;

use crate::data_sources::flavor::scs_fields_type;

pub struct ParseFlavorName;

/// The result: the fields the `scs_flavor` data source reports as `scs`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Fields(FlavorNameFields);

impl TfType for Fields {
    fn tf_type() -> Type {
        scs_fields_type()
    }
}

impl TypedFunction for ParseFlavorName {
    const NAME: &'static str = "parse_flavor_name";
    const SUMMARY: &'static str = "The properties an SCS flavor name (scs-0100) stands for.";
    const DESCRIPTION: &'static str = "Parses an SCS flavor name, in the current syntax \
        (`SCS-16V-64-500s`) or the v1 syntax (`SCS-16V:64:500s`), and returns its fields as an \
        object: `name` (canonical), `name_v1`, `vcpus`, `cpu_type` (`crowded-core`, \
        `shared-core`, `dedicated-thread`, `dedicated-core`), `cpu_insecure`, `ram_gib`, \
        `ram_no_ecc`, `ram_oversubscribed`, `disk_count`, `disk_gb`, `disk_type` (`network`, \
        `hdd`, `ssd`, `nvme`; the three disk fields are null without a disk part), `hypervisor`, \
        `hardware_virtualization`, `cpu_vendor`, `cpu_generation`, `cpu_high_frequency`, \
        `gpu_type`, `gpu_vendor`, `gpu_generation`, `gpu_compute_units`, `gpu_vram_gib` and \
        `infiniband`. A name that is not a valid SCS name is an error that gives the character \
        position where it stops being valid and why.";
    const PARAMETERS: &'static [(&'static str, &'static str)] =
        &[("name", "An SCS flavor name such as `SCS-2V-4-20s`.")];

    type Args = (String,);
    type Output = Fields;

    fn call(&self, (name,): (String,)) -> Result<Fields, FunctionError> {
        FlavorName::parse(&name)
            .map(|parsed| Fields(FlavorNameFields::from(&parsed)))
            .map_err(|e| FunctionError::argument(0, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_a_name() {
        let Ok(Fields(f)) = ParseFlavorName.call(("SCS-16V-64-500s".to_owned(),)) else {
            panic!("a valid name was refused");
        };
        assert_eq!(
            (f.vcpus, f.cpu_type, f.ram_gib, f.disk_gb, f.disk_type),
            (16, "shared-core", 64.0, Some(500), Some("ssd"))
        );
    }

    #[test]
    fn an_invalid_name_is_an_error_on_the_argument_with_its_position() {
        let Err(e) = ParseFlavorName.call(("SCS-16V-64-500q".to_owned(),)) else {
            panic!("an invalid name was accepted");
        };
        assert_eq!(e.argument, Some(0));
        assert!(e.text.contains("at character 15 (\"q\")"), "{e}");
    }
}
