//! The serde bridge between values and typed models.
#![allow(clippy::unwrap_used)]

use serde::{Deserialize, Serialize};
use tfplugin::value::{Attr, Number, Type, Value, from_value, to_value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Direction {
    Ingress,
    Egress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Rule {
    port: Attr<i64>,
    direction: Attr<Direction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Model {
    id: Attr<String>,
    name: Attr<String>,
    size: Attr<Number>,
    mtu: Attr<u32>,
    enabled: Attr<bool>,
    tags: Attr<Vec<String>>,
    labels: Attr<std::collections::BTreeMap<String, String>>,
    rule: Attr<Vec<Rule>>,
    extra: Value,
}

fn model_type() -> Type {
    Type::from_json(
        br#"["object",{
            "id":"string","name":"string","size":"number","mtu":"number","enabled":"bool",
            "tags":["set","string"],"labels":["map","string"],
            "rule":["list",["object",{"port":"number","direction":"string"}]],
            "extra":"dynamic"}]"#,
    )
    .unwrap()
}

#[test]
fn typed_model_round_trips_with_unknowns_and_nulls() {
    let model = Model {
        id: Attr::Unknown,
        name: Attr::Known("net".into()),
        size: Attr::Known("123456789012345678901234567890.5".parse().unwrap()),
        mtu: Attr::Null,
        enabled: Attr::Known(true),
        tags: Attr::Known(vec!["a".into(), "b".into()]),
        labels: Attr::Known([("k".to_string(), "v".to_string())].into()),
        rule: Attr::Known(vec![
            Rule {
                port: Attr::Known(22),
                direction: Attr::Known(Direction::Ingress),
            },
            Rule {
                port: Attr::Unknown,
                direction: Attr::Null,
            },
        ]),
        extra: Value::List(vec![Value::Unknown, Value::from("x")]),
    };
    let ty = model_type();
    let value = to_value(&model, &ty).unwrap();
    assert_eq!(value.attr("id"), Some(&Value::Unknown));
    assert_eq!(value.attr("mtu"), Some(&Value::Null));
    assert!(matches!(value.attr("tags"), Some(Value::Set(_))));
    assert_eq!(
        value.get_path(
            &tfplugin::diagnostics::AttributePath::attr("rule")
                .join_index(0)
                .join_attr("direction")
        ),
        Some(&Value::from("ingress"))
    );
    // Survives the wire too.
    let bytes = tfplugin::value::encode_msgpack(&value, &ty).unwrap();
    let decoded = tfplugin::value::decode_msgpack(&bytes, &ty).unwrap();
    let back: Model = from_value(&decoded).unwrap();
    assert_eq!(back, model);
}

#[test]
fn missing_fields_are_null_and_wholly_unknown_blocks_work() {
    let v = Value::object([("name", Value::from("x")), ("rule", Value::Unknown)]);
    #[derive(Deserialize)]
    struct Partial {
        name: Attr<String>,
        id: Attr<String>,
        rule: Attr<Vec<Rule>>,
    }
    let p: Partial = from_value(&v).unwrap();
    assert_eq!(p.name, Attr::Known("x".into()));
    assert_eq!(p.id, Attr::Null);
    assert_eq!(p.rule, Attr::Unknown);
}

#[test]
fn option_field_rejects_unknown_with_a_path() {
    #[derive(Debug, Deserialize)]
    struct Strict {
        #[allow(dead_code)]
        name: Option<String>,
    }
    let v = Value::object([("name", Value::Unknown)]);
    let err = from_value::<Strict>(&v).unwrap_err();
    assert_eq!(err.path.to_string(), "name");
    let ok: Strict = from_value(&Value::object([("name", Value::Null)])).unwrap();
    assert!(ok.name.is_none());
}

#[test]
fn numbers_convert_to_native_types_or_fail_clearly() {
    #[derive(Debug, Deserialize)]
    struct N {
        a: i64,
        b: f64,
        c: u64,
    }
    let v = Value::object([
        ("a", Value::from(-5i64)),
        ("b", Value::Number("2.5".parse().unwrap())),
        ("c", Value::Number("18446744073709551615".parse().unwrap())),
    ]);
    let n: N = from_value(&v).unwrap();
    assert_eq!((n.a, n.b, n.c), (-5, 2.5, u64::MAX));
    let bad = Value::object([
        ("a", Value::Number("1.5".parse().unwrap())),
        ("b", Value::from(1i64)),
        ("c", Value::from(1i64)),
    ]);
    assert!(from_value::<N>(&bad).is_err());
}

#[test]
fn to_value_rejects_attributes_the_schema_lacks() {
    #[derive(Serialize)]
    struct Extra {
        nope: String,
    }
    let ty = Type::object([("name", Type::String)]);
    let err = to_value(&Extra { nope: "x".into() }, &ty).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn plain_fields_explain_null_and_unknown() {
    #[derive(Debug, Deserialize)]
    struct Plain {
        #[allow(dead_code)]
        name: String,
    }
    let err = from_value::<Plain>(&Value::object([("name", Value::Null)])).unwrap_err();
    assert!(err.to_string().contains("null here"), "{err}");
    assert_eq!(err.path.to_string(), "name");
    let err = from_value::<Plain>(&Value::object([("name", Value::Unknown)])).unwrap_err();
    assert!(err.to_string().contains("unknown here"), "{err}");
}

#[test]
fn partly_unknown_values_make_the_enclosing_attr_unknown() {
    #[derive(Debug, Deserialize)]
    struct Config {
        ids: Attr<Vec<String>>,
        fine: Attr<Vec<Attr<String>>>,
        rule: Attr<Vec<Rule>>,
    }
    let list = Value::List(vec![Value::from("a"), Value::Unknown]);
    let v = Value::object([
        ("ids", Value::Set(vec![Value::from("a"), Value::Unknown])),
        ("fine", list),
        (
            "rule",
            Value::List(vec![Value::object([
                ("port", Value::Unknown),
                ("direction", Value::from("egress")),
            ])]),
        ),
    ]);
    let c: Config = from_value(&v).unwrap();
    assert_eq!(c.ids, Attr::Unknown);
    assert_eq!(
        c.fine,
        Attr::Known(vec![Attr::Known("a".to_string()), Attr::Unknown])
    );
    // Rule's fields are Attr themselves, so the unknown port stays inside.
    assert_eq!(c.rule.known().unwrap()[0].port, Attr::Unknown);
}
