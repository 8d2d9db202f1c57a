//! MoveResourceState through framework::Dispatch: a provider whose `test_note` takes over the
//! state of another provider's `legacy_note`.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{
    ApplyResult, CreateRequest, Ctx, Dispatch, MoveSource, Provider, ProviderData, Resource,
    StateMover, UpdateRequest,
};
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value, decode_msgpack};
use tonic::Request;

/// What the "cloud" says about every note: its size.
struct Cloud {
    size: i64,
}

struct NotesProvider;
struct Note;
struct LegacyMover;

#[async_trait]
impl Provider for NotesProvider {
    fn type_name(&self) -> &str {
        "test"
    }

    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }

    async fn configure(&self, _ctx: &Ctx, _config: &Value) -> Result<ProviderData, Diagnostics> {
        Ok(Arc::new(Cloud { size: 42 }))
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(Note)]
    }

    fn state_movers(&self) -> Vec<Arc<dyn StateMover>> {
        vec![Arc::new(LegacyMover)]
    }
}

#[async_trait]
impl Resource for Note {
    fn type_name(&self) -> &str {
        "test_note"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::string("id").computed())
                .attribute(Attribute::string("text").optional())
                .attribute(Attribute::number("size").computed()),
        )
    }

    async fn create(&self, _ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        ApplyResult::ok(req.planned)
    }

    /// The refresh fills in the size from the cloud; id `gone` is gone, id `broken` fails.
    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let cloud: &Cloud = ctx.provider_data()?;
        match state.attr("id").and_then(Value::as_str) {
            Some("gone") => Ok(None),
            Some("broken") => Err(Diagnostic::error("Cloud error", "the API said 500").into()),
            _ => {
                let mut state = state.clone();
                if let Value::Object(fields) = &mut state {
                    fields.insert("size".into(), Value::from(cloud.size));
                }
                Ok(Some(state))
            }
        }
    }

    async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        ApplyResult::ok(req.planned)
    }

    async fn delete(&self, _ctx: &Ctx, _state: Value) -> Result<(), Diagnostics> {
        Ok(())
    }
}

#[async_trait]
impl StateMover for LegacyMover {
    fn source_providers(&self) -> Vec<String> {
        vec!["legacy/notes".into()]
    }

    fn source_types(&self, target_type: &str) -> Vec<String> {
        match target_type {
            "test_note" => vec!["legacy_note".into(), "legacy_bad".into()],
            _ => Vec::new(),
        }
    }

    /// `legacy_note`'s `body` is our `text`; `legacy_bad` yields a value the schema lacks.
    async fn move_state(
        &self,
        ctx: &Ctx,
        source: &MoveSource,
        _target_type: &str,
        target: &Schema,
    ) -> Result<Value, Diagnostics> {
        let attrs = source.attributes()?;
        if source.type_name == "legacy_bad" {
            return Ok(Value::object([("nonsense", Value::from("x"))]));
        }
        ctx.warn("Dropped", "legacy_note.color has no counterpart");
        let text = attrs
            .get("body")
            .and_then(|b| b.as_str())
            .unwrap_or_default();
        let id = attrs.get("id").and_then(|b| b.as_str()).unwrap_or_default();
        Ok(
            Value::object([("id", Value::from(id)), ("text", Value::from(text))])
                .conform(&target.value_type())?,
        )
    }
}

struct Moved {
    state: Option<Value>,
    errors: Vec<String>,
    warnings: Vec<String>,
}

fn note_type() -> Type {
    Note.schema().value_type()
}

async fn configured() -> Dispatch {
    let d = Dispatch::new(NotesProvider);
    d.configure_provider(Request::new(pb::configure_provider::Request {
        config: Some(pb::DynamicValue {
            msgpack: tfplugin::value::encode_msgpack(
                &Value::object(Vec::<(&str, Value)>::new()),
                &Type::object(Vec::<(&str, Type)>::new()),
            )
            .unwrap(),
            json: Vec::new(),
        }),
        ..Default::default()
    }))
    .await
    .unwrap();
    d
}

async fn move_state(
    d: &Dispatch,
    address: &str,
    source_type: &str,
    json: &str,
    target: &str,
) -> Moved {
    let resp = d
        .move_resource_state(Request::new(pb::move_resource_state::Request {
            source_provider_address: address.into(),
            source_type_name: source_type.into(),
            source_schema_version: 0,
            source_state: Some(pb::RawState {
                json: json.as_bytes().to_vec(),
                ..Default::default()
            }),
            target_type_name: target.into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let of = |severity: pb::diagnostic::Severity| {
        resp.diagnostics
            .iter()
            .filter(|d| d.severity == severity as i32)
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect()
    };
    Moved {
        state: resp
            .target_state
            .as_ref()
            .map(|s| decode_msgpack(&s.msgpack, &note_type()).unwrap()),
        errors: of(pb::diagnostic::Severity::Error),
        warnings: of(pb::diagnostic::Severity::Warning),
    }
}

const LEGACY: &str = "registry.terraform.io/legacy/notes";

#[tokio::test]
async fn the_capability_is_announced_with_a_mover() {
    let d = Dispatch::new(NotesProvider);
    let caps = d
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner()
        .server_capabilities
        .unwrap();
    assert!(caps.move_resource_state);
}

#[tokio::test]
async fn a_moved_state_is_mapped_then_refreshed_with_the_movers_warnings() {
    let d = configured().await;
    let moved = move_state(
        &d,
        LEGACY,
        "legacy_note",
        r#"{"id":"n1","body":"hi","color":"red"}"#,
        "test_note",
    )
    .await;
    assert!(moved.errors.is_empty(), "{:?}", moved.errors);
    let state = moved.state.unwrap();
    assert_eq!(state.attr("text"), Some(&Value::from("hi")));
    assert_eq!(state.attr("size"), Some(&Value::from(42)), "refreshed");
    assert_eq!(
        moved.warnings,
        ["Dropped: legacy_note.color has no counterpart"]
    );
}

#[tokio::test]
async fn without_configuration_or_when_the_refresh_fails_the_mapped_state_is_kept() {
    let d = Dispatch::new(NotesProvider);
    let moved = move_state(
        &d,
        "legacy/notes",
        "legacy_note",
        r#"{"id":"n1","body":"hi"}"#,
        "test_note",
    )
    .await;
    let state = moved.state.unwrap();
    assert_eq!(state.attr("size"), Some(&Value::Null), "not refreshed");

    let d = configured().await;
    let moved = move_state(
        &d,
        "notes",
        "legacy_note",
        r#"{"id":"broken","body":"hi"}"#,
        "test_note",
    )
    .await;
    assert!(moved.errors.is_empty(), "{:?}", moved.errors);
    assert_eq!(moved.state.unwrap().attr("text"), Some(&Value::from("hi")));
    assert!(
        moved
            .warnings
            .iter()
            .any(|w| w.starts_with("Moved state not refreshed") && w.contains("500")),
        "{:?}",
        moved.warnings
    );
    // Gone from the cloud: the refresh after the move removes it; the move itself keeps it.
    let moved = move_state(&d, LEGACY, "legacy_note", r#"{"id":"gone"}"#, "test_note").await;
    assert!(moved.errors.is_empty(), "{:?}", moved.errors);
    assert_eq!(moved.state.unwrap().attr("id"), Some(&Value::from("gone")));
}

#[tokio::test]
async fn refused_moves_say_why() {
    let d = configured().await;
    let cases = [
        (
            LEGACY,
            "legacy_note",
            "{}",
            "test_nothing",
            "Unknown resource type",
        ),
        (
            "registry.terraform.io/someone/else",
            "legacy_note",
            "{}",
            "test_note",
            "Unsupported source provider",
        ),
        (
            "not an address",
            "legacy_note",
            "{}",
            "test_note",
            "Unsupported source provider",
        ),
        (
            LEGACY,
            "legacy_other",
            "{}",
            "test_note",
            "Unsupported resource move",
        ),
        (
            LEGACY,
            "legacy_note",
            "",
            "test_note",
            "Unsupported state format",
        ),
        (
            LEGACY,
            "legacy_note",
            "[]",
            "test_note",
            "Invalid source state",
        ),
        (
            LEGACY,
            "legacy_bad",
            "{}",
            "test_note",
            "Provider produced an invalid value",
        ),
    ];
    for (address, source, json, target, summary) in cases {
        let moved = move_state(&d, address, source, json, target).await;
        assert!(moved.state.is_none(), "{source} -> {target}");
        assert!(
            moved.errors.iter().any(|e| e.starts_with(summary)),
            "{address} {source} {json:?} -> {target}: {:?}",
            moved.errors
        );
    }
    let moved = move_state(&d, LEGACY, "legacy_other", "{}", "test_note").await;
    assert!(
        moved.errors[0].contains("legacy_note, legacy_bad"),
        "names what it takes: {:?}",
        moved.errors
    );
}

#[tokio::test]
async fn own_state_under_another_registry_address_is_read_as_it_is() {
    let d = configured().await;
    let moved = move_state(
        &d,
        "registry.opentofu.org/acme/test",
        "test_note",
        r#"{"id":"n1","text":"hi","size":7}"#,
        "test_note",
    )
    .await;
    assert!(moved.errors.is_empty(), "{:?}", moved.errors);
    assert_eq!(
        moved.state.unwrap().attr("size"),
        Some(&Value::from(7)),
        "as it was"
    );
}
