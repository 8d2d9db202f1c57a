//! The Kubernetes management cluster the cluster scenarios run against (the local test bed unless
//! `TF_ACC_KUBECONFIG` names another): a scenario that uses it gets its own namespace as
//! `var.namespace`, the cluster answers, the test bed's shared ClusterClasses are there, and the
//! namespace is gone once the scenario is cleaned up.

mod harness;

use std::sync::Mutex;

use harness::{Client, Scenario, kube};

#[test]
#[ignore = "acceptance: needs TF_ACC=1 and a Kubernetes management cluster (make kube-up)"]
fn scenarios_get_a_namespace_of_their_own() {
    let namespaces = Mutex::new(Vec::new());
    harness::on_both_clients("kube_namespace", |s| {
        let namespace = s.use_kube();
        if let Ok(mut seen) = namespaces.lock() {
            seen.push(namespace.clone());
        }
        s.write_config(
            r#"output "namespace" {
  value = var.namespace
}
"#,
        );
        s.init();
        s.apply();
        let out = s.ok(&["output", "-raw", "namespace"]);
        assert_eq!(out.stdout.trim(), namespace, "var.namespace:\n{out}");
        let phase = s.kubectl(&[
            "get",
            "namespace",
            &namespace,
            "-o",
            "jsonpath={.status.phase}",
        ]);
        assert_eq!(phase.assert_success().stdout, "Active", "{phase}");
        if kube::on_kube_bed() {
            for class in ["docker-inmem-1-36-v1", "docker-inmem-1-36-v2"] {
                s.kubectl(&["get", "clusterclass", "-n", kube::STACK_NAMESPACE, class])
                    .assert_success();
            }
        }
    });
    let namespaces = namespaces.into_inner().unwrap_or_default();
    assert_eq!(namespaces.len(), Client::selected().len(), "{namespaces:?}");
    let check = Scenario::new("kube_namespace_gone", Client::selected()[0]);
    for namespace in namespaces {
        let out = check.kubectl(&[
            "get",
            "namespace",
            &namespace,
            "--ignore-not-found",
            "-o",
            "name",
        ]);
        assert_eq!(
            out.assert_success().stdout.trim(),
            "",
            "{namespace} is left:\n{out}"
        );
    }
}
