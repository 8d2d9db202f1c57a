terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

provider "scs" {}

# Every object name starts with the prefix so runs can share one project and
# leftovers can be found by name.
variable "prefix" {
  type = string
}

data "scs_network" "public" {
  name     = "public"
  external = true
}

resource "scs_router" "this" {
  name                = "${var.prefix}-router"
  external_network_id = data.scs_network.public.id
  tags                = ["a"]
}
