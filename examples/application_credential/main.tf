# A Keystone application credential for a Kubernetes cluster's cloud provider, and the
# clouds.yaml that the SCS Cluster Stacks' openstack-csp-helper chart (and every OpenStack
# client) reads.
#
# Keystone lets only users who authenticated with a password, a token or an unrestricted
# application credential create application credentials: point OS_CLOUD at such an entry of
# clouds.yaml (see examples/provider). Run with:
#   terraform init && terraform apply
#   terraform output -raw clouds_yaml > clouds.yaml
#   openstack --os-cloud openstack token issue   # with OS_CLIENT_CONFIG_FILE=$PWD/clouds.yaml

terraform {
  required_providers {
    scs = {
      source = "SovereignCloudStack/scs"
    }
  }
}

provider "scs" {}

variable "cluster" {
  description = "Name of the cluster the credential is for."
  type        = string
  default     = "example-k8s"
}

resource "scs_application_credential" "cluster" {
  name        = "${var.cluster}-cloud-provider"
  description = "Cloud provider of ${var.cluster}"
  roles       = ["member"]
}

output "clouds_yaml" {
  description = "A clouds.yaml with one cloud, \"openstack\", that authenticates with the credential."
  value       = scs_application_credential.cluster.clouds_yaml
  sensitive   = true
}

output "application_credential_id" {
  value = scs_application_credential.cluster.id
}
