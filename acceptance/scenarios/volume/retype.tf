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

# A name or an ID; the test also passes the ID to check that it plans no change.
variable "volume_type" {
  type    = string
  default = "replicated"
}

# A new type (the local cloud's seeded scs-0114 type, on the same NFS backend) is a retype in
# place: Cinder migrates the data to a volume of the new type and keeps the ID.
resource "scs_volume" "this" {
  name        = "${var.prefix}-vol-renamed"
  description = "updated"
  size        = 2
  volume_type = var.volume_type
  metadata = {
    stage = "update"
    extra = "yes"
  }
}
