# A Kubernetes cluster from an SCS cluster stack: the Cluster Stack Operator makes the stack's
# ClusterClass on the Cluster API management cluster, and Cluster API builds the cluster on it.
# The kubeconfig is read as an ephemeral resource (Terraform 1.10+, OpenTofu 1.11+), so it never
# lands in the state.
#
# The management cluster comes from KUBECONFIG (or set config_path below). `plan` works before
# the management cluster exists: nothing is contacted until a resource needs it.
# Run with: terraform init && terraform apply

terraform {
  required_providers {
    scs = {
      source = "SovereignCloudStack/scs"
    }
  }
}

provider "scs" {
  kubernetes {
    # config_path    = "~/.kube/management.yaml"
    # config_context = "management"
  }
}

variable "namespace" {
  description = "The namespace of the stack and the cluster on the management cluster."
  type        = string
  default     = "default"
}

resource "scs_cluster_stack" "scs2" {
  namespace               = var.namespace
  infrastructure_provider = "openstack"
  name                    = "scs2"
  kubernetes_version      = "1.33"
  versions                = ["v1"]
}

resource "scs_cluster" "demo" {
  namespace = var.namespace
  name      = "demo"
  labels    = { "managed-secret" = "clouds-yaml" }

  # The stack's ClusterClass; kubernetes_version is taken from its release.
  cluster_class = scs_cluster_stack.scs2.releases["v1"].cluster_class

  control_plane {
    replicas = 1
  }

  worker {
    name     = "md-0"
    replicas = 2
  }

  variables = {
    workerFlavor = jsonencode("SCS-4V-8")
  }
}

output "cluster_endpoint" {
  value = scs_cluster.demo.control_plane_endpoint
}
