//! Resource identity and list resources through the protocol: what Terraform 1.12+ sends for
//! `import { identity = { ... } }` and what `terraform query` sends for `list` blocks.

use futures_util::StreamExt;
use serde_json::json;
use tfplugin::proto::tfplugin6 as pb;
use tfplugin::proto::tfplugin6::provider_server::Provider as _;
use tfplugin::value::{Type, Value};
use tonic::Request;

use super::{Answer, Problem, Tf, answer, block_type, diags, dv, problems, undv};

/// One result of a list: its display name, identity and (when asked for) resource object.
#[derive(Debug)]
pub struct ListItem {
    pub display_name: String,
    pub identity: Value,
    pub object: Value,
}

/// What a ListResource stream carried: its results and the diagnostics of every event.
#[derive(Debug)]
pub struct ListAnswer {
    pub items: Vec<ListItem>,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Tf {
    /// The dispatcher, for RPCs this module does not wrap.
    pub fn dispatch(&self) -> &tfplugin::framework::Dispatch {
        &self.dispatch
    }

    /// GetResourceIdentitySchemas.
    pub async fn identity_schemas(&self) -> pb::get_resource_identity_schemas::Response {
        self.dispatch
            .get_resource_identity_schemas(Request::new(
                pb::get_resource_identity_schemas::Request {},
            ))
            .await
            .unwrap()
            .into_inner()
    }

    /// The identity type of resource `type_name`.
    pub async fn identity_type(&self, type_name: &str) -> Type {
        let schemas = self.identity_schemas().await;
        let schema = schemas
            .identity_schemas
            .get(type_name)
            .unwrap_or_else(|| panic!("{type_name} has no identity schema"));
        Type::object(
            schema
                .identity_attributes
                .iter()
                .map(|a| (a.name.clone(), Type::from_json(&a.r#type).unwrap())),
        )
    }

    /// An identity written as JSON (attributes left out are null).
    pub async fn identity(&self, type_name: &str, identity: serde_json::Value) -> Value {
        let ty = self.identity_type(type_name).await;
        let mut full = serde_json::Map::new();
        for name in ty.attributes().unwrap().keys() {
            full.insert(
                name.clone(),
                identity.get(name).cloned().unwrap_or_default(),
            );
        }
        tfplugin::value::decode_json(serde_json::Value::Object(full).to_string().as_bytes(), &ty)
            .unwrap()
    }

    /// ReadResource: the new state and the identity it came back with (`Null` for none).
    pub async fn read_with_identity(&self, type_name: &str, state: &Value) -> (Answer, Value) {
        let ty = &self.resource(type_name).ty;
        let resp = self
            .dispatch
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: type_name.into(),
                current_state: dv(state, ty),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let identity = self.undv_identity(type_name, resp.new_identity).await;
        (
            answer(undv(resp.new_state, ty), &resp.diagnostics),
            identity,
        )
    }

    /// PlanResourceChange and ApplyResourceChange of `config` (JSON null: a destroy) from
    /// `prior`: the new state and the planned and the applied identity.
    pub async fn apply_with_identity(
        &self,
        type_name: &str,
        prior: &Value,
        config: serde_json::Value,
    ) -> (Answer, Value, Value) {
        let ty = self.resource(type_name).ty.clone();
        let (config, proposed) = if config.is_null() {
            (Value::Null, Value::Null)
        } else {
            let config = self.config(type_name, &config);
            let proposed = self.proposed(type_name, prior, &config);
            (config, proposed)
        };
        let plan = self
            .dispatch
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(prior, &ty),
                proposed_new_state: dv(&proposed, &ty),
                config: dv(&config, &ty),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let planned_identity = self.undv_identity(type_name, plan.planned_identity).await;
        let planned = answer(undv(plan.planned_state, &ty), &plan.diagnostics).ok();
        let resp = self
            .dispatch
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(prior, &ty),
                planned_state: dv(&planned, &ty),
                config: dv(&config, &ty),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let identity = self.undv_identity(type_name, resp.new_identity).await;
        (
            answer(undv(resp.new_state, &ty), &resp.diagnostics),
            planned_identity,
            identity,
        )
    }

    /// ImportResourceState by `identity` (no ID), then ReadResource, as an `import` block with
    /// `identity = { ... }` does: the state and the identity of the import and of the read.
    pub async fn import_by_identity(&self, type_name: &str, identity: &Value) -> (Answer, Value) {
        let ity = self.identity_type(type_name).await;
        self.import_request(
            type_name,
            "",
            Some(pb::ResourceIdentityData {
                identity_data: dv(identity, &ity),
            }),
        )
        .await
    }

    /// ImportResourceState by `id`, then ReadResource: the state and the identity.
    pub async fn import_with_identity(&self, type_name: &str, id: &str) -> (Answer, Value) {
        self.import_request(type_name, id, None).await
    }

    async fn import_request(
        &self,
        type_name: &str,
        id: &str,
        identity: Option<pb::ResourceIdentityData>,
    ) -> (Answer, Value) {
        let ty = self.resource(type_name).ty.clone();
        let resp = self
            .dispatch
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: type_name.into(),
                id: id.into(),
                identity,
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let imported = answer(Value::Null, &resp.diagnostics);
        if !imported.errors.is_empty() {
            return (imported, Value::Null);
        }
        assert_eq!(resp.imported_resources.len(), 1, "one object imported");
        let first = resp.imported_resources.into_iter().next().unwrap();
        let import_identity = self.undv_identity(type_name, first.identity).await;
        let state = undv(first.state, &ty);
        let (read, read_identity) = self.read_with_identity(type_name, &state).await;
        if !read.value.is_null() {
            assert_eq!(
                import_identity, read_identity,
                "{type_name}: the identity an import answers is the one the read after it answers"
            );
        }
        (read, read_identity)
    }

    async fn undv_identity(
        &self,
        type_name: &str,
        identity: Option<pb::ResourceIdentityData>,
    ) -> Value {
        match identity.and_then(|i| i.identity_data) {
            Some(d) => undv(Some(d), &self.identity_type(type_name).await),
            None => Value::Null,
        }
    }

    /// PlanResourceChange of `config` from `prior` with the identity Terraform stored for it:
    /// the planned identity.
    pub async fn planned_identity(
        &self,
        type_name: &str,
        prior: &Value,
        config: serde_json::Value,
        stored: &Value,
    ) -> Value {
        let ty = self.resource(type_name).ty.clone();
        let ity = self.identity_type(type_name).await;
        let config = self.config(type_name, &config);
        let proposed = self.proposed(type_name, prior, &config);
        let plan = self
            .dispatch
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(prior, &ty),
                proposed_new_state: dv(&proposed, &ty),
                config: dv(&config, &ty),
                prior_identity: Some(pb::ResourceIdentityData {
                    identity_data: dv(stored, &ity),
                }),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
        self.undv_identity(type_name, plan.planned_identity).await
    }

    /// GenerateResourceConfig for `state`: the configuration Terraform writes for it.
    pub async fn generate_config(&self, type_name: &str, state: &Value) -> Answer {
        let ty = self.resource(type_name).ty.clone();
        let resp = self
            .dispatch
            .generate_resource_config(Request::new(pb::generate_resource_config::Request {
                type_name: type_name.into(),
                state: dv(state, &ty),
            }))
            .await
            .unwrap()
            .into_inner();
        answer(undv(resp.config, &ty), &resp.diagnostics)
    }

    /// ValidateResourceConfig of a configuration value: the problems.
    pub async fn validate_value(&self, type_name: &str, config: &Value) -> Vec<Problem> {
        let ty = self.resource(type_name).ty.clone();
        let resp = self
            .dispatch
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: type_name.into(),
                config: dv(config, &ty),
                client_capabilities: None,
            }))
            .await
            .unwrap()
            .into_inner();
        problems(&resp.diagnostics)
    }

    /// The list resource schemas of GetProviderSchema.
    pub async fn list_schemas(&self) -> std::collections::HashMap<String, pb::Schema> {
        self.dispatch
            .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
            .await
            .unwrap()
            .into_inner()
            .list_resource_schemas
    }

    async fn list_config(&self, type_name: &str, config: &serde_json::Value) -> (Type, Value) {
        let schemas = self.list_schemas().await;
        let block = schemas
            .get(type_name)
            .unwrap_or_else(|| panic!("no list resource {type_name}"))
            .block
            .clone()
            .unwrap();
        let ty = block_type(&block);
        (ty.clone(), super::value(config, &block, &ty))
    }

    /// ValidateListResourceConfig of `config` with `limit`: the problems.
    pub async fn validate_list(
        &self,
        type_name: &str,
        config: serde_json::Value,
        limit: i64,
    ) -> Vec<Problem> {
        let (ty, config) = self.list_config(type_name, &config).await;
        let resp = self
            .dispatch
            .validate_list_resource_config(Request::new(
                pb::validate_list_resource_config::Request {
                    type_name: type_name.into(),
                    config: dv(&config, &ty),
                    include_resource_object: dv(&Value::Bool(true), &Type::Bool),
                    limit: dv(&Value::from(limit), &Type::Number),
                },
            ))
            .await
            .unwrap()
            .into_inner();
        problems(&resp.diagnostics)
    }

    /// ListResource of `config` (`Null` config for a `list` block without `config { }`).
    pub async fn list(
        &self,
        type_name: &str,
        config: serde_json::Value,
        include_resource: bool,
        limit: i64,
    ) -> ListAnswer {
        let (ty, config_value) = self.list_config(type_name, &config).await;
        let config_value = if config.is_null() {
            Value::Null
        } else {
            config_value
        };
        let rty = self.resource(type_name).ty.clone();
        let mut stream = self
            .dispatch
            .list_resource(Request::new(pb::list_resource::Request {
                type_name: type_name.into(),
                config: dv(&config_value, &ty),
                include_resource_object: include_resource,
                limit,
            }))
            .await
            .unwrap()
            .into_inner();
        let mut out = ListAnswer {
            items: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        while let Some(event) = stream.next().await {
            let event = event.unwrap();
            out.errors
                .extend(diags(&event.diagnostic, pb::diagnostic::Severity::Error));
            out.warnings
                .extend(diags(&event.diagnostic, pb::diagnostic::Severity::Warning));
            if event.identity.is_none() {
                continue;
            }
            out.items.push(ListItem {
                display_name: event.display_name,
                identity: self.undv_identity(type_name, event.identity).await,
                object: undv(event.resource_object, &rty),
            });
        }
        out
    }
}

/// `{id, region}` as a JSON identity.
pub fn id_region(id: &str, region: &str) -> serde_json::Value {
    json!({"id": id, "region": region})
}
