//! Golden msgpack vectors: hand-built from the wire-format description
//! (opentofu docs/plugin-protocol/object-wire-format.md), and any captured
//! from real clients under tests/golden/captured/ (see TFPLUGIN_CAPTURE_DIR).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use tfplugin::value::{
    JsonOptions, Number, Type, Value, decode_json_with, decode_msgpack, encode_msgpack,
};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn ty(json: &str) -> Type {
    Type::from_json(json.as_bytes()).unwrap()
}

fn num(s: &str) -> Value {
    Value::Number(s.parse::<Number>().unwrap())
}

fn s(v: &str) -> Value {
    Value::from(v)
}

/// (what, type, bytes as a client may send them, decoded value)
fn decode_vectors() -> Vec<(&'static str, Type, Vec<u8>, Value)> {
    vec![
        ("nil", Type::String, hex("c0"), Value::Null),
        (
            "unknown fixext1 code 0",
            Type::String,
            hex("d4 00 00"),
            Value::Unknown,
        ),
        (
            "unknown fixext4 other code",
            Type::Number,
            hex("d6 05 00 00 00 00"),
            Value::Unknown,
        ),
        (
            "refined unknown: not null",
            Type::String,
            hex("c7 03 0c 81 01 c2"),
            Value::Unknown,
        ),
        (
            "refined unknown: not null, prefix \"ab\"",
            Type::String,
            hex("c7 07 0c 82 01 c2 02 a2 61 62"),
            Value::Unknown,
        ),
        (
            "refined unknown: number bounds [1 inclusive, 10 exclusive]",
            Type::Number,
            hex("c7 09 0c 82 03 92 01 c3 04 92 0a c2"),
            Value::Unknown,
        ),
        (
            "refined unknown: collection length bounds",
            ty(r#"["list","string"]"#),
            hex("c7 07 0c 83 01 c2 05 01 06 03"),
            Value::Unknown,
        ),
        ("bool true", Type::Bool, hex("c3"), Value::Bool(true)),
        ("positive fixint", Type::Number, hex("2a"), num("42")),
        ("negative fixint", Type::Number, hex("ff"), num("-1")),
        ("uint8", Type::Number, hex("cc c8"), num("200")),
        ("int16", Type::Number, hex("d1 fc 18"), num("-1000")),
        (
            "uint64 max",
            Type::Number,
            hex("cf ff ff ff ff ff ff ff ff"),
            num("18446744073709551615"),
        ),
        (
            "int64 min",
            Type::Number,
            hex("d3 80 00 00 00 00 00 00 00"),
            num("-9223372036854775808"),
        ),
        (
            "float64 1.5",
            Type::Number,
            hex("cb 3f f8 00 00 00 00 00 00"),
            num("1.5"),
        ),
        (
            "float32 1.5",
            Type::Number,
            hex("ca 3f c0 00 00"),
            num("1.5"),
        ),
        (
            "float64 0.1 (shortest text)",
            Type::Number,
            hex("cb 3f b9 99 99 99 99 99 9a"),
            num("0.1"),
        ),
        (
            "decimal string beyond 64 bits",
            Type::Number,
            hex("b7 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30 2e 32 35"),
            num("12345678901234567890.25"),
        ),
        ("fixstr", Type::String, hex("a3 61 62 63"), s("abc")),
        ("str8", Type::String, hex("d9 03 61 62 63"), s("abc")),
        ("str16", Type::String, hex("da 00 03 61 62 63"), s("abc")),
        ("utf-8 string", Type::String, hex("a2 c3 a4"), s("ä")),
        (
            "list with unknown element",
            ty(r#"["list","string"]"#),
            hex("92 a1 61 d4 00 00"),
            Value::List(vec![s("a"), Value::Unknown]),
        ),
        (
            "set of numbers",
            ty(r#"["set","number"]"#),
            hex("92 01 02"),
            Value::Set(vec![num("1"), num("2")]),
        ),
        (
            "map16 of bools",
            ty(r#"["map","bool"]"#),
            hex("de 00 01 a1 6b c3"),
            Value::Map([("k".to_string(), Value::Bool(true))].into()),
        ),
        (
            "tuple",
            ty(r#"["tuple",["string","number"]]"#),
            hex("92 a1 78 05"),
            Value::Tuple(vec![s("x"), num("5")]),
        ),
        (
            "dynamic string",
            Type::Dynamic,
            hex("92 c4 08 22 73 74 72 69 6e 67 22 a1 78"),
            s("x"),
        ),
        (
            "dynamic list of numbers",
            Type::Dynamic,
            hex("92 c4 11 5b 22 6c 69 73 74 22 2c 22 6e 75 6d 62 65 72 22 5d 92 01 02"),
            Value::List(vec![num("1"), num("2")]),
        ),
        (
            "dynamic unknown",
            Type::Dynamic,
            hex("d4 00 00"),
            Value::Unknown,
        ),
        (
            "object, attributes in any order, missing ones null",
            ty(r#"["object",{"id":"string","name":"string","size":"number"}]"#),
            hex("82 a4 6e 61 6d 65 a1 6e a2 69 64 d4 00 00"),
            Value::object([
                ("id", Value::Unknown),
                ("name", s("n")),
                ("size", Value::Null),
            ]),
        ),
        (
            "nested block list wholly unknown",
            ty(r#"["object",{"id":"string","rule":["list",["object",{"port":"number"}]]}]"#),
            hex("82 a2 69 64 a1 61 a4 72 75 6c 65 d4 00 00"),
            Value::object([("id", s("a")), ("rule", Value::Unknown)]),
        ),
        (
            "nested block list partly unknown",
            ty(r#"["object",{"id":"string","rule":["list",["object",{"port":"number"}]]}]"#),
            hex("82 a2 69 64 a1 61 a4 72 75 6c 65 92 81 a4 70 6f 72 74 16 d4 00 00"),
            Value::object([
                ("id", s("a")),
                (
                    "rule",
                    Value::List(vec![Value::object([("port", num("22"))]), Value::Unknown]),
                ),
            ]),
        ),
    ]
}

#[test]
fn decodes_hand_built_vectors() {
    for (what, ty, bytes, expected) in decode_vectors() {
        let got = decode_msgpack(&bytes, &ty).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, expected, "{what}");
    }
}

/// (what, type, value, exact bytes we must send)
fn encode_vectors() -> Vec<(&'static str, Type, Value, Vec<u8>)> {
    vec![
        (
            "unknown is fixext1 code 0",
            Type::String,
            Value::Unknown,
            hex("d4 00 00"),
        ),
        ("null", Type::Bool, Value::Null, hex("c0")),
        ("small int", Type::Number, num("7"), hex("07")),
        ("negative int", Type::Number, num("-33"), hex("d0 df")),
        ("uint16", Type::Number, num("65535"), hex("cd ff ff")),
        (
            "fraction as decimal string",
            Type::Number,
            num("0.1"),
            hex("a3 30 2e 31"),
        ),
        (
            "integer beyond i64 as decimal string",
            Type::Number,
            num("9223372036854775808"),
            hex("b3 39 32 32 33 33 37 32 30 33 36 38 35 34 37 37 35 38 30 38"),
        ),
        (
            "object: every attribute, sorted, unknowns and nulls",
            ty(r#"["object",{"b":"string","a":"number"}]"#),
            Value::object([("b", Value::Unknown)]),
            hex("82 a1 61 c0 a1 62 d4 00 00"),
        ),
        (
            "dynamic: [type JSON as bin, value]",
            Type::Dynamic,
            Value::Bool(true),
            hex("92 c4 06 22 62 6f 6f 6c 22 c3"),
        ),
        (
            "32-byte string uses str8",
            Type::String,
            s("0123456789abcdef0123456789abcdef"),
            [hex("d9 20"), b"0123456789abcdef0123456789abcdef".to_vec()].concat(),
        ),
    ]
}

#[test]
fn encodes_hand_built_vectors() {
    for (what, ty, value, expected) in encode_vectors() {
        let got = encode_msgpack(&value, &ty).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, expected, "{what}");
    }
}

#[test]
fn rejects_malformed_input() {
    let cases: Vec<(&str, Type, Vec<u8>)> = vec![
        ("truncated str", Type::String, hex("a3 61")),
        ("wrong kind", Type::String, hex("c3")),
        (
            "unknown attribute",
            ty(r#"["object",{"a":"bool"}]"#),
            hex("81 a1 62 c3"),
        ),
        ("tuple length", ty(r#"["tuple",["bool"]]"#), hex("92 c3 c3")),
        ("trailing bytes", Type::Bool, hex("c3 c3")),
        (
            "forged huge array",
            ty(r#"["list","bool"]"#),
            hex("dd ff ff ff ff"),
        ),
        ("truncated ext", Type::String, hex("c7 05 0c 81")),
        ("reserved marker", Type::String, hex("c1")),
        (
            "bad dynamic type",
            Type::Dynamic,
            hex("92 c4 03 22 78 22 c0"),
        ),
        ("non-numeric string as number", Type::Number, hex("a1 78")),
    ];
    for (what, ty, bytes) in cases {
        assert!(decode_msgpack(&bytes, &ty).is_err(), "{what} should fail");
    }
}

/// A DynamicValue of over 100 MiB (the protocol allows 256 MiB messages).
#[test]
fn decodes_a_100_mib_value() {
    let ty = ty(r#"["object",{"blob":"string","items":["list","string"]}]"#);
    let blob = "x".repeat(100 << 20);
    let items: Vec<Value> = (0..100_000)
        .map(|i| Value::String(format!("item-{i}")))
        .collect();
    let value = Value::object([("blob", Value::String(blob)), ("items", Value::List(items))]);
    let bytes = encode_msgpack(&value, &ty).unwrap();
    assert!(bytes.len() > 100 << 20);
    let back = decode_msgpack(&bytes, &ty).unwrap();
    assert_eq!(back, value);
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/captured")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every captured request value decodes with its schema type and survives
/// our own encode/decode unchanged; captured raw states decode as
/// UpgradeResourceState reads them.
#[test]
fn captured_vectors_decode_and_round_trip() {
    let mut files = Vec::new();
    files_under(&golden_dir(), &mut files);
    let (mut msgpack, mut json) = (0, 0);
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let Some((stem, ext)) = file.rsplit_once('.') else {
            continue;
        };
        if stem.ends_with(".type") || !(ext == "msgpack" || ext == "json") {
            continue;
        }
        let prefix = &stem[..stem.rfind('-').unwrap()];
        let type_path = path.with_file_name(format!("{prefix}.type.json"));
        let ty = Type::from_json(&std::fs::read(&type_path).unwrap()).unwrap();
        let bytes = std::fs::read(path).unwrap();
        if ext == "msgpack" {
            let value =
                decode_msgpack(&bytes, &ty).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let again = decode_msgpack(&encode_msgpack(&value, &ty).unwrap(), &ty).unwrap();
            assert_eq!(again, value, "{}", path.display());
            msgpack += 1;
        } else {
            let options = JsonOptions {
                ignore_undefined_attributes: true,
            };
            let value = decode_json_with(&bytes, &ty, options)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(value.is_known(), "{}", path.display());
            json += 1;
        }
    }
    eprintln!(
        "checked {msgpack} msgpack and {json} JSON captured vectors under {}",
        golden_dir().display()
    );
    assert!(
        msgpack > 0 && json > 0,
        "the committed captures are missing"
    );
}

fn captured(client: &str, name: &str) -> (Type, Vec<u8>) {
    let dir = golden_dir().join(client);
    let prefix = &name[..name.rfind('-').unwrap()];
    let ty =
        Type::from_json(&std::fs::read(dir.join(format!("{prefix}.type.json"))).unwrap()).unwrap();
    (
        ty,
        std::fs::read(dir.join(format!("{name}.msgpack"))).unwrap(),
    )
}

/// OpenTofu 1.12 sends refined unknowns (extension 12): `name` refined as
/// "not null", `description = "after ${id}"` as "not null, prefix \"after \"",
/// and a plain unknown (extension 0) inside a set.
#[test]
fn captured_tofu_refined_unknowns() {
    let (ty, bytes) = captured(
        "tofu",
        "23473-00002-ValidateResourceConfig-scs_network-config",
    );
    assert!(
        bytes.windows(3).any(|w| w == [0xc7, 0x0b, 0x0c]),
        "the capture holds an ext-12 value with an 11-byte payload"
    );
    let v = decode_msgpack(&bytes, &ty).unwrap();
    assert_eq!(v.attr("name"), Some(&Value::Unknown));
    assert_eq!(v.attr("description"), Some(&Value::Unknown));
    assert_eq!(
        v.attr("tags"),
        Some(&Value::Set(vec![
            s("golden"),
            s("ümlaut ✓"),
            Value::Unknown
        ]))
    );
    assert_eq!(
        v.attr("timeouts").and_then(|t| t.attr("create")),
        Some(&s("5m"))
    );
}
