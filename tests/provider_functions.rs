//! Provider-defined functions through the plugin protocol: what GetProviderSchema and
//! GetFunctions declare, and CallFunction with arguments encoded as Terraform encodes them. No
//! ConfigureProvider first: clients call functions before the provider is configured.
#![allow(clippy::unwrap_used)]

use terraform_provider_scs::provider::ScsProvider;
use tfplugin::framework::Dispatch;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};
use tonic::Request;

fn dispatch() -> Dispatch {
    Dispatch::new(ScsProvider::default())
}

async fn functions(d: &Dispatch) -> std::collections::HashMap<String, pb::Function> {
    let schema = d
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    let listed = d
        .get_functions(Request::new(pb::get_functions::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.functions, schema.functions);
    schema.functions
}

fn param_type(f: &pb::Function, i: usize) -> Type {
    Type::from_json(&f.parameters[i].r#type).unwrap()
}

fn return_type(f: &pb::Function) -> Type {
    Type::from_json(&f.r#return.as_ref().unwrap().r#type).unwrap()
}

/// Calls `name` with `args` encoded with the declared parameter types; the decoded result or the
/// error.
async fn call(d: &Dispatch, name: &str, args: &[Value]) -> Result<Value, pb::FunctionError> {
    let declared = functions(d).await;
    let f = &declared[name];
    let arguments = args
        .iter()
        .enumerate()
        .map(|(i, v)| pb::DynamicValue {
            msgpack: encode_msgpack(v, &param_type(f, i)).unwrap(),
            json: vec![],
        })
        .collect();
    let answer = d
        .call_function(Request::new(pb::call_function::Request {
            name: name.to_owned(),
            arguments,
        }))
        .await
        .unwrap()
        .into_inner();
    match (answer.result, answer.error) {
        (Some(result), None) => Ok(decode_msgpack(&result.msgpack, &return_type(f)).unwrap()),
        (None, Some(error)) => Err(error),
        other => panic!("a result and an error, or neither: {other:?}"),
    }
}

#[tokio::test]
async fn the_functions_are_declared_with_types_and_descriptions() {
    let d = dispatch();
    let declared = functions(&d).await;
    let mut names: Vec<&str> = declared.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "flavor_name",
            "image_metadata_problems",
            "parse_flavor_name"
        ]
    );
    let parse = &declared["parse_flavor_name"];
    assert_eq!(param_type(parse, 0), Type::String);
    assert_eq!(parse.parameters[0].name, "name");
    let fields = return_type(parse);
    assert_eq!(
        fields.attributes().map(|a| a["vcpus"].clone()),
        Some(Type::Number)
    );
    assert_eq!(param_type(&declared["flavor_name"], 0), Type::Dynamic);
    assert_eq!(return_type(&declared["flavor_name"]), Type::String);
    assert_eq!(
        param_type(&declared["image_metadata_problems"], 0),
        Type::map(Type::String)
    );
    assert_eq!(
        return_type(&declared["image_metadata_problems"]),
        Type::list(Type::String)
    );
    for (name, f) in &declared {
        assert!(!f.summary.is_empty() && !f.description.is_empty(), "{name}");
        assert!(
            f.parameters
                .iter()
                .all(|p| !p.allow_null_value && !p.allow_unknown_values),
            "{name}"
        );
    }
    let metadata = d
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    let mut listed: Vec<String> = metadata.functions.into_iter().map(|f| f.name).collect();
    listed.sort_unstable();
    assert_eq!(listed, names);
}

#[tokio::test]
async fn parse_flavor_name_returns_the_fields() {
    let d = dispatch();
    let fields = call(&d, "parse_flavor_name", &[Value::from("SCS-16V-64-500s")])
        .await
        .unwrap();
    let get = |k: &str| fields.attr(k).cloned().unwrap();
    assert_eq!(get("name"), Value::from("SCS-16V-64-500s"));
    assert_eq!(get("name_v1"), Value::from("SCS-16V:64:500s"));
    assert_eq!(get("vcpus"), Value::from(16));
    assert_eq!(get("cpu_type"), Value::from("shared-core"));
    assert_eq!(get("ram_gib"), Value::from(64));
    assert_eq!(get("disk_gb"), Value::from(500));
    assert_eq!(get("disk_type"), Value::from("ssd"));
    assert_eq!(get("hypervisor"), Value::Null);
    assert_eq!(get("infiniband"), Value::from(false));
}

#[tokio::test]
async fn an_invalid_flavor_name_is_an_error_on_the_argument_naming_the_position() {
    let d = dispatch();
    let error = call(&d, "parse_flavor_name", &[Value::from("SCS-16V-64-500q")])
        .await
        .unwrap_err();
    assert_eq!(error.function_argument, Some(0));
    assert!(
        error.text.contains("at character 15 (\"q\")")
            && error.text.contains("extensions start with"),
        "{}",
        error.text
    );
    let error = call(&d, "parse_flavor_name", &[Value::from("m1.small")])
        .await
        .unwrap_err();
    assert!(error.text.contains("\"SCS-\""), "{}", error.text);
}

#[tokio::test]
async fn flavor_name_takes_any_object_and_round_trips_parsed_fields() {
    let d = dispatch();
    let name = call(
        &d,
        "flavor_name",
        &[Value::object([
            ("vcpus", Value::from(4)),
            ("cpu_type", Value::from("dedicated-core")),
            ("ram_gib", Value::from(16)),
            ("disk_count", Value::from(2)),
            ("disk_gb", Value::from(200)),
            ("disk_type", Value::from("nvme")),
            ("cpu_vendor", Value::from("arm")),
            ("cpu_generation", Value::from(1)),
        ])],
    )
    .await
    .unwrap();
    assert_eq!(name, Value::from("SCS-4C-16-2x200p_a1"));
    let fields = call(
        &d,
        "parse_flavor_name",
        &[Value::from("SCS-16T-64-3x10s_bms_hwv_i3h_GNa-64_ib")],
    )
    .await
    .unwrap();
    let again = call(&d, "flavor_name", &[fields]).await.unwrap();
    assert_eq!(again, Value::from("SCS-16T-64-3x10s_bms_hwv_i3h_GNa-64_ib"));
}

#[tokio::test]
async fn flavor_name_errors_name_the_field() {
    let d = dispatch();
    let error = call(
        &d,
        "flavor_name",
        &[Value::object([
            ("vcpus", Value::from(2)),
            ("cpu_type", Value::from("shared-core")),
            ("ram_gib", Value::from(4)),
            ("gpu_vendor", Value::from("nvidia")),
        ])],
    )
    .await
    .unwrap_err();
    assert_eq!(error.function_argument, Some(0));
    assert!(
        error.text.contains("gpu_vendor: needs gpu_type"),
        "{}",
        error.text
    );
    let error = call(
        &d,
        "flavor_name",
        &[Value::object([("cpus", Value::from(2))])],
    )
    .await
    .unwrap_err();
    assert!(
        error.text.contains("unknown field") && error.text.contains("cpus"),
        "{}",
        error.text
    );
}

#[tokio::test]
async fn image_metadata_problems_lists_what_scs_0102_misses() {
    let d = dispatch();
    let props = |pairs: &[(&str, &str)]| {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect(),
        )
    };
    let problems = call(
        &d,
        "image_metadata_problems",
        &[props(&[("os_distro", "debian"), ("architecture", "amd64")])],
    )
    .await
    .unwrap();
    let texts: Vec<&str> = problems
        .as_elements()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        texts.contains(&"os_version: is missing (mandatory)"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("architecture: \"amd64\" is not one of x86_64"))
    );
    let complete = props(&[
        ("os_distro", "debian"),
        ("os_version", "12"),
        ("architecture", "x86_64"),
        ("hypervisor_type", "qemu"),
        ("hw_disk_bus", "scsi"),
        ("image_build_date", "2026-11-02"),
        ("image_original_user", "debian"),
        ("image_source", "https://cloud.debian.org/images/cloud/"),
        ("image_description", "https://wiki.debian.org/Cloud"),
        ("replace_frequency", "monthly"),
        ("provided_until", "none"),
        ("uuid_validity", "none"),
    ]);
    let problems = call(&d, "image_metadata_problems", &[complete])
        .await
        .unwrap();
    assert_eq!(problems, Value::List(vec![]));
}

#[tokio::test]
async fn calls_that_do_not_fit_the_declaration_are_errors_not_crashes() {
    let d = dispatch();
    let answer = |name: &str, arguments: Vec<pb::DynamicValue>| {
        d.call_function(Request::new(pb::call_function::Request {
            name: name.to_owned(),
            arguments,
        }))
    };
    let string = |s: &str| pb::DynamicValue {
        msgpack: encode_msgpack(&Value::from(s), &Type::String).unwrap(),
        json: vec![],
    };
    let unknown = answer("no_such_function", vec![])
        .await
        .unwrap()
        .into_inner();
    assert!(unknown.error.unwrap().text.contains("no function"));
    let too_many = answer("parse_flavor_name", vec![string("SCS-2V-4"), string("x")])
        .await
        .unwrap()
        .into_inner();
    assert!(
        too_many
            .error
            .unwrap()
            .text
            .contains("takes 1 argument, got 2")
    );
    let null = answer(
        "parse_flavor_name",
        vec![pb::DynamicValue {
            msgpack: encode_msgpack(&Value::Null, &Type::String).unwrap(),
            json: vec![],
        }],
    )
    .await
    .unwrap()
    .into_inner();
    let error = null.error.unwrap();
    assert_eq!(error.function_argument, Some(0));
    assert!(error.text.contains("must not be null"), "{}", error.text);
    let garbage = answer(
        "parse_flavor_name",
        vec![pb::DynamicValue {
            msgpack: vec![0xc1],
            json: vec![],
        }],
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(garbage.error.unwrap().function_argument, Some(0));
}
