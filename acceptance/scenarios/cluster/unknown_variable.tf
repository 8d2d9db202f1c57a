# A variable the class does not declare: a plan error on that variable.
resource "scs_cluster_stack" "inmem" {
  namespace               = var.namespace
  infrastructure_provider = "docker"
  name                    = "inmem"
  kubernetes_version      = "1.36"
  versions                = ["v1", "v2"]
}

resource "scs_cluster" "c1" {
  namespace     = var.namespace
  name          = "c1"
  cluster_class = scs_cluster_stack.inmem.releases["v2"].cluster_class

  variables = {
    no_such_variable = jsonencode("x")
  }

  control_plane {
    replicas = 1
  }

  worker {
    name     = "md-0"
    replicas = 2
  }
}

data "scs_cluster_kubeconfig" "c1" {
  namespace    = var.namespace
  cluster_name = scs_cluster.c1.name
}

output "kubeconfig" {
  value     = data.scs_cluster_kubeconfig.c1.raw
  sensitive = true
}

output "kubernetes_version" {
  value = scs_cluster.c1.kubernetes_version
}
