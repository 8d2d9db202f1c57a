//! The plan pipeline (framework::plan) on its own.
#![allow(clippy::unwrap_used)]

use tfplugin::diagnostics::AttributePath;
use tfplugin::framework::plan::{finish, prepare};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema, TimeoutKind, timeouts_block};
use tfplugin::value::{Type, Value};

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("name").required())
            .attribute(
                Attribute::string("region")
                    .optional()
                    .computed()
                    .requires_replace(),
            )
            .attribute(Attribute::string("status").computed())
            .attribute(Attribute::bool("admin_state_up").default(true))
            .attribute(Attribute::string("password").optional().write_only())
            .attribute(Attribute::string("flavor").required().requires_replace())
            .block(NestedBlock::list(
                "fixed_ip",
                Block::new()
                    .attribute(Attribute::string("subnet_id").required().requires_replace())
                    .attribute(Attribute::string("ip_address").optional().computed()),
            ))
            .block(timeouts_block(&[TimeoutKind::Create])),
    )
}

fn conform(v: Value) -> Value {
    v.conform(&schema().value_type()).unwrap()
}

fn s(x: &str) -> Value {
    Value::from(x)
}

fn prior() -> Value {
    conform(Value::object([
        ("id", s("abc")),
        ("name", s("web")),
        ("region", s("RegionOne")),
        ("status", s("ACTIVE")),
        ("admin_state_up", Value::Bool(true)),
        ("flavor", s("SCS-1V-2")),
        (
            "fixed_ip",
            Value::List(vec![Value::object([
                ("subnet_id", s("sub1")),
                ("ip_address", s("10.0.0.5")),
            ])]),
        ),
    ]))
}

/// The configuration matching `prior()`: computed attributes left out.
fn config() -> Value {
    conform(Value::object([
        ("name", s("web")),
        ("flavor", s("SCS-1V-2")),
        (
            "fixed_ip",
            Value::List(vec![Value::object([("subnet_id", s("sub1"))])]),
        ),
    ]))
}

/// What Terraform proposes: config plus prior values for computed attributes.
fn proposed(prior: &Value, config: &Value) -> Value {
    let mut p = config.clone();
    for name in ["id", "region", "status", "admin_state_up"] {
        if p.attr(name).is_some_and(Value::is_null)
            && let (Value::Object(m), Some(pv)) = (&mut p, prior.attr(name))
        {
            m.insert(name.to_string(), pv.clone());
        }
    }
    if let (Value::Object(m), Some(Value::List(prior_ips))) = (&mut p, prior.attr("fixed_ip"))
        && let Some(Value::List(ips)) = m.get_mut("fixed_ip")
    {
        for (ip, pip) in ips.iter_mut().zip(prior_ips) {
            if let (Value::Object(f), Some(pv)) = (ip, pip.attr("ip_address"))
                && f.get("ip_address").is_some_and(Value::is_null)
            {
                f.insert("ip_address".into(), pv.clone());
            }
        }
    }
    p
}

fn path(s: &str) -> AttributePath {
    AttributePath::attr(s)
}

#[test]
fn create_marks_computed_unknown_and_applies_defaults() {
    let cfg = conform(Value::object([
        ("name", s("web")),
        ("flavor", s("f")),
        ("password", s("secret")),
    ]));
    let change = prepare(&schema(), &Value::Null, &cfg, &cfg);
    let p = &change.planned;
    assert_eq!(p.attr("id"), Some(&Value::Unknown));
    assert_eq!(p.attr("status"), Some(&Value::Unknown));
    assert_eq!(p.attr("region"), Some(&Value::Unknown));
    assert_eq!(
        p.attr("admin_state_up"),
        Some(&Value::Bool(true)),
        "default"
    );
    assert_eq!(
        p.attr("password"),
        Some(&Value::Null),
        "write-only never planned"
    );
    assert_eq!(
        p.attr("name"),
        Some(&s("web")),
        "non-computed equals config"
    );
    assert!(change.requires_replace.is_empty(), "no replace on create");
}

#[test]
fn no_change_keeps_computed_values_known() {
    let (prior, cfg) = (prior(), config());
    let change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    assert_eq!(change.planned, prior, "an unchanged resource plans no diff");
    assert!(change.requires_replace.is_empty());
}

#[test]
fn update_marks_computed_unknown_except_use_state_for_unknown() {
    let prior = prior();
    let mut cfg = config();
    if let Value::Object(m) = &mut cfg {
        m.insert("name".into(), s("web2"));
    }
    let change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    let p = &change.planned;
    assert_eq!(p.attr("name"), Some(&s("web2")));
    assert_eq!(
        p.attr("status"),
        Some(&Value::Unknown),
        "may change on update"
    );
    assert_eq!(p.attr("id"), Some(&s("abc")), "use_state_for_unknown");
    assert_eq!(
        p.get_path(&path("fixed_ip").join_index(0).join_attr("ip_address")),
        Some(&Value::Unknown)
    );
    // region is computed+requires_replace but only went unknown because the
    // provider may recompute it: that is no reason to replace.
    assert_eq!(p.attr("region"), Some(&Value::Unknown));
    assert!(
        change.requires_replace.is_empty(),
        "{:?}",
        change.requires_replace
    );
}

#[test]
fn requires_replace_only_on_real_change() {
    let prior = prior();
    let mut cfg = config();
    if let Value::Object(m) = &mut cfg {
        m.insert("flavor".into(), s("SCS-2V-4"));
        m.insert("region".into(), s("RegionOne"));
    }
    let mut change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    finish(&mut change, false);
    assert_eq!(change.requires_replace, vec![path("flavor")]);

    // A nested attribute with requires_replace.
    let mut cfg = config();
    if let Value::Object(m) = &mut cfg {
        m.insert(
            "fixed_ip".into(),
            Value::List(vec![Value::object([
                ("subnet_id", s("sub2")),
                ("ip_address", Value::Null),
            ])]),
        );
    }
    let change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    assert_eq!(
        change.requires_replace,
        vec![path("fixed_ip").join_index(0).join_attr("subnet_id")]
    );

    // An unknown configured value (from another resource) may differ: replace.
    let mut cfg = config();
    if let Value::Object(m) = &mut cfg {
        m.insert("flavor".into(), Value::Unknown);
    }
    let change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    assert_eq!(change.requires_replace, vec![path("flavor")]);
}

#[test]
fn destroy_plan_stays_null() {
    let prior = prior();
    let mut change = prepare(&schema(), &prior, &Value::Null, &Value::Null);
    assert!(change.planned.is_null());
    // Even if a hook put something there.
    change.planned = prior.clone();
    change.requires_replace.push(path("flavor"));
    finish(&mut change, true);
    assert!(change.planned.is_null());
    assert!(change.requires_replace.is_empty());
}

#[test]
fn requires_replace_paths_sorted_and_deduplicated() {
    let prior = prior();
    let cfg = config();
    let mut change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    change.requires_replace = vec![path("name"), path("flavor"), path("name")];
    finish(&mut change, false);
    assert_eq!(change.requires_replace, vec![path("flavor"), path("name")]);
}

#[test]
fn wholly_unknown_nested_block_is_left_alone() {
    let prior = prior();
    let mut cfg = config();
    if let Value::Object(m) = &mut cfg {
        m.insert("fixed_ip".into(), Value::Unknown);
    }
    let change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    assert_eq!(change.planned.attr("fixed_ip"), Some(&Value::Unknown));
}

#[test]
fn default_replaces_removed_value_on_update() {
    let mut prior = prior();
    if let Value::Object(m) = &mut prior {
        m.insert("admin_state_up".into(), Value::Bool(false));
    }
    let cfg = config();
    // Terraform proposes the prior value for an optional+computed attribute
    // the configuration no longer sets; the default must win.
    let change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    assert_eq!(
        change.planned.attr("admin_state_up"),
        Some(&Value::Bool(true))
    );
    assert_eq!(change.planned.attr("status"), Some(&Value::Unknown));
}

#[test]
fn schema_types_follow_nesting() {
    let ty = schema().value_type();
    let attrs = ty.attributes().unwrap();
    assert_eq!(
        attrs["fixed_ip"],
        Type::list(Type::object([
            ("ip_address", Type::String),
            ("subnet_id", Type::String)
        ]))
    );
    assert_eq!(attrs["timeouts"], Type::object([("create", Type::String)]));
}

#[test]
fn changing_only_timeouts_keeps_computed_values_known() {
    let (prior, mut cfg) = (prior(), config());
    if let Value::Object(m) = &mut cfg {
        m.insert("timeouts".into(), Value::object([("create", s("30m"))]));
    }
    let change = prepare(&schema(), &prior, &proposed(&prior, &cfg), &cfg);
    assert_eq!(change.planned.attr("status"), Some(&s("ACTIVE")));
    assert_eq!(
        change
            .planned
            .attr("timeouts")
            .and_then(|t| t.attr("create")),
        Some(&s("30m"))
    );
}
