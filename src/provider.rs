//! The provider as the plugin framework sees it: the `provider "scs"` schema, validation, and configure,
//! which turns the block into an authenticated `scs_client::Client` for the resources.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use scs_client::Client;
use scs_client::config::{CloudConfig, ConfigError, Sources};
use scs_kube::Management;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::framework::{
    self, Ctx, DataSource, EphemeralResource, Function, ListResource, Provider, Resource,
    StateMover,
};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::{Attr, Type, Value, from_value};

use crate::config::{self, ARGUMENTS, KUBERNETES_ARGUMENTS, Kind, ProviderArgs};

/// The registry address users write in `required_providers`.
pub const SOURCE_ADDRESS: &str = "sovereigncloudstack/scs";

pub use crate::support::ProviderData;

/// The `scs` provider.
#[derive(Debug, Default, Clone)]
pub struct ScsProvider {
    /// Where configure looks for `OS_*` variables and clouds.yaml; `None` = this process's environment and
    /// the standard file locations.
    sources: Option<Sources>,
    /// The configured client, kept so that StopProvider can abort requests that run outside a request
    /// context (the client's own token).
    configured: Arc<Mutex<Option<Client>>>,
}

impl ScsProvider {
    /// `KUBECONFIG`, from the configured sources when there are any.
    fn kubeconfig_env(&self) -> Option<String> {
        match &self.sources {
            Some(sources) => sources.env.get("KUBECONFIG").cloned(),
            None => std::env::var("KUBECONFIG").ok(),
        }
    }

    /// A provider that resolves its configuration against `sources` instead of the process environment
    /// (tests, embedding).
    pub fn with_sources(sources: Sources) -> Self {
        Self {
            sources: Some(sources),
            ..Self::default()
        }
    }
}

#[async_trait]
impl Provider for ScsProvider {
    fn type_name(&self) -> &str {
        "scs"
    }

    fn schema(&self) -> Schema {
        provider_schema()
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        match decode(config) {
            Ok(args) => problems_to_diagnostics(config::validate(&args)),
            Err(diags) => diags,
        }
    }

    async fn configure(
        &self,
        ctx: &Ctx,
        config: &Value,
    ) -> Result<framework::ProviderData, Diagnostics> {
        let args = decode(config)?;
        let problems = problems_to_diagnostics(config::validate(&args));
        if problems.has_errors() {
            return Err(problems);
        }
        let management = management(&args, self.kubeconfig_env());
        if args.has_unknown() {
            return Ok(Arc::new(
                ProviderData::new(None, args.region.known().cloned()).with_management(management),
            ));
        }
        let resolved = match &self.sources {
            Some(sources) => CloudConfig::resolve_with(args.to_overrides(), sources),
            None => CloudConfig::resolve(args.to_overrides()),
        };
        let resolved = match resolved {
            Ok(r) => r,
            // A provider block with only a kubernetes block manages clusters and needs no
            // OpenStack cloud: that it has none is said when a resource needs one.
            Err(e @ ConfigError::Missing { .. }) if args.kubernetes.is_known() => {
                return Ok(Arc::new(
                    ProviderData::new(None, None)
                        .with_management(management)
                        .without_cloud(
                            // Said on a resource: the provider block's argument is no path there.
                            config_error(e)
                                .iter()
                                .cloned()
                                .map(|mut d| {
                                    d.attribute = None;
                                    d
                                })
                                .collect(),
                        ),
                ));
            }
            Err(e) => return Err(config_error(e)),
        };
        let region = resolved.region.clone();
        let cloud = describe_cloud(&resolved);
        let client = Client::new(resolved).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Cannot set up the cloud connection",
                format!("{cloud}: {e}"),
            ))
        })?;
        // Authenticating here reports wrong credentials once, on the provider block, instead of on every
        // resource; the token is reused by all later requests.
        match ctx.run(client.authenticate()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                return Err(Diagnostic::error(
                    "Authentication failed",
                    format!("{cloud} did not accept the credentials: {e}"),
                )
                .into());
            }
            Err(interrupted) => return Err(interrupted.into()),
        }
        if let Ok(mut configured) = self.configured.lock() {
            *configured = Some(client.clone());
        }
        Ok(Arc::new(
            ProviderData::new(Some(client), region).with_management(management),
        ))
    }

    fn stop(&self) {
        if let Ok(configured) = self.configured.lock()
            && let Some(client) = configured.as_ref()
        {
            client.cancel_all();
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        crate::resources::all()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        crate::data_sources::all()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        crate::ephemeral_resources::all()
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        crate::functions::all()
    }

    fn state_movers(&self) -> Vec<Arc<dyn StateMover>> {
        vec![Arc::new(crate::migration::mover::OpenStackMover)]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        crate::list::all()
    }
}

/// The management cluster the `kubernetes` block describes; `None` while the block has unknown
/// values. It is contacted only when a resource needs it.
fn management(args: &ProviderArgs, kubeconfig_env: Option<String>) -> Option<Arc<Management>> {
    match &args.kubernetes {
        Attr::Unknown => None,
        Attr::Known(k) if k.has_unknown() => None,
        Attr::Known(k) => Some(Arc::new(Management::new(k.to_access(kubeconfig_env)))),
        Attr::Null => Some(Arc::new(Management::new(
            config::KubernetesArgs::default().to_access(kubeconfig_env),
        ))),
    }
}

/// The `kubernetes` block.
fn kubernetes_block() -> NestedBlock {
    let block = KUBERNETES_ARGUMENTS.iter().fold(
        Block::new().description(
            "The Cluster API management cluster that the cluster stack resources and data sources \
             use (`scs_cluster_stack`, `scs_cluster`, `scs_cluster_class`, \
             `scs_cluster_kubeconfig`). Without this block the files in `KUBECONFIG` are used. The \
             provider connects only when one of them needs it, so configurations without them, and \
             plans that create a cluster, need no reachable management cluster.",
        ),
        |block, (name, sensitive, description)| {
            let ty = if *name == "insecure" {
                Type::Bool
            } else {
                Type::String
            };
            let mut attribute = Attribute::new(*name, ty)
                .optional()
                .description(*description);
            if *sensitive {
                attribute = attribute.sensitive();
            }
            block.attribute(attribute)
        },
    );
    NestedBlock::single("kubernetes", block)
}

/// The schema of the `provider "scs"` block, built from [`config::ARGUMENTS`].
pub fn provider_schema() -> Schema {
    let block = ARGUMENTS.iter().fold(
        Block::new().description(
            "Manages resources on a Sovereign Cloud Stack (OpenStack) cloud. Every argument is optional: \
             credentials can also come from `OS_*` environment variables or a `clouds.yaml` entry.",
        ),
        |block, arg| {
            let ty = match arg.kind {
                Kind::String => Type::String,
                Kind::Bool => Type::Bool,
                Kind::Number => Type::Number,
                Kind::StringMap => Type::map(Type::String),
            };
            let mut attribute = Attribute::new(arg.name, ty)
                .optional()
                .description(describe(arg));
            if arg.sensitive {
                attribute = attribute.sensitive();
            }
            block.attribute(attribute)
        },
    );
    Schema::new(block.block(kubernetes_block()))
}

/// The argument's description plus where else the value can come from.
fn describe(arg: &config::Argument) -> String {
    match arg.env {
        [] => arg.description.to_owned(),
        vars => {
            let vars: Vec<String> = vars.iter().map(|v| format!("`{v}`")).collect();
            format!(
                "{} Environment: {}.",
                arg.description,
                vars.join(if vars.len() == 2 { " or " } else { ", " })
            )
        }
    }
}

fn decode(config: &Value) -> Result<ProviderArgs, Diagnostics> {
    if config.is_null() {
        return Ok(ProviderArgs::default());
    }
    from_value(config).map_err(|e| {
        Diagnostic::error(
            "Cannot read the provider configuration",
            format!("The provider block does not match the provider's schema: {e}."),
        )
        .into()
    })
}

fn problems_to_diagnostics(problems: Vec<config::Problem>) -> Diagnostics {
    problems
        .into_iter()
        .map(|p| {
            let path = AttributePath::attr(p.attribute);
            let path = match p.key {
                Some(key) => path.join_key(key),
                None => path,
            };
            Diagnostic::error(p.summary, p.detail).with_path(path)
        })
        .collect()
}

/// The provider argument called `what`, if there is one: where a message about it points.
fn argument(what: &str) -> Option<AttributePath> {
    ARGUMENTS
        .iter()
        .any(|a| a.name == what)
        .then(|| AttributePath::attr(what))
}

/// Resolution failures name what is missing and every place that was searched; point at the argument
/// when the failure is about one.
fn config_error(e: ConfigError) -> Diagnostics {
    let (summary, attribute) = match &e {
        ConfigError::Missing { what, .. } => ("Cannot find how to reach the cloud", argument(what)),
        ConfigError::Invalid { what, .. } => ("Invalid cloud configuration", argument(what)),
        ConfigError::NoCloudsFile { .. } | ConfigError::CloudNotFound { .. } => {
            ("Cannot find the cloud", Some(AttributePath::attr("cloud")))
        }
        _ => ("Invalid cloud configuration", None),
    };
    // scs_client's message already names the missing piece, how to give it, and every place searched.
    let detail = format!("{e}.");
    let diagnostic = Diagnostic::error(summary, detail);
    match attribute {
        Some(path) => diagnostic.with_path(path).into(),
        None => diagnostic.into(),
    }
}

fn describe_cloud(resolved: &scs_client::config::ResolvedConfig) -> String {
    match &resolved.cloud {
        Some(name) => format!("cloud '{name}' ({})", resolved.auth_url),
        None => format!("Keystone at {}", resolved.auth_url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let ty = provider_schema().value_type();
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
            .conform(&ty)
            .unwrap_or(Value::Null)
    }

    /// A context holding what `configure` made of `cfg`; the test fails when it reports an error.
    async fn configured(provider: ScsProvider, cfg: &Value) -> Ctx {
        match provider.configure(&Ctx::default(), cfg).await {
            Ok(data) => Ctx::default().with_provider_data(Some(data)),
            Err(e) => panic!("configure failed: {e}"),
        }
    }

    /// What `configure` reports for `cfg`; empty when it succeeds.
    async fn configure_error(provider: &ScsProvider, cfg: &Value) -> Diagnostics {
        provider
            .configure(&Ctx::default(), cfg)
            .await
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn schema_has_every_argument_optional_with_a_description() {
        let schema = provider_schema();
        assert_eq!(schema.block.attributes.len(), ARGUMENTS.len());
        for attr in &schema.block.attributes {
            assert!(
                attr.optional && !attr.required && !attr.computed,
                "{}",
                attr.name
            );
            assert!(!attr.description.is_empty(), "{}", attr.name);
        }
        let sensitive: Vec<_> = schema
            .block
            .attributes
            .iter()
            .filter(|a| a.sensitive)
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            sensitive,
            ["password", "application_credential_secret", "token"]
        );
    }

    #[test]
    fn descriptions_name_the_environment_variables() {
        let schema = provider_schema();
        let cloud = schema
            .block
            .get_attribute("cloud")
            .map(|a| a.description.clone());
        assert!(cloud.is_some_and(|d| d.contains("`OS_CLOUD`")));
        let token = schema
            .block
            .get_attribute("token")
            .map(|a| a.description.clone());
        assert!(token.is_some_and(|d| d.contains("`OS_TOKEN` or `OS_AUTH_TOKEN`")));
    }

    #[tokio::test]
    async fn validate_points_at_auth_url() {
        let cfg = config(&[("auth_url", Value::from("not a url"))]);
        assert!(!cfg.is_null());
        let diags = ScsProvider::default().validate(&Ctx::default(), &cfg).await;
        assert_eq!(diags.len(), 1, "{diags}");
        let paths: Vec<_> = diags.iter().map(|d| d.attribute.clone()).collect();
        assert_eq!(paths, [Some(AttributePath::attr("auth_url"))]);
    }

    #[tokio::test]
    async fn validate_accepts_unknown_values() {
        let cfg = config(&[
            ("auth_url", Value::Unknown),
            ("max_retries", Value::Unknown),
            ("endpoint_type", Value::Unknown),
        ]);
        assert!(
            ScsProvider::default()
                .validate(&Ctx::default(), &cfg)
                .await
                .is_empty()
        );
    }

    #[tokio::test]
    async fn configure_with_unknown_values_defers_the_client() {
        let cfg = config(&[
            ("auth_url", Value::Unknown),
            ("region", Value::from("RegionOne")),
        ]);
        let ctx = configured(ScsProvider::default(), &cfg).await;
        let data = ctx.provider_data::<ProviderData>().expect("provider data");
        assert!(data.client().is_err());
        assert_eq!(data.region(), Some("RegionOne"));
    }

    #[tokio::test]
    async fn configure_rejects_invalid_values_before_resolving() {
        let cfg = config(&[("endpoint_type", Value::from("private"))]);
        let diags = configure_error(&ScsProvider::default(), &cfg).await;
        assert!(diags.has_errors() && diags.to_string().contains("endpoint_type"));
    }

    fn no_environment() -> ScsProvider {
        ScsProvider::with_sources(Sources::env_only(Default::default()))
    }

    #[tokio::test]
    async fn configure_without_any_way_to_authenticate_says_what_is_missing_and_where_it_looked() {
        let err = configure_error(&no_environment(), &config(&[]))
            .await
            .to_string();
        assert!(err.contains("auth_url"), "{err}");
        assert!(err.contains("looked in"), "{err}");
        assert!(err.contains("OS_* environment variables"), "{err}");
    }

    #[tokio::test]
    async fn a_block_with_only_kubernetes_needs_no_cloud_until_a_resource_does() {
        let cfg = config(&[(
            "kubernetes",
            Value::object([("config_path", Value::from("/nonexistent/kubeconfig"))]),
        )]);
        let ctx = configured(no_environment(), &cfg).await;
        let data = ctx.provider_data::<ProviderData>().expect("provider data");
        assert!(data.management().is_ok());
        let err = data
            .client()
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.contains("auth_url"), "says what is missing: {err}");
    }

    #[tokio::test]
    async fn configure_with_an_unknown_cloud_points_at_cloud() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("clouds.yaml");
        std::fs::write(
            &file,
            "clouds:\n  other:\n    auth:\n      auth_url: http://127.0.0.1:1/v3\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let provider = ScsProvider::with_sources(
            Sources::env_only(Default::default()).with_clouds_file(&file),
        );
        let cfg = config(&[("cloud", Value::from("mine"))]);
        let diags = configure_error(&provider, &cfg).await;
        let paths: Vec<_> = diags.iter().map(|d| d.attribute.clone()).collect();
        assert_eq!(paths, [Some(AttributePath::attr("cloud"))], "{diags}");
        assert!(
            diags.to_string().contains("other"),
            "lists the clouds it found: {diags}"
        );
    }

    #[tokio::test]
    async fn configure_reports_an_unreachable_cloud_without_leaking_the_secret() {
        let cfg = config(&[
            ("auth_url", Value::from("http://127.0.0.1:1/v3")),
            ("application_credential_id", Value::from("id")),
            ("application_credential_secret", Value::from("TOP-SECRET")),
            ("max_retries", Value::from(0)),
        ]);
        let diags = configure_error(&no_environment(), &cfg).await;
        let text = diags.to_string();
        assert!(diags.has_errors(), "{text}");
        assert!(text.contains("127.0.0.1:1"), "names the endpoint: {text}");
        assert!(!text.contains("TOP-SECRET"), "{text}");
    }

    #[test]
    fn stop_cancels_the_configured_clients_requests() {
        let overrides = scs_client::config::Overrides {
            auth_url: Some("http://127.0.0.1:1/v3".to_owned()),
            token: Some(scs_client::config::Secret::new("t")),
            ..Default::default()
        };
        let resolved = CloudConfig::resolve_with(overrides, &Sources::env_only(Default::default()))
            .unwrap_or_else(|e| panic!("{e}"));
        let client = Client::new(resolved).unwrap_or_else(|e| panic!("{e}"));
        let provider = ScsProvider::default();
        provider.stop(); // before configure: nothing to cancel, no panic
        if let Ok(mut configured) = provider.configured.lock() {
            *configured = Some(client.clone());
        }
        assert!(!client.cancellation().is_cancelled());
        provider.stop();
        assert!(client.cancellation().is_cancelled());
    }
}
