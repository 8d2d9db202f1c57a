data "openstack_networking_network_v2" "external" {
  name     = var.external_network
  external = true
}

resource "openstack_networking_network_v2" "app" {
  name           = "${var.prefix}-net"
  admin_state_up = true
}

resource "openstack_networking_subnet_v2" "app" {
  network_id      = openstack_networking_network_v2.app.id
  name            = "${var.prefix}-subnet"
  cidr            = "10.20.0.0/24"
  dns_nameservers = ["9.9.9.9"]

  allocation_pool {
    start = "10.20.0.10"
    end   = "10.20.0.200"
  }
}

resource "openstack_networking_router_v2" "edge" {
  name                = "${var.prefix}-router"
  external_network_id = data.openstack_networking_network_v2.external.id
}

resource "openstack_networking_router_interface_v2" "app" {
  router_id = openstack_networking_router_v2.edge.id
  subnet_id = openstack_networking_subnet_v2.app.id
}

# SSH and ping from anywhere.
resource "openstack_networking_secgroup_v2" "web" {
  name        = "${var.prefix}-web"
  description = "SSH and ICMP"
}

resource "openstack_networking_secgroup_rule_v2" "ssh" {
  security_group_id = openstack_networking_secgroup_v2.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 22
  port_range_max    = 22
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "openstack_networking_secgroup_rule_v2" "icmp" {
  security_group_id = openstack_networking_secgroup_v2.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "icmp"
}

resource "openstack_networking_port_v2" "vm" {
  name               = "${var.prefix}-vm-port"
  network_id         = openstack_networking_network_v2.app.id
  security_group_ids = [openstack_networking_secgroup_v2.web.id]

  fixed_ip {
    subnet_id  = openstack_networking_subnet_v2.app.id
    ip_address = "10.20.0.50"
  }
}
