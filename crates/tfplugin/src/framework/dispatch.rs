//! The tfplugin6 `Provider` gRPC service, implemented on top of the
//! framework traits.
//!
//! Every RPC answers with diagnostics rather than a gRPC error when
//! something is wrong with the request or the provider, because Terraform
//! shows diagnostics to the user and only logs transport errors. RPCs this
//! framework does not offer keep the generated UNIMPLEMENTED answer.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::capture::Capture;
use super::convert::{self, decode, encode};
use super::ephemeral::{EphemeralResource, Opened, Renewed};
use super::function::{Function, FunctionError, FunctionSignature, signature_problems};
use super::moves::{MoveSource, StateMover, reads_provider};
use super::scrub::{scrub, sensitive_strings};
use super::validate::{validate_config, without_refused};
use super::{
    ApplyResult, CreateRequest, Ctx, DataSource, IdentitySchema, ListResource, Listed, PlanChange,
    Provider, ProviderData, RawState, Resource, UpdateRequest, plan,
};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server::Provider as ProviderService;
use crate::schema::{Schema, TIMEOUTS};
use crate::value::{JsonOptions, Type, Value, decode_json_with};

struct ResourceEntry {
    resource: Arc<dyn Resource>,
    schema: Schema,
    ty: Type,
    identity: Option<IdentityEntry>,
}

struct IdentityEntry {
    schema: IdentitySchema,
    ty: Type,
}

struct ListEntry {
    list: Arc<dyn ListResource>,
    schema: Schema,
    ty: Type,
}

struct EphemeralEntry {
    resource: Arc<dyn EphemeralResource>,
    schema: Schema,
    ty: Type,
}

struct FunctionEntry {
    function: Arc<dyn Function>,
    signature: FunctionSignature,
}

struct DataSourceEntry {
    data_source: Arc<dyn DataSource>,
    schema: Schema,
    ty: Type,
}

/// Serves a [`Provider`] as the tfplugin6 gRPC service. Hand it to
/// [`crate::server::serve`] (or use [`super::serve_provider`]).
pub struct Dispatch {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_ty: Type,
    resources: BTreeMap<String, ResourceEntry>,
    data_sources: BTreeMap<String, DataSourceEntry>,
    functions: BTreeMap<String, FunctionEntry>,
    ephemerals: BTreeMap<String, EphemeralEntry>,
    movers: Vec<Arc<dyn StateMover>>,
    lists: BTreeMap<String, ListEntry>,
    /// Problems found while collecting schemas (duplicate type names),
    /// reported on GetProviderSchema so they are seen at once.
    setup_diagnostics: Diagnostics,
    provider_data: RwLock<Option<ProviderData>>,
    /// Parent of every request's cancellation token. StopProvider cancels
    /// it and installs a fresh one, so only in-flight work stops.
    stop: Mutex<CancellationToken>,
    capture: Option<Capture>,
}

impl Dispatch {
    /// Collects the provider's schemas once; captures request values when
    /// `TFPLUGIN_CAPTURE_DIR` is set.
    pub fn new(provider: impl Provider) -> Self {
        Self::from_arc(Arc::new(provider))
    }

    pub fn from_arc(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let provider_ty = provider_schema.value_type();
        let mut setup_diagnostics = Diagnostics::new();
        let mut check_schema = |what: &str, schema: &Schema| {
            for d in schema.validate() {
                setup_diagnostics.push(Diagnostic::error(
                    d.summary,
                    format!("{what}: {}", d.detail),
                ));
            }
        };
        check_schema("provider", &provider_schema);
        let resource_list = provider.resources();
        let data_source_list = provider.data_sources();
        let ephemeral_list = provider.ephemeral_resources();
        let mismatches = resource_list
            .iter()
            .map(|r| (r.type_name().to_owned(), r.self_check()))
            .chain(
                data_source_list
                    .iter()
                    .map(|d| (d.type_name().to_owned(), d.self_check())),
            )
            .chain(
                ephemeral_list
                    .iter()
                    .map(|e| (e.type_name().to_owned(), e.self_check())),
            );
        let mut model_diagnostics = Diagnostics::new();
        for (what, problems) in mismatches {
            for p in problems {
                model_diagnostics.error(
                    "Model does not match schema",
                    format!("{what}: {p}; this is a bug in the provider."),
                );
            }
        }
        for r in &resource_list {
            check_schema(r.type_name(), &r.schema());
        }
        for d in &data_source_list {
            check_schema(d.type_name(), &d.schema());
        }
        setup_diagnostics.extend(model_diagnostics);
        let mut resources = BTreeMap::new();
        for resource in resource_list {
            let name = resource.type_name().to_string();
            if resources.contains_key(&name) {
                setup_diagnostics.error(
                    "Duplicate resource type",
                    format!("The provider registers {name} twice; this is a bug in the provider."),
                );
                continue;
            }
            let schema = resource.schema();
            let ty = schema.value_type();
            let identity = resource.identity_schema().map(|identity| {
                for p in identity.problems(&schema) {
                    setup_diagnostics.error(
                        "Invalid resource identity",
                        format!("{name}: {p}; this is a bug in the provider."),
                    );
                }
                IdentityEntry {
                    ty: identity.value_type(),
                    schema: identity,
                }
            });
            resources.insert(
                name,
                ResourceEntry {
                    resource,
                    schema,
                    ty,
                    identity,
                },
            );
        }
        let mut data_sources = BTreeMap::new();
        for data_source in data_source_list {
            let name = data_source.type_name().to_string();
            if data_sources.contains_key(&name) {
                setup_diagnostics.error(
                    "Duplicate data source type",
                    format!("The provider registers {name} twice; this is a bug in the provider."),
                );
                continue;
            }
            let schema = data_source.schema();
            let ty = schema.value_type();
            data_sources.insert(
                name,
                DataSourceEntry {
                    data_source,
                    schema,
                    ty,
                },
            );
        }
        let mut ephemerals = BTreeMap::new();
        for resource in ephemeral_list {
            let name = resource.type_name().to_string();
            let schema = resource.schema();
            for d in schema.validate() {
                setup_diagnostics.push(Diagnostic::error(
                    d.summary,
                    format!("{name}: {}", d.detail),
                ));
            }
            if ephemerals.contains_key(&name) {
                setup_diagnostics.error(
                    "Duplicate ephemeral resource type",
                    format!("The provider registers {name} twice; this is a bug in the provider."),
                );
                continue;
            }
            let ty = schema.value_type();
            ephemerals.insert(
                name,
                EphemeralEntry {
                    resource,
                    schema,
                    ty,
                },
            );
        }
        let mut lists = BTreeMap::new();
        for list in provider.list_resources() {
            let name = list.type_name().to_string();
            let schema = list.schema();
            for d in schema.validate() {
                setup_diagnostics.push(Diagnostic::error(
                    d.summary,
                    format!("list {name}: {}", d.detail),
                ));
            }
            if resources.get(&name).is_none_or(|r| r.identity.is_none()) {
                setup_diagnostics.error(
                    "List resource without resource identity",
                    format!(
                        "The provider lists {name}, which is not a managed resource type with an \
                         identity schema; this is a bug in the provider."
                    ),
                );
                continue;
            }
            if lists.contains_key(&name) {
                setup_diagnostics.error(
                    "Duplicate list resource type",
                    format!(
                        "The provider registers list {name} twice; this is a bug in the provider."
                    ),
                );
                continue;
            }
            let ty = schema.value_type();
            lists.insert(name, ListEntry { list, schema, ty });
        }
        let mut functions = BTreeMap::new();
        for function in provider.functions() {
            let name = function.name().to_string();
            let signature = function.signature();
            for problem in signature_problems(&name, &signature) {
                setup_diagnostics.error(
                    "Invalid function declaration",
                    format!("{problem}; this is a bug in the provider."),
                );
            }
            if functions.contains_key(&name) {
                setup_diagnostics.error(
                    "Duplicate function",
                    format!("The provider registers function {name} twice; this is a bug in the provider."),
                );
                continue;
            }
            functions.insert(
                name,
                FunctionEntry {
                    function,
                    signature,
                },
            );
        }
        let movers = provider.state_movers();
        Self {
            provider,
            provider_schema,
            provider_ty,
            resources,
            data_sources,
            functions,
            ephemerals,
            movers,
            lists,
            setup_diagnostics,
            provider_data: RwLock::new(None),
            stop: Mutex::new(CancellationToken::new()),
            capture: Capture::from_env(),
        }
    }

    /// A context for one request: cancelled by StopProvider, with the
    /// provider data if the provider is configured.
    fn ctx(&self, ty: Option<&Type>) -> Ctx {
        let token = self
            .stop
            .lock()
            .map(|t| t.child_token())
            .unwrap_or_default();
        let data = self.provider_data.read().ok().and_then(|d| d.clone());
        let ctx = Ctx::new(token).with_provider_data(data);
        match ty {
            Some(ty) => ctx.with_value_type(ty.clone()),
            None => ctx,
        }
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source type",
                format!("This provider has no data source type {type_name:?}."),
            )
            .into()
        })
    }

    fn capture(
        &self,
        rpc: &str,
        type_name: &str,
        fields: &[(&str, Option<&pb::DynamicValue>)],
        ty: &Type,
    ) {
        if let Some(c) = &self.capture {
            c.record(rpc, type_name, fields, ty);
        }
    }

    fn server_capabilities(&self) -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: false,
            move_resource_state: !self.movers.is_empty(),
            generate_resource_config: true,
        }
    }

    fn ephemeral(&self, type_name: &str) -> Result<&EphemeralEntry, Diagnostics> {
        self.ephemerals.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown ephemeral resource type",
                format!("This provider has no ephemeral resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn function_schemas(&self) -> HashMap<String, pb::Function> {
        self.functions
            .iter()
            .map(|(n, e)| (n.clone(), convert::function(&e.signature)))
            .collect()
    }

    /// CallFunction: decodes each argument with its parameter's type, calls, encodes the result.
    fn call(
        &self,
        name: &str,
        arguments: &[pb::DynamicValue],
    ) -> Result<pb::DynamicValue, FunctionError> {
        let entry = self.functions.get(name).ok_or_else(|| {
            FunctionError::new(format!("This provider has no function {name:?}."))
        })?;
        let signature = &entry.signature;
        let fixed = signature.parameters.len();
        if arguments.len() < fixed || (signature.variadic.is_none() && arguments.len() > fixed) {
            return Err(FunctionError::new(format!(
                "{name} takes {fixed} argument{}, got {}.",
                if fixed == 1 { "" } else { "s" },
                arguments.len()
            )));
        }
        let mut values = Vec::with_capacity(arguments.len());
        for (i, dv) in arguments.iter().enumerate() {
            let parameter = signature
                .parameters
                .get(i)
                .or(signature.variadic.as_ref())
                .ok_or_else(|| FunctionError::argument(i, "unexpected argument"))?;
            let value = decode(Some(dv), &parameter.ty, "argument")
                .map_err(|d| FunctionError::argument(i, d.to_string()))?;
            if value.is_null() && !parameter.allow_null {
                return Err(FunctionError::argument(
                    i,
                    format!("{} must not be null.", parameter.name),
                ));
            }
            if !value.is_wholly_known() && !parameter.allow_unknown {
                return Err(FunctionError::argument(
                    i,
                    format!("{} must be known.", parameter.name),
                ));
            }
            values.push(value);
        }
        let result = entry.function.call(values)?;
        encode(&result, &signature.return_type, "function result")
            .map_err(|d| FunctionError::new(d.to_string()))
    }

    /// MoveResourceState: the target state for `source`, refreshed from the
    /// cloud when the provider is configured.
    async fn move_state(
        &self,
        ctx: &Ctx,
        entry: &ResourceEntry,
        target_type: &str,
        source: &MoveSource,
    ) -> Result<Value, Diagnostics> {
        if source.json.is_empty() {
            return Err(Diagnostic::error(
                "Unsupported state format",
                format!(
                    "The state of the {} being moved is not in the JSON form, the only one \
                     this provider reads.",
                    source.type_name
                ),
            )
            .into());
        }
        let address = source.provider();
        let own = address
            .as_ref()
            .is_some_and(|a| a.type_name == self.provider.type_name());
        if own && source.type_name == target_type {
            // The same type under another address of this provider (a state
            // written through the other client's registry): its own state.
            return self.own_state(ctx, entry, target_type, source).await;
        }
        let readers: Vec<&Arc<dyn StateMover>> = self
            .movers
            .iter()
            .filter(|m| {
                address
                    .as_ref()
                    .is_some_and(|a| reads_provider(m.as_ref(), a))
            })
            .collect();
        if readers.is_empty() {
            let known: Vec<String> = self
                .movers
                .iter()
                .flat_map(|m| m.source_providers().into_iter().take(1))
                .collect();
            return Err(Diagnostic::error(
                "Unsupported source provider",
                format!(
                    "{target_type} cannot take over state of provider {:?} ({}). It takes over \
                     resources of: {}.",
                    source.provider_address,
                    source.type_name,
                    if known.is_empty() {
                        "no other provider".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            )
            .into());
        }
        let Some(mover) = readers
            .iter()
            .find(|m| m.source_types(target_type).contains(&source.type_name))
        else {
            let accepted: Vec<String> = readers
                .iter()
                .flat_map(|m| m.source_types(target_type))
                .collect();
            return Err(Diagnostic::error(
                "Unsupported resource move",
                format!(
                    "{target_type} cannot take over the state of a {}. {}",
                    source.type_name,
                    if accepted.is_empty() {
                        format!(
                            "It takes over no resource type of {}.",
                            source.provider_address
                        )
                    } else {
                        format!("It takes over: {}.", accepted.join(", "))
                    }
                ),
            )
            .into());
        };
        let moved = mover
            .move_state(ctx, source, target_type, &entry.schema)
            .await?;
        let moved = conform(moved, &entry.ty, "moved state")?;
        Ok(self.refresh_moved(ctx, entry, moved).await)
    }

    /// A state of one of this provider's own types, sent as a move because
    /// the provider's address differs.
    async fn own_state(
        &self,
        ctx: &Ctx,
        entry: &ResourceEntry,
        target_type: &str,
        source: &MoveSource,
    ) -> Result<Value, Diagnostics> {
        let current = entry.schema.version;
        if source.schema_version > current {
            return Err(Diagnostic::error(
                "State from a newer provider",
                format!(
                    "The state of this {target_type} was written by schema version {}, but this \
                     provider knows only up to version {current}. Upgrade the provider.",
                    source.schema_version
                ),
            )
            .into());
        }
        if source.schema_version < current {
            let raw = RawState {
                json: Some(source.json.clone()),
                flatmap: BTreeMap::new(),
            };
            let v = entry
                .resource
                .upgrade_state(ctx, source.schema_version, raw)
                .await?;
            return conform(v, &entry.ty, "upgraded state");
        }
        decode_json_with(
            &source.json,
            &entry.ty,
            JsonOptions {
                ignore_undefined_attributes: true,
            },
        )
        .map_err(|e| {
            Diagnostic::error(
                "Invalid stored state",
                format!("Could not read the stored state: {e}."),
            )
            .into()
        })
    }

    /// Refreshes a moved state through the target resource's `read`, so
    /// attributes the source provider did not record are filled in. Without
    /// a configured provider, or when the read fails, the mapped state is
    /// kept with a warning: the refresh that follows the move reads it again.
    async fn refresh_moved(&self, ctx: &Ctx, entry: &ResourceEntry, moved: Value) -> Value {
        if !ctx.is_configured() {
            return moved;
        }
        match entry.resource.read(ctx, moved.clone()).await {
            Ok(Some(v)) => match conform(v, &entry.ty, "refreshed state") {
                Ok(v) => unknown_as_null(settle_state(&entry.schema, v, &moved)),
                Err(d) => {
                    ctx.add_diagnostic(refresh_warning(&d));
                    moved
                }
            },
            // Gone from the cloud: the refresh after the move removes it.
            Ok(None) => moved,
            Err(d) => {
                ctx.add_diagnostic(refresh_warning(&d));
                moved
            }
        }
    }

    fn list(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
        self.lists.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown list resource type",
                format!("This provider cannot list {type_name:?}."),
            )
            .into()
        })
    }

    /// ListResource: the events of one query, each an identity (and, when
    /// asked for, the object as `read` sees it); a failure is one event
    /// carrying the error.
    async fn list_events(&self, req: pb::list_resource::Request) -> Vec<pb::list_resource::Event> {
        let failed = |d: Diagnostics| {
            vec![pb::list_resource::Event {
                diagnostic: convert::diagnostics(&d),
                ..Default::default()
            }]
        };
        let (list, resource) = match self
            .list(&req.type_name)
            .and_then(|l| self.resource(&req.type_name).map(|r| (l, r)))
        {
            Ok(found) => found,
            Err(d) => return failed(d),
        };
        let list_ctx = self.ctx(Some(&list.ty));
        // A list block without `config { }` selects everything.
        let config = match decode(req.config.as_ref(), &list.ty, "list configuration") {
            Ok(Value::Null) => Value::object(Vec::<(String, Value)>::new())
                .conform(&list.ty)
                .unwrap_or(Value::Null),
            Ok(v) => v,
            Err(d) => return failed(d),
        };
        let limit = usize::try_from(req.limit).ok().filter(|l| *l > 0);
        let found = match list.list.list(&list_ctx, config, limit).await {
            Ok(found) => found,
            Err(d) => {
                let mut all = list_ctx.take_diagnostics();
                all.extend(d);
                return failed(all);
            }
        };
        let mut events = Vec::new();
        let warnings = list_ctx.take_diagnostics();
        if !warnings.is_empty() {
            events.push(pb::list_resource::Event {
                diagnostic: convert::diagnostics(&warnings),
                ..Default::default()
            });
        }
        for Listed {
            display_name,
            state,
        } in found.into_iter().take(limit.unwrap_or(usize::MAX))
        {
            let ctx = self.ctx(Some(&resource.ty));
            let object = if req.include_resource_object {
                let read = async {
                    let seed = conform(state, &resource.ty, "listed state")?;
                    match resource.resource.read(&ctx, seed.clone()).await? {
                        Some(v) => {
                            let v = conform(v, &resource.ty, "listed state")?;
                            Ok(Some(unknown_as_null(settle_state(
                                &resource.schema,
                                v,
                                &seed,
                            ))))
                        }
                        None => Ok(None),
                    }
                };
                match read.await {
                    Ok(Some(v)) => v,
                    // Gone between the listing and the read.
                    Ok(None) => continue,
                    Err(d) => {
                        let mut all = ctx.take_diagnostics();
                        all.extend(d);
                        events.extend(failed(all));
                        return events;
                    }
                }
            } else {
                match conform(state, &resource.ty, "listed state") {
                    Ok(v) => v,
                    Err(d) => {
                        events.extend(failed(d));
                        return events;
                    }
                }
            };
            let Some(identity) = identity_data(resource, &object) else {
                events.extend(failed(
                    Diagnostic::error(
                        "Listed object without identity",
                        format!(
                            "{display_name} was listed without the attributes of its identity; \
                             this is a bug in the provider."
                        ),
                    )
                    .into(),
                ));
                return events;
            };
            let resource_object = if req.include_resource_object {
                match encode(&object, &resource.ty, "listed resource") {
                    Ok(dv) => Some(dv),
                    Err(d) => {
                        events.extend(failed(d));
                        return events;
                    }
                }
            } else {
                None
            };
            events.push(pb::list_resource::Event {
                identity: Some(identity),
                display_name,
                resource_object,
                diagnostic: convert::diagnostics(&ctx.take_diagnostics()),
            });
        }
        events
    }

    /// Direct entry point for StopProvider, for tests and embedders.
    pub fn stop_in_flight(&self) {
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
    }
}

fn refresh_warning(cause: &Diagnostics) -> Diagnostic {
    Diagnostic::warning(
        "Moved state not refreshed",
        format!(
            "The moved state could not be read from the cloud yet ({cause}); the refresh that \
             follows the move reads it."
        ),
    )
}

/// Merges diagnostics collected through the context with `diags`.
fn finish(ctx: &Ctx, diags: Diagnostics) -> Vec<pb::Diagnostic> {
    finish_hiding(ctx, diags, &[])
}

/// [`finish`], with every string of `secrets` (the sensitive values of the
/// request, see [`sensitive_strings`]) replaced in the diagnostics.
fn finish_hiding(ctx: &Ctx, mut diags: Diagnostics, secrets: &[String]) -> Vec<pb::Diagnostic> {
    let mut all = ctx.take_diagnostics();
    all.extend(std::mem::take(&mut diags));
    convert::diagnostics(&scrub(all, secrets))
}

/// The sensitive strings of every value of a request.
fn secrets_of(block: &crate::schema::Block, values: &[&Value]) -> Vec<String> {
    let mut all: Vec<String> = values
        .iter()
        .flat_map(|v| sensitive_strings(block, v))
        .collect();
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    all.dedup();
    all
}

/// Errors for write-only attributes set in configuration when the client
/// cannot handle them (protocol before 6.8).
fn check_write_only(
    schema: &Schema,
    config: &Value,
    caps: Option<&pb::ClientCapabilities>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if caps.is_some_and(|c| c.write_only_attributes_allowed) {
        return diags;
    }
    for a in schema.block.attributes.iter().filter(|a| a.write_only) {
        if config.attr(&a.name).is_some_and(|v| !v.is_null()) {
            diags.error_at(
                crate::diagnostics::AttributePath::attr(a.name.clone()),
                "Write-only attribute not supported by this client",
                format!(
                    "{} is write-only: its value must never be stored in state or plan, which \
                     needs Terraform 1.11 or later, or OpenTofu 1.11 or later. This client does \
                     not support write-only attributes and would store the value; upgrade it, or \
                     leave {} out.",
                    a.name, a.name
                ),
            );
        }
    }
    diags
}

/// Keeps the parts of a state the cloud does not know about: the timeouts
/// block comes from configuration, and write-only attributes never persist.
fn settle_state(schema: &Schema, mut state: Value, source: &Value) -> Value {
    if let Value::Object(fields) = &mut state {
        if schema.block.get_block(TIMEOUTS).is_some()
            && fields.get(TIMEOUTS).is_none_or(Value::is_null)
            && let Some(t) = source.attr(TIMEOUTS)
        {
            fields.insert(TIMEOUTS.to_string(), t.clone());
        }
        for a in schema.block.attributes.iter().filter(|a| a.write_only) {
            fields.insert(a.name.clone(), Value::Null);
        }
    }
    state
}

/// Replaces every unknown with null: a state after apply must be wholly
/// known, and Terraform accepts null for anything planned unknown.
fn unknown_as_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(v) => Value::List(v.into_iter().map(unknown_as_null).collect()),
        Value::Set(v) => Value::Set(v.into_iter().map(unknown_as_null).collect()),
        Value::Tuple(v) => Value::Tuple(v.into_iter().map(unknown_as_null).collect()),
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, unknown_as_null(v)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, unknown_as_null(v)))
                .collect(),
        ),
        v => v,
    }
}

/// The identity of the object whose state is `state`, as the protocol
/// carries it: `None` for a type without identity, a null state, or a state
/// whose identity attributes are not all known yet.
fn identity_data(entry: &ResourceEntry, state: &Value) -> Option<pb::ResourceIdentityData> {
    let identity = entry.identity.as_ref()?;
    let value = identity.schema.of_state(state)?;
    encode(&value, &identity.ty, "resource identity")
        .ok()
        .map(|dv| pb::ResourceIdentityData {
            identity_data: Some(dv),
        })
}

fn conform(value: Value, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    value.conform(ty).map_err(|e| {
        Diagnostic::error(
            "Provider produced an invalid value",
            format!("The {what} does not match the schema: {e}. This is a bug in the provider."),
        )
        .into()
    })
}

#[tonic::async_trait]
impl ProviderService for Dispatch {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata::{
            DataSourceMetadata, EphemeralMetadata, FunctionMetadata, ListResourceMetadata,
            ResourceMetadata,
        };
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(self.server_capabilities()),
            diagnostics: convert::diagnostics(&self.setup_diagnostics),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| DataSourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|n| ResourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|n| FunctionMetadata { name: n.clone() })
                .collect(),
            ephemeral_resources: self
                .ephemerals
                .keys()
                .map(|n| EphemeralMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            list_resources: self
                .lists
                .keys()
                .map(|n| ListResourceMetadata {
                    type_name: n.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(convert::schema(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(n, e)| (n.clone(), convert::schema(&e.schema)))
                .collect::<HashMap<_, _>>(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(n, e)| (n.clone(), convert::schema(&e.schema)))
                .collect::<HashMap<_, _>>(),
            diagnostics: convert::diagnostics(&self.setup_diagnostics),
            server_capabilities: Some(self.server_capabilities()),
            functions: self.function_schemas(),
            ephemeral_resource_schemas: self
                .ephemerals
                .iter()
                .map(|(n, e)| (n.clone(), convert::schema(&e.schema)))
                .collect::<HashMap<_, _>>(),
            list_resource_schemas: self
                .lists
                .iter()
                .map(|(n, e)| (n.clone(), convert::schema(&e.schema)))
                .collect::<HashMap<_, _>>(),
            ..Default::default()
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter_map(|(n, e)| {
                    let i = e.identity.as_ref()?;
                    Some((n.clone(), convert::identity_schema(&i.schema)))
                })
                .collect(),
            diagnostics: convert::diagnostics(&self.setup_diagnostics),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::upgrade_resource_identity::Response {
                    upgraded_identity: None,
                    diagnostics: convert::diagnostics(&d),
                }));
            }
        };
        let ctx = self.ctx(Some(&entry.ty));
        let raw = raw_state(req.raw_identity);
        let result = async {
            let Some(identity) = &entry.identity else {
                return Err(Diagnostic::error(
                    "No resource identity",
                    format!("{} has no resource identity to upgrade.", req.type_name),
                )
                .into());
            };
            let current = identity.schema.version;
            let value = if req.version > current {
                return Err(Diagnostic::error(
                    "Identity from a newer provider",
                    format!(
                        "The identity of this {} was written by identity version {}, but this \
                         provider knows only up to version {current}. Upgrade the provider.",
                        req.type_name, req.version
                    ),
                )
                .into());
            } else if req.version == current {
                raw.decode(&identity.ty)?
            } else {
                let v = entry
                    .resource
                    .upgrade_identity(&ctx, req.version, raw)
                    .await?;
                conform(v, &identity.ty, "upgraded identity")?
            };
            encode(&value, &identity.ty, "upgraded identity")
        }
        .await;
        let (upgraded_identity, diags) = match result {
            Ok(dv) => (
                Some(pb::ResourceIdentityData {
                    identity_data: Some(dv),
                }),
                Diagnostics::new(),
            ),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: finish(&ctx, diags),
        }))
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Result<Response<tonic::codegen::BoxStream<pb::list_resource::Event>>, Status> {
        let req = request.into_inner();
        let events = self.list_events(req).await;
        let stream = tokio_stream::iter(events.into_iter().map(Ok));
        Ok(Response::new(Box::pin(stream)))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = match self.list(&req.type_name) {
            Err(d) => d,
            Ok(entry) => {
                let ctx = self.ctx(Some(&entry.ty));
                let mut d = match decode(req.config.as_ref(), &entry.ty, "list configuration") {
                    Ok(config) => {
                        let mut d = validate_config(&entry.schema.block, &config);
                        let checked = without_refused(config, &d);
                        d.extend(entry.list.validate(&ctx, &checked).await);
                        d
                    }
                    Err(d) => d,
                };
                if let Ok(limit) = decode(req.limit.as_ref(), &Type::Number, "list limit")
                    && limit.as_number().is_some_and(|n| n.is_negative())
                {
                    d.error(
                        "Invalid list limit",
                        "limit must be zero or more: the most results the query returns.",
                    );
                }
                let mut all = ctx.take_diagnostics();
                all.extend(d);
                all
            }
        };
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self.function_schemas(),
            diagnostics: convert::diagnostics(&self.setup_diagnostics),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = match self.ephemeral(&req.type_name) {
            Err(d) => d,
            Ok(entry) => {
                let ctx = self.ctx(Some(&entry.ty));
                match decode(
                    req.config.as_ref(),
                    &entry.ty,
                    "ephemeral resource configuration",
                ) {
                    Ok(config) => {
                        let secrets = secrets_of(&entry.schema.block, &[&config]);
                        let mut d = validate_config(&entry.schema.block, &config);
                        let checked = without_refused(config, &d);
                        d.extend(entry.resource.validate(&ctx, &checked).await);
                        return Ok(Response::new(
                            pb::validate_ephemeral_resource_config::Response {
                                diagnostics: finish_hiding(&ctx, d, &secrets),
                            },
                        ));
                    }
                    Err(d) => d,
                }
            }
        };
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: convert::diagnostics(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.ephemeral(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::open_ephemeral_resource::Response {
                    diagnostics: convert::diagnostics(&d),
                    ..Default::default()
                }));
            }
        };
        let ctx = self.ctx(Some(&entry.ty));
        let mut secrets = Vec::new();
        let opened = async {
            let config = decode(
                req.config.as_ref(),
                &entry.ty,
                "ephemeral resource configuration",
            )?;
            secrets = secrets_of(&entry.schema.block, &[&config]);
            let Opened {
                result,
                private,
                renew_at,
            } = entry.resource.open(&ctx, config).await?;
            let result = unknown_as_null(conform(result, &entry.ty, "ephemeral result")?);
            Ok::<_, Diagnostics>((
                encode(&result, &entry.ty, "ephemeral result")?,
                private,
                renew_at,
            ))
        }
        .await;
        Ok(Response::new(match opened {
            Ok((result, private, renew_at)) => pb::open_ephemeral_resource::Response {
                diagnostics: finish_hiding(&ctx, Diagnostics::new(), &secrets),
                renew_at: renew_at.map(prost_types::Timestamp::from),
                result: Some(result),
                private,
                deferred: None,
            },
            Err(d) => pb::open_ephemeral_resource::Response {
                diagnostics: finish_hiding(&ctx, d, &secrets),
                ..Default::default()
            },
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let outcome = match self.ephemeral(&req.type_name) {
            Err(d) => Err(d),
            Ok(entry) => {
                let ctx = self.ctx(Some(&entry.ty));
                let r = entry.resource.renew(&ctx, req.private).await;
                r.map_err(|d| {
                    let mut all = ctx.take_diagnostics();
                    all.extend(d);
                    all
                })
            }
        };
        Ok(Response::new(match outcome {
            Ok(Renewed { private, renew_at }) => pb::renew_ephemeral_resource::Response {
                diagnostics: Vec::new(),
                renew_at: renew_at.map(prost_types::Timestamp::from),
                private,
            },
            Err(d) => pb::renew_ephemeral_resource::Response {
                diagnostics: convert::diagnostics(&d),
                ..Default::default()
            },
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let req = request.into_inner();
        let diags = match self.ephemeral(&req.type_name) {
            Err(d) => d,
            Ok(entry) => {
                let ctx = self.ctx(Some(&entry.ty));
                let closed = entry.resource.close(&ctx, req.private).await;
                let mut all = ctx.take_diagnostics();
                all.extend(closed.err().unwrap_or_default());
                all
            }
        };
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = request.into_inner();
        let answer = self.call(&req.name, &req.arguments);
        Ok(Response::new(match answer {
            Ok(result) => pb::call_function::Response {
                result: Some(result),
                error: None,
            },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(convert::function_error(&e)),
            },
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        self.capture(
            "ValidateProviderConfig",
            "provider",
            &[("config", req.config.as_ref())],
            &self.provider_ty,
        );
        let ctx = self.ctx(Some(&self.provider_ty));
        let mut secrets = Vec::new();
        let diags = match decode(
            req.config.as_ref(),
            &self.provider_ty,
            "provider configuration",
        ) {
            Ok(config) => {
                secrets = secrets_of(&self.provider_schema.block, &[&config]);
                let mut d = validate_config(&self.provider_schema.block, &config);
                d.extend(self.provider.validate(&ctx, &config).await);
                d
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: finish_hiding(&ctx, diags, &secrets),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::validate_resource_config::Response {
                    diagnostics: convert::diagnostics(&d),
                }));
            }
        };
        self.capture(
            "ValidateResourceConfig",
            &req.type_name,
            &[("config", req.config.as_ref())],
            &entry.ty,
        );
        let ctx = self.ctx(Some(&entry.ty));
        let mut secrets = Vec::new();
        let diags = match decode(req.config.as_ref(), &entry.ty, "resource configuration") {
            Ok(config) => {
                secrets = secrets_of(&entry.schema.block, &[&config]);
                let mut d = validate_config(&entry.schema.block, &config);
                d.extend(check_write_only(
                    &entry.schema,
                    &config,
                    req.client_capabilities.as_ref(),
                ));
                let checked = without_refused(config, &d);
                d.extend(entry.resource.validate(&ctx, &checked).await);
                d
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: finish_hiding(&ctx, diags, &secrets),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.data_source(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::validate_data_resource_config::Response {
                    diagnostics: convert::diagnostics(&d),
                }));
            }
        };
        self.capture(
            "ValidateDataResourceConfig",
            &req.type_name,
            &[("config", req.config.as_ref())],
            &entry.ty,
        );
        let ctx = self.ctx(Some(&entry.ty));
        let mut secrets = Vec::new();
        let diags = match decode(req.config.as_ref(), &entry.ty, "data source configuration") {
            Ok(config) => {
                secrets = secrets_of(&entry.schema.block, &[&config]);
                let mut d = validate_config(&entry.schema.block, &config);
                let checked = without_refused(config, &d);
                d.extend(entry.data_source.validate(&ctx, &checked).await);
                d
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: finish_hiding(&ctx, diags, &secrets),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::upgrade_resource_state::Response {
                    upgraded_state: None,
                    diagnostics: convert::diagnostics(&d),
                }));
            }
        };
        let ctx = self.ctx(Some(&entry.ty));
        let raw = raw_state(req.raw_state);
        if let (Some(c), Some(json)) = (&self.capture, &raw.json) {
            c.record_raw(
                "UpgradeResourceState",
                &req.type_name,
                "raw_state",
                json,
                &entry.ty,
            );
        }
        let current = entry.schema.version;
        let upgraded: Result<Value, Diagnostics> = if req.version > current {
            Err(Diagnostic::error(
                "State from a newer provider",
                format!(
                    "The state of this {} was written by schema version {}, but this provider \
                     knows only up to version {current}. Upgrade the provider.",
                    req.type_name, req.version
                ),
            )
            .into())
        } else if req.version == current {
            match &raw.json {
                // Same schema version: the JSON already has the current shape;
                // attributes that no longer exist are dropped.
                Some(json) => decode_json_with(
                    json,
                    &entry.ty,
                    JsonOptions {
                        ignore_undefined_attributes: true,
                    },
                )
                .map_err(|e| {
                    Diagnostic::error("Invalid stored state", format!("Could not read the stored state: {e}."))
                        .into()
                }),
                None => Err(Diagnostic::error(
                    "Unsupported state format",
                    "The stored state is in the legacy flatmap format, which this provider cannot read.",
                )
                .into()),
            }
        } else {
            match entry.resource.upgrade_state(&ctx, req.version, raw).await {
                Ok(v) => conform(v, &entry.ty, "upgraded state"),
                Err(d) => Err(d),
            }
        };
        let (upgraded_state, diags) =
            match upgraded.and_then(|v| encode(&v, &entry.ty, "upgraded state")) {
                Ok(dv) => (Some(dv), Diagnostics::new()),
                Err(d) => (None, d),
            };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: finish(&ctx, diags),
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        self.capture(
            "ConfigureProvider",
            "provider",
            &[("config", req.config.as_ref())],
            &self.provider_ty,
        );
        let ctx = self.ctx(Some(&self.provider_ty));
        let mut secrets = Vec::new();
        let diags = match decode(
            req.config.as_ref(),
            &self.provider_ty,
            "provider configuration",
        ) {
            Ok(config) => {
                secrets = secrets_of(&self.provider_schema.block, &[&config]);
                match self.provider.configure(&ctx, &config).await {
                    Ok(data) => {
                        if let Ok(mut slot) = self.provider_data.write() {
                            *slot = Some(data);
                        }
                        Diagnostics::new()
                    }
                    Err(d) => d,
                }
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: finish_hiding(&ctx, diags, &secrets),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::read_resource::Response {
                    new_state: req.current_state,
                    diagnostics: convert::diagnostics(&d),
                    private: req.private,
                    ..Default::default()
                }));
            }
        };
        self.capture(
            "ReadResource",
            &req.type_name,
            &[("current_state", req.current_state.as_ref())],
            &entry.ty,
        );
        let ctx = self.ctx(Some(&entry.ty));
        let mut secrets = Vec::new();
        let result = async {
            let current = decode(req.current_state.as_ref(), &entry.ty, "current state")?;
            secrets = secrets_of(&entry.schema.block, &[&current]);
            if current.is_null() {
                return Ok(Value::Null);
            }
            match entry.resource.read(&ctx, current.clone()).await? {
                Some(v) => {
                    let v = conform(v, &entry.ty, "refreshed state")?;
                    Ok(unknown_as_null(settle_state(&entry.schema, v, &current)))
                }
                None => Ok(Value::Null),
            }
        }
        .await
        .and_then(|v| {
            Ok((
                encode(&v, &entry.ty, "refreshed state")?,
                identity_data(entry, &v),
            ))
        });
        let (new_state, new_identity, diags) = match result {
            Ok((dv, identity)) => (Some(dv), identity, Diagnostics::new()),
            // On failure the stored state and identity stay as they were.
            Err(d) => (req.current_state, req.current_identity, d),
        };
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            new_identity,
            diagnostics: finish_hiding(&ctx, diags, &secrets),
            private: req.private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::plan_resource_change::Response {
                    diagnostics: convert::diagnostics(&d),
                    ..Default::default()
                }));
            }
        };
        self.capture(
            "PlanResourceChange",
            &req.type_name,
            &[
                ("prior_state", req.prior_state.as_ref()),
                ("proposed_new_state", req.proposed_new_state.as_ref()),
                ("config", req.config.as_ref()),
            ],
            &entry.ty,
        );
        let ctx = self.ctx(Some(&entry.ty));
        let mut secrets = Vec::new();
        let result = async {
            let prior = decode(req.prior_state.as_ref(), &entry.ty, "prior state")?;
            let proposed = decode(
                req.proposed_new_state.as_ref(),
                &entry.ty,
                "proposed new state",
            )?;
            let config = decode(req.config.as_ref(), &entry.ty, "configuration")?;
            secrets = secrets_of(&entry.schema.block, &[&prior, &proposed, &config]);
            let destroy = proposed.is_null();
            let mut change: PlanChange = plan::prepare(&entry.schema, &prior, &proposed, &config);
            let hook = entry.resource.modify_plan(&ctx, &mut change).await;
            plan::finish(&mut change, destroy);
            let planned = conform(change.planned, &entry.ty, "planned state")?;
            let planned_dv = encode(&planned, &entry.ty, "planned state")?;
            // An object kept (updated in place, or destroyed) keeps its
            // identity, the stored one if Terraform sent it; a new one has
            // none until it exists.
            let planned_identity = if change.requires_replace.is_empty() || destroy {
                req.prior_identity
                    .clone()
                    .filter(|i| i.identity_data.is_some())
                    .or_else(|| identity_data(entry, &prior))
            } else {
                None
            };
            Ok::<_, Diagnostics>((
                planned_dv,
                planned_identity,
                change.requires_replace,
                hook.err().unwrap_or_default(),
            ))
        }
        .await;
        let response = match result {
            Ok((planned_state, planned_identity, requires_replace, diags)) => {
                pb::plan_resource_change::Response {
                    planned_state: Some(planned_state),
                    planned_identity,
                    requires_replace: requires_replace
                        .iter()
                        .map(convert::attribute_path)
                        .collect(),
                    planned_private: req.prior_private,
                    diagnostics: finish_hiding(&ctx, diags, &secrets),
                    ..Default::default()
                }
            }
            Err(d) => pb::plan_resource_change::Response {
                diagnostics: finish_hiding(&ctx, d, &secrets),
                ..Default::default()
            },
        };
        Ok(Response::new(response))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: req.prior_state,
                    diagnostics: convert::diagnostics(&d),
                    ..Default::default()
                }));
            }
        };
        self.capture(
            "ApplyResourceChange",
            &req.type_name,
            &[
                ("prior_state", req.prior_state.as_ref()),
                ("planned_state", req.planned_state.as_ref()),
                ("config", req.config.as_ref()),
            ],
            &entry.ty,
        );
        let ctx = self.ctx(Some(&entry.ty));
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode(req.prior_state.as_ref(), &entry.ty, "prior state")?,
                decode(req.planned_state.as_ref(), &entry.ty, "planned state")?,
                decode(req.config.as_ref(), &entry.ty, "configuration")?,
            ))
        })();
        let (prior, planned, config) = match decoded {
            Ok(v) => v,
            Err(d) => {
                return Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: req.prior_state,
                    diagnostics: finish(&ctx, d),
                    ..Default::default()
                }));
            }
        };
        let secrets = secrets_of(&entry.schema.block, &[&prior, &planned, &config]);
        let (state, mut diags) = if planned.is_null() {
            match entry.resource.delete(&ctx, prior.clone()).await {
                Ok(()) => (Value::Null, Diagnostics::new()),
                // Still exists: keep it in state.
                Err(d) => (prior, d),
            }
        } else {
            let creating = prior.is_null();
            let ApplyResult { state, diagnostics } = if creating {
                entry
                    .resource
                    .create(
                        &ctx,
                        CreateRequest {
                            planned: planned.clone(),
                            config,
                        },
                    )
                    .await
            } else {
                entry
                    .resource
                    .update(
                        &ctx,
                        UpdateRequest {
                            prior: prior.clone(),
                            planned: planned.clone(),
                            config,
                        },
                    )
                    .await
            };
            match state {
                Some(v) => match conform(v, &entry.ty, "new state") {
                    Ok(v) => (
                        unknown_as_null(settle_state(&entry.schema, v, &planned)),
                        diagnostics,
                    ),
                    Err(mut d) => {
                        d.extend(diagnostics);
                        (prior, d)
                    }
                },
                None if diagnostics.has_errors() => (prior, diagnostics),
                None => {
                    let mut d = diagnostics;
                    d.error(
                        "Provider returned no state",
                        "The operation reported success without a resulting state; this is a bug in the provider.",
                    );
                    (prior, d)
                }
            }
        };
        let new_identity = identity_data(entry, &state);
        let new_state = match encode(&state, &entry.ty, "new state") {
            Ok(dv) => Some(dv),
            Err(d) => {
                diags.extend(d);
                req.prior_state
            }
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            new_identity,
            private: req.planned_private,
            diagnostics: finish_hiding(&ctx, diags, &secrets),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::import_resource_state::Response {
                    diagnostics: convert::diagnostics(&d),
                    ..Default::default()
                }));
            }
        };
        let ctx = self.ctx(Some(&entry.ty));
        let by_identity = req
            .identity
            .as_ref()
            .and_then(|i| i.identity_data.as_ref())
            .filter(|_| req.id.is_empty());
        let result = async {
            let v = match (by_identity, &entry.identity) {
                (Some(data), Some(identity)) => {
                    let given = decode(Some(data), &identity.ty, "resource identity")?;
                    let problems = identity.schema.check_import(&req.type_name, &given);
                    if problems.has_errors() {
                        return Err(problems);
                    }
                    entry.resource.import_identity(&ctx, &given).await?
                }
                (Some(_), None) => {
                    return Err(Diagnostic::error(
                        "Import by identity not supported",
                        format!(
                            "{} has no resource identity; import it by ID instead.",
                            req.type_name
                        ),
                    )
                    .into());
                }
                (None, _) => entry.resource.import(&ctx, &req.id).await?,
            };
            let v = conform(v, &entry.ty, "imported state")?;
            Ok::<_, Diagnostics>((
                encode(&v, &entry.ty, "imported state")?,
                identity_data(entry, &v),
            ))
        }
        .await;
        let (imported_resources, diags) = match result {
            Ok((state, identity)) => (
                vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    private: Vec::new(),
                    identity,
                }],
                Diagnostics::new(),
            ),
            Err(d) => (Vec::new(), d),
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: finish(&ctx, diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.resource(&req.target_type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::move_resource_state::Response {
                    diagnostics: convert::diagnostics(&d),
                    ..Default::default()
                }));
            }
        };
        let ctx = self.ctx(Some(&entry.ty));
        let source = MoveSource {
            provider_address: req.source_provider_address,
            type_name: req.source_type_name,
            schema_version: req.source_schema_version,
            json: req.source_state.map(|s| s.json).unwrap_or_default(),
        };
        // Not captured: the source state follows another schema, whose
        // sensitive attributes this provider cannot know.
        let result = self
            .move_state(&ctx, entry, &req.target_type_name, &source)
            .await
            .and_then(|v| encode(&v, &entry.ty, "moved state"));
        let (target_state, diags) = match result {
            Ok(dv) => (Some(dv), Diagnostics::new()),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::move_resource_state::Response {
            target_state,
            diagnostics: finish(&ctx, diags),
            target_private: Vec::new(),
            target_identity: None,
        }))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let result = self.resource(&req.type_name).and_then(|entry| {
            let state = decode(req.state.as_ref(), &entry.ty, "state")?;
            if !state.is_known() {
                return Err(Diagnostic::error(
                    "No state to generate configuration from",
                    format!(
                        "Generating configuration for a {} needs its state.",
                        req.type_name
                    ),
                )
                .into());
            }
            let config = conform(
                entry.resource.generate_config(&state),
                &entry.ty,
                "generated configuration",
            )?;
            encode(&config, &entry.ty, "generated configuration")
        });
        let (config, diags) = match result {
            Ok(dv) => (Some(dv), Diagnostics::new()),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::generate_resource_config::Response {
            config,
            diagnostics: convert::diagnostics(&diags),
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = request.into_inner();
        let entry = match self.data_source(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::read_data_source::Response {
                    diagnostics: convert::diagnostics(&d),
                    ..Default::default()
                }));
            }
        };
        self.capture(
            "ReadDataSource",
            &req.type_name,
            &[("config", req.config.as_ref())],
            &entry.ty,
        );
        let ctx = self.ctx(Some(&entry.ty));
        let mut secrets = Vec::new();
        let result = async {
            let config = decode(req.config.as_ref(), &entry.ty, "data source configuration")?;
            secrets = secrets_of(&entry.schema.block, &[&config]);
            let v = entry.data_source.read(&ctx, config).await?;
            let v = unknown_as_null(conform(v, &entry.ty, "data source result")?);
            encode(&v, &entry.ty, "data source result")
        }
        .await;
        let (state, diags) = match result {
            Ok(dv) => (Some(dv), Diagnostics::new()),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: finish_hiding(&ctx, diags, &secrets),
            deferred: None,
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        self.stop_in_flight();
        self.provider.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

/// A stored state (or identity) as the client sent it: its JSON, or the legacy flatmap form.
fn raw_state(raw: Option<pb::RawState>) -> RawState {
    let raw = raw.unwrap_or_default();
    RawState {
        json: (!raw.json.is_empty()).then_some(raw.json),
        flatmap: raw.flatmap.into_iter().collect(),
    }
}
