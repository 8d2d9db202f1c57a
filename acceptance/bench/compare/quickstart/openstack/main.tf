# examples/quickstart written for terraform-provider-openstack: the same objects. The flavor is named
# (a vcpus/ram filter matches several SCS flavors there) and the boot volume is spelled out (the flavor
# has no root disk; 8 GiB is the image's min_disk).
terraform {
  required_providers {
    openstack = { source = "terraform-provider-openstack/openstack" }
  }
}

provider "openstack" {}

variable "prefix" {
  type = string
}

data "openstack_networking_network_v2" "external" {
  name     = "public"
  external = true
}

data "openstack_compute_flavor_v2" "server" {
  name = "SCS-2V-4"
}

data "openstack_images_image_v2" "ubuntu" {
  most_recent = true
  properties = {
    os_distro  = "ubuntu"
    os_version = "24.04"
  }
}

resource "openstack_networking_network_v2" "app" {
  name = "${var.prefix}-net"
}

resource "openstack_networking_subnet_v2" "app" {
  network_id      = openstack_networking_network_v2.app.id
  name            = "${var.prefix}-subnet"
  cidr            = "10.10.0.0/24"
  dns_nameservers = ["9.9.9.9"]
}

resource "openstack_networking_router_v2" "edge" {
  name                = "${var.prefix}-router"
  external_network_id = data.openstack_networking_network_v2.external.id
}

resource "openstack_networking_router_interface_v2" "app" {
  router_id = openstack_networking_router_v2.edge.id
  subnet_id = openstack_networking_subnet_v2.app.id
}

resource "openstack_networking_secgroup_v2" "ssh" {
  name        = "${var.prefix}-ssh"
  description = "SSH from anywhere"
}

resource "openstack_networking_secgroup_rule_v2" "ssh" {
  security_group_id = openstack_networking_secgroup_v2.ssh.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 22
  port_range_max    = 22
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "openstack_compute_keypair_v2" "me" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key"
}

resource "openstack_compute_instance_v2" "vm" {
  name            = "${var.prefix}-vm"
  flavor_id       = data.openstack_compute_flavor_v2.server.id
  key_pair        = openstack_compute_keypair_v2.me.name
  security_groups = [openstack_networking_secgroup_v2.ssh.name]

  block_device {
    uuid                  = data.openstack_images_image_v2.ubuntu.id
    source_type           = "image"
    destination_type      = "volume"
    volume_size           = 8
    boot_index            = 0
    delete_on_termination = true
  }

  network {
    uuid = openstack_networking_network_v2.app.id
  }

  depends_on = [openstack_networking_subnet_v2.app]
}

resource "openstack_blockstorage_volume_v3" "data" {
  name = "${var.prefix}-data"
  size = 1
}

resource "openstack_compute_volume_attach_v2" "data" {
  instance_id = openstack_compute_instance_v2.vm.id
  volume_id   = openstack_blockstorage_volume_v3.data.id
}

resource "openstack_networking_floatingip_v2" "vm" {
  pool    = data.openstack_networking_network_v2.external.name
  port_id = openstack_compute_instance_v2.vm.network[0].port

  depends_on = [openstack_networking_router_interface_v2.app]
}
