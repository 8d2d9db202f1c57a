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
    ApplyResult, CreateRequest, Ctx, DataSource, PlanChange, Provider, ProviderData, RawState,
    Resource, UpdateRequest, plan,
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
        let mismatches = resource_list
            .iter()
            .map(|r| (r.type_name().to_owned(), r.self_check()))
            .chain(
                data_source_list
                    .iter()
                    .map(|d| (d.type_name().to_owned(), d.self_check())),
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
            resources.insert(
                name,
                ResourceEntry {
                    resource,
                    schema,
                    ty,
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
        for resource in provider.ephemeral_resources() {
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
            generate_resource_config: false,
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
            DataSourceMetadata, EphemeralMetadata, FunctionMetadata, ResourceMetadata,
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
            ..Default::default()
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(Default::default()))
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
        let raw = req.raw_state.unwrap_or_default();
        let raw = RawState {
            json: (!raw.json.is_empty()).then_some(raw.json),
            flatmap: raw.flatmap.into_iter().collect(),
        };
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
        .and_then(|v| encode(&v, &entry.ty, "refreshed state"));
        let (new_state, diags) = match result {
            Ok(dv) => (Some(dv), Diagnostics::new()),
            // On failure the stored state stays as it was.
            Err(d) => (req.current_state, d),
        };
        Ok(Response::new(pb::read_resource::Response {
            new_state,
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
            Ok::<_, Diagnostics>((
                planned_dv,
                change.requires_replace,
                hook.err().unwrap_or_default(),
            ))
        }
        .await;
        let response = match result {
            Ok((planned_state, requires_replace, diags)) => pb::plan_resource_change::Response {
                planned_state: Some(planned_state),
                requires_replace: requires_replace
                    .iter()
                    .map(convert::attribute_path)
                    .collect(),
                planned_private: req.prior_private,
                diagnostics: finish_hiding(&ctx, diags, &secrets),
                ..Default::default()
            },
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
        let new_state = match encode(&state, &entry.ty, "new state") {
            Ok(dv) => Some(dv),
            Err(d) => {
                diags.extend(d);
                req.prior_state
            }
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
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
        let result = async {
            let v = entry.resource.import(&ctx, &req.id).await?;
            let v = conform(v, &entry.ty, "imported state")?;
            encode(&v, &entry.ty, "imported state")
        }
        .await;
        let (imported_resources, diags) = match result {
            Ok(state) => (
                vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(state),
                    private: Vec::new(),
                    identity: None,
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
