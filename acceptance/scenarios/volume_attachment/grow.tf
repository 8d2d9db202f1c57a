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

data "scs_flavor" "small" {
  vcpus = 1
  ram   = 4
  disk  = 10
}

resource "scs_server" "this" {
  name       = "${var.prefix}-srv"
  flavor_id  = data.scs_flavor.small.id
  image_name = "Ubuntu 24.04"
}

# Growing an attached volume extends it online (block storage microversion 3.42).
resource "scs_volume" "this" {
  name = "${var.prefix}-vol-renamed"
  size = 2
}

resource "scs_volume_attachment" "this" {
  server_id = scs_server.this.id
  volume_id = scs_volume.this.id
}
