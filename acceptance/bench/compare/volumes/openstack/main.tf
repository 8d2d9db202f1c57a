# Ten empty volumes created at once: ten waits for `available` (and ten for the deletes) that
# poll the same kind at the same time.
terraform {
  required_providers {
    openstack = { source = "terraform-provider-openstack/openstack" }
  }
}

provider "openstack" {}

variable "prefix" {
  type = string
}

variable "volumes" {
  type    = number
  default = 10
}

resource "openstack_blockstorage_volume_v3" "v" {
  count = var.volumes
  name  = "${var.prefix}-vol-${count.index}"
  size  = 1
}
