# A Kubernetes cluster from an SCS cluster stack: the Cluster Stack Operator makes the stack's
# ClusterClass on the Cluster API management cluster, and Cluster API builds the cluster on it.
# For the cluster's kubeconfig, see the data source and the ephemeral resource
# scs_cluster_kubeconfig (the ephemeral one, Terraform 1.10+ and OpenTofu 1.11+, keeps it out of the
# state).
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

variable "cluster_stack" {
  description = "The cluster stack: its infrastructure provider, name, Kubernetes minor version and the stack version the cluster runs."
  type = object({
    provider           = string
    name               = string
    kubernetes_version = string
    version            = string
  })
  default = {
    provider           = "openstack"
    name               = "scs2"
    kubernetes_version = "1.33"
    version            = "v1"
  }
}

variable "cluster_variables" {
  description = "Values of the ClusterClass's variables (see data.scs_cluster_class for what it declares)."
  type        = map(string)
  default     = { workerFlavor = "SCS-4V-8" }
}

resource "scs_cluster_stack" "this" {
  namespace               = var.namespace
  infrastructure_provider = var.cluster_stack.provider
  name                    = var.cluster_stack.name
  kubernetes_version      = var.cluster_stack.kubernetes_version
  versions                = [var.cluster_stack.version]
}

resource "scs_cluster" "demo" {
  namespace = var.namespace
  name      = "demo"
  labels    = { "managed-secret" = "clouds-yaml" }

  # The stack's ClusterClass; kubernetes_version is taken from its release.
  cluster_class = scs_cluster_stack.this.releases[var.cluster_stack.version].cluster_class

  control_plane {
    replicas = 1
  }

  worker {
    name     = "md-0"
    replicas = 2
  }

  variables = { for name, value in var.cluster_variables : name => jsonencode(value) }
}

output "cluster_endpoint" {
  value = scs_cluster.demo.control_plane_endpoint
}
