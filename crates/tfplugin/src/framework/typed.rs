//! Resources and data sources written against their typed [`Model`]
//! instead of raw [`Value`]s.
//!
//! The adapters here own everything that is the same for every resource:
//! decoding the request values into the model and encoding the answer,
//! the `timeouts` block (the context a hook gets already carries the
//! deadline of the operation), the default update of a resource whose every
//! argument forces replacement, import by ID, and the check that a model and
//! its schema agree (reported with the schema, so any test that loads the
//! provider's schema catches it).

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{
    ApplyResult, CreateRequest, Ctx, DataSource, IdentitySchema, PlanChange, RawState, Resource,
    UpdateRequest, import_by_id, unsupported_state_version,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Model, check_model, timeout_of};
use crate::schema::{Schema, TimeoutKind};
use crate::value::{Value, from_value};

/// The methods every typed adapter answers from the typed trait it wraps in
/// `self.0`: the type name, the schema, and the model-against-schema check.
/// `$t` is the wrapped type's parameter, which has `Model` and `TYPE_NAME`.
macro_rules! typed_basics {
    ($t:ident) => {
        fn type_name(&self) -> &str {
            $t::TYPE_NAME
        }

        fn schema(&self) -> Schema {
            self.0.schema()
        }

        fn self_check(&self) -> Vec<String> {
            check_model::<$t::Model>()
        }
    };
}
pub(super) use typed_basics;

/// The outcome of a create or update: the new state, diagnostics, or both.
/// [`ApplyResult`] is this for the raw [`Value`] a [`Resource`] returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Applied<M> {
    pub state: Option<M>,
    pub diagnostics: Diagnostics,
}

impl<M> Applied<M> {
    pub fn ok(state: M) -> Self {
        Self {
            state: Some(state),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Failure before anything was created or changed.
    pub fn failed(diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            state: None,
            diagnostics: diagnostics.into(),
        }
    }

    /// Failure after the object exists: Terraform keeps `state` and (after
    /// a create) taints it, so the next apply replaces it; nothing is
    /// orphaned.
    pub fn partial(state: M, diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            state: Some(state),
            diagnostics: diagnostics.into(),
        }
    }
}

impl<M> From<Result<M, Diagnostics>> for Applied<M> {
    fn from(r: Result<M, Diagnostics>) -> Self {
        match r {
            Ok(m) => Applied::ok(m),
            Err(d) => Applied::failed(d),
        }
    }
}

/// A managed resource written against its model. Register it with
/// [`typed_resource`].
#[async_trait]
pub trait TypedResource: Send + Sync + 'static {
    type Model: Model;

    /// The full type name, e.g. `"scs_network"`.
    const TYPE_NAME: &'static str;

    /// How long an operation may take when `timeouts` does not say.
    const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

    /// The schema; by default the model's. Override to set a version.
    fn schema(&self) -> Schema {
        Self::Model::schema()
    }

    /// Checks across attributes beyond the schema's block rules. `config`
    /// holds only the known elements of lists and sets.
    async fn validate(&self, _ctx: &Ctx, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// See [`Resource::modify_plan`]. Plans stay [`Value`]s: a model cannot
    /// say "this list has one unknown element", and a plan must keep that.
    async fn modify_plan(&self, _ctx: &Ctx, _plan: &mut PlanChange) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// Creates the object; `ctx` carries the create deadline. Return
    /// [`Applied::partial`] as soon as the object has an ID and a later step
    /// fails.
    async fn create(
        &self,
        ctx: &Ctx,
        planned: Self::Model,
        config: &Self::Model,
    ) -> Applied<Self::Model>;

    /// Refreshes the state; `Ok(None)` when the object is gone.
    async fn read(&self, ctx: &Ctx, state: Self::Model)
    -> Result<Option<Self::Model>, Diagnostics>;

    /// Updates in place; `ctx` carries the update deadline. The default is
    /// for resources whose every argument forces replacement: only
    /// `timeouts` can change, and the plan is the new state.
    async fn update(
        &self,
        _ctx: &Ctx,
        _prior: Self::Model,
        planned: Self::Model,
        _config: &Self::Model,
    ) -> Applied<Self::Model> {
        Applied::ok(planned)
    }

    /// Deletes the object; `ctx` carries the delete deadline. An object
    /// that is already gone is success.
    async fn delete(&self, ctx: &Ctx, state: Self::Model) -> Result<(), Diagnostics>;

    /// The state `read` completes after `import`; by default the ID alone.
    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Self::Model, Diagnostics> {
        if id.trim().is_empty() {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("Import a {} by its ID.", Self::TYPE_NAME),
            )
            .into());
        }
        Ok(from_value(&import_by_id(&self.schema(), id)?)?)
    }

    /// See [`Resource::identity_schema`].
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// See [`Resource::upgrade_state`].
    async fn upgrade_state(
        &self,
        _ctx: &Ctx,
        version: i64,
        _raw: RawState,
    ) -> Result<Value, Diagnostics> {
        Err(unsupported_state_version(Self::TYPE_NAME, version))
    }
}

/// A data source written against its model. Register it with
/// [`typed_data_source`].
#[async_trait]
pub trait TypedDataSource: Send + Sync + 'static {
    type Model: Model;

    const TYPE_NAME: &'static str;

    fn schema(&self) -> Schema {
        Self::Model::schema()
    }

    /// Checks across attributes; `config` holds only known list elements.
    async fn validate(&self, _ctx: &Ctx, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Reads the data for a wholly known configuration.
    async fn read(&self, ctx: &Ctx, config: Self::Model) -> Result<Self::Model, Diagnostics>;
}

/// `resource` as a [`Resource`] the dispatcher serves.
pub fn typed_resource<R: TypedResource>(resource: R) -> Arc<dyn Resource> {
    Arc::new(TypedResourceAdapter(resource))
}

/// `source` as a [`DataSource`] the dispatcher serves.
pub fn typed_data_source<D: TypedDataSource>(source: D) -> Arc<dyn DataSource> {
    Arc::new(TypedDataSourceAdapter(source, PhantomData))
}

struct TypedResourceAdapter<R>(R);

/// The model of a configuration, with the unknown elements of lists and
/// sets left out so that checks judge only what is known.
pub fn config_for_checks<M: serde::de::DeserializeOwned>(config: &Value) -> Result<M, Diagnostics> {
    Ok(from_value(&without_unknown_elements(config))?)
}

fn without_unknown_elements(value: &Value) -> Value {
    let known = |items: &[Value]| -> Vec<Value> {
        items
            .iter()
            .filter(|v| !v.is_unknown())
            .map(without_unknown_elements)
            .collect()
    };
    match value {
        Value::List(items) => Value::List(known(items)),
        Value::Set(items) => Value::Set(known(items)),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), without_unknown_elements(v)))
                .collect(),
        ),
        Value::Map(fields) => Value::Map(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), without_unknown_elements(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `ctx` limited by the model's `timeouts` entry for `kind`, or `default`.
/// Read has no default limit: a refresh is bounded by the client's own
/// request timeouts.
fn limited<M: Model>(
    ctx: &Ctx,
    model: &M,
    kind: TimeoutKind,
    default: Duration,
) -> Result<Ctx, Diagnostics> {
    Ok(match (timeout_of(model, kind)?, kind) {
        (Some(limit), _) => ctx.with_timeout(limit),
        (None, TimeoutKind::Read) => ctx.clone(),
        (None, _) => ctx.with_timeout(default),
    })
}

fn encode<M: Model>(ctx: &Ctx, applied: Applied<M>) -> ApplyResult {
    let Applied {
        state,
        mut diagnostics,
    } = applied;
    match state.map(|s| ctx.to_value(&s)).transpose() {
        Ok(state) => ApplyResult { state, diagnostics },
        Err(e) => {
            diagnostics.extend(e);
            ApplyResult {
                state: None,
                diagnostics,
            }
        }
    }
}

#[async_trait]
impl<R: TypedResource> Resource for TypedResourceAdapter<R> {
    typed_basics!(R);

    async fn validate(&self, ctx: &Ctx, config: &Value) -> Diagnostics {
        match config_for_checks::<R::Model>(config) {
            Ok(model) => self.0.validate(ctx, &model).await,
            Err(d) => d,
        }
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        self.0.modify_plan(ctx, plan).await
    }

    async fn create(&self, ctx: &Ctx, req: CreateRequest) -> ApplyResult {
        let run = async {
            let planned: R::Model = req.planned_as()?;
            let config: R::Model = req.config_as()?;
            let ctx = limited(ctx, &planned, TimeoutKind::Create, R::DEFAULT_TIMEOUT)?;
            Ok::<_, Diagnostics>(self.0.create(&ctx, planned, &config).await)
        };
        match run.await {
            Ok(applied) => encode(ctx, applied),
            Err(d) => ApplyResult::failed(d),
        }
    }

    async fn read(&self, ctx: &Ctx, state: Value) -> Result<Option<Value>, Diagnostics> {
        let state: R::Model = from_value(&state)?;
        let ctx = limited(ctx, &state, TimeoutKind::Read, R::DEFAULT_TIMEOUT)?;
        match self.0.read(&ctx, state).await? {
            Some(m) => Ok(Some(ctx.to_value(&m)?)),
            None => Ok(None),
        }
    }

    async fn update(&self, ctx: &Ctx, req: UpdateRequest) -> ApplyResult {
        let run = async {
            let prior: R::Model = req.prior_as()?;
            let planned: R::Model = req.planned_as()?;
            let config: R::Model = req.config_as()?;
            let ctx = limited(ctx, &planned, TimeoutKind::Update, R::DEFAULT_TIMEOUT)?;
            Ok::<_, Diagnostics>(self.0.update(&ctx, prior, planned, &config).await)
        };
        match run.await {
            Ok(applied) => encode(ctx, applied),
            Err(d) => ApplyResult::failed(d),
        }
    }

    async fn delete(&self, ctx: &Ctx, state: Value) -> Result<(), Diagnostics> {
        let state: R::Model = from_value(&state)?;
        let ctx = limited(ctx, &state, TimeoutKind::Delete, R::DEFAULT_TIMEOUT)?;
        self.0.delete(&ctx, state).await
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let model = self.0.import(ctx, id).await?;
        ctx.to_value(&model)
    }

    async fn upgrade_state(
        &self,
        ctx: &Ctx,
        version: i64,
        raw: RawState,
    ) -> Result<Value, Diagnostics> {
        self.0.upgrade_state(ctx, version, raw).await
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        self.0.identity_schema()
    }
}

struct TypedDataSourceAdapter<D: TypedDataSource>(D, PhantomData<fn() -> D::Model>);

#[async_trait]
impl<D: TypedDataSource> DataSource for TypedDataSourceAdapter<D> {
    typed_basics!(D);

    async fn validate(&self, ctx: &Ctx, config: &Value) -> Diagnostics {
        match config_for_checks::<D::Model>(config) {
            Ok(model) => self.0.validate(ctx, &model).await,
            Err(d) => d,
        }
    }

    async fn read(&self, ctx: &Ctx, config: Value) -> Result<Value, Diagnostics> {
        let config: D::Model = from_value(&config)?;
        let model = self.0.read(ctx, config).await?;
        ctx.to_value(&model)
    }
}
