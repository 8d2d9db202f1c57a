//! The framework's plan pipeline (`framework::plan::{prepare, finish}`), run
//! for every resource instance on every `plan`: on a server-like resource
//! with 30 attributes and nested blocks, and on a security group with 1,000
//! rule blocks. Timings exclude the wire codec (see value_codec).
//!
//! Run: `cargo bench -p tfplugin --bench plan_pipeline`.

mod support;

use std::sync::LazyLock;

use divan::counter::ItemsCount;
use divan::{AllocProfiler, Bencher, black_box};
use tfplugin::framework::{PlanChange, plan};
use tfplugin::schema::Schema;
use tfplugin::value::Value;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

struct Case {
    schema: Schema,
    prior: Value,
    proposed: Value,
    config: Value,
}

impl Case {
    fn run(&self) -> PlanChange {
        let mut change = plan::prepare(&self.schema, &self.prior, &self.proposed, &self.config);
        plan::finish(&mut change, false);
        change
    }
}

/// The server after apply, with `name` changed in config (in-place update)
/// and, when `replace`, `key_pair` changed too (forces replacement).
fn server_update(replace: bool) -> Case {
    let prior = support::server_state(3);
    let mut config = support::server_config(3);
    let mut proposed = prior.clone();
    for v in [&mut config, &mut proposed] {
        if let Value::Object(m) = v {
            m.insert("name".into(), Value::from("bench-server-renamed"));
            if replace {
                m.insert("key_pair".into(), Value::from("other-key"));
            }
        }
    }
    Case {
        schema: support::server_schema(),
        prior,
        proposed,
        config,
    }
}

static SERVER_CREATE: LazyLock<Case> = LazyLock::new(|| {
    let config = support::server_config(3);
    Case {
        schema: support::server_schema(),
        prior: Value::Null,
        proposed: config.clone(),
        config,
    }
});

static SERVER_NOOP: LazyLock<Case> = LazyLock::new(|| {
    let prior = support::server_state(3);
    Case {
        schema: support::server_schema(),
        proposed: prior.clone(),
        config: support::server_config(3),
        prior,
    }
});

static SERVER_UPDATE: LazyLock<Case> = LazyLock::new(|| server_update(false));
static SERVER_REPLACE: LazyLock<Case> = LazyLock::new(|| {
    let case = server_update(true);
    // The bench is only meaningful if the pipeline does the work it claims.
    assert!(!case.run().requires_replace.is_empty());
    case
});

static SG_NOOP_1000: LazyLock<Case> = LazyLock::new(|| {
    let prior = support::security_group_state(1_000);
    Case {
        schema: support::security_group_schema(),
        proposed: prior.clone(),
        config: prior.clone(),
        prior,
    }
});

mod server {
    use super::*;

    /// Create: defaults, computed attributes marked unknown.
    #[divan::bench(max_time = 2)]
    fn create(bencher: Bencher) {
        let case = &*SERVER_CREATE;
        bencher.bench(|| black_box(case).run());
    }

    /// Refresh-only plan with nothing changed (the common case).
    #[divan::bench(max_time = 2)]
    fn no_change(bencher: Bencher) {
        let case = &*SERVER_NOOP;
        bencher.bench(|| black_box(case).run());
    }

    #[divan::bench(max_time = 2)]
    fn in_place_update(bencher: Bencher) {
        let case = &*SERVER_UPDATE;
        bencher.bench(|| black_box(case).run());
    }

    #[divan::bench(max_time = 2)]
    fn replace(bencher: Bencher) {
        let case = &*SERVER_REPLACE;
        bencher.bench(|| black_box(case).run());
    }
}

/// A security group holding 1,000 rule blocks, nothing changed.
#[divan::bench(max_time = 3)]
fn security_group_1000_rules_no_change(bencher: Bencher) {
    let case = &*SG_NOOP_1000;
    bencher
        .counter(ItemsCount::new(1_000usize))
        .bench(|| black_box(case).run());
}
