//! The configuration generated for an existing server (`terraform query
//! -generate-config-out`): the framework's default, with each `network` block
//! naming its network one way only, by ID, as the validation demands.

use tfplugin::diagnostics::AttributePath;
use tfplugin::framework::generate::config_from_state;
use tfplugin::model::Model as _;
use tfplugin::value::Value;

use super::model::ServerModel;

pub(super) fn config(state: &Value) -> Value {
    let mut config = config_from_state(&ServerModel::block(), state);
    if let Some(Value::List(nics)) = config.get_path_mut(&AttributePath::attr("network")) {
        for nic in nics.iter_mut() {
            let Value::Object(fields) = nic else { continue };
            let known = |f: &std::collections::BTreeMap<String, Value>, k: &str| {
                f.get(k).is_some_and(|v| !v.is_null())
            };
            if known(fields, "uuid") {
                fields.insert("name".to_owned(), Value::Null);
                fields.insert("port".to_owned(), Value::Null);
            } else if known(fields, "port") {
                fields.insert("name".to_owned(), Value::Null);
                fields.insert("fixed_ip_v4".to_owned(), Value::Null);
            }
        }
    }
    config
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_network_block_keeps_its_network_id_only() {
        let ty = ServerModel::block().value_type();
        let state = Value::object([
            ("id", Value::from("s-1")),
            ("name", Value::from("web")),
            ("flavor_id", Value::from("f-1")),
            ("flavor_name", Value::from("SCS-1V-4-10")),
            (
                "network",
                Value::List(vec![Value::object([
                    ("uuid", Value::from("n-1")),
                    ("name", Value::from("app")),
                    ("port", Value::from("p-1")),
                    ("fixed_ip_v4", Value::from("10.0.0.5")),
                ])]),
            ),
        ])
        .conform(&ty)
        .unwrap();
        let config = config(&state);
        let nic = &config.attr("network").unwrap().as_elements().unwrap()[0];
        assert_eq!(nic.attr("uuid"), Some(&Value::from("n-1")));
        assert_eq!(nic.attr("name"), Some(&Value::Null));
        assert_eq!(nic.attr("port"), Some(&Value::Null));
        assert_eq!(nic.attr("fixed_ip_v4"), Some(&Value::from("10.0.0.5")));
        assert_eq!(config.attr("flavor_id"), Some(&Value::from("f-1")));
        assert_eq!(config.attr("flavor_name"), Some(&Value::Null));
        assert_eq!(config.attr("id"), Some(&Value::Null));
    }
}
