# A configuration written for terraform-provider-openstack 3.4.0, as a user of it has one: the
# starting point of the migration scenario (tests/acc_migration.rs).
terraform {
  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = "3.4.0"
    }
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

resource "openstack_networking_secgroup_v2" "web" {
  name        = "${var.prefix}-web"
  description = "SSH and HTTPS from anywhere"
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

resource "openstack_networking_secgroup_rule_v2" "https" {
  security_group_id = openstack_networking_secgroup_v2.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 443
  port_range_max    = 443
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "openstack_networking_port_v2" "vm" {
  name               = "${var.prefix}-port"
  network_id         = openstack_networking_network_v2.app.id
  security_group_ids = [openstack_networking_secgroup_v2.web.id]

  fixed_ip {
    subnet_id = openstack_networking_subnet_v2.app.id
  }
}

resource "openstack_compute_keypair_v2" "me" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key"
}

resource "openstack_compute_instance_v2" "vm" {
  name      = "${var.prefix}-vm"
  flavor_id = data.openstack_compute_flavor_v2.server.id
  key_pair  = openstack_compute_keypair_v2.me.name
  metadata = {
    role = "web"
  }

  block_device {
    uuid                  = data.openstack_images_image_v2.ubuntu.id
    source_type           = "image"
    destination_type      = "volume"
    volume_size           = 8
    boot_index            = 0
    delete_on_termination = true
  }

  network {
    port = openstack_networking_port_v2.vm.id
  }
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
  port_id = openstack_networking_port_v2.vm.id

  depends_on = [openstack_networking_router_interface_v2.app]
}
