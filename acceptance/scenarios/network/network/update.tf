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

resource "scs_network" "this" {
  name                  = "${var.prefix}-net-renamed"
  description           = "updated"
  admin_state_up        = false
  port_security_enabled = false
  tags                  = ["b", "c"]
}
