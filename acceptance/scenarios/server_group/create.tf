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

resource "scs_server_group" "this" {
  name   = "${var.prefix}-group"
  policy = "anti-affinity"
}
