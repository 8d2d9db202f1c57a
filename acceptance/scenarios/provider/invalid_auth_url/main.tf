# `validate` must point at auth_url with the provider's own diagnostic.
terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

provider "scs" {
  auth_url = "not a url"
}
