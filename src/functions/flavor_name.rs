//! `provider::scs::flavor_name(properties)`: the canonical SCS flavor name (scs-0100) for the
//! properties of a flavor.

use scs_client::scs::FlavorSpec;
use serde::Deserialize;
use tfplugin::framework::{FunctionError, TypedFunction};
use tfplugin::model::TfType;
use tfplugin::value::Type;

pub struct FlavorNameFunction;

/// The argument: an object with some of the fields `parse_flavor_name` returns. Any object type
/// is accepted, so that a configuration need not list every field.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Properties(FlavorSpec);

impl TfType for Properties {
    fn tf_type() -> Type {
        Type::Dynamic
    }
}

impl TypedFunction for FlavorNameFunction {
    const NAME: &'static str = "flavor_name";
    const SUMMARY: &'static str = "The canonical SCS flavor name (scs-0100) for given properties.";
    const DESCRIPTION: &'static str = "Builds the SCS flavor name for an object of flavor \
        properties, named as `parse_flavor_name` returns them. `vcpus`, `cpu_type` and `ram_gib` \
        are required; every other field may be left out (or null), which leaves its part out of \
        the name: `disk_count`, `disk_gb` and `disk_type` make the disk part, `hypervisor`, \
        `hardware_virtualization`, `cpu_vendor` (with `cpu_generation` and \
        `cpu_high_frequency`), `gpu_type` (with `gpu_vendor`, `gpu_generation`, \
        `gpu_compute_units` and `gpu_vram_gib`) and `infiniband` the extensions; `cpu_insecure`, \
        `ram_no_ecc` and `ram_oversubscribed` are flags. `name` and `name_v1` are ignored, so \
        the result of `parse_flavor_name` can be changed and passed back. An unknown field, or \
        values no SCS name can express, are an error naming the field.";
    const PARAMETERS: &'static [(&'static str, &'static str)] = &[(
        "properties",
        "An object such as `{ vcpus = 2, cpu_type = \"shared-core\", ram_gib = 4 }`.",
    )];

    type Args = (Properties,);
    type Output = String;

    fn call(&self, (Properties(spec),): (Properties,)) -> Result<String, FunctionError> {
        spec.to_flavor_name()
            .map(|name| name.to_string())
            .map_err(|e| {
                FunctionError::argument(0, format!("No SCS flavor name (scs-0100) fits: {e}"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::value::{Value, from_value};

    fn call(value: Value) -> Result<String, FunctionError> {
        let properties: Properties =
            from_value(&value).map_err(|e| FunctionError::argument(0, e.to_string()))?;
        FlavorNameFunction.call((properties,))
    }

    #[test]
    fn builds_the_name_from_an_object_value() {
        let name = call(Value::object([
            ("vcpus", Value::from(16)),
            ("cpu_type", Value::from("shared-core")),
            ("ram_gib", Value::from(64)),
            ("disk_gb", Value::from(500)),
            ("disk_type", Value::from("ssd")),
            ("hypervisor", Value::Null),
        ]));
        assert_eq!(name, Ok("SCS-16V-64-500s".to_owned()));
    }

    #[test]
    fn errors_name_the_field() {
        let Err(e) = call(Value::object([
            ("vcpus", Value::from(2)),
            ("cpu_type", Value::from("fast")),
            ("ram_gib", Value::from(4)),
        ])) else {
            panic!("an invalid cpu_type was accepted");
        };
        assert_eq!(e.argument, Some(0));
        assert!(e.text.contains("cpu_type"), "{e}");
        let Err(e) = call(Value::object([("cpus", Value::from(2))])) else {
            panic!("an unknown field was accepted");
        };
        assert!(e.text.contains("cpus"), "{e}");
    }
}
