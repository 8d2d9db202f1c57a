# `providers schema -json` on an empty provider block: loading the provider and
# reading its schema needs no cloud.
terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

provider "scs" {}
