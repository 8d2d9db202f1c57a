# 150 networks, each with one subnet (300 resources).
terraform {
  required_providers {
    scs = { source = "sovereigncloudstack/scs" }
  }
}

provider "scs" {}

variable "prefix" {
  type = string
}

variable "networks" {
  type    = number
  default = 150
}

resource "scs_network" "n" {
  count = var.networks
  name  = "${var.prefix}-net-${count.index}"
}

resource "scs_subnet" "n" {
  count      = var.networks
  network_id = scs_network.n[count.index].id
  name       = "${var.prefix}-subnet-${count.index}"
  cidr       = cidrsubnet("10.160.0.0/16", 8, count.index)
}
