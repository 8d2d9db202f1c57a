//! `scs_cluster_class` data source: a ClusterClass's variables and worker classes.

use async_trait::async_trait;
use scs_kube::ops;
use serde::{Deserialize, Serialize};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::framework::{Ctx, TypedDataSource};
use tfplugin::value::Attr;
use tfplugin::{Model, TfObject};

use crate::support::kube::{connect, kube_call, namespace_of};

pub struct ClusterClassDataSource;

/// A Cluster API ClusterClass on the management cluster: the variables a cluster on it takes
/// (with their schemas and defaults) and its worker classes.
#[derive(Model, Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterClassLookup {
    /// `namespace/name`.
    #[tf(computed)]
    id: Attr<String>,
    /// The ClusterClass's namespace; default `default`.
    #[tf(optional)]
    namespace: Attr<String>,
    /// The ClusterClass's name, such as `openstack-scs2-1-33-v1`.
    #[tf(required)]
    name: Attr<String>,
    /// The class's variables: `name`, `required`, `schema` (its OpenAPI v3 schema as JSON) and
    /// `default` (JSON, empty when the schema has none).
    #[tf(computed)]
    variables: Attr<Vec<VariableModel>>,
    /// The worker (machine deployment) classes, such as `default-worker`.
    #[tf(computed)]
    worker_classes: Attr<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfObject)]
pub struct VariableModel {
    pub name: String,
    pub required: bool,
    pub schema: String,
    pub default: String,
}

#[async_trait]
impl TypedDataSource for ClusterClassDataSource {
    type Model = ClusterClassLookup;
    const TYPE_NAME: &'static str = "scs_cluster_class";

    async fn read(
        &self,
        ctx: &Ctx,
        mut config: ClusterClassLookup,
    ) -> Result<ClusterClassLookup, Diagnostics> {
        let summary = "Cannot read cluster class";
        let namespace = namespace_of(&config.namespace);
        let name = config.name.known().cloned().unwrap_or_default();
        let (client, capi) = connect(ctx, summary).await?;
        let class = kube_call(
            ctx,
            summary,
            ops::get_cluster_class(&client, capi, &namespace, &name),
        )
        .await?
        .ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                summary,
                format!("ClusterClass {namespace}/{name} does not exist."),
            ))
        })?;
        config.id = Attr::Known(format!("{namespace}/{name}"));
        config.variables = Attr::Known(
            class
                .variables
                .iter()
                .map(|v| VariableModel {
                    name: v.name.clone(),
                    required: v.required,
                    schema: v.schema.to_string(),
                    default: v.default_value().map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect(),
        );
        config.worker_classes = Attr::Known(class.worker_classes.clone());
        Ok(config)
    }
}
