# ../openstack/main.tf migrated to this provider: each resource renamed to its scs_* counterpart with
# a moved block, so its state is taken over instead of the object being created again. What the
# migrate command writes for it; the scenario uses this file where the command is not available.
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

data "scs_network" "external" {
  name     = "public"
  external = true
}

data "scs_flavor" "server" {
  name = "SCS-2V-4"
}

data "scs_image" "ubuntu" {
  os_distro  = "ubuntu"
  os_version = "24.04"
}

resource "scs_network" "app" {
  name = "${var.prefix}-net"
}

moved {
  from = openstack_networking_network_v2.app
  to   = scs_network.app
}

resource "scs_subnet" "app" {
  network_id      = scs_network.app.id
  name            = "${var.prefix}-subnet"
  cidr            = "10.10.0.0/24"
  dns_nameservers = ["9.9.9.9"]
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

resource "scs_security_group" "web" {
  name        = "${var.prefix}-web"
  description = "SSH and HTTPS from anywhere"
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

resource "scs_security_group_rule" "https" {
  security_group_id = scs_security_group.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 443
  port_range_max    = 443
  remote_ip_prefix  = "0.0.0.0/0"
}

moved {
  from = openstack_networking_secgroup_rule_v2.https
  to   = scs_security_group_rule.https
}

resource "scs_port" "vm" {
  name               = "${var.prefix}-port"
  network_id         = scs_network.app.id
  security_group_ids = [scs_security_group.web.id]

  fixed_ip {
    subnet_id = scs_subnet.app.id
  }
}

moved {
  from = openstack_networking_port_v2.vm
  to   = scs_port.vm
}

resource "scs_keypair" "me" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key"
}

moved {
  from = openstack_compute_keypair_v2.me
  to   = scs_keypair.me
}

resource "scs_server" "vm" {
  name      = "${var.prefix}-vm"
  flavor_id = data.scs_flavor.server.id
  key_pair  = scs_keypair.me.name
  metadata = {
    role = "web"
  }

  block_device {
    uuid                  = data.scs_image.ubuntu.id
    source_type           = "image"
    volume_size           = 8
    boot_index            = 0
    delete_on_termination = true
  }

  network {
    port = scs_port.vm.id
  }
}

moved {
  from = openstack_compute_instance_v2.vm
  to   = scs_server.vm
}

resource "scs_volume" "data" {
  name = "${var.prefix}-data"
  size = 1
}

moved {
  from = openstack_blockstorage_volume_v3.data
  to   = scs_volume.data
}

resource "scs_volume_attachment" "data" {
  server_id = scs_server.vm.id
  volume_id = scs_volume.data.id
}

moved {
  from = openstack_compute_volume_attach_v2.data
  to   = scs_volume_attachment.data
}

resource "scs_floating_ip" "vm" {
  pool    = data.scs_network.external.name
  port_id = scs_port.vm.id

  depends_on = [scs_router_interface.app]
}

moved {
  from = openstack_networking_floatingip_v2.vm
  to   = scs_floating_ip.vm
}
