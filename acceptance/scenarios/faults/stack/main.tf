# A mid-sized stack for the fault-injection runs (tests/acc_faults.rs): a network with a subnet
# routed to the external network, a security group with ten rules, a port with a floating IP, a
# server on that port and a volume attached to it. Every object is named (the floating IP:
# described) with the prefix, so the runs can list what the cloud holds of it.

data "scs_network" "public" {
  name     = "public"
  external = true
}

resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "this" {
  network_id = scs_network.this.id
  name       = "${var.prefix}-subnet"
  cidr       = "10.83.0.0/24"
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

resource "scs_security_group_rule" "tcp" {
  count = 10

  security_group_id = scs_security_group.this.id
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 9000 + count.index
  port_range_max    = 9000 + count.index
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "scs_port" "this" {
  network_id         = scs_network.this.id
  name               = "${var.prefix}-port"
  security_group_ids = [scs_security_group.this.id]

  fixed_ip {
    subnet_id = scs_subnet.this.id
  }
}

# A flavor with a root disk: the local cloud's fake compute driver boots from the image on it.
resource "scs_server" "this" {
  name        = "${var.prefix}-srv"
  flavor_name = "SCS-1V-4-10"
  image_name  = "Ubuntu 24.04"

  network {
    port = scs_port.this.id
  }
}

resource "scs_volume" "this" {
  name = "${var.prefix}-vol"
  size = 1
}

resource "scs_volume_attachment" "this" {
  server_id = scs_server.this.id
  volume_id = scs_volume.this.id
}

resource "scs_floating_ip" "this" {
  pool        = data.scs_network.public.name
  port_id     = scs_port.this.id
  description = "${var.prefix}-fip"

  # The address can only be bound once the subnet is routed to the outside.
  depends_on = [scs_router_interface.this]
}
