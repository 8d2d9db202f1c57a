//! The life cycle of one cloud object behind a resource, written once.
//!
//! A resource says how its object is created, fetched, changed and deleted
//! ([`CloudObject`]); [`Managed`] does the rest the same way for all of
//! them:
//! - create: the object's ID is in state before anything can still fail,
//!   so waiting for it or tagging it after the create leaves a tainted
//!   resource Terraform deletes or replaces, never an orphan; a create
//!   request already sent when Terraform cancels or the timeout passes is
//!   waited for, so what it made lands in state (tainted) as well, and the
//!   client adopts what a create made when its answer is lost instead of
//!   creating it twice;
//! - read: a 404 removes the resource from state (Terraform plans to
//!   create it again) instead of failing the refresh;
//! - update: the update request is sent only when a field changed, tags
//!   follow, and the object vanishing meanwhile is an error;
//! - delete: an object that is already gone is success, and where the
//!   cloud answers 409 while dependants are still going away, the client
//!   retries until the timeout;
//! - every step runs under the operation's timeout and Terraform's cancel,
//!   and every cloud error names the step and carries the cloud's message
//!   and request ID.

use std::time::Duration;

use async_trait::async_trait;
use scs_client::Client;
use scs_client::model::{ApiObject, Objects};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{Applied, Ctx, PlanChange, TypedResource};
use tfplugin::model::Model;
use tfplugin::value::Attr;

use crate::support::{
    Cloud, budget, changed, changed_nullable, changed_tags, client_for, cloud_error,
    configured_tags, interrupted, with_owner_tag,
};

/// Why a step of a life-cycle hook failed: the cloud refused (its error is
/// turned into a diagnostic naming the step), or the hook itself found
/// something to say (its diagnostics are passed on as they are).
#[derive(Debug)]
pub enum Failure {
    Cloud(scs_client::Error),
    Invalid(Diagnostics),
}

impl From<scs_client::Error> for Failure {
    fn from(e: scs_client::Error) -> Self {
        Failure::Cloud(e)
    }
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Self {
        Failure::Invalid(d)
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure::Invalid(d.into())
    }
}

impl Failure {
    fn into_diagnostics(self, summary: &str) -> Diagnostics {
        match self {
            Failure::Cloud(e) => cloud_error(summary, &e),
            Failure::Invalid(d) => d,
        }
    }
}

/// How long a create whose operation was cancelled or timed out may still
/// take to answer: long enough for a slow API, short enough that Ctrl-C
/// ends the run within a few minutes at worst.
const CREATE_ANSWER_GRACE: Duration = Duration::from_secs(120);

/// What a hook returns.
pub type Step<T> = Result<T, Failure>;

/// The create request body of a [`CloudObject`]'s API object.
pub type Create<T> = <<T as CloudObject>::Api as ApiObject>::Create;
/// The update request body of a [`CloudObject`]'s API object.
pub type Update<T> = <<T as CloudObject>::Api as ApiObject>::Update;

/// A create as the hooks see it: the cloud it happens in, the plan, and the configuration as
/// written for the few mappings that must tell a value the user set from one Terraform computed.
/// It dereferences to the plan.
pub struct Plan<'a, M> {
    pub cloud: &'a Cloud<'a>,
    pub planned: &'a M,
    pub config: &'a M,
}

/// An in-place update as the hooks see it: the cloud it happens in, the object's ID, the state
/// before, the plan and the configuration as written. It dereferences to the plan.
pub struct Change<'a, M> {
    pub cloud: &'a Cloud<'a>,
    pub id: &'a str,
    pub prior: &'a M,
    pub planned: &'a M,
    pub config: &'a M,
}

impl<M> Change<'_, M> {
    /// The planned value of one field when it differs from the prior one: what an update
    /// request sends.
    pub fn changed<T: Clone + PartialEq>(&self, field: impl Fn(&M) -> &Attr<T>) -> Option<T> {
        changed(field(self.prior), field(self.planned))
    }

    /// Like [`Change::changed`], for fields the APIs clear by sending them empty (a name, a
    /// description, metadata): when the plan clears the field, its empty value.
    pub fn changed_or_cleared<T: Clone + PartialEq + Default>(
        &self,
        field: impl Fn(&M) -> &Attr<T>,
    ) -> Option<T> {
        changed_nullable(field(self.prior), field(self.planned)).map(Option::unwrap_or_default)
    }
}

/// A state as `complete` sees it: the cloud, the state `state_from` made, and the state it was
/// made against (the prior state, or the plan after a create or an update).
pub struct Found<'a, M> {
    pub cloud: &'a Cloud<'a>,
    pub state: M,
    pub prior: &'a M,
}

// Hand-written: derived `Clone`/`Copy` would demand `M: Copy`, but only references are copied.
impl<M> Clone for Plan<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Plan<'_, M> {}
impl<M> Clone for Change<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Change<'_, M> {}

impl<M> std::ops::Deref for Plan<'_, M> {
    type Target = M;

    fn deref(&self) -> &M {
        self.planned
    }
}

impl<M> std::ops::Deref for Change<'_, M> {
    type Target = M;

    fn deref(&self) -> &M {
        self.planned
    }
}

/// One kind of cloud object behind a resource: its model, and how the API
/// creates, fetches, changes and deletes it. Register it as
/// `typed_resource(Managed(MyObject))`.
///
/// For objects the client knows to live in a plain REST collection
/// ([`ApiObject::objects`]), a resource says how to build the create request
/// ([`CloudObject::create_body`]) and the update request
/// ([`CloudObject::update_body`]); fetching, updating, tagging and deleting
/// then need no code. Anything else overrides the hook it needs.
#[async_trait]
pub trait CloudObject: Send + Sync + 'static {
    /// The resource's attributes; its `id`, `region`, `tags` and
    /// `timeouts` fields are handled here.
    type Model: Model;
    /// The object as the API returns it; the client knows its request
    /// bodies and its collection.
    type Api: ApiObject;

    const TYPE_NAME: &'static str;
    /// How messages name one object: "network", "security group rule".
    const KIND: &'static str = <Self::Api as ApiObject>::KIND;
    /// Whether a delete answered with 409 Conflict is tried again until the
    /// timeout (objects whose dependants are still going away).
    const RETRY_DELETE_CONFLICTS: bool = <Self::Api as ApiObject>::DELETE_WAITS_FOR_DEPENDANTS;
    const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

    /// The state for `api`, keeping what only the configuration knows from
    /// `prior` (the plan after a create). `region` and `timeouts` are taken
    /// from `prior` whatever this returns, and `id` is the object's own
    /// unless this sets another.
    fn state_from(&self, api: Self::Api, prior: &Self::Model) -> Self::Model;

    /// The create request for the plan.
    fn create_body(&self, _plan: Plan<'_, Self::Model>) -> Step<Create<Self>> {
        Err(unsupported::<Self>("create").into())
    }

    /// Sends the create request.
    async fn create(&self, plan: Plan<'_, Self::Model>) -> Step<Self::Api> {
        let body = self.create_body(plan)?;
        Ok(collection(self)?.create(plan.cloud, &body).await?)
    }

    /// After the create answered: wait until the object is usable (a volume
    /// `available`). A failure keeps the object in state, tainted.
    async fn settle(&self, created: Self::Api, _plan: Plan<'_, Self::Model>) -> Step<Self::Api> {
        Ok(created)
    }

    /// Fetches the object; `None` when the cloud says it does not exist.
    async fn get(&self, cloud: &Cloud<'_>, id: &str) -> Step<Option<Self::Api>> {
        Ok(collection(self)?.get(cloud, id).await?)
    }

    /// Whether the object the cloud returned still stands for the resource
    /// in `prior` (a router port that moved to another router does not);
    /// when not, the resource is gone.
    fn still_ours(&self, _api: &Self::Api, _prior: &Self::Model) -> bool {
        true
    }

    /// Completes a state with what needs another request (a name for an
    /// ID the object refers to). Runs after every `state_from`, with the
    /// same `prior`.
    async fn complete(&self, found: Found<'_, Self::Model>) -> Step<Self::Model> {
        Ok(found.state)
    }

    /// The update request for the fields that changed.
    fn update_body(&self, _change: Change<'_, Self::Model>) -> Step<Update<Self>> {
        Ok(Update::<Self>::default())
    }

    /// Sends the update request; only called with a non-default body. Returns the object as
    /// the answer shows it, which spares reading it back, or `None` when the answer does not
    /// carry it.
    async fn update(
        &self,
        cloud: &Cloud<'_>,
        id: &str,
        body: Update<Self>,
    ) -> Step<Option<Self::Api>> {
        Ok(Some(collection(self)?.update(cloud, id, &body).await?))
    }

    /// In-place changes that are actions rather than fields of the update
    /// request (resize a volume, attach a port); runs after `update`.
    /// Returns whether it changed the object (which is then read back).
    async fn update_actions(&self, _change: Change<'_, Self::Model>) -> Step<bool> {
        Ok(false)
    }

    /// Replaces every tag; only called for models with a `tags` field.
    async fn set_tags(&self, client: &Client, id: &str, tags: &[String]) -> Step<()> {
        Ok(collection(self)?.set_tags(client, id, tags).await?)
    }

    /// Sends the delete request (and waits, where deleting takes time).
    /// An object that is already gone is success. `state` is the state
    /// being destroyed.
    async fn delete(&self, cloud: &Cloud<'_>, id: &str, _state: &Self::Model) -> Step<()> {
        Ok(collection(self)?.delete(cloud, id).await?)
    }

    /// Checks across attributes beyond the schema's rules.
    fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// See [`tfplugin::framework::Resource::modify_plan`]; not called for a destroy.
    async fn modify_plan(&self, _ctx: &Ctx, _plan: &mut PlanChange) -> Result<(), Diagnostics> {
        Ok(())
    }

    /// The state `read` completes after `terraform import ID`.
    async fn import(&self, _ctx: &Ctx, id: &str) -> Result<Self::Model, Diagnostics> {
        let mut model = Self::Model::default();
        model.set_id(Attr::Known(id.to_owned()));
        Ok(model)
    }
}

/// A hook that a resource without a collection handle must implement itself.
fn unsupported<T: CloudObject + ?Sized>(hook: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Cannot {hook} {}", T::KIND),
        format!(
            "{} has no {hook} step; this is a bug in the provider.",
            T::TYPE_NAME
        ),
    )
    .into()
}

fn collection<T: CloudObject + ?Sized>(_: &T) -> Result<&'static Objects<T::Api>, Failure> {
    T::Api::objects().ok_or_else(|| Failure::Invalid(unsupported::<T>("reach the collection of")))
}

/// The [`TypedResource`] for a [`CloudObject`].
pub struct Managed<T>(pub T);

impl<T: CloudObject> Managed<T> {
    /// Runs one step under the context's deadline and cancellation.
    async fn step<R>(
        ctx: &Ctx,
        summary: &str,
        fut: impl Future<Output = Step<R>>,
    ) -> Result<R, Diagnostics> {
        match ctx.run(fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(f)) => Err(f.into_diagnostics(summary)),
            Err(why) => Err(interrupted(summary, why)),
        }
    }

    /// Runs the create hook. Unlike the other steps it is not dropped when
    /// Terraform cancels or the timeout passes: a create request that went
    /// out may still make the object, and its answer is the only record of
    /// its ID. The client stops the hook at its next safe point instead, and
    /// an object that was made comes back with the interruption, to be kept
    /// in state as tainted rather than orphaned.
    async fn create_step(
        &self,
        cloud: &Cloud<'_>,
        planned: &T::Model,
        config: &T::Model,
    ) -> Result<(T::Api, Option<Diagnostics>), Diagnostics> {
        let summary = Self::summary("create");
        let create = self.0.create(Plan {
            cloud,
            planned,
            config,
        });
        tokio::pin!(create);
        let why = match cloud.ctx.run(&mut create).await {
            Ok(Ok(api)) => return Ok((api, None)),
            Ok(Err(f)) => return Err(f.into_diagnostics(&summary)),
            Err(why) => why,
        };
        let mut diags = interrupted(&summary, why);
        match tokio::time::timeout(CREATE_ANSWER_GRACE, create).await {
            Ok(Ok(api)) => {
                diags.push(Diagnostic::warning(
                    format!("The {} was created before the operation stopped", T::KIND),
                    format!(
                        "{} {} is kept in state as tainted: the next apply replaces it.",
                        T::KIND,
                        api.id()
                    ),
                ));
                Ok((api, Some(diags)))
            }
            Ok(Err(f)) => {
                diags.extend(f.into_diagnostics(&summary));
                Err(diags)
            }
            Err(_) => {
                diags.push(Diagnostic::error(
                    format!("No answer to the {} create", T::KIND),
                    format!(
                        "The create request was still unanswered {} s after the operation stopped. \
                         If the cloud made the {} anyway, import it or delete it.",
                        CREATE_ANSWER_GRACE.as_secs(),
                        T::KIND
                    ),
                ));
                Err(diags)
            }
        }
    }

    fn summary(verb: &str) -> String {
        format!("Cannot {verb} {}", T::KIND)
    }

    /// The state for `api`: the hook's mapping, with `region` and
    /// `timeouts` as the prior state has them, and the object's ID unless
    /// the mapping chose another.
    fn state_of(&self, api: T::Api, prior: &T::Model) -> T::Model {
        let id = api.id().to_owned();
        let tags = api.tags().map(<[String]>::to_vec);
        let mut state = self.0.state_from(api, prior);
        if let (Some(tags), Some(prior_tags)) = (tags, prior.tags()) {
            state.set_tags(configured_tags(&tags, prior_tags));
        }
        if stored_id(&state).is_none() {
            state.set_id(Attr::Known(id));
        }
        if let Some(region) = prior.region() {
            state.set_region(region.clone());
        }
        if let Some(timeouts) = prior.timeouts() {
            state.set_timeouts(timeouts.clone());
        }
        state
    }

    /// The current state of object `id`, `None` when it is gone.
    async fn refresh(
        &self,
        cloud: &Cloud<'_>,
        id: &str,
        prior: &T::Model,
    ) -> Result<Option<T::Model>, Diagnostics> {
        let summary = Self::summary("read");
        let Some(api) = Self::step(cloud.ctx, &summary, self.0.get(cloud, id)).await? else {
            return Ok(None);
        };
        if !self.0.still_ours(&api, prior) {
            return Ok(None);
        }
        let state = self.state_of(api, prior);
        self.completed(cloud, state, prior).await.map(Some)
    }

    /// `state` completed by the object's `complete` hook; a failure reads as a failed read.
    async fn completed(
        &self,
        cloud: &Cloud<'_>,
        state: T::Model,
        prior: &T::Model,
    ) -> Result<T::Model, Diagnostics> {
        let found = Found {
            cloud,
            state,
            prior,
        };
        Self::step(cloud.ctx, &Self::summary("read"), self.0.complete(found)).await
    }
}

fn stored_id<M: Model>(model: &M) -> Option<String> {
    model
        .id()
        .and_then(Attr::known)
        .filter(|id| !id.is_empty())
        .cloned()
}

#[async_trait]
impl<T: CloudObject> TypedResource for Managed<T> {
    type Model = T::Model;
    const TYPE_NAME: &'static str = T::TYPE_NAME;
    const DEFAULT_TIMEOUT: Duration = T::DEFAULT_TIMEOUT;

    async fn validate(&self, _ctx: &Ctx, config: &T::Model) -> Diagnostics {
        self.0.validate(config)
    }

    async fn modify_plan(&self, ctx: &Ctx, plan: &mut PlanChange) -> Result<(), Diagnostics> {
        if plan.is_destroy() {
            return Ok(());
        }
        self.0.modify_plan(ctx, plan).await
    }

    async fn create(
        &self,
        ctx: &Ctx,
        mut planned: T::Model,
        config: &T::Model,
    ) -> Applied<T::Model> {
        let no_region = Attr::Null;
        let (client, region) = match client_for(ctx, planned.region().unwrap_or(&no_region)) {
            Ok(c) => c,
            Err(d) => return Applied::failed(d),
        };
        planned.set_region(region);
        let cloud = Cloud::new(ctx, &client);
        let summary = Self::summary("create");
        let created = match self.create_step(&cloud, &planned, config).await {
            Ok((api, None)) => api,
            Ok((api, Some(stopped))) => {
                return Applied::partial(self.state_of(api, &planned), stopped);
            }
            Err(d) => return Applied::failed(d),
        };
        // From here on the object exists: every failure keeps it in state.
        let taggable = created.tags().is_some();
        let mut state = self.state_of(created.clone(), &planned);
        let plan = Plan {
            cloud: &cloud,
            planned: &planned,
            config,
        };
        let settled = Self::step(ctx, &summary, self.0.settle(created, plan)).await;
        match settled {
            Ok(api) => state = self.state_of(api, &planned),
            Err(d) => {
                // The object as it is now (often in an error status) says more than the create
                // answer did.
                if let Some(id) = stored_id(&state)
                    && let Ok(Some(now)) = self.refresh(&cloud, &id, &planned).await
                {
                    state = now;
                }
                return Applied::partial(state, d);
            }
        }
        // Every object of a kind with tags gets the owner tag, also when the configuration sets
        // none: it is what finds the objects a lost state left behind.
        if let (Some(id), Some(tags), true) = (stored_id(&state), planned.tags(), taggable) {
            let with_owner = with_owner_tag(tags.known().map_or(&[], Vec::as_slice));
            let tagged = Self::step(ctx, &Self::summary("tag"), async {
                self.0.set_tags(&client, &id, &with_owner).await
            })
            .await;
            if let Err(d) = tagged {
                return Applied::partial(state, d);
            }
            state.set_tags(tags.clone());
        }
        match self.completed(&cloud, state.clone(), &planned).await {
            Ok(done) => Applied::ok(done),
            Err(d) => Applied::partial(state, d),
        }
    }

    async fn read(&self, ctx: &Ctx, mut state: T::Model) -> Result<Option<T::Model>, Diagnostics> {
        let Some(id) = stored_id(&state) else {
            return Ok(None);
        };
        let no_region = Attr::Null;
        let (client, region) = client_for(ctx, state.region().unwrap_or(&no_region))?;
        state.set_region(region);
        let cloud = Cloud::new(ctx, &client);
        self.refresh(&cloud, &id, &state).await
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: T::Model,
        planned: T::Model,
        config: &T::Model,
    ) -> Applied<T::Model> {
        let Some(id) = stored_id(&prior) else {
            return Applied::failed(Diagnostic::error(
                Self::summary("update"),
                format!("The {} in state has no ID.", T::KIND),
            ));
        };
        let no_region = Attr::Null;
        let client = match client_for(ctx, planned.region().unwrap_or(&no_region)) {
            Ok((client, _)) => client,
            Err(d) => return Applied::failed(d),
        };
        let cloud = Cloud::new(ctx, &client);
        let steps = async {
            let summary = Self::summary("update");
            let change = Change {
                cloud: &cloud,
                id: &id,
                prior: &prior,
                planned: &planned,
                config,
            };
            let body = self
                .0
                .update_body(change)
                .map_err(|f| f.into_diagnostics(&summary))?;
            let mut answer = None;
            if body != Update::<T>::default() {
                answer = Self::step(ctx, &summary, self.0.update(&cloud, &id, body)).await?;
            }
            if Self::step(ctx, &summary, self.0.update_actions(change)).await? {
                answer = None;
            }
            if let (Some(old), Some(new)) = (prior.tags(), planned.tags())
                && let Some(tags) = changed_tags(old, new)
            {
                Self::step(ctx, &Self::summary("tag"), async {
                    self.0.set_tags(&client, &id, &with_owner_tag(&tags)).await
                })
                .await?;
                answer = None;
            }
            Ok::<Option<T::Api>, Diagnostics>(answer)
        };
        let (done, answer) = match steps.await {
            Ok(answer) => (Ok(()), answer),
            Err(d) => (Err(d), None),
        };
        // The update's own answer is the object when nothing changed it afterwards; otherwise
        // read it back, also after a failed step, so the state shows what did change.
        let read_back = match answer {
            Some(api) => {
                let state = self.state_of(api, &planned);
                self.completed(&cloud, state, &planned).await.map(Some)
            }
            None => self.refresh(&cloud, &id, &planned).await,
        };
        let vanished = || {
            Diagnostics::from(Diagnostic::error(
                format!("The {} disappeared", T::KIND),
                format!("{} {id} was deleted while it was being updated.", T::KIND),
            ))
        };
        match (done, read_back) {
            (Ok(()), Ok(Some(state))) => Applied::ok(state),
            (Ok(()), Ok(None)) => Applied::failed(vanished()),
            (Err(d), Ok(Some(state))) => Applied::partial(state, d),
            (Err(mut d), Err(more)) => {
                d.extend(more);
                Applied::failed(d)
            }
            (Err(d), Ok(None)) | (Ok(()), Err(d)) => Applied::failed(d),
        }
    }

    async fn delete(&self, ctx: &Ctx, state: T::Model) -> Result<(), Diagnostics> {
        let Some(id) = stored_id(&state) else {
            return Ok(());
        };
        let no_region = Attr::Null;
        let (client, _) = client_for(ctx, state.region().unwrap_or(&no_region))?;
        let cloud = Cloud::new(ctx, &client);
        let summary = Self::summary("delete");
        if T::RETRY_DELETE_CONFLICTS {
            let op = format!("delete {} {id}", T::KIND);
            let budget = budget(ctx);
            let retried = scs_client::wait::retry_conflicts(&op, &budget, || async {
                match self.0.delete(&cloud, &id, &state).await {
                    Ok(()) => Ok(Ok(())),
                    Err(Failure::Cloud(e)) => Err(e),
                    Err(Failure::Invalid(d)) => Ok(Err(d)),
                }
            });
            match Self::step(ctx, &summary, async { Ok(retried.await?) }).await? {
                Ok(()) => Ok(()),
                Err(d) => Err(d),
            }
        } else {
            Self::step(ctx, &summary, self.0.delete(&cloud, &id, &state)).await
        }
    }

    async fn import(&self, ctx: &Ctx, id: &str) -> Result<T::Model, Diagnostics> {
        if id.trim().is_empty() {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!(
                    "Import a {} by its ID: terraform import {}.NAME ID",
                    T::KIND,
                    T::TYPE_NAME
                ),
            )
            .into());
        }
        self.0.import(ctx, id).await
    }
}
