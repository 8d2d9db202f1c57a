# A small application on terraform-provider-openstack: the input of the migration tests
# (`terraform-provider-scs migrate` rewrites a copy; ../migrated holds the expected result).
terraform {
  required_version = ">= 1.8"

  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = ">= 3.0"
    }
  }
}

# Credentials come from OS_CLOUD and clouds.yaml.
provider "openstack" {}

variable "prefix" {
  type = string
}

variable "external_network" {
  type    = string
  default = "public"
}
