//! Acceptance: Kubernetes Cluster Stacks on the real clients against the Kubernetes test bed (a
//! management cluster with Cluster API, its in-memory infrastructure provider and the Cluster
//! Stack Operator; `TF_ACC_KUBECONFIG` names another management cluster). A cluster stack with one version becomes ready, a
//! cluster on it becomes available and its kubeconfig lists the workload cluster's nodes, the
//! workers scale in place, the stack gains a version and the cluster moves to it in place, a
//! variable the class does not know is a plan error, the ephemeral kubeconfig stays out of the
//! state, and destroy leaves nothing behind. Every plan after an apply is empty.

mod harness;

use std::future::Future;
use std::sync::OnceLock;

use harness::{Feature, Scenario, kube};
use scs_kube::capi::{self, CapiVersion};
use scs_kube::cso::{ClusterStack, ClusterStackRelease};
use scs_kube::k8s_openapi::api::core::v1::Node;
use scs_kube::{Access, Client, Management, ops};

/// Runs `fut` on one runtime for the whole test: a client's connection tasks live on the
/// runtime that made it.
fn block_on<T>(fut: impl Future<Output = T>) -> T {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("cannot start a runtime: {e}"))
        })
        .block_on(fut)
}

/// The management cluster the scenarios use, from the kubeconfig the harness gives them.
fn management() -> (Client, CapiVersion) {
    let access = Access {
        config_path: Some(kube::kubeconfig()),
        ..Default::default()
    };
    let management = Management::new(access);
    block_on(async {
        let client = management
            .client()
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test bed: {e}"));
        let version = management
            .capi_version()
            .await
            .unwrap_or_else(|e| panic!("the test bed serves no Cluster API: {e}"));
        (client, version)
    })
}

/// The nodes of the workload cluster that `kubeconfig` reaches.
fn workload_nodes(kubeconfig: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("kubeconfig");
    std::fs::write(&file, kubeconfig).unwrap_or_else(|e| panic!("{e}"));
    let management = Management::new(Access {
        config_path: Some(file),
        ..Default::default()
    });
    block_on(async {
        let client = management
            .client()
            .await
            .unwrap_or_else(|e| panic!("the kubeconfig does not make a client: {e}"));
        let api: scs_kube::kube::Api<Node> = scs_kube::kube::Api::all(client);
        api.list(&Default::default())
            .await
            .unwrap_or_else(|e| panic!("cannot list the workload cluster's nodes: {e}"))
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect()
    })
}

/// A file of `acceptance/scenarios`.
fn scenario_file(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("acceptance/scenarios")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn assert_plan_empty(s: &Scenario, after: &str) {
    assert!(s.plan_is_empty(), "the plan after {after} is not empty");
}

/// What is left in `namespace` of the stack and the cluster `cluster`.
fn leftovers(client: &Client, capi: CapiVersion, namespace: &str, cluster: &str) -> Vec<String> {
    block_on(async {
        let mut left = Vec::new();
        if let Ok(Some(_)) = ops::get_cluster(client, capi, namespace, cluster).await {
            left.push(format!("Cluster {cluster}"));
        }
        for s in ops::list::<ClusterStack>(client, namespace)
            .await
            .unwrap_or_default()
        {
            left.push(format!("ClusterStack {:?}", s.metadata.name));
        }
        for r in ops::list::<ClusterStackRelease>(client, namespace)
            .await
            .unwrap_or_default()
        {
            left.push(format!("ClusterStackRelease {:?}", r.metadata.name));
        }
        let classes = match capi {
            CapiVersion::V1beta1 => ops::list::<capi::v1beta1::ClusterClass>(client, namespace)
                .await
                .map(|l| l.into_iter().map(|c| c.metadata.name).collect::<Vec<_>>()),
            CapiVersion::V1beta2 => ops::list::<capi::v1beta2::ClusterClass>(client, namespace)
                .await
                .map(|l| l.into_iter().map(|c| c.metadata.name).collect::<Vec<_>>()),
        };
        for c in classes.unwrap_or_default() {
            left.push(format!("ClusterClass {c:?}"));
        }
        left
    })
}

#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a management cluster (make kube-up)"]
fn cluster_stack_and_cluster_lifecycle() {
    harness::on_both_clients("cluster_lifecycle", |s| {
        let namespace = s.use_kube();
        let (client, capi) = management();

        s.use_scenario("cluster");
        s.write_file(
            "kubeconfig.tf",
            &scenario_file("cluster/kubeconfig/data.tf"),
        );
        s.init();
        s.apply();
        assert_plan_empty(s, "create");
        let stack = s.state_resource("scs_cluster_stack.inmem");
        let v1 = &stack["releases"]["v1"];
        assert_eq!(v1["cluster_class"], "docker-inmem-1-36-v1", "{stack}");
        assert_eq!(v1["ready"], true, "{stack}");
        let cluster = s.state_resource("scs_cluster.c1");
        assert_eq!(
            cluster["kubernetes_version"], v1["kubernetes_version"],
            "{cluster}"
        );
        assert_eq!(cluster["api_version"], capi.as_str());
        let available = cluster["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| (c["type"] == "Available" || c["type"] == "Ready") && c["status"] == "True");
        assert!(available, "{cluster}");
        let kubeconfig = s.ok(&["output", "-raw", "kubeconfig"]).stdout;
        let nodes = workload_nodes(&kubeconfig);
        assert!(!nodes.is_empty(), "the workload cluster has no nodes");

        s.set_env("TF_VAR_workers", "2");
        assert_eq!(s.planned_actions("scs_cluster.c1"), ["update"]);
        s.apply();
        assert_plan_empty(s, "scaling");
        let cluster = s.state_resource("scs_cluster.c1");
        assert_eq!(cluster["worker"][0]["replicas"], 2, "{cluster}");
        let view = block_on(ops::get_cluster(&client, capi, &namespace, "c1"))
            .ok()
            .flatten();
        assert_eq!(
            view.as_ref()
                .and_then(|v| v.workers.first())
                .and_then(|w| w.replicas),
            Some(2)
        );

        s.set_env("TF_VAR_stack_versions", r#"["v1", "v2"]"#);
        assert_eq!(s.planned_actions("scs_cluster_stack.inmem"), ["update"]);
        assert!(
            s.planned_actions("scs_cluster.c1").is_empty()
                || s.planned_actions("scs_cluster.c1") == ["no-op"]
        );
        s.apply();
        assert_plan_empty(s, "adding a stack version");
        let stack = s.state_resource("scs_cluster_stack.inmem");
        assert_eq!(stack["releases"]["v2"]["ready"], true, "{stack}");

        s.set_env("TF_VAR_cluster_version", "v2");
        assert_eq!(s.planned_actions("scs_cluster.c1"), ["update"]);
        s.apply();
        assert_plan_empty(s, "the upgrade");
        let cluster = s.state_resource("scs_cluster.c1");
        assert_eq!(
            cluster["cluster_class"], "docker-inmem-1-36-v2",
            "{cluster}"
        );
        assert_eq!(
            cluster["kubernetes_version"], stack["releases"]["v2"]["kubernetes_version"],
            "{cluster}"
        );

        s.set_env("TF_VAR_cluster_variables", r#"{no_such_variable = "x"}"#);
        let plan = s.run(&["plan", "-input=false", "-no-color"]);
        plan.assert_failure();
        assert!(plan.contains("Unknown cluster variable"), "{}", plan.all());
        assert!(plan.contains("no_such_variable"), "{}", plan.all());
        // Back to a configuration that plans (every client's destroy plans it too).
        s.remove_env("TF_VAR_cluster_variables");
        assert_plan_empty(s, "dropping the unknown variable");

        if s.client().supports(Feature::EphemeralResources) {
            s.write_file(
                "kubeconfig.tf",
                &scenario_file("cluster/kubeconfig/ephemeral.tf"),
            );
            let applied = s.apply();
            assert!(
                applied.contains("scs_cluster_kubeconfig.c1"),
                "{}",
                applied.all()
            );
            let key = block_on(ops::get_secret(&client, &namespace, "c1-kubeconfig"))
                .ok()
                .flatten()
                .and_then(|secret| scs_kube::kubeconfig::from_secret(&secret).ok())
                .and_then(|raw| scs_kube::kubeconfig::parse(&raw).ok())
                .map(|a| a.client_key)
                .unwrap_or_default();
            assert!(!key.is_empty(), "the kubeconfig secret has no client key");
            let state =
                std::fs::read_to_string(s.workdir().join("terraform.tfstate")).unwrap_or_default();
            let first_line = key.lines().nth(1).unwrap_or("-----");
            assert!(
                !state.contains(first_line),
                "the client key is in the state"
            );
            assert_plan_empty(s, "opening the ephemeral kubeconfig");
        }

        s.destroy();
        let left = leftovers(&client, capi, &namespace, "c1");
        assert!(left.is_empty(), "left after destroy: {left:?}");
    });
}

/// A kubeconfig for a management cluster that is not there (nothing listens on its port).
const UNREACHABLE_KUBECONFIG: &str = r#"apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster:
    server: https://127.0.0.1:9
    insecure-skip-tls-verify: true
users:
- name: gone
  user:
    token: not-a-token
contexts:
- name: gone
  context:
    cluster: gone
    user: gone
current-context: gone
"#;

/// `examples/cluster` works as its comments say: it plans while no management cluster can be
/// reached, and with one (the test bed's in-memory stack given as variables) it applies to an
/// available cluster with an empty plan after; the stack's delete is refused while a cluster the
/// configuration no longer manages uses it, and succeeds once that cluster is gone.
#[test]
#[ignore = "acceptance: needs TF_ACC=1, the clients and a management cluster (make kube-up)"]
fn cluster_example_plans_offline_and_applies() {
    harness::on_both_clients("cluster_example", |s| {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cluster/main.tf");
        let example = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let namespace = s.use_kube();
        s.write_config(&example);
        s.set_env(
            "TF_VAR_cluster_stack",
            r#"{provider = "docker", name = "inmem", kubernetes_version = "1.36", version = "v1"}"#,
        );
        s.set_env("TF_VAR_cluster_variables", r#"{flavor = "SCS-2V-4"}"#);
        s.init();

        let offline = s.workdir().join("unreachable.kubeconfig");
        std::fs::write(&offline, UNREACHABLE_KUBECONFIG).unwrap_or_else(|e| panic!("{e}"));
        s.set_env("KUBECONFIG", &offline);
        assert_eq!(s.planned_actions("scs_cluster_stack.this"), ["create"]);
        assert_eq!(s.planned_actions("scs_cluster.demo"), ["create"]);

        s.set_env("KUBECONFIG", kube::kubeconfig());
        s.apply();
        assert_plan_empty(s, "applying the example");
        let cluster = s.state_resource("scs_cluster.demo");
        assert_eq!(cluster["namespace"], namespace.as_str(), "{cluster}");
        assert_eq!(cluster["phase"], "Provisioned", "{cluster}");
        let (client, capi) = management();

        // The operator keeps a stack that a cluster still uses, and the destroy says why.
        s.ok(&["state", "rm", "scs_cluster.demo"]);
        let refused = s.try_destroy();
        refused.assert_failure();
        assert!(
            refused.contains("refused to delete ClusterStack")
                && refused.contains("clusters that use this stack"),
            "{}",
            refused.all()
        );
        s.kubectl(&[
            "delete",
            "clusters.cluster.x-k8s.io",
            "demo",
            "-n",
            &namespace,
            "--timeout=300s",
        ])
        .assert_success();
        s.destroy();
        let left = leftovers(&client, capi, &namespace, "demo");
        assert!(left.is_empty(), "left after destroy: {left:?}");
    });
}
