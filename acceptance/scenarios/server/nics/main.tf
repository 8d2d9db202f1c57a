# A server with its own security group whose NICs change in place.
# tests/acc_server.rs adds and removes the "backend" and "front" NICs through
# TF_VAR_networks and checks every NIC carries the server's group.
terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

provider "scs" {}

variable "prefix" {
  type = string
}

# NICs of the server, by network key.
variable "networks" {
  type    = list(string)
  default = ["main"]
}

resource "scs_network" "net" {
  for_each = toset(["main", "backend", "front"])
  name     = "${var.prefix}-${each.key}"
}

resource "scs_subnet" "net" {
  for_each   = { main = "10.73.0.0/24", backend = "10.74.0.0/24", front = "10.75.0.0/24" }
  network_id = scs_network.net[each.key].id
  name       = "${var.prefix}-${each.key}"
  cidr       = each.value
}

resource "scs_security_group" "app" {
  name = "${var.prefix}-app"
}

resource "scs_server" "this" {
  name            = "${var.prefix}-vm"
  flavor_name     = "SCS-1V-4-10"
  image_name      = "Ubuntu 24.04"
  security_groups = [scs_security_group.app.name]

  dynamic "network" {
    for_each = var.networks
    content {
      name = scs_network.net[network.value].name
    }
  }

  depends_on = [scs_subnet.net]
}
