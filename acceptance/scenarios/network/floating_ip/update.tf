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
  cidr       = "10.64.0.0/24"
}

resource "scs_router" "this" {
  name                = "${var.prefix}-router"
  external_network_id = data.scs_network.public.id
}

resource "scs_router_interface" "this" {
  router_id = scs_router.this.id
  subnet_id = scs_subnet.this.id
}

resource "scs_port" "this" {
  network_id = scs_network.this.id
  name       = "${var.prefix}-port"

  fixed_ip {
    subnet_id = scs_subnet.this.id
  }
}

# Binding the address to a port is an in-place update of the same address.
resource "scs_floating_ip" "this" {
  pool        = data.scs_network.public.name
  description = "updated"
  tags        = ["b"]
  port_id     = scs_port.this.id

  depends_on = [scs_router_interface.this]
}
