# The provider block on its own. `make demo` shows this provider's schema through OpenTofu;
# `tofu validate` here checks the block without contacting a cloud.
terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

# Empty: the cloud comes from OS_CLOUD (a clouds.yaml entry) or the other OS_* variables.
# Set `cloud = "scs-local"` to pin the local test cloud (acceptance/localcloud/clouds.yaml via
# OS_CLIENT_CONFIG_FILE), or give auth_url and an application credential as shown in docs/index.md.
provider "scs" {}
