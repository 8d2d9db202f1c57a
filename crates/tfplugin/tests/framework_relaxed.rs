//! `Resource::relaxed_consistency`: a resource that keeps a digest of a
//! configured text in state says so in PlanResourceChange and
//! ApplyResourceChange (`legacy_type_system`); other resources do not.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::{
    ApplyResult, CreateRequest, Ctx, Dispatch, PlanChange, Provider, ProviderData, Resource,
    UpdateRequest,
};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value, decode_msgpack, encode_msgpack};
use tonic::Request;

struct TestProvider;

/// Keeps the length of `text` instead of the text, as a stand-in for a hash.
struct Digested {
    relaxed: bool,
    name: &'static str,
}

#[async_trait]
impl Provider for TestProvider {
    fn type_name(&self) -> &str {
        "test"
    }

    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }

    async fn configure(&self, _ctx: &Ctx, _config: &Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(()))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(Digested {
                relaxed: true,
                name: "test_digested",
            }),
            Arc::new(Digested {
                relaxed: false,
                name: "test_strict",
            }),
        ]
    }
}

fn digest(config: &Value) -> Value {
    match config.attr("text").and_then(Value::as_str) {
        Some(t) => Value::from(t.len().to_string()),
        None => Value::Null,
    }
}

fn with_digest(mut planned: Value, config: &Value) -> Value {
    if let Value::Object(fields) = &mut planned {
        fields.insert("text".into(), digest(config));
    }
    planned
}

#[async_trait]
impl Resource for Digested {
    fn type_name(&self) -> &str {
        self.name
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("id").computed().use_state_for_unknown())
                .attribute(Attribute::string("text").optional().requires_replace()),
        )
    }

    fn relaxed_consistency(&self) -> bool {
        self.relaxed
    }

    async fn modify_plan(&self, _ctx: &Ctx, change: &mut PlanChange) -> Result<(), Diagnostics> {
        if !change.is_destroy() {
            change.planned = with_digest(change.planned.clone(), &change.config);
        }
        Ok(())
    }

    async fn create(&self, _ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let mut state = with_digest(req.planned, &req.config);
        if let Value::Object(fields) = &mut state {
            fields.insert("id".into(), Value::from("1"));
        }
        ApplyResult::ok(state)
    }

    async fn read(&self, _ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        Ok(Some(state))
    }

    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        ApplyResult::ok(req.planned)
    }

    async fn delete(&self, _ctx: &Ctx, _state: Value) -> Result<(), Diagnostics> {
        Ok(())
    }
}

fn ty() -> Type {
    Digested {
        relaxed: true,
        name: "",
    }
    .schema()
    .value_type()
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, &ty()).unwrap(),
        json: vec![],
    })
}

fn undv(d: Option<pb::DynamicValue>) -> Value {
    decode_msgpack(&d.unwrap().msgpack, &ty()).unwrap()
}

fn object(id: Value, text: &str) -> Value {
    Value::object([("id", id), ("text", Value::from(text))])
        .conform(&ty())
        .unwrap()
}

async fn plan_and_apply(d: &Dispatch, type_name: &str) -> (bool, Value, bool, Value) {
    let config = object(Value::Null, "hello");
    let proposed = object(Value::Unknown, "hello");
    let plan = d
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dv(&Value::Null),
            proposed_new_state: dv(&proposed),
            config: dv(&config),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    let planned = undv(plan.planned_state.clone());
    let apply = d
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dv(&Value::Null),
            planned_state: plan.planned_state,
            config: dv(&config),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(apply.diagnostics.is_empty(), "{:?}", apply.diagnostics);
    (
        plan.legacy_type_system,
        planned,
        apply.legacy_type_system,
        undv(apply.new_state),
    )
}

#[tokio::test]
async fn relaxed_resources_tell_core_their_values_may_differ_from_config() {
    let d = Dispatch::new(TestProvider);
    let (plan_flag, planned, apply_flag, state) = plan_and_apply(&d, "test_digested").await;
    assert!(plan_flag, "PlanResourceChange must set legacy_type_system");
    assert!(
        apply_flag,
        "ApplyResourceChange must set legacy_type_system"
    );
    assert_eq!(planned.attr("text"), Some(&Value::from("5")));
    assert_eq!(state.attr("text"), Some(&Value::from("5")));
    assert_eq!(state.attr("id"), Some(&Value::from("1")));
}

#[tokio::test]
async fn other_resources_keep_core_strict() {
    let d = Dispatch::new(TestProvider);
    let (plan_flag, _, apply_flag, _) = plan_and_apply(&d, "test_strict").await;
    assert!(!plan_flag);
    assert!(!apply_flag);
}
