# Quickstart: a server you can SSH into, with a data volume.
#
# A private network and subnet, a router to the cloud's external network, a
# security group that lets SSH in, your SSH key, a server sized by what it
# needs (2 vCPUs, 4 GiB RAM: SCS-2V-4 on an SCS cloud) running the standard
# Ubuntu 24.04 image, a 1 GiB volume attached to it, and a floating IP.
#
# SCS-2V-4 has no root disk, so the server boots from a new volume made from
# the image (sized by the image's min_disk) without any extra configuration.
#
# Credentials come from the environment (OS_CLOUD and clouds.yaml), see
# examples/provider. Run: tofu init && tofu apply   (or terraform)

terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

provider "scs" {}

variable "prefix" {
  description = "Prefix of every object's name."
  type        = string
  default     = "quickstart"
}

variable "external_network" {
  description = "Name of the cloud's external network (floating IP pool)."
  type        = string
  default     = "public"
}

variable "public_key" {
  description = "Your SSH public key, e.g. file(\"~/.ssh/id_ed25519.pub\"). The default is a test key whose private half was discarded."
  type        = string
  default     = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key"
}

data "scs_network" "external" {
  name     = var.external_network
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
  public_key = var.public_key
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

  # The NIC needs an address from the subnet.
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

  # The address can only be bound once the subnet is routed to the outside.
  depends_on = [scs_router_interface.app]
}

output "floating_ip" {
  description = "Connect with: ssh ubuntu@<this address>"
  value       = scs_floating_ip.vm.address
}

output "server_id" {
  value = scs_server.vm.id
}
