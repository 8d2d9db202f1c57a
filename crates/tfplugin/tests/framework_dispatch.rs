//! The tfplugin6 service (framework::Dispatch) driven directly, RPC by RPC,
//! with a small in-memory provider.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{
    ApplyResult, CreateRequest, Ctx, DataSource, Dispatch, Provider, ProviderData, RawState,
    Resource, UpdateRequest,
};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::schema::{Attribute, Block, Schema, TimeoutKind, Timeouts, timeouts_block};
use tfplugin::value::{Attr, Type, Value, decode_msgpack, encode_msgpack};
use tokio::sync::Notify;
use tonic::Request;

/// The fake cloud the provider talks to.
#[derive(Default)]
struct Cloud {
    things: Mutex<BTreeMap<String, Value>>,
    next_id: AtomicU64,
    create_started: Notify,
    stopped: std::sync::atomic::AtomicBool,
}

struct TestProvider {
    cloud: Arc<Cloud>,
}

struct Thing;
struct Lookup;

fn cloud(ctx: &Ctx) -> Result<&Arc<Cloud>, Diagnostics> {
    ctx.provider_data::<Arc<Cloud>>()
}

#[async_trait]
impl Provider for TestProvider {
    fn type_name(&self) -> &str {
        "test"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("endpoint").optional().validator(
                    |v: &Value, p: &AttributePath, d: &mut Diagnostics| {
                        if v.as_str().is_some_and(|s| !s.starts_with("http")) {
                            d.error_at(p.clone(), "Invalid URL", "must start with http");
                        }
                    },
                ))
                .attribute(Attribute::string("token").optional().sensitive()),
        )
    }

    async fn configure(&self, _ctx: &Ctx, _config: &Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(self.cloud.clone()))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Thing)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(Lookup)]
    }

    fn stop(&self) {
        self.cloud.stopped.store(true, Ordering::SeqCst);
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ThingModel {
    id: Attr<String>,
    name: Attr<String>,
    size: Attr<i64>,
    slow: Attr<bool>,
    fail_after_create: Attr<bool>,
}

#[async_trait]
impl Resource for Thing {
    fn type_name(&self) -> &str {
        "test_thing"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("id").computed().use_state_for_unknown())
                .attribute(Attribute::string("name").required())
                .attribute(Attribute::number("size").optional().computed())
                .attribute(Attribute::bool("slow").optional())
                .attribute(Attribute::bool("fail_after_create").optional())
                .attribute(Attribute::string("secret").optional().write_only())
                .block(timeouts_block(&[TimeoutKind::Create])),
        )
        .version(2)
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let cloud = match cloud(ctx) {
            Ok(c) => c.clone(),
            Err(d) => return ApplyResult::failed(d),
        };
        let timeouts = match Timeouts::from_resource(&req.planned) {
            Ok(t) => t,
            Err(d) => return ApplyResult::failed(d),
        };
        let mut m: ThingModel = match req.planned_as() {
            Ok(m) => m,
            Err(d) => return ApplyResult::failed(d),
        };
        let id = format!("thing-{}", cloud.next_id.fetch_add(1, Ordering::SeqCst));
        m.id = Attr::Known(id.clone());
        m.size = m.size.or_if_unknown(Attr::Known(1));
        let state = match ctx.to_value(&m) {
            Ok(v) => v,
            Err(d) => return ApplyResult::failed(d),
        };
        cloud.things.lock().unwrap().insert(id, state.clone());
        if m.slow == Attr::Known(true) {
            cloud.create_started.notify_one();
            let ctx = ctx.with_timeout(timeouts.create_or(std::time::Duration::from_secs(3600)));
            // Stands for a long wait on the cloud; only cancellation ends it.
            if let Err(e) = ctx.run(std::future::pending::<()>()).await {
                return ApplyResult::partial(state, e);
            }
        }
        if m.fail_after_create == Attr::Known(true) {
            return ApplyResult::partial(
                state,
                Diagnostic::error("Thing failed to become ready", "boom"),
            );
        }
        ApplyResult::ok(state)
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let cloud = cloud(ctx)?;
        let id = state.attr("id").and_then(Value::as_str).unwrap_or_default();
        Ok(cloud.things.lock().unwrap().get(id).cloned())
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let cloud = match cloud(ctx) {
            Ok(c) => c,
            Err(d) => return ApplyResult::failed(d),
        };
        let mut m: ThingModel = match req.planned_as() {
            Ok(m) => m,
            Err(d) => return ApplyResult::failed(d),
        };
        m.size = m.size.or_if_unknown(Attr::Known(2));
        let state = match ctx.to_value(&m) {
            Ok(v) => v,
            Err(d) => return ApplyResult::failed(d),
        };
        if let Some(id) = m.id.known() {
            cloud
                .things
                .lock()
                .unwrap()
                .insert(id.clone(), state.clone());
        }
        ApplyResult::ok(state)
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let cloud = cloud(ctx)?;
        let id = state.attr("id").and_then(Value::as_str).unwrap_or_default();
        cloud.things.lock().unwrap().remove(id);
        Ok(())
    }

    async fn upgrade_state(
        &self,
        _ctx: &Ctx,
        version: i64,
        raw: RawState,
    ) -> Result<Value, Diagnostics> {
        // Version 1 called the name "label".
        if version != 1 {
            return Err(Diagnostic::error("no", "unsupported").into());
        }
        let old = raw.decode(&Type::object([
            ("id", Type::String),
            ("label", Type::String),
        ]))?;
        Ok(Value::object([
            ("id", old.attr("id").cloned().unwrap_or_default()),
            ("name", old.attr("label").cloned().unwrap_or_default()),
        ]))
    }
}

#[async_trait]
impl DataSource for Lookup {
    fn type_name(&self) -> &str {
        "test_lookup"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("name").required())
                .attribute(Attribute::string("id").computed()),
        )
    }

    async fn read(&self, ctx: &Ctx, config: Value) -> Result<Value, Diagnostics> {
        let cloud = cloud(ctx)?;
        let name = config.attr("name").cloned().unwrap_or_default();
        let things = cloud.things.lock().unwrap();
        let found = things
            .values()
            .find(|t| t.attr("name") == Some(&name))
            .ok_or_else(|| Diagnostics::from(Diagnostic::error("Not found", "no such thing")))?;
        Ok(Value::object([
            ("name", name.clone()),
            ("id", found.attr("id").cloned().unwrap_or_default()),
        ]))
    }
}

fn dispatch() -> (Arc<Dispatch>, Arc<Cloud>) {
    let cloud = Arc::new(Cloud::default());
    (
        Arc::new(Dispatch::new(TestProvider {
            cloud: cloud.clone(),
        })),
        cloud,
    )
}

fn thing_type() -> Type {
    Thing.schema().value_type()
}

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).unwrap(),
        json: vec![],
    })
}

fn undv(d: Option<pb::DynamicValue>, ty: &Type) -> Value {
    let d = d.unwrap();
    decode_msgpack(&d.msgpack, ty).unwrap()
}

fn thing(attrs: &[(&str, Value)]) -> Value {
    Value::object(attrs.iter().cloned())
        .conform(&thing_type())
        .unwrap()
}

fn errors(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

async fn configure(d: &Dispatch) {
    let ty = TestProvider {
        cloud: Arc::default(),
    }
    .schema()
    .value_type();
    let resp = d
        .configure_provider(Request::new(pb::configure_provider::Request {
            config: dv(
                &Value::object([("endpoint", Value::from("http://x"))])
                    .conform(&ty)
                    .unwrap(),
                &ty,
            ),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&resp.diagnostics).is_empty());
}

async fn plan(
    d: &Dispatch,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> pb::plan_resource_change::Response {
    let ty = thing_type();
    d.plan_resource_change(Request::new(pb::plan_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior, &ty),
        proposed_new_state: dv(proposed, &ty),
        config: dv(config, &ty),
        ..Default::default()
    }))
    .await
    .unwrap()
    .into_inner()
}

async fn apply(
    d: &Dispatch,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> pb::apply_resource_change::Response {
    let ty = thing_type();
    d.apply_resource_change(Request::new(pb::apply_resource_change::Request {
        type_name: "test_thing".into(),
        prior_state: dv(prior, &ty),
        planned_state: dv(planned, &ty),
        config: dv(config, &ty),
        ..Default::default()
    }))
    .await
    .unwrap()
    .into_inner()
}

#[tokio::test]
async fn schema_and_metadata() {
    let (d, _) = dispatch();
    let resp = d
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    let caps = resp.server_capabilities.unwrap();
    assert!(caps.plan_destroy);
    assert!(!caps.get_provider_schema_optional);
    let thing = &resp.resource_schemas["test_thing"];
    assert_eq!(thing.version, 2);
    let block = thing.block.as_ref().unwrap();
    let names: Vec<_> = block.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["fail_after_create", "id", "name", "secret", "size", "slow"]
    );
    let id = &block.attributes[1];
    assert!(id.computed && !id.optional && !id.required);
    assert_eq!(id.r#type, br#""string""#);
    assert!(block.attributes[3].write_only);
    assert_eq!(block.block_types[0].type_name, "timeouts");
    assert!(resp.data_source_schemas.contains_key("test_lookup"));
    assert!(resp.provider.unwrap().block.unwrap().attributes[1].sensitive);

    let meta = d
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.resources[0].type_name, "test_thing");
    assert_eq!(meta.data_sources[0].type_name, "test_lookup");
}

#[tokio::test]
async fn provider_validation_accepts_unknown_and_names_bad_attribute() {
    let (d, _) = dispatch();
    let ty = Type::object([("endpoint", Type::String), ("token", Type::String)]);
    let validate = |v: Value| {
        let d = d.clone();
        let ty = ty.clone();
        async move {
            d.validate_provider_config(Request::new(pb::validate_provider_config::Request {
                config: dv(&v.conform(&ty).unwrap(), &ty),
            }))
            .await
            .unwrap()
            .into_inner()
            .diagnostics
        }
    };
    assert!(
        validate(Value::object([("endpoint", Value::Unknown)]))
            .await
            .is_empty()
    );
    let diags = validate(Value::object([("endpoint", Value::from("ftp://x"))])).await;
    assert_eq!(diags.len(), 1);
    let path = diags[0].attribute.as_ref().unwrap();
    assert_eq!(
        path.steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "endpoint".into()
        ))
    );
}

#[tokio::test]
async fn rpcs_before_configure_answer_with_diagnostics() {
    let (d, _) = dispatch();
    let ty = thing_type();
    let state = thing(&[("id", Value::from("thing-0")), ("name", Value::from("a"))]);
    let resp = d
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&state, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&resp.diagnostics)[0].contains("not configured"));
    assert_eq!(undv(resp.new_state, &ty), state, "state kept on error");

    // Planning needs no provider data.
    let cfg = thing(&[("name", Value::from("a"))]);
    let resp = plan(&d, &Value::Null, &cfg, &cfg).await;
    assert!(errors(&resp.diagnostics).is_empty());
}

#[tokio::test]
async fn unknown_type_names_are_diagnostics() {
    let (d, _) = dispatch();
    let resp = d
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_nope".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&resp.diagnostics)[0].contains("test_nope"));
    let resp = d
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "test_nope".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(!errors(&resp.diagnostics).is_empty());
}

#[tokio::test]
async fn lifecycle_create_read_plan_update_import_delete() {
    let (d, cloud) = dispatch();
    configure(&d).await;
    let ty = thing_type();
    let cfg = thing(&[
        ("name", Value::from("a")),
        ("timeouts", Value::object([("create", Value::from("5m"))])),
    ]);

    let planned = undv(plan(&d, &Value::Null, &cfg, &cfg).await.planned_state, &ty);
    assert_eq!(planned.attr("id"), Some(&Value::Unknown));
    assert_eq!(planned.attr("size"), Some(&Value::Unknown));

    let resp = apply(&d, &Value::Null, &planned, &cfg).await;
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    let state = undv(resp.new_state, &ty);
    assert_eq!(state.attr("id"), Some(&Value::from("thing-0")));
    assert_eq!(state.attr("size"), Some(&Value::from(1i64)));
    assert_eq!(
        state.attr("timeouts"),
        cfg.attr("timeouts"),
        "timeouts kept from the plan"
    );

    // A refresh and a re-plan with the same configuration: no diff.
    let resp = d
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&state, &ty),
            private: b"p".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.private, b"p");
    let refreshed = undv(resp.new_state, &ty);
    assert_eq!(refreshed, state);
    let mut proposed = cfg.clone();
    if let Value::Object(m) = &mut proposed {
        m.insert("id".into(), Value::from("thing-0"));
        m.insert("size".into(), Value::from(1i64));
    }
    let resp = plan(&d, &refreshed, &proposed, &cfg).await;
    assert_eq!(undv(resp.planned_state, &ty), refreshed);
    assert!(resp.requires_replace.is_empty());

    // Update: size may change (unknown), id stays known.
    let mut cfg2 = cfg.clone();
    let mut proposed2 = proposed.clone();
    for v in [&mut cfg2, &mut proposed2] {
        if let Value::Object(m) = v {
            m.insert("name".into(), Value::from("b"));
        }
    }
    let planned = undv(
        plan(&d, &refreshed, &proposed2, &cfg2).await.planned_state,
        &ty,
    );
    assert_eq!(planned.attr("id"), Some(&Value::from("thing-0")));
    assert_eq!(planned.attr("size"), Some(&Value::Unknown));
    let resp = apply(&d, &refreshed, &planned, &cfg2).await;
    let updated = undv(resp.new_state, &ty);
    assert_eq!(updated.attr("name"), Some(&Value::from("b")));
    assert_eq!(updated.attr("size"), Some(&Value::from(2i64)));

    // Data source sees it.
    let dty = Lookup.schema().value_type();
    let resp = d
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "test_lookup".into(),
            config: dv(
                &Value::object([("name", Value::from("b")), ("id", Value::Null)]),
                &dty,
            ),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        undv(resp.state, &dty).attr("id"),
        Some(&Value::from("thing-0"))
    );

    // Import: the id, then read fills the rest.
    let resp = d
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            id: "thing-0".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let imported = undv(resp.imported_resources[0].state.clone(), &ty);
    assert_eq!(imported, thing(&[("id", Value::from("thing-0"))]));

    // Destroy: plan stays null, apply deletes.
    let resp = plan(&d, &updated, &Value::Null, &Value::Null).await;
    assert!(undv(resp.planned_state, &ty).is_null());
    let resp = apply(&d, &updated, &Value::Null, &Value::Null).await;
    assert!(undv(resp.new_state, &ty).is_null());
    assert!(cloud.things.lock().unwrap().is_empty());

    // Read of a vanished object: removed from state.
    let resp = d
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&updated, &ty),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&resp.diagnostics).is_empty());
    assert!(undv(resp.new_state, &ty).is_null());
}

#[tokio::test]
async fn failed_create_after_the_object_exists_returns_partial_state() {
    let (d, _) = dispatch();
    configure(&d).await;
    let ty = thing_type();
    let cfg = thing(&[
        ("name", Value::from("a")),
        ("fail_after_create", Value::Bool(true)),
    ]);
    let planned = undv(plan(&d, &Value::Null, &cfg, &cfg).await.planned_state, &ty);
    let resp = apply(&d, &Value::Null, &planned, &cfg).await;
    assert_eq!(
        errors(&resp.diagnostics),
        ["Thing failed to become ready: boom"]
    );
    let state = undv(resp.new_state, &ty);
    assert_eq!(
        state.attr("id"),
        Some(&Value::from("thing-0")),
        "ID recorded so Terraform can taint it"
    );
}

#[tokio::test]
async fn stop_provider_cancels_in_flight_create_only() {
    let (d, cloud) = dispatch();
    configure(&d).await;
    let ty = thing_type();
    let cfg = thing(&[("name", Value::from("slow")), ("slow", Value::Bool(true))]);
    let planned = undv(plan(&d, &Value::Null, &cfg, &cfg).await.planned_state, &ty);

    let started = cloud.create_started.notified();
    let task = {
        let (d, planned, cfg) = (d.clone(), planned.clone(), cfg.clone());
        tokio::spawn(async move { apply(&d, &Value::Null, &planned, &cfg).await })
    };
    started.await;
    d.stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap();
    // A guard against hanging forever if cancellation is broken, not a timing assertion.
    let resp = tokio::time::timeout(std::time::Duration::from_secs(120), task)
        .await
        .expect("StopProvider did not end the in-flight create")
        .unwrap();
    assert!(
        errors(&resp.diagnostics)[0].contains("cancelled"),
        "{:?}",
        resp.diagnostics
    );
    let state = undv(resp.new_state, &ty);
    assert_eq!(
        state.attr("id"),
        Some(&Value::from("thing-0")),
        "partial state kept"
    );
    assert!(
        cloud.stopped.load(Ordering::SeqCst),
        "Provider::stop hook called"
    );

    // The server and later requests are unaffected.
    let fast = thing(&[("name", Value::from("fast"))]);
    let planned = undv(
        plan(&d, &Value::Null, &fast, &fast).await.planned_state,
        &ty,
    );
    let resp = apply(&d, &Value::Null, &planned, &fast).await;
    assert!(errors(&resp.diagnostics).is_empty());
}

#[tokio::test]
async fn upgrade_resource_state_by_version() {
    let (d, _) = dispatch();
    let ty = thing_type();
    let upgrade = |version: i64, json: &'static str| {
        let d = d.clone();
        async move {
            d.upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: "test_thing".into(),
                version,
                raw_state: Some(pb::RawState {
                    json: json.as_bytes().to_vec(),
                    flatmap: Default::default(),
                }),
            }))
            .await
            .unwrap()
            .into_inner()
        }
    };
    // Same version: passed through; attributes the schema dropped are ignored.
    let resp = upgrade(
        2,
        r#"{"id":"x","name":"n","size":12345678901234567890123,"gone":true}"#,
    )
    .await;
    let v = undv(resp.upgraded_state, &ty);
    assert_eq!(
        v.attr("size").unwrap().as_number().unwrap().to_string(),
        "12345678901234567890123"
    );
    assert_eq!(v.attr("name"), Some(&Value::from("n")));
    // Older: the resource upgrades.
    let resp = upgrade(1, r#"{"id":"x","label":"old"}"#).await;
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    assert_eq!(
        undv(resp.upgraded_state, &ty).attr("name"),
        Some(&Value::from("old"))
    );
    // Newer than we know: an error, not a guess.
    let resp = upgrade(3, r#"{"id":"x"}"#).await;
    assert!(errors(&resp.diagnostics)[0].contains("newer"));
}

#[tokio::test]
async fn resource_validation_checks_timeouts_and_write_only() {
    let (d, _) = dispatch();
    let ty = thing_type();
    let validate = |v: Value, write_only_ok: bool| {
        let d = d.clone();
        let ty = ty.clone();
        async move {
            d.validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: "test_thing".into(),
                config: dv(&v, &ty),
                client_capabilities: Some(pb::ClientCapabilities {
                    deferral_allowed: false,
                    write_only_attributes_allowed: write_only_ok,
                }),
            }))
            .await
            .unwrap()
            .into_inner()
            .diagnostics
        }
    };
    let bad = thing(&[
        ("name", Value::Unknown),
        ("timeouts", Value::object([("create", Value::from("soon"))])),
    ]);
    let diags = validate(bad, true).await;
    assert_eq!(diags.len(), 1);
    assert_eq!(
        diags[0].attribute.as_ref().unwrap().steps.len(),
        2,
        "timeouts.create"
    );

    let secret = thing(&[("name", Value::from("a")), ("secret", Value::from("s"))]);
    assert_eq!(validate(secret.clone(), false).await.len(), 1);
    assert!(validate(secret, true).await.is_empty());
}

#[tokio::test]
async fn write_only_values_never_reach_state() {
    let (d, _) = dispatch();
    configure(&d).await;
    let ty = thing_type();
    let cfg = thing(&[("name", Value::from("a")), ("secret", Value::from("s"))]);
    let planned = undv(plan(&d, &Value::Null, &cfg, &cfg).await.planned_state, &ty);
    assert_eq!(planned.attr("secret"), Some(&Value::Null));
    let state = undv(apply(&d, &Value::Null, &planned, &cfg).await.new_state, &ty);
    assert_eq!(state.attr("secret"), Some(&Value::Null));
}

#[tokio::test]
async fn rpcs_outside_the_framework_answer_unimplemented() {
    let (d, _) = dispatch();
    // Ephemeral resources are served; a type the provider lacks is a diagnostic.
    let opened = d
        .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
            type_name: "example_nothing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(opened.result.is_none());
    assert!(
        opened
            .diagnostics
            .iter()
            .any(|d| d.summary == "Unknown ephemeral resource type"),
        "{:?}",
        opened.diagnostics
    );
    // A provider without state movers announces none and refuses every move with a diagnostic.
    let caps = d
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner()
        .server_capabilities
        .unwrap();
    assert!(!caps.move_resource_state);
    let moved = d
        .move_resource_state(Request::new(pb::move_resource_state::Request {
            source_provider_address: "registry.terraform.io/other/other".into(),
            source_type_name: "other_thing".into(),
            source_state: Some(pb::RawState {
                json: br#"{"id":"x"}"#.to_vec(),
                ..Default::default()
            }),
            target_type_name: "test_thing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(moved.target_state.is_none());
    assert!(
        moved
            .diagnostics
            .iter()
            .any(|d| d.summary == "Unsupported source provider"
                && d.detail.contains("no other provider")),
        "{:?}",
        moved.diagnostics
    );
    // Newer clients ask for these; empty answers mean "none".
    let ids = d
        .get_resource_identity_schemas(Request::new(pb::get_resource_identity_schemas::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(ids.identity_schemas.is_empty() && ids.diagnostics.is_empty());
    let funcs = d
        .get_functions(Request::new(pb::get_functions::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(funcs.functions.is_empty());
}
