data "scs_network" "external" {
  name     = var.external_network
  external = true
}

resource "scs_network" "app" {
  name           = "${var.prefix}-net"
  admin_state_up = true
}

moved {
  from = openstack_networking_network_v2.app
  to   = scs_network.app
}

resource "scs_subnet" "app" {
  network_id      = scs_network.app.id
  name            = "${var.prefix}-subnet"
  cidr            = "10.20.0.0/24"
  dns_nameservers = ["9.9.9.9"]

  allocation_pool {
    start = "10.20.0.10"
    end   = "10.20.0.200"
  }
}

moved {
  from = openstack_networking_subnet_v2.app
  to   = scs_subnet.app
}

resource "scs_router" "edge" {
  name                = "${var.prefix}-router"
  external_network_id = data.scs_network.external.id
}

moved {
  from = openstack_networking_router_v2.edge
  to   = scs_router.edge
}

resource "scs_router_interface" "app" {
  router_id = scs_router.edge.id
  subnet_id = scs_subnet.app.id
}

moved {
  from = openstack_networking_router_interface_v2.app
  to   = scs_router_interface.app
}

# SSH and ping from anywhere.
resource "scs_security_group" "web" {
  name        = "${var.prefix}-web"
  description = "SSH and ICMP"
}

moved {
  from = openstack_networking_secgroup_v2.web
  to   = scs_security_group.web
}

resource "scs_security_group_rule" "ssh" {
  security_group_id = scs_security_group.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 22
  port_range_max    = 22
  remote_ip_prefix  = "0.0.0.0/0"
}

moved {
  from = openstack_networking_secgroup_rule_v2.ssh
  to   = scs_security_group_rule.ssh
}

resource "scs_security_group_rule" "icmp" {
  security_group_id = scs_security_group.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "icmp"
}

moved {
  from = openstack_networking_secgroup_rule_v2.icmp
  to   = scs_security_group_rule.icmp
}

resource "scs_port" "vm" {
  name               = "${var.prefix}-vm-port"
  network_id         = scs_network.app.id
  security_group_ids = [scs_security_group.web.id]

  fixed_ip {
    subnet_id  = scs_subnet.app.id
    ip_address = "10.20.0.50"
  }
}

moved {
  from = openstack_networking_port_v2.vm
  to   = scs_port.vm
}
