# Instead of data.tf on clients with ephemeral resources: the kubeconfig opened during plan and
# apply, and in no state.
ephemeral "scs_cluster_kubeconfig" "c1" {
  namespace    = var.namespace
  cluster_name = scs_cluster.c1.name
}
