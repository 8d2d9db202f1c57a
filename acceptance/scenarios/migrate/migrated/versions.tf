# A small application on terraform-provider-openstack: the input of the migration tests
# (`terraform-provider-scs migrate` rewrites a copy; ../migrated holds the expected result).
terraform {
  required_version = ">= 1.8"

  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = ">= 3.0"
    }
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

# Credentials come from OS_CLOUD and clouds.yaml.
provider "openstack" {}

# scs migrate: the same cloud for the scs provider
provider "scs" {}

variable "prefix" {
  type = string
}

variable "external_network" {
  type    = string
  default = "public"
}
