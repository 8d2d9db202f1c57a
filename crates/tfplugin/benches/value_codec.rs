//! Value codec and serde bridge throughput.
//!
//! Every plan and apply of every resource passes through these paths at
//! least three times (config, prior state, planned state), so they bound how
//! large a state the provider handles comfortably. The states are a security
//! group with its rules as a list block: 1,000 rules (~0.2 MiB, a big but
//! real group) and 40,000 rules (~10 MiB, far beyond real use, to show the
//! codec scales linearly). Throughput counts the encoded bytes of the format
//! under test; the allocation columns show memory churn per operation.
//!
//! Run: `cargo bench -p tfplugin --bench value_codec` (see acceptance/bench/README.md).

mod support;

use std::sync::LazyLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{AllocProfiler, Bencher, black_box};
use tfplugin::value::{
    Type, Value, decode_json, decode_msgpack, encode_json, encode_msgpack, from_value, to_value,
};

use support::{SecurityGroupModel, ServerModel};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

/// Rules per security group state: realistic and ~10 MiB.
const RULES: &[usize] = &[1_000, 40_000];

struct Fixture {
    ty: Type,
    value: Value,
    msgpack: Vec<u8>,
    json: Vec<u8>,
}

impl Fixture {
    fn build(rules: usize) -> Self {
        let ty = support::security_group_schema().value_type();
        let value = support::security_group_state(rules);
        let msgpack = encode_msgpack(&value, &ty).expect("fixture encodes as msgpack");
        let json = encode_json(&value, &ty).expect("fixture encodes as JSON");
        // A codec that silently failed would bench an early return.
        assert_eq!(
            decode_msgpack(&msgpack, &ty).expect("msgpack decodes"),
            value
        );
        assert_eq!(decode_json(&json, &ty).expect("JSON decodes"), value);
        Self {
            ty,
            value,
            msgpack,
            json,
        }
    }
}

static SMALL: LazyLock<Fixture> = LazyLock::new(|| Fixture::build(RULES[0]));
static LARGE: LazyLock<Fixture> = LazyLock::new(|| Fixture::build(RULES[1]));

fn fixture(rules: usize) -> &'static Fixture {
    if rules == RULES[0] { &SMALL } else { &LARGE }
}

fn main() {
    for rules in RULES {
        let f = fixture(*rules);
        println!(
            "security group state with {rules} rules: msgpack {:.2} MiB, JSON {:.2} MiB",
            mib(f.msgpack.len()),
            mib(f.json.len())
        );
    }
    // MiB/s, to match the MiB sizes printed above and in acceptance/bench/README.md.
    divan::Divan::default()
        .bytes_format(divan::counter::BytesFormat::Binary)
        .config_with_args()
        .main();
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

mod msgpack {
    use super::*;

    #[divan::bench(args = RULES, sample_count = 20, max_time = 3)]
    fn decode(bencher: Bencher, rules: usize) {
        let f = fixture(rules);
        bencher
            .counter(BytesCount::new(f.msgpack.len()))
            .bench(|| decode_msgpack(black_box(&f.msgpack), &f.ty));
    }

    #[divan::bench(args = RULES, sample_count = 20, max_time = 3)]
    fn encode(bencher: Bencher, rules: usize) {
        let f = fixture(rules);
        bencher
            .counter(BytesCount::new(f.msgpack.len()))
            .bench(|| encode_msgpack(black_box(&f.value), &f.ty));
    }
}

mod json {
    use super::*;

    #[divan::bench(args = RULES, sample_count = 20, max_time = 3)]
    fn decode(bencher: Bencher, rules: usize) {
        let f = fixture(rules);
        bencher
            .counter(BytesCount::new(f.json.len()))
            .bench(|| decode_json(black_box(&f.json), &f.ty));
    }

    #[divan::bench(args = RULES, sample_count = 20, max_time = 3)]
    fn encode(bencher: Bencher, rules: usize) {
        let f = fixture(rules);
        bencher
            .counter(BytesCount::new(f.json.len()))
            .bench(|| encode_json(black_box(&f.value), &f.ty));
    }
}

/// The serde bridge resources use on every request (`planned_as`, `ctx.to_value`).
mod serde_bridge {
    use super::*;

    static SERVER: LazyLock<(Type, Value)> = LazyLock::new(|| {
        let ty = support::server_schema().value_type();
        let state = support::server_state(3);
        let model: ServerModel = from_value(&state).expect("server state fits the model");
        assert_eq!(to_value(&model, &ty).expect("model converts back"), state);
        (ty, state)
    });

    /// One server state (30 attributes, 3 NICs, nested blocks) into its typed model.
    #[divan::bench(max_time = 2)]
    fn from_value_server(bencher: Bencher) {
        let (_, state) = &*SERVER;
        bencher.bench(|| from_value::<ServerModel>(black_box(state)));
    }

    /// The model back into a value conformed to the schema type.
    #[divan::bench(max_time = 2)]
    fn to_value_server(bencher: Bencher) {
        let (ty, state) = &*SERVER;
        let model: ServerModel = from_value(state).expect("server state fits the model");
        bencher.bench(|| to_value(black_box(&model), ty));
    }

    #[divan::bench(args = RULES, sample_count = 20, max_time = 3)]
    fn from_value_security_group(bencher: Bencher, rules: usize) {
        let f = fixture(rules);
        bencher
            .counter(ItemsCount::new(rules))
            .bench(|| from_value::<SecurityGroupModel>(black_box(&f.value)));
    }

    #[divan::bench(args = RULES, sample_count = 20, max_time = 3)]
    fn to_value_security_group(bencher: Bencher, rules: usize) {
        let f = fixture(rules);
        let model: SecurityGroupModel = from_value(&f.value).expect("state fits the model");
        assert_eq!(
            to_value(&model, &f.ty).expect("model converts back"),
            f.value
        );
        bencher
            .counter(ItemsCount::new(rules))
            .bench(|| to_value(black_box(&model), &f.ty));
    }
}
