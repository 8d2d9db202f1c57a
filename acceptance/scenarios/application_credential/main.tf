# Two managed application credentials of the local cloud's password user (Keystone lets only
# users who authenticated with a password, a token or an unrestricted application credential
# create them). tests/acc_identity.rs uses the clouds.yaml of the first with the openstack CLI,
# imports both, and checks that destroy leaves neither credential nor access rule in Keystone.

provider "scs" {
  cloud = "scs-local-password"
}

# A Keystone-generated secret and a clouds.yaml for a cluster's cloud provider.
resource "scs_application_credential" "k8s" {
  name        = "${var.prefix}-k8s"
  description = "Kubernetes cloud provider"
  roles       = ["member"]
  expires_at  = "2099-01-01T00:00:00Z"
}

# A secret of our own, one access rule, another cloud name.
resource "scs_application_credential" "limited" {
  name       = "${var.prefix}-limited"
  secret     = "${var.prefix}-Limited-S3cret"
  roles      = ["reader"]
  cloud_name = "limited"

  access_rules {
    service = "compute"
    path    = "/v2.1/os-keypairs/${var.prefix}"
    method  = "GET"
  }
}

output "clouds_yaml" {
  value     = scs_application_credential.k8s.clouds_yaml
  sensitive = true
}

output "k8s_id" {
  value = scs_application_credential.k8s.id
}

output "limited_id" {
  value = scs_application_credential.limited.id
}
