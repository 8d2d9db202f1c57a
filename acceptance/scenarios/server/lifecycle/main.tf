# scs_server through its life cycle. tests/acc_server.rs moves it from step to
# step by setting TF_VAR_* (rename, resize, rebuild, NICs, power state).

variable "server_name" {
  type    = string
  default = ""
}

# A flavor with a root disk: the server boots from the image on it.
variable "flavor" {
  type    = string
  default = "SCS-1V-4-10"
}

variable "image" {
  type    = string
  default = "Ubuntu 24.04"
}

# NICs of the "disk" server, by network key: "a" by uuid, "b" by name.
variable "networks" {
  type    = list(string)
  default = ["a"]
}

variable "power_state" {
  type    = string
  default = "active"
}

variable "metadata" {
  type    = map(string)
  default = { role = "test" }
}

# Whether the "disk" server also gets the extra security group.
variable "extra_security_group" {
  type    = bool
  default = false
}

variable "tags" {
  type    = set(string)
  default = ["one"]
}

resource "scs_network" "a" {
  name = "${var.prefix}-net-a"
}

resource "scs_subnet" "a" {
  network_id = scs_network.a.id
  name       = "${var.prefix}-subnet-a"
  cidr       = "10.71.0.0/24"
}

resource "scs_network" "b" {
  name = "${var.prefix}-net-b"
}

resource "scs_subnet" "b" {
  network_id = scs_network.b.id
  name       = "${var.prefix}-subnet-b"
  cidr       = "10.72.0.0/24"
}

resource "scs_security_group" "extra" {
  name = "${var.prefix}-sg"
}

resource "scs_server" "disk" {
  name        = var.server_name != "" ? var.server_name : "${var.prefix}-disk"
  flavor_name = var.flavor
  image_name  = var.image
  power_state = var.power_state
  metadata    = var.metadata
  tags        = var.tags

  security_groups = var.extra_security_group ? ["default", scs_security_group.extra.name] : null

  dynamic "network" {
    for_each = var.networks
    content {
      uuid = network.value == "a" ? scs_network.a.id : null
      name = network.value == "b" ? scs_network.b.name : null
    }
  }

  depends_on = [scs_subnet.a, scs_subnet.b]
}

# A diskless SCS flavor: boots from a new volume made from the image, sized
# by the image's min_disk, deleted with the server.
resource "scs_server" "bfv" {
  name        = "${var.prefix}-bfv"
  flavor_name = "SCS-1V-2"
  image_name  = "Ubuntu 24.04"

  network {
    uuid        = scs_network.a.id
    fixed_ip_v4 = "10.71.0.20"
  }

  depends_on = [scs_subnet.a]
}
