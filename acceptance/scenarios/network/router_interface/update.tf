# Removes one of the two IPv6 interfaces that share a router port: the port and
# the other subnet must stay.
resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "v6a" {
  network_id = scs_network.this.id
  name       = "${var.prefix}-v6a"
  ip_version = 6
  cidr       = "fd00:61:0:1::/64"
}

resource "scs_subnet" "v6b" {
  network_id = scs_network.this.id
  name       = "${var.prefix}-v6b"
  ip_version = 6
  cidr       = "fd00:61:0:2::/64"
}

resource "scs_subnet" "v4" {
  network_id = scs_network.this.id
  name       = "${var.prefix}-v4"
  cidr       = "10.62.0.0/24"
}

resource "scs_router" "this" {
  name = "${var.prefix}-router"
}

resource "scs_router_interface" "v4" {
  router_id = scs_router.this.id
  subnet_id = scs_subnet.v4.id
}

resource "scs_router_interface" "v6a" {
  router_id = scs_router.this.id
  subnet_id = scs_subnet.v6a.id
}
