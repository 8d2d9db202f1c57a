//! Reading the JSON that `show -json` prints for plans and state.
//! The format is the same in Terraform 1.0 and OpenTofu (format_version 0.x/1.x).

use serde_json::Value;

/// `change.actions` of `address` in a plan's `resource_changes`, e.g.
/// `["create"]`, `["no-op"]`, `["delete", "create"]`; `None` when absent.
pub fn planned_actions(plan: &Value, address: &str) -> Option<Vec<String>> {
    let change = plan["resource_changes"]
        .as_array()?
        .iter()
        .find(|rc| rc["address"] == address)?;
    let actions = change["change"]["actions"].as_array()?;
    Some(
        actions
            .iter()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect(),
    )
}

/// The resource object (`address`, `values`, `sensitive_values`, ...) for
/// `address` anywhere in a `show -json` state, child modules included.
pub fn find_resource<'a>(state: &'a Value, address: &str) -> Option<&'a Value> {
    find_in_module(&state["values"]["root_module"], address)
}

fn find_in_module<'a>(module: &'a Value, address: &str) -> Option<&'a Value> {
    let here = module["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == address));
    here.or_else(|| {
        module["child_modules"]
            .as_array()?
            .iter()
            .find_map(|m| find_in_module(m, address))
    })
}

/// Every resource address in a `show -json` state.
pub fn resource_addresses(state: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_addresses(&state["values"]["root_module"], &mut out);
    out
}

fn collect_addresses(module: &Value, out: &mut Vec<String>) {
    for r in module["resources"].as_array().into_iter().flatten() {
        if let Some(a) = r["address"].as_str() {
            out.push(a.to_owned());
        }
    }
    for m in module["child_modules"].as_array().into_iter().flatten() {
        collect_addresses(m, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_actions_and_nested_resources() {
        let plan = json!({"resource_changes": [
            {"address": "scs_network.a", "change": {"actions": ["delete", "create"]}}
        ]});
        assert_eq!(
            planned_actions(&plan, "scs_network.a"),
            Some(vec!["delete".to_owned(), "create".to_owned()])
        );
        assert_eq!(planned_actions(&plan, "scs_network.b"), None);

        let state = json!({"values": {"root_module": {
            "resources": [{"address": "scs_network.a", "values": {"name": "x"}}],
            "child_modules": [{"resources": [{"address": "module.m.scs_router.r", "values": {}}]}]
        }}});
        assert_eq!(
            find_resource(&state, "scs_network.a").map(|r| &r["values"]["name"]),
            Some(&json!("x"))
        );
        assert!(find_resource(&state, "module.m.scs_router.r").is_some());
        assert!(find_resource(&state, "scs_router.r").is_none());
        assert_eq!(
            resource_addresses(&state),
            ["scs_network.a", "module.m.scs_router.r"]
        );
    }
}
