//! The provider driven through the plugin protocol (`tfplugin::framework::Dispatch`) against the
//! in-process fake cloud (`scs_client::test_util`): what Terraform core would send for plan, apply,
//! refresh, import and data source reads, with the schemas taken from GetProviderSchema.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;

use scs_client::config::Sources;
use scs_client::test_util::{FakeCloud, PASSWORD};
use serde_json::json;
use terraform_provider_scs::provider::ScsProvider;
use tfplugin::framework::Dispatch;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::value::{Type, Value, decode_json, decode_msgpack, encode_json, encode_msgpack};
use tonic::Request;

// Not every test crate talks to the fake cloud.
#[allow(unused_imports)]
pub use scs_client::test_util::openstack as os;

pub mod lifecycle;
pub mod resource_identity;

/// One attribute's schema flags that Terraform core uses to build the proposed new state.
#[derive(Clone, Debug)]
struct AttrFlags {
    computed: bool,
    optional: bool,
}

#[derive(Clone, Debug)]
struct ResourceSchema {
    ty: Type,
    block: pb::schema::Block,
    attrs: BTreeMap<String, AttrFlags>,
}

/// A configured provider and the fake cloud it talks to.
pub struct Tf {
    pub cloud: FakeCloud,
    dispatch: Dispatch,
    resources: BTreeMap<String, ResourceSchema>,
    data_sources: BTreeMap<String, ResourceSchema>,
}

/// What an RPC answered: the new value (`Null` when the object is gone) and error diagnostics as
/// `summary: detail`.
#[derive(Debug)]
pub struct Answer {
    pub value: Value,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Answer {
    pub fn ok(self) -> Value {
        assert!(
            self.errors.is_empty(),
            "unexpected errors: {:#?}",
            self.errors
        );
        self.value
    }

    /// The error diagnostics, asserting there is at least one.
    pub fn failed(&self) -> String {
        assert!(
            !self.errors.is_empty(),
            "expected an error, got {:?}",
            self.value
        );
        self.errors.join("\n")
    }
}

/// An error diagnostic of a validation: the attribute path as Terraform shows it (`size`,
/// `network[1]`, `endpoint_overrides["x"]`; empty for the whole block), summary and detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub summary: String,
    pub detail: String,
}

/// The attribute paths of `problems`, in order.
pub fn paths(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.path.as_str()).collect()
}

fn path_text(path: Option<&pb::AttributePath>) -> String {
    use pb::attribute_path::step::Selector;
    let mut out = String::new();
    for step in path.map(|p| p.steps.as_slice()).unwrap_or_default() {
        match step.selector.as_ref() {
            Some(Selector::AttributeName(n)) if out.is_empty() => out.push_str(n),
            Some(Selector::AttributeName(n)) => out.push_str(&format!(".{n}")),
            Some(Selector::ElementKeyString(k)) => out.push_str(&format!("[{k:?}]")),
            Some(Selector::ElementKeyInt(i)) => out.push_str(&format!("[{i}]")),
            None => {}
        }
    }
    out
}

fn problems(diags: &[pb::Diagnostic]) -> Vec<Problem> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| Problem {
            path: path_text(d.attribute.as_ref()),
            summary: d.summary.clone(),
            detail: d.detail.clone(),
        })
        .collect()
}

/// The state as JSON, for assertions.
pub fn js(value: &Value) -> serde_json::Value {
    let ty = value.infer_type();
    serde_json::from_slice(&encode_json(value, &ty).unwrap()).unwrap()
}

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(v, ty).unwrap(),
        json: vec![],
    })
}

fn undv(d: Option<pb::DynamicValue>, ty: &Type) -> Value {
    match d {
        Some(d) if !d.msgpack.is_empty() => decode_msgpack(&d.msgpack, ty).unwrap(),
        _ => Value::Null,
    }
}

fn diags(diags: &[pb::Diagnostic], severity: pb::diagnostic::Severity) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == severity as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

fn answer(value: Value, d: &[pb::Diagnostic]) -> Answer {
    Answer {
        value,
        errors: diags(d, pb::diagnostic::Severity::Error),
        warnings: diags(d, pb::diagnostic::Severity::Warning),
    }
}

/// The value type of a protocol schema block.
fn block_type(block: &pb::schema::Block) -> Type {
    let mut fields: Vec<(String, Type)> = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), attribute_type(a)))
        .collect();
    for b in &block.block_types {
        use pb::schema::nested_block::NestingMode as N;
        let inner = block_type(b.block.as_ref().unwrap());
        let ty = match N::try_from(b.nesting).unwrap() {
            N::Single | N::Group => inner,
            N::List => Type::list(inner),
            N::Set => Type::set(inner),
            N::Map => Type::map(inner),
            N::Invalid => panic!("invalid nesting of block {}", b.type_name),
        };
        fields.push((b.type_name.clone(), ty));
    }
    Type::object(fields)
}

fn attribute_type(a: &pb::schema::Attribute) -> Type {
    match &a.nested_type {
        None => Type::from_json(&a.r#type).unwrap(),
        Some(obj) => {
            use pb::schema::object::NestingMode as N;
            let inner = Type::object(
                obj.attributes
                    .iter()
                    .map(|a| (a.name.clone(), attribute_type(a))),
            );
            match N::try_from(obj.nesting).unwrap() {
                N::Single => inner,
                N::List => Type::list(inner),
                N::Set => Type::set(inner),
                N::Map => Type::map(inner),
                N::Invalid => panic!("invalid nesting of attribute {}", a.name),
            }
        }
    }
}

fn resource_schema(schema: &pb::Schema) -> ResourceSchema {
    let block = schema.block.as_ref().unwrap();
    ResourceSchema {
        ty: block_type(block),
        block: block.clone(),
        attrs: block
            .attributes
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    AttrFlags {
                        computed: a.computed,
                        optional: a.optional,
                    },
                )
            })
            .collect(),
    }
}

impl Tf {
    /// A provider configured with password credentials for a fresh fake cloud, nothing taken from
    /// this process's environment.
    pub async fn start() -> Tf {
        let cloud = FakeCloud::openstack().await;
        let tf = Tf::unconfigured(cloud).await;
        tf.configure_with(json!({})).await;
        tf
    }

    /// What Terraform does at the start of every command: a provider configured anew (no
    /// listing kept for reads survives it).
    pub async fn next_command(&self) {
        self.configure_with(json!({})).await;
    }

    /// Configures the provider (again) with password credentials for the fake cloud, no retries,
    /// and `overrides`.
    pub async fn configure_with(&self, overrides: serde_json::Value) {
        let mut config = json!({
            "auth_url": self.cloud.auth_url(),
            "user_name": "demo",
            "password": PASSWORD,
            "project_name": "demo",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region": "RegionOne",
            "max_retries": 0,
        });
        if let (Some(config), Some(overrides)) = (config.as_object_mut(), overrides.as_object()) {
            config.extend(overrides.clone());
        }
        let errors = self.configure(config).await;
        assert!(errors.is_empty(), "configure failed: {errors:#?}");
    }

    /// The provider with its schemas read, not configured yet.
    pub async fn unconfigured(cloud: FakeCloud) -> Tf {
        let dispatch = Dispatch::new(ScsProvider::with_sources(Sources::default()));
        let resp = dispatch
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .unwrap()
            .into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        Tf {
            cloud,
            dispatch,
            resources: resp
                .resource_schemas
                .iter()
                .map(|(k, v)| (k.clone(), resource_schema(v)))
                .collect(),
            data_sources: resp
                .data_source_schemas
                .iter()
                .map(|(k, v)| (k.clone(), resource_schema(v)))
                .collect(),
        }
    }

    /// The resource types the provider registers.
    pub fn resource_types(&self) -> Vec<String> {
        self.resources.keys().cloned().collect()
    }

    pub fn data_source_types(&self) -> Vec<String> {
        self.data_sources.keys().cloned().collect()
    }

    /// ConfigureProvider with `config` (attributes not given are null); the error diagnostics.
    pub async fn configure(&self, config: serde_json::Value) -> Vec<String> {
        let schema = self
            .dispatch
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .unwrap()
            .into_inner();
        let block = schema.provider.unwrap().block.unwrap();
        let ty = block_type(&block);
        let config = value(&config, &block, &ty);
        let resp = self
            .dispatch
            .configure_provider(Request::new(pb::configure_provider::Request {
                config: dv(&config, &ty),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        diags(&resp.diagnostics, pb::diagnostic::Severity::Error)
    }

    fn resource(&self, type_name: &str) -> &ResourceSchema {
        self.resources
            .get(type_name)
            .unwrap_or_else(|| panic!("the provider has no resource {type_name}"))
    }

    /// The configuration `config` (a JSON object; missing attributes are null) as a value of the
    /// resource's type.
    pub fn config(&self, type_name: &str, config: &serde_json::Value) -> Value {
        let schema = self.resource(type_name);
        value(config, &schema.block, &schema.ty)
    }

    /// Terraform core's proposed new state: the configuration, with the prior value for every
    /// computed attribute the configuration leaves null.
    fn proposed(&self, type_name: &str, prior: &Value, config: &Value) -> Value {
        if prior.is_null() {
            return config.clone();
        }
        let schema = self.resource(type_name);
        let Value::Object(mut attrs) = config.clone() else {
            return config.clone();
        };
        for (name, flags) in &schema.attrs {
            let in_config = attrs.get(name).cloned().unwrap_or(Value::Null);
            if flags.computed && in_config.is_null() {
                attrs.insert(
                    name.clone(),
                    prior.attr(name).cloned().unwrap_or(Value::Null),
                );
            }
        }
        use pb::schema::nested_block::NestingMode as N;
        for b in &schema.block.block_types {
            if N::try_from(b.nesting) != Ok(N::Set) {
                continue;
            }
            let (Some(Value::Set(configured)), Some(Value::Set(before))) =
                (attrs.get(&b.type_name), prior.attr(&b.type_name))
            else {
                continue;
            };
            let matched = proposed_set(b.block.as_ref().unwrap(), configured, before);
            attrs.insert(b.type_name.clone(), Value::Set(matched));
        }
        Value::Object(attrs)
    }

    /// PlanResourceChange from `prior` (`Null` to create) to `config` (`Null` to destroy): the
    /// planned state and the attributes that require replacement.
    pub async fn plan(
        &self,
        type_name: &str,
        prior: &Value,
        config: &Value,
    ) -> (Answer, Vec<String>) {
        let ty = &self.resource(type_name).ty;
        let proposed = if config.is_null() {
            Value::Null
        } else {
            self.proposed(type_name, prior, config)
        };
        let resp = self
            .dispatch
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(prior, ty),
                proposed_new_state: dv(&proposed, ty),
                config: dv(config, ty),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let replace = resp
            .requires_replace
            .iter()
            .filter_map(|p| match p.steps.first()?.selector.as_ref()? {
                pb::attribute_path::step::Selector::AttributeName(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        (
            answer(undv(resp.planned_state, ty), &resp.diagnostics),
            replace,
        )
    }

    /// ApplyResourceChange.
    pub async fn apply(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Answer {
        let ty = &self.resource(type_name).ty;
        let resp = self
            .dispatch
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(prior, ty),
                planned_state: dv(planned, ty),
                config: dv(config, ty),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let new = undv(resp.new_state, ty);
        let answer = answer(new, &resp.diagnostics);
        if answer.errors.is_empty() && !planned.is_null() {
            assert_consistent(type_name, planned, &answer.value);
        }
        answer
    }

    /// Plan and apply a create of `config`; the answer of the apply, or of the plan if that
    /// failed.
    pub async fn try_create(&self, type_name: &str, config: serde_json::Value) -> Answer {
        let config = self.config(type_name, &config);
        let (planned, _) = self.plan(type_name, &Value::Null, &config).await;
        if !planned.errors.is_empty() {
            return planned;
        }
        self.apply(type_name, &Value::Null, &planned.value, &config)
            .await
    }

    /// Plan and apply a create of `config` that must succeed; the new state.
    pub async fn create(&self, type_name: &str, config: serde_json::Value) -> Value {
        self.try_create(type_name, config).await.ok()
    }

    /// Plan and apply an update from `prior` to `config`, asserting it is planned in place.
    pub async fn try_update(
        &self,
        type_name: &str,
        prior: &Value,
        config: serde_json::Value,
    ) -> Answer {
        let config = self.config(type_name, &config);
        let (planned, replace) = self.plan(type_name, prior, &config).await;
        assert!(
            replace.is_empty(),
            "{type_name} update planned as a replacement of {replace:?}"
        );
        let planned = planned.ok();
        self.apply(type_name, prior, &planned, &config).await
    }

    pub async fn update(&self, type_name: &str, prior: &Value, config: serde_json::Value) -> Value {
        self.try_update(type_name, prior, config).await.ok()
    }

    /// Plan and apply a destroy.
    pub async fn destroy(&self, type_name: &str, prior: &Value) -> Answer {
        let (planned, _) = self.plan(type_name, prior, &Value::Null).await;
        let planned = planned.ok();
        assert!(planned.is_null(), "a destroy plans a null state");
        self.apply(type_name, prior, &Value::Null, &Value::Null)
            .await
    }

    /// ReadResource (refresh): `Null` when the object is gone.
    pub async fn read(&self, type_name: &str, state: &Value) -> Answer {
        self.read_with_identity(type_name, state).await.0
    }

    /// ImportResourceState of `id` then ReadResource of what it imported, as `terraform import`
    /// does.
    pub async fn import(&self, type_name: &str, id: &str) -> Answer {
        let ty = &self.resource(type_name).ty;
        let resp = self
            .dispatch
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: type_name.into(),
                id: id.into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let imported = answer(Value::Null, &resp.diagnostics);
        if !imported.errors.is_empty() {
            return imported;
        }
        assert_eq!(resp.imported_resources.len(), 1, "one object imported");
        let first = resp.imported_resources.into_iter().next().unwrap();
        assert_eq!(first.type_name, type_name);
        let state = undv(first.state, ty);
        self.read(type_name, &state).await
    }

    /// MoveResourceState of a state of another provider's `source_type` (as JSON of that type's
    /// schema `version`) into `target_type`, then ReadResource of what it moved, as Terraform does
    /// for a `moved` block.
    pub async fn move_state(
        &self,
        source_provider: &str,
        source_type: &str,
        version: i64,
        source: &serde_json::Value,
        target_type: &str,
    ) -> Answer {
        let ty = &self.resource(target_type).ty;
        let resp = self
            .dispatch
            .move_resource_state(Request::new(pb::move_resource_state::Request {
                source_provider_address: source_provider.into(),
                source_type_name: source_type.into(),
                source_schema_version: version,
                source_state: Some(pb::RawState {
                    json: serde_json::to_vec(source).unwrap(),
                    flatmap: Default::default(),
                }),
                target_type_name: target_type.into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let moved = answer(undv(resp.target_state, ty), &resp.diagnostics);
        if !moved.errors.is_empty() {
            return moved;
        }
        let refreshed = self.read(target_type, &moved.value).await;
        Answer {
            warnings: [moved.warnings, refreshed.warnings].concat(),
            ..refreshed
        }
    }

    /// The server capabilities GetMetadata announces.
    pub async fn capabilities(&self) -> pb::ServerCapabilities {
        self.dispatch
            .get_metadata(Request::new(pb::get_metadata::Request {}))
            .await
            .unwrap()
            .into_inner()
            .server_capabilities
            .unwrap()
    }

    /// ReadDataSource with `config`.
    pub async fn read_data(&self, type_name: &str, config: serde_json::Value) -> Answer {
        let schema = self
            .data_sources
            .get(type_name)
            .unwrap_or_else(|| panic!("the provider has no data source {type_name}"));
        let ty = &schema.ty;
        let config = value(&config, &schema.block, ty);
        let resp = self
            .dispatch
            .read_data_source(Request::new(pb::read_data_source::Request {
                type_name: type_name.into(),
                config: dv(&config, ty),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        answer(undv(resp.state, ty), &resp.diagnostics)
    }

    /// OpenEphemeralResource of `config` (attributes not given are null): the result and the
    /// private bytes for close.
    pub async fn open_ephemeral(
        &self,
        type_name: &str,
        config: serde_json::Value,
    ) -> (Answer, Option<Vec<u8>>) {
        let (ty, config) = self.ephemeral_config(type_name, &config).await;
        let resp = self
            .dispatch
            .open_ephemeral_resource(Request::new(pb::open_ephemeral_resource::Request {
                type_name: type_name.into(),
                config: dv(&config, &ty),
                client_capabilities: None,
            }))
            .await
            .unwrap()
            .into_inner();
        (
            answer(undv(resp.result, &ty), &resp.diagnostics),
            resp.private,
        )
    }

    /// ValidateEphemeralResourceConfig of `config`: the error diagnostics.
    pub async fn validate_ephemeral(
        &self,
        type_name: &str,
        config: serde_json::Value,
    ) -> Vec<Problem> {
        let (ty, config) = self.ephemeral_config(type_name, &config).await;
        let resp = self
            .dispatch
            .validate_ephemeral_resource_config(Request::new(
                pb::validate_ephemeral_resource_config::Request {
                    type_name: type_name.into(),
                    config: dv(&config, &ty),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        problems(&resp.diagnostics)
    }

    /// CloseEphemeralResource: the error diagnostics.
    pub async fn close_ephemeral(&self, type_name: &str, private: Option<Vec<u8>>) -> Vec<String> {
        let resp = self
            .dispatch
            .close_ephemeral_resource(Request::new(pb::close_ephemeral_resource::Request {
                type_name: type_name.into(),
                private,
            }))
            .await
            .unwrap()
            .into_inner();
        diags(&resp.diagnostics, pb::diagnostic::Severity::Error)
    }

    /// The value type of an ephemeral resource and `config` as a value of it.
    async fn ephemeral_config(&self, type_name: &str, config: &serde_json::Value) -> (Type, Value) {
        let block = self.ephemeral_schema(type_name).await.block.unwrap();
        let ty = block_type(&block);
        let config = value(config, &block, &ty);
        (ty, config)
    }

    async fn ephemeral_schema(&self, type_name: &str) -> pb::Schema {
        let resp = self
            .dispatch
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .unwrap()
            .into_inner();
        resp.ephemeral_resource_schemas[type_name].clone()
    }

    /// ValidateResourceConfig of `config`, as `terraform validate` and every plan send it first:
    /// the error diagnostics. Sent without client capabilities, as clients before Terraform and
    /// OpenTofu 1.11 send it.
    pub async fn validate(&self, type_name: &str, config: &serde_json::Value) -> Vec<Problem> {
        self.validate_from(type_name, config, None).await
    }

    /// [`Tf::validate`] from a client that announces `capabilities` (Terraform and OpenTofu 1.11
    /// and later say whether they handle write-only attributes).
    pub async fn validate_from(
        &self,
        type_name: &str,
        config: &serde_json::Value,
        capabilities: Option<pb::ClientCapabilities>,
    ) -> Vec<Problem> {
        let ty = &self.resource(type_name).ty;
        let config = self.config(type_name, config);
        let resp = self
            .dispatch
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: type_name.into(),
                config: dv(&config, ty),
                client_capabilities: capabilities,
            }))
            .await
            .unwrap()
            .into_inner();
        problems(&resp.diagnostics)
    }

    /// [`Tf::validate`], asserting that nothing reached the cloud meanwhile.
    pub async fn validate_offline(
        &self,
        type_name: &str,
        config: &serde_json::Value,
    ) -> Vec<Problem> {
        let before = self.cloud.requests().len();
        let problems = self.validate(type_name, config).await;
        let sent = self.cloud.requests();
        assert_eq!(
            sent.len(),
            before,
            "validating {type_name} sent requests: {:?}",
            sent[before..]
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect::<Vec<_>>()
        );
        problems
    }

    /// ValidateProviderConfig of `config` (attributes not given are null): the error diagnostics.
    pub async fn validate_provider(&self, config: serde_json::Value) -> Vec<Problem> {
        let schema = self
            .dispatch
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .unwrap()
            .into_inner();
        let block = schema.provider.unwrap().block.unwrap();
        let ty = block_type(&block);
        let config = value(&config, &block, &ty);
        let resp = self
            .dispatch
            .validate_provider_config(Request::new(pb::validate_provider_config::Request {
                config: dv(&config, &ty),
            }))
            .await
            .unwrap()
            .into_inner();
        problems(&resp.diagnostics)
    }

    /// Bodies of the requests to `method path` so far, as JSON.
    pub fn bodies(&self, method: &str, path: &str) -> Vec<serde_json::Value> {
        self.cloud
            .hits(method, path)
            .iter()
            .map(|r| r.json())
            .collect()
    }
}

/// Terraform core's proposed elements of a set block: each configured element takes the
/// computed attributes it leaves null from an unused prior element whose other attributes are
/// the same.
fn proposed_set(block: &pb::schema::Block, configured: &[Value], prior: &[Value]) -> Vec<Value> {
    let computed: Vec<&str> = block
        .attributes
        .iter()
        .filter(|a| a.computed)
        .map(|a| a.name.as_str())
        .collect();
    let key = |v: &Value| match v {
        Value::Object(fields) => fields
            .iter()
            .filter(|(k, _)| !computed.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let mut used = vec![false; prior.len()];
    configured
        .iter()
        .map(|element| {
            let Some(i) = (0..prior.len()).find(|&i| !used[i] && key(&prior[i]) == key(element))
            else {
                return element.clone();
            };
            used[i] = true;
            let (Value::Object(fields), Value::Object(before)) = (element, &prior[i]) else {
                return element.clone();
            };
            let mut fields = fields.clone();
            for name in &computed {
                if fields.get(*name).is_none_or(Value::is_null) {
                    let value = before.get(*name).cloned().unwrap_or(Value::Null);
                    fields.insert((*name).to_owned(), value);
                }
            }
            Value::Object(fields)
        })
        .collect()
}

/// A configuration written as a JSON object, as Terraform sends it: attributes it does not name
/// are null, and so are absent single blocks; absent list and set blocks are empty.
pub fn value(config: &serde_json::Value, block: &pb::schema::Block, ty: &Type) -> Value {
    let full = complete(config, block);
    decode_json(full.to_string().as_bytes(), ty).unwrap()
}

fn complete(config: &serde_json::Value, block: &pb::schema::Block) -> serde_json::Value {
    use pb::schema::nested_block::NestingMode as N;
    let given = config.as_object().cloned().unwrap_or_default();
    let mut full = serde_json::Map::new();
    for a in &block.attributes {
        full.insert(
            a.name.clone(),
            given.get(&a.name).cloned().unwrap_or_default(),
        );
    }
    for b in &block.block_types {
        let inner = b.block.as_ref().unwrap();
        let nesting = N::try_from(b.nesting).unwrap();
        let value = match (given.get(&b.type_name), nesting) {
            (Some(serde_json::Value::Array(items)), _) => {
                json!(items.iter().map(|i| complete(i, inner)).collect::<Vec<_>>())
            }
            (Some(one), N::Single | N::Group) if !one.is_null() => complete(one, inner),
            (Some(other), _) => other.clone(),
            (None, N::List | N::Set) => json!([]),
            (None, N::Map) => json!({}),
            (None, _) => serde_json::Value::Null,
        };
        full.insert(b.type_name.clone(), value);
    }
    for k in given.keys() {
        assert!(
            full.contains_key(k),
            "no attribute or block {k} in the schema"
        );
    }
    serde_json::Value::Object(full)
}

/// Terraform's check after apply: every value the plan knew is the value applied.
fn assert_consistent(type_name: &str, planned: &Value, applied: &Value) {
    let (Value::Object(planned), Value::Object(applied)) = (planned, applied) else {
        return;
    };
    for (name, want) in planned {
        if want.is_wholly_known() {
            assert_eq!(
                Some(want),
                applied.get(name),
                "{type_name}: the provider produced an inconsistent result for {name}"
            );
        }
    }
}

/// The string attribute `name` of a state.
pub fn s<'a>(state: &'a Value, name: &str) -> &'a str {
    state
        .attr(name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{name} is not a known string in {state:?}"))
}
