# A cluster stack and a cluster on one of its versions. Each step of the scenario changes the
# variables: more workers, another stack version, the cluster moved to it, a variable the class
# does not declare.

variable "stack_versions" {
  type    = list(string)
  default = ["v1"]
}

variable "cluster_version" {
  type    = string
  default = "v1"
}

variable "workers" {
  type    = number
  default = 1
}

variable "cluster_variables" {
  type    = map(string)
  default = {}
}

resource "scs_cluster_stack" "inmem" {
  namespace               = var.namespace
  infrastructure_provider = "docker"
  name                    = "inmem"
  kubernetes_version      = "1.36"
  versions                = var.stack_versions
}

resource "scs_cluster" "c1" {
  namespace     = var.namespace
  name          = "c1"
  cluster_class = scs_cluster_stack.inmem.releases[var.cluster_version].cluster_class
  variables = length(var.cluster_variables) == 0 ? null : {
    for name, value in var.cluster_variables : name => jsonencode(value)
  }

  control_plane {
    replicas = 1
  }

  worker {
    name     = "md-0"
    replicas = var.workers
  }
}

output "kubernetes_version" {
  value = scs_cluster.c1.kubernetes_version
}
