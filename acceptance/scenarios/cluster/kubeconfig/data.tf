# The kubeconfig as a data source (in the state, sensitive), for the scenario to use.
data "scs_cluster_kubeconfig" "c1" {
  namespace    = var.namespace
  cluster_name = scs_cluster.c1.name
}

output "kubeconfig" {
  value     = data.scs_cluster_kubeconfig.c1.raw
  sensitive = true
}
