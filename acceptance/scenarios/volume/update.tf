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

# Rename, new description and metadata, and an extend: all in place.
resource "scs_volume" "this" {
  name        = "${var.prefix}-vol-renamed"
  description = "updated"
  size        = 2
  metadata = {
    stage = "update"
    extra = "yes"
  }
}
