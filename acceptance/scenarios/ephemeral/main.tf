# An ephemeral application credential used by a second provider block. The default provider
# authenticates with a password (Keystone lets only such users create application credentials);
# tests/acc_ephemeral.rs checks that the credential is gone after each command.

provider "scs" {
  cloud = "scs-local-password"
}

ephemeral "scs_application_credential" "ci" {
  name       = "${var.prefix}-ci"
  roles      = ["reader"]
  expires_in = "15m"
}

provider "scs" {
  alias                         = "ci"
  auth_url                      = ephemeral.scs_application_credential.ci.auth_url
  application_credential_id     = ephemeral.scs_application_credential.ci.id
  application_credential_secret = ephemeral.scs_application_credential.ci.secret
  region                        = ephemeral.scs_application_credential.ci.region
}

# Read with the short-lived credential: only works while it exists and is valid.
data "scs_image" "debian" {
  provider = scs.ci
  name     = "Debian 12"
}

output "image_id" {
  value = data.scs_image.debian.id
}
