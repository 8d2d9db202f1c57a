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

# The gateway is cleared in place; the router stays.
resource "scs_router" "this" {
  name           = "${var.prefix}-router-renamed"
  description    = "updated"
  admin_state_up = false
  tags           = ["b"]
}
