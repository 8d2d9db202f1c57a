//! Reading, applying and deleting objects, each failure named by what was tried.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::Value;

use crate::capi::{self, CapiVersion};
use crate::meta::KubeResource;
use crate::{Error, FIELD_MANAGER};

/// The document a server-side apply of `obj` sends: the object with its `apiVersion` and
/// `kind`, and nothing the object leaves unset.
pub fn apply_document<K: KubeResource>(obj: &K) -> Value {
    let mut doc = serde_json::to_value(obj).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut doc {
        map.remove("status");
        map.insert("apiVersion".into(), K::api_version(&()).into_owned().into());
        map.insert("kind".into(), K::kind(&()).into_owned().into());
    }
    doc
}

fn describe<K: KubeResource>(verb: &str, namespace: &str, name: &str) -> String {
    format!("{verb} {} {namespace}/{name}", K::DESCRIPTION)
}

/// Object `namespace/name`; `None` when it does not exist.
pub async fn get<K: KubeResource>(
    client: &Client,
    namespace: &str,
    name: &str,
) -> Result<Option<K>, Error> {
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    api.get_opt(name)
        .await
        .map_err(|e| Error::from_kube(describe::<K>("read", namespace, name), e))
}

/// Every object of kind `K` in `namespace`.
pub async fn list<K: KubeResource>(client: &Client, namespace: &str) -> Result<Vec<K>, Error> {
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    api.list(&Default::default())
        .await
        .map(|l| l.items)
        .map_err(|e| {
            Error::from_kube(
                format!("list {} in namespace {namespace}", K::DESCRIPTION),
                e,
            )
        })
}

/// Server-side applies `obj` with this provider's field manager, taking over the fields it sets
/// from other managers; returns the object as the server has it afterwards.
pub async fn apply<K: KubeResource>(client: &Client, obj: &K) -> Result<K, Error> {
    let namespace = obj.namespace().unwrap_or_default();
    let name = obj.name_any();
    let api: Api<K> = Api::namespaced(client.clone(), &namespace);
    let params = PatchParams::apply(FIELD_MANAGER).force();
    api.patch(&name, &params, &Patch::Apply(apply_document(obj)))
        .await
        .map_err(|e| Error::from_kube(describe::<K>("apply", &namespace, &name), e))
}

/// Deletes `namespace/name` (in the background: its finalizers run on their own); `false` when
/// it was already gone.
pub async fn delete<K: KubeResource>(
    client: &Client,
    namespace: &str,
    name: &str,
) -> Result<bool, Error> {
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(false),
        Err(e) => Err(Error::from_kube(
            describe::<K>("delete", namespace, name),
            e,
        )),
    }
}

/// Secret `namespace/name`; `None` when it does not exist.
pub async fn get_secret(
    client: &Client,
    namespace: &str,
    name: &str,
) -> Result<Option<Secret>, Error> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    api.get_opt(name)
        .await
        .map_err(|e| Error::from_kube(format!("read Secret {namespace}/{name}"), e))
}

/// The Cluster API version to use, from the versions the management cluster serves.
pub async fn discover_capi_version(client: &Client) -> Result<CapiVersion, Error> {
    let groups = client
        .list_api_groups()
        .await
        .map_err(|e| Error::from_kube("list the API groups of the management cluster", e))?;
    let served: Vec<String> = groups
        .groups
        .iter()
        .filter(|g| g.name == capi::GROUP)
        .flat_map(|g| g.versions.iter().map(|v| v.version.clone()))
        .collect();
    CapiVersion::choose(served.iter().map(String::as_str))
}

/// Cluster `namespace/name` in `version`, as a view; `None` when it does not exist.
pub async fn get_cluster(
    client: &Client,
    version: CapiVersion,
    namespace: &str,
    name: &str,
) -> Result<Option<capi::ClusterView>, Error> {
    Ok(match version {
        CapiVersion::V1beta1 => get::<capi::v1beta1::Cluster>(client, namespace, name)
            .await?
            .as_ref()
            .map(capi::ClusterView::from),
        CapiVersion::V1beta2 => get::<capi::v1beta2::Cluster>(client, namespace, name)
            .await?
            .as_ref()
            .map(capi::ClusterView::from),
    })
}

/// Applies `cluster` in `version`; returns the Cluster as the server has it afterwards.
pub async fn apply_cluster(
    client: &Client,
    version: CapiVersion,
    cluster: &capi::ClusterApply,
) -> Result<capi::ClusterView, Error> {
    Ok(match version {
        CapiVersion::V1beta1 => {
            capi::ClusterView::from(&apply(client, &cluster.to_v1beta1()?).await?)
        }
        CapiVersion::V1beta2 => {
            capi::ClusterView::from(&apply(client, &cluster.to_v1beta2()?).await?)
        }
    })
}

/// Deletes Cluster `namespace/name`; `false` when it was already gone.
pub async fn delete_cluster(
    client: &Client,
    version: CapiVersion,
    namespace: &str,
    name: &str,
) -> Result<bool, Error> {
    match version {
        CapiVersion::V1beta1 => delete::<capi::v1beta1::Cluster>(client, namespace, name).await,
        CapiVersion::V1beta2 => delete::<capi::v1beta2::Cluster>(client, namespace, name).await,
    }
}

/// ClusterClass `namespace/name` in `version`, as a view; `None` when it does not exist.
pub async fn get_cluster_class(
    client: &Client,
    version: CapiVersion,
    namespace: &str,
    name: &str,
) -> Result<Option<capi::ClusterClassView>, Error> {
    Ok(match version {
        CapiVersion::V1beta1 => get::<capi::v1beta1::ClusterClass>(client, namespace, name)
            .await?
            .as_ref()
            .map(capi::ClusterClassView::from),
        CapiVersion::V1beta2 => get::<capi::v1beta2::ClusterClass>(client, namespace, name)
            .await?
            .as_ref()
            .map(capi::ClusterClassView::from),
    })
}

#[cfg(test)]
mod tests {
    use http::{Request, Response};
    use kube::client::Body;
    use serde_json::json;

    use super::*;
    use crate::cso::ClusterStack;

    type Handle = tower_test::mock::Handle<Request<Body>, Response<Body>>;

    fn mock() -> (Client, Handle) {
        let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        (Client::new(service, "default"), handle)
    }

    fn respond(code: u16, body: Value) -> Response<Body> {
        let mut response = Response::new(Body::from(body.to_string().into_bytes()));
        *response.status_mut() =
            http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        response
    }

    #[tokio::test]
    async fn apply_sends_a_server_side_apply_with_the_field_manager() {
        let (client, mut handle) = mock();
        let server = tokio::spawn(async move {
            let (request, send) = handle.next_request().await?;
            let uri = request.uri().to_string();
            let method = request.method().clone();
            let ct = request
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            send.send_response(respond(
                200,
                json!({"apiVersion": "clusterstack.x-k8s.io/v1alpha1", "kind": "ClusterStack",
                       "metadata": {"name": "docker-inmem-1-36", "namespace": "ns"},
                       "spec": {"provider": "docker", "name": "inmem", "kubernetesVersion": "1.36"}}),
            ));
            Some((method, uri, ct))
        });
        let mut stack = ClusterStack::default();
        stack.metadata.name = Some("docker-inmem-1-36".into());
        stack.metadata.namespace = Some("ns".into());
        stack.spec.provider = "docker".into();
        let applied = apply(&client, &stack).await;
        assert!(applied.is_ok(), "{applied:?}");
        let seen = server.await.ok().flatten();
        let Some((method, uri, ct)) = seen else {
            panic!("no request");
        };
        assert_eq!(method, http::Method::PATCH);
        assert!(
            uri.starts_with(
                "/apis/clusterstack.x-k8s.io/v1alpha1/namespaces/ns/clusterstacks/docker-inmem-1-36?"
            ),
            "{uri}"
        );
        assert!(uri.contains("fieldManager=terraform-provider-scs"), "{uri}");
        assert!(uri.contains("force=true"), "{uri}");
        assert_eq!(ct.as_deref(), Some("application/apply-patch+yaml"));
    }

    #[tokio::test]
    async fn a_refused_delete_carries_the_webhooks_message() {
        let (client, mut handle) = mock();
        tokio::spawn(async move {
            if let Some((_, send)) = handle.next_request().await {
                send.send_response(respond(
                    403,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                           "message": "admission webhook \"validation.clusterstack.clusterstack.x-k8s.io\" denied the request: can't delete ClusterStack as there are clusters using it",
                           "reason": "Forbidden", "code": 403}),
                ));
            }
        });
        let err = delete::<ClusterStack>(&client, "ns", "s").await.err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("there are clusters using it"), "{text}");
        assert!(text.contains("delete ClusterStack ns/s"), "{text}");
    }

    #[tokio::test]
    async fn a_missing_object_is_none_and_a_deleted_one_is_false() {
        let (client, mut handle) = mock();
        tokio::spawn(async move {
            while let Some((_, send)) = handle.next_request().await {
                send.send_response(respond(
                    404,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                           "message": "not found", "reason": "NotFound", "code": 404}),
                ));
            }
        });
        let got = get::<ClusterStack>(&client, "ns", "s").await;
        assert!(matches!(got, Ok(None)), "{got:?}");
        let deleted = delete::<ClusterStack>(&client, "ns", "s").await;
        assert!(matches!(deleted, Ok(false)), "{deleted:?}");
    }

    #[tokio::test]
    async fn discovery_prefers_v1beta2() {
        let (client, mut handle) = mock();
        tokio::spawn(async move {
            if let Some((_, send)) = handle.next_request().await {
                send.send_response(respond(
                    200,
                    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                        {"name": "cluster.x-k8s.io", "versions": [
                            {"groupVersion": "cluster.x-k8s.io/v1beta2", "version": "v1beta2"},
                            {"groupVersion": "cluster.x-k8s.io/v1beta1", "version": "v1beta1"}],
                         "preferredVersion": {"groupVersion": "cluster.x-k8s.io/v1beta2", "version": "v1beta2"}}
                    ]}),
                ));
            }
        });
        let version = discover_capi_version(&client).await;
        assert!(matches!(version, Ok(CapiVersion::V1beta2)), "{version:?}");
    }
}
