//! Property tests: every value shape round-trips through msgpack (and, when
//! it has no unknowns, through JSON) under its type, and no bytes a client
//! could send, valid encodings with bytes changed included, make a decoder
//! panic. A failure proptest finds is saved in
//! `value_roundtrip.proptest-regressions` beside this file and replayed
//! first on every later run.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use tfplugin::value::{
    Number, Type, Value, decode_json, decode_msgpack, encode_json, encode_msgpack,
};

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}"
}

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map(name(), inner.clone(), 0..4).prop_map(|attributes| {
                let optional: BTreeSet<String> = attributes.keys().take(1).cloned().collect();
                Type::Object {
                    attributes,
                    optional,
                }
            }),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Number::from_f64(f).unwrap()),
        // Beyond 64-bit and with long fractions: only the decimal-string
        // wire form can carry these.
        ("-?[1-9][0-9]{0,40}", "[0-9]{0,30}")
            .prop_map(|(i, f)| format!("{i}.{f}").trim_end_matches('.').parse().unwrap()),
        (-400i64..400).prop_map(|e| format!("7e{e}").parse().unwrap()),
    ]
}

/// A value of type `ty`; null and unknown may appear at any depth.
fn arb_value(ty: Type, allow_unknown: bool) -> BoxedStrategy<Value> {
    let known = arb_known(ty, allow_unknown);
    if allow_unknown {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn arb_known(ty: Type, allow_unknown: bool) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => ".{0,20}".prop_map(Value::String).boxed(),
        // Dynamic values carry their own type; generate one of a few
        // concrete shapes whose inferred type is stable.
        Type::Dynamic => prop_oneof![
            any::<bool>().prop_map(Value::Bool),
            arb_number().prop_map(Value::Number),
            ".{0,10}".prop_map(Value::String),
            prop::collection::vec(".{0,5}".prop_map(Value::String), 0..3).prop_map(Value::List),
            prop::collection::btree_map(name(), arb_number().prop_map(Value::Number), 0..3)
                .prop_map(Value::Object),
        ]
        .boxed(),
        Type::List(elem) => prop::collection::vec(arb_value(*elem, allow_unknown), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(elem) => prop::collection::vec(arb_value(*elem, allow_unknown), 0..4)
            .prop_map(|mut v| {
                let mut seen = Vec::new();
                v.retain(|x| {
                    let fresh = !seen.contains(x);
                    seen.push(x.clone());
                    fresh
                });
                Value::Set(v)
            })
            .boxed(),
        Type::Map(elem) => {
            prop::collection::btree_map(name(), arb_value(*elem, allow_unknown), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object { attributes, .. } => {
            let fields: Vec<_> = attributes
                .into_iter()
                .map(|(k, t)| arb_value(t, allow_unknown).prop_map(move |v| (k.clone(), v)))
                .collect();
            fields
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<BTreeMap<_, _>>()))
                .boxed()
        }
        Type::Tuple(elems) => {
            let items: Vec<_> = elems
                .into_iter()
                .map(|t| arb_value(t, allow_unknown))
                .collect();
            items.prop_map(Value::Tuple).boxed()
        }
    }
}

fn typed_value(allow_unknown: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |ty| {
        let t = ty.clone();
        arb_value(ty, allow_unknown).prop_map(move |v| (t.clone(), v))
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn msgpack_round_trip((ty, value) in typed_value(true)) {
        let bytes = encode_msgpack(&value, &ty).unwrap();
        let back = decode_msgpack(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &value);
        // Encoding is deterministic.
        prop_assert_eq!(encode_msgpack(&back, &ty).unwrap(), bytes);
    }

    #[test]
    fn json_round_trip((ty, value) in typed_value(false)) {
        let bytes = encode_json(&value, &ty).unwrap();
        let back = decode_json(&bytes, &ty).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn type_json_round_trip(ty in arb_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }

    #[test]
    fn number_text_round_trip(n in arb_number()) {
        prop_assert_eq!(n.to_string().parse::<Number>().unwrap(), n);
    }

    #[test]
    fn decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), ty in arb_type()) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = decode_json(&bytes, &ty);
    }

    /// Random bytes rarely get past a decoder's first check; a valid encoding with a few bytes
    /// changed, cut short or extended reaches its deeper paths (lengths, nesting, unknowns).
    #[test]
    fn decoders_survive_changed_valid_encodings(
        (ty, value) in typed_value(true),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut bytes = encode_msgpack(&value, &ty).unwrap();
        let mut json = if value.is_wholly_known() { encode_json(&value, &ty).unwrap() } else { Vec::new() };
        for buf in [&mut bytes, &mut json] {
            for (at, byte, kind) in &edits {
                if buf.is_empty() {
                    buf.push(*byte);
                    continue;
                }
                let i = at.index(buf.len());
                match kind {
                    0 => buf[i] = *byte,
                    1 => buf.insert(i, *byte),
                    _ => buf.truncate(i),
                }
            }
        }
        if let Ok(back) = decode_msgpack(&bytes, &ty) {
            // Whatever the decoder accepts is a value of the type: it encodes again.
            prop_assert!(encode_msgpack(&back, &ty).is_ok());
        }
        if let Ok(back) = decode_json(&json, &ty) {
            prop_assert!(encode_json(&back, &ty).is_ok());
        }
    }
}
