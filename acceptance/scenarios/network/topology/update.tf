data "scs_network" "public" {
  name     = "public"
  external = true
}

resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "this" {
  network_id      = scs_network.this.id
  name            = "${var.prefix}-subnet"
  cidr            = "10.65.0.0/24"
  dns_nameservers = ["9.9.9.9"]
}

resource "scs_router" "this" {
  name                = "${var.prefix}-router"
  external_network_id = data.scs_network.public.id
}

resource "scs_router_interface" "this" {
  router_id = scs_router.this.id
  subnet_id = scs_subnet.this.id
}

resource "scs_security_group" "this" {
  name = "${var.prefix}-sg"
}

# Twenty rules of one group, created concurrently.
resource "scs_security_group_rule" "tcp" {
  count = 20

  security_group_id = scs_security_group.this.id
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 8000 + count.index
  port_range_max    = 8000 + count.index
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "scs_port" "a" {
  network_id         = scs_network.this.id
  name               = "${var.prefix}-port-a"
  security_group_ids = [scs_security_group.this.id]

  fixed_ip {
    subnet_id = scs_subnet.this.id
  }
}

resource "scs_port" "b" {
  network_id         = scs_network.this.id
  name               = "${var.prefix}-port-b"
  security_group_ids = [scs_security_group.this.id]

  fixed_ip {
    subnet_id = scs_subnet.this.id
  }
}

# The same address moves to port b in place.
resource "scs_floating_ip" "this" {
  pool    = data.scs_network.public.name
  port_id = scs_port.b.id

  depends_on = [scs_router_interface.this]
}

output "address" {
  value = scs_floating_ip.this.address
}
