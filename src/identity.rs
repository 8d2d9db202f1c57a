//! The resource identity of every resource type: `id`, and `region` where the
//! resource has one (filled in with the provider's region when left out). A
//! resource whose ID is made of the IDs of other objects has those as its
//! identity instead of `id` (a volume attachment: `server_id` and
//! `volume_id`, its ID being `<server_id>/<volume_id>`; a cluster or a
//! cluster stack: `namespace` and `name`).
//!
//! The identity is a projection of the state (see
//! [`tfplugin::framework::identity`]), so it is the same after an import by
//! ID, an import by identity and an apply, and it never changes across
//! in-place updates. An import by identity is the import by the ID the
//! identity makes.

use std::sync::Arc;

use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::framework::identity::state_from_identity;
use tfplugin::framework::{
    ApplyResult, CreateRequest, Ctx, IdentitySchema, PlanChange, RawState, Resource, UpdateRequest,
};
use tfplugin::schema::Schema;
use tfplugin::value::{Attr, Value};

use crate::support::client_for;

/// Resource types whose ID joins the IDs of other objects with `/`: the
/// attributes holding those IDs, in the ID's order.
const COMPOSITE_IDS: &[(&str, &[&str])] = &[
    ("scs_volume_attachment", &["server_id", "volume_id"]),
    ("scs_cluster_stack", &["namespace", "name"]),
    ("scs_cluster", &["namespace", "name"]),
];

/// `resource` with its identity: its own identity schema if it declares one,
/// else the parts of its ID (see [`COMPOSITE_IDS`]) or `id`, required for
/// import, and `region`, optional.
pub fn identified(resource: Arc<dyn Resource>) -> Arc<dyn Resource> {
    let parts = COMPOSITE_IDS
        .iter()
        .find(|(t, _)| *t == resource.type_name())
        .map_or(&["id"][..], |(_, parts)| parts);
    Arc::new(Identified(resource, parts))
}

struct Identified(Arc<dyn Resource>, &'static [&'static str]);

/// A state, or why there is none.
type StateResult = Result<Value, Diagnostics>;

impl Identified {
    /// The import ID an identity stands for: its parts joined with `/`.
    fn import_id(&self, identity: &Value) -> String {
        self.1
            .iter()
            .map(|p| identity.attr(p).and_then(Value::as_str).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Sets the state's `region`, when the resource has one and the import
    /// left it out, to the region the provider works in: the identity sent
    /// back after an import is then the one every later read returns.
    fn with_region(&self, ctx: &Ctx, mut state: Value) -> StateResult {
        let has_region = self.0.schema().block.get_attribute("region").is_some();
        let unset = state.attr("region").is_none_or(Value::is_null);
        if has_region
            && unset
            && let (_, Attr::Known(region)) = client_for(ctx, &Attr::Null)?
            && let Value::Object(fields) = &mut state
        {
            fields.insert("region".to_owned(), Value::from(region));
        }
        Ok(state)
    }
}

#[async_trait]
impl Resource for Identified {
    fn type_name(&self) -> &str {
        self.0.type_name()
    }

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn self_check(&self) -> Vec<String> {
        self.0.self_check()
    }

    async fn validate(&self, ctx: &Ctx, config: &Value) -> Diagnostics {
        self.0.validate(ctx, config).await
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        self.0.modify_plan(ctx, plan).await
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        self.0.create(ctx, req).await
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        self.0.read(ctx, state).await
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        self.0.update(ctx, req).await
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        self.0.delete(ctx, state).await
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> StateResult {
        let state = self.0.import(ctx, id).await?;
        self.with_region(ctx, state)
    }

    async fn upgrade_state(&self, ctx: &Ctx, version: i64, raw: RawState) -> StateResult {
        self.0.upgrade_state(ctx, version, raw).await
    }

    fn generate_config(&self, state: &Value) -> Value {
        self.0.generate_config(state)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        self.0.identity_schema().or_else(|| {
            Some(IdentitySchema::of_attributes(
                &self.0.schema(),
                self.1,
                &["region"],
            ))
        })
    }

    async fn import_identity(&self, ctx: &Ctx, identity: &Value) -> StateResult {
        if self.0.identity_schema().is_some() {
            return self.0.import_identity(ctx, identity).await;
        }
        // Import by the ID the identity makes; a region it names replaces
        // the provider's.
        let by_id = self.0.import(ctx, &self.import_id(identity)).await?;
        let state = state_from_identity(&self.0.schema(), identity, Some(by_id))?;
        self.with_region(ctx, state)
    }

    async fn upgrade_identity(&self, ctx: &Ctx, version: i64, raw: RawState) -> StateResult {
        self.0.upgrade_identity(ctx, version, raw).await
    }
}
