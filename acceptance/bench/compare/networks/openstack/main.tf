# 150 networks, each with one subnet (300 resources).
terraform {
  required_providers {
    openstack = { source = "terraform-provider-openstack/openstack" }
  }
}

provider "openstack" {}

variable "prefix" {
  type = string
}

variable "networks" {
  type    = number
  default = 150
}

resource "openstack_networking_network_v2" "n" {
  count = var.networks
  name  = "${var.prefix}-net-${count.index}"
}

resource "openstack_networking_subnet_v2" "n" {
  count      = var.networks
  network_id = openstack_networking_network_v2.n[count.index].id
  name       = "${var.prefix}-subnet-${count.index}"
  cidr       = cidrsubnet("10.160.0.0/16", 8, count.index)
}
