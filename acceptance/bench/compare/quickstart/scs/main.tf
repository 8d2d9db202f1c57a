# examples/quickstart for this provider: network, subnet, router with an interface, a security group with
# an SSH rule, a keypair, a server (2 vCPUs, 4 GiB, Ubuntu 24.04, booted from a new volume), a data
# volume attached to it and a floating IP.
terraform {
  required_providers {
    scs = { source = "sovereigncloudstack/scs" }
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
  vcpus = 2
  ram   = 4
}

data "scs_image" "ubuntu" {
  os_distro  = "ubuntu"
  os_version = "24.04"
}

resource "scs_network" "app" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "app" {
  network_id      = scs_network.app.id
  name            = "${var.prefix}-subnet"
  cidr            = "10.10.0.0/24"
  dns_nameservers = ["9.9.9.9"]
}

resource "scs_router" "edge" {
  name                = "${var.prefix}-router"
  external_network_id = data.scs_network.external.id
}

resource "scs_router_interface" "app" {
  router_id = scs_router.edge.id
  subnet_id = scs_subnet.app.id
}

resource "scs_security_group" "ssh" {
  name        = "${var.prefix}-ssh"
  description = "SSH from anywhere"
}

resource "scs_security_group_rule" "ssh" {
  security_group_id = scs_security_group.ssh.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 22
  port_range_max    = 22
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "scs_keypair" "me" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key"
}

resource "scs_server" "vm" {
  name            = "${var.prefix}-vm"
  flavor_id       = data.scs_flavor.server.id
  image_id        = data.scs_image.ubuntu.id
  key_pair        = scs_keypair.me.name
  security_groups = [scs_security_group.ssh.name]

  network {
    uuid = scs_network.app.id
  }

  depends_on = [scs_subnet.app]
}

resource "scs_volume" "data" {
  name = "${var.prefix}-data"
  size = 1
}

resource "scs_volume_attachment" "data" {
  server_id = scs_server.vm.id
  volume_id = scs_volume.data.id
}

resource "scs_floating_ip" "vm" {
  pool    = data.scs_network.external.name
  port_id = scs_server.vm.network[0].port

  depends_on = [scs_router_interface.app]
}
