//! The traits a provider, its resources and data sources implement, and the
//! machinery that turns Terraform's RPCs into calls on them.
//!
//! Values are passed as [`Value`]s of the schema's object type; use
//! [`crate::value::from_value`] / [`Ctx::to_value`] (or the `*_as` helpers
//! on the request types) to work with typed structs whose fields are
//! [`crate::value::Attr`].
//!
//! A minimal resource:
//!
//! ```
//! use async_trait::async_trait;
//! use serde::{Deserialize, Serialize};
//! use tfplugin::diagnostics::Diagnostics;
//! use tfplugin::framework::{ApplyResult, CreateRequest, Ctx, Resource, UpdateRequest};
//! use tfplugin::schema::{Attribute, Block, Schema};
//! use tfplugin::value::{Attr, Value};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Note {
//!     id: Attr<String>,
//!     text: Attr<String>,
//! }
//!
//! struct NoteResource;
//!
//! #[async_trait]
//! impl Resource for NoteResource {
//!     fn type_name(&self) -> &str {
//!         "example_note"
//!     }
//!
//!     fn schema(&self) -> Schema {
//!         Schema::new(
//!             Block::new()
//!                 .description("A note.")
//!                 .attribute(Attribute::string("id").computed().use_state_for_unknown())
//!                 .attribute(Attribute::string("text").required().requires_replace()),
//!         )
//!     }
//!
//!     async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
//!         let created = async {
//!             let mut note: Note = req.planned_as()?;
//!             note.id = Attr::Known("note-1".into()); // from the API's answer
//!             ctx.to_value(&note)
//!         };
//!         created.await.into()
//!     }
//!
//!     async fn read(&self, _ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
//!         Ok(Some(state)) // Ok(None) when the API says 404
//!     }
//!
//!     async fn update(&self, _ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
//!         ApplyResult::ok(req.planned)
//!     }
//!
//!     async fn delete(&self, _ctx: &Ctx, _state: Value) -> Result<(), Diagnostics> {
//!         Ok(())
//!     }
//! }
//! ```

mod capture;
mod convert;
mod ctx;
pub mod dispatch;
pub mod ephemeral;
pub mod function;
pub mod generate;
pub mod identity;
pub mod list;
pub mod moves;
pub mod plan;
mod scrub;
pub mod typed;
pub mod validate;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;

pub use capture::CAPTURE_DIR_ENV;
pub use ctx::{Ctx, Interrupted, ProviderData};
pub use dispatch::Dispatch;
pub use ephemeral::{
    EphemeralResource, Opened, Renewed, TypedEphemeralResource, typed_ephemeral_resource,
};
pub use function::{
    Function, FunctionArgs, FunctionError, FunctionSignature, Parameter, TypedFunction,
    typed_function,
};
pub use identity::{IdentityAttribute, IdentitySchema};
pub use list::{ListResource, Listed};
pub use moves::{MoveSource, ProviderAddress, StateMover};
pub use typed::{
    Applied, TypedDataSource, TypedResource, config_for_checks, typed_data_source, typed_resource,
};

use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::value::{JsonOptions, Type, Value, decode_json_with, from_value};

/// Serves `provider` over the plugin protocol: the entry point of a
/// provider binary's `main`. With `options.debug` it serves for
/// `TF_REATTACH_PROVIDERS` instead of being launched by a client.
pub async fn serve_provider(
    provider: impl Provider,
    options: crate::server::ServeOptions,
) -> Result<(), crate::server::ServeError> {
    crate::server::serve(Dispatch::new(provider), options).await
}

/// A provider: its configuration schema, configuration, and the resources
/// and data sources it offers.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider's local name, e.g. `"scs"`; resource type names start with it.
    fn type_name(&self) -> &str;

    /// The schema of the `provider "..." { }` block.
    fn schema(&self) -> Schema;

    /// Checks the provider configuration. Values may be unknown (they can
    /// come from other resources); accept them.
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Configures the provider; the returned data reaches every later call
    /// through [`Ctx::provider_data`]. Values may still be unknown when
    /// Terraform plans before the values they depend on exist.
    async fn configure(&self, ctx: &Ctx, config: &Value) -> Result<ProviderData, Diagnostics>;

    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }

    /// Ephemeral resource types (`ephemeral "TYPE" "NAME" { }`).
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }

    /// List resources (`list "TYPE" "NAME" { }` in `.tfquery.hcl` files),
    /// one per managed resource type that can be listed.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }

    /// Provider-defined functions, called as `provider::NAME::FUNCTION(...)`.
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }

    /// What turns states of other resource types (usually of another
    /// provider) into states of this provider's types, for `moved` blocks
    /// that change the type; see [`moves`].
    fn state_movers(&self) -> Vec<Arc<dyn StateMover>> {
        Vec::new()
    }

    /// Called on StopProvider, after every in-flight request's
    /// [`Ctx::cancellation_token`] was cancelled: a hook to cancel work that
    /// is not tied to a request context (for example a client-wide token).
    fn stop(&self) {}
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The full type name, e.g. `"scs_network"`.
    fn type_name(&self) -> &str;

    /// The schema; `Schema::version` drives `upgrade_state`.
    fn schema(&self) -> Schema;

    /// Mismatches between the resource's model and its schema (see
    /// [`crate::model::check_model`]); reported as errors with the schema.
    fn self_check(&self) -> Vec<String> {
        Vec::new()
    }

    /// Cross-attribute checks on configuration (per-attribute validators
    /// in the schema run before this). Values may be unknown.
    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts the plan after the framework's own steps (defaults, computed
    /// unknowns, use-state-for-unknown, requires-replace). Also called for a
    /// destroy plan (`plan.planned` null) so it can warn; the destroy plan
    /// stays null whatever the hook does.
    async fn modify_plan(&self, _ctx: &Ctx, _plan: &mut PlanChange) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Creates the object. Return the state as soon as the cloud has an ID
    /// (see [`ApplyResult::partial`]) so a failed wait leaves a tainted
    /// resource Terraform can delete, not an orphan.
    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult;

    /// Refreshes `state` from the cloud; `Ok(None)` means it is gone (it is
    /// removed from state and planned for creation).
    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics>;

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult;

    /// Deletes the object; an already-missing object is success.
    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics>;

    /// Turns an import ID into a state for `read` to complete. The default
    /// sets the `id` attribute and leaves the rest null.
    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        import_by_id(&self.schema(), id)
    }

    /// Upgrades state written by schema `version` (older than the current
    /// one) to the current schema. `raw` is in the old schema's shape.
    async fn upgrade_state(
        &self,
        _ctx: &Ctx,
        version: i64,
        _raw: RawState,
    ) -> Result<Value, Diagnostics> {
        Err(unsupported_state_version(self.type_name(), version))
    }

    /// The configuration `terraform query -generate-config-out` and `plan
    /// -generate-config-out` write for an object whose state is `state` (a
    /// known, non-null state). The default is
    /// [`generate::config_from_state`]; override it where attributes the
    /// schema's rules do not cover exclude each other.
    fn generate_config(&self, state: &Value) -> Value {
        generate::config_from_state(&self.schema().block, state)
    }

    /// The resource identity (see [`identity`]); `None`: the type has none,
    /// and clients that know identities import it by ID only.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// Turns an identity from `import { identity = { ... } }` (its required
    /// attributes are set) into a state for `read` to complete. The default
    /// imports by the identity's `id` and copies the other identity
    /// attributes that are set into the state.
    async fn import_identity(&self, ctx: &Ctx, identity: &Value) -> Result<Value, Diagnostics> {
        let by_id = match identity.attr("id").and_then(Value::as_str) {
            Some(id) => Some(self.import(ctx, id).await?),
            None => None,
        };
        identity::state_from_identity(&self.schema(), identity, by_id)
    }

    /// Upgrades an identity stored by identity schema `version` (older than
    /// the current one); `raw` is in the old identity's shape.
    async fn upgrade_identity(
        &self,
        _ctx: &Ctx,
        version: i64,
        _raw: RawState,
    ) -> Result<Value, Diagnostics> {
        Err(identity::unsupported_identity_version(
            self.type_name(),
            version,
        ))
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The full type name, e.g. `"scs_network"`.
    fn type_name(&self) -> &str;

    fn schema(&self) -> Schema;

    /// See [`Resource::self_check`].
    fn self_check(&self) -> Vec<String> {
        Vec::new()
    }

    async fn validate(&self, _ctx: &Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data; `config` is wholly known. Return the full object
    /// (configuration plus computed attributes).
    async fn read(&self, ctx: &Ctx, config: Value) -> Result<Value, Diagnostics>;
}

/// The plan of one resource instance, as seen by [`Resource::modify_plan`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChange {
    /// Null on create.
    pub prior: Value,
    pub config: Value,
    /// Null on destroy.
    pub planned: Value,
    /// Paths whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
}

impl PlanChange {
    pub fn is_create(&self) -> bool {
        self.prior.is_null()
    }

    pub fn is_destroy(&self) -> bool {
        self.planned.is_null()
    }

    pub fn config_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.config)?)
    }

    pub fn planned_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.planned)?)
    }

    pub fn prior_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.prior)?)
    }

    /// Sets top-level attribute `name` of the planned value (no-op on a
    /// destroy plan or for an attribute the schema does not have).
    pub fn set_planned(&mut self, name: &str, value: Value) {
        if let Some(v) = self.planned.get_path_mut(&AttributePath::attr(name)) {
            *v = value;
        }
    }

    /// For a list block whose attribute `computed` the cloud fills in when
    /// the configuration leaves it out (a port's address in `fixed_ip`):
    /// each planned element takes the prior value of the element with the
    /// same `key` (so an unchanged element plans no change), else unknown.
    pub fn carry_computed(&mut self, block: &str, key: &str, computed: &str) {
        let elements = |v: &Value| {
            v.attr(block)
                .and_then(Value::as_elements)
                .map(<[Value]>::to_vec)
                .unwrap_or_default()
        };
        let (config, prior) = (elements(&self.config), elements(&self.prior));
        let Some(Value::List(planned)) = self.planned.get_path_mut(&AttributePath::attr(block))
        else {
            return;
        };
        for (i, element) in planned.iter_mut().enumerate() {
            let configured = config
                .get(i)
                .and_then(|c| c.attr(computed))
                .is_some_and(|v| !v.is_null());
            if configured {
                continue;
            }
            let wanted_key = element.attr(key).cloned();
            let from_prior = prior
                .get(i)
                .filter(|p| p.attr(key).cloned() == wanted_key)
                .or_else(|| prior.iter().find(|p| p.attr(key).cloned() == wanted_key))
                .and_then(|p| p.attr(computed).cloned())
                .filter(Value::is_known);
            if let Value::Object(fields) = element {
                fields.insert(computed.to_owned(), from_prior.unwrap_or(Value::Unknown));
            }
        }
    }

    /// Whether the configuration sets top-level attribute `name`.
    pub fn configured(&self, name: &str) -> bool {
        self.config.attr(name).is_some_and(|v| !v.is_null())
    }
}

/// Input of [`Resource::create`].
#[derive(Debug, Clone, PartialEq)]
pub struct CreateRequest {
    pub planned: Value,
    /// Configuration, the only place write-only values appear.
    pub config: Value,
}

impl CreateRequest {
    pub fn planned_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.planned)?)
    }

    pub fn config_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.config)?)
    }
}

/// Input of [`Resource::update`].
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRequest {
    pub prior: Value,
    pub planned: Value,
    pub config: Value,
}

impl UpdateRequest {
    pub fn prior_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.prior)?)
    }

    pub fn planned_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.planned)?)
    }

    pub fn config_as<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        Ok(from_value(&self.config)?)
    }
}

/// Output of create and update: a state, diagnostics, or both. `state: None`
/// with errors means nothing was created (create) or nothing changed
/// (update: the prior state is kept); see [`Applied`] for the constructors.
pub type ApplyResult = Applied<Value>;

/// State as stored by an older provider version (UpgradeResourceState).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawState {
    /// The state as JSON, in the old schema's shape.
    pub json: Option<Vec<u8>>,
    /// Legacy SDKv1 flatmap state; never written by this framework.
    pub flatmap: BTreeMap<String, String>,
}

impl RawState {
    /// Decodes the JSON state with `ty` (usually the old schema's type),
    /// dropping attributes the type does not know.
    pub fn decode(&self, ty: &Type) -> Result<Value, Diagnostics> {
        let json = self.json.as_deref().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Unsupported state format",
                "The stored state is in the legacy flatmap format, which this provider cannot read.",
            ))
        })?;
        Ok(decode_json_with(
            json,
            ty,
            JsonOptions {
                ignore_undefined_attributes: true,
            },
        )?)
    }
}

/// What a resource without a state upgrade answers for state of an older
/// schema `version`.
pub fn unsupported_state_version(type_name: &str, version: i64) -> Diagnostics {
    Diagnostic::error(
        "Unsupported state version",
        format!("{type_name} cannot upgrade state from schema version {version}."),
    )
    .into()
}

/// The default import: a state whose `id` attribute is the import ID.
pub fn import_by_id(schema: &Schema, id: &str) -> Result<Value, Diagnostics> {
    let ty = schema.value_type();
    let has_id = ty.attributes().is_some_and(|a| a.contains_key("id"));
    if !has_id {
        return Err(Diagnostic::error(
            "Import not supported",
            "This resource type has no id attribute to import by.",
        )
        .into());
    }
    Ok(Value::object([("id", Value::from(id))]).conform(&ty)?)
}
