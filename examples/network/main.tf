# A small network topology: a private network with one subnet, a router with a
# gateway to the external network, a security group that lets SSH in, a port
# in that group, and a floating IP bound to the port.
#
# Credentials come from the environment (OS_CLOUD and clouds.yaml), see
# examples/provider. Run with: terraform init && terraform apply

terraform {
  required_providers {
    scs = {
      source = "SovereignCloudStack/scs"
    }
  }
}

provider "scs" {}

variable "external_network" {
  description = "Name of the external network that provides floating IPs."
  type        = string
  default     = "public"
}

variable "cidr" {
  description = "Address range of the private subnet."
  type        = string
  default     = "10.42.0.0/24"
}

data "scs_network" "external" {
  name     = var.external_network
  external = true
}

resource "scs_network" "app" {
  name = "example-app"
  tags = ["example"]
}

resource "scs_subnet" "app" {
  network_id      = scs_network.app.id
  name            = "example-app-v4"
  cidr            = var.cidr
  dns_nameservers = ["9.9.9.9"]
}

resource "scs_router" "edge" {
  name                = "example-edge"
  external_network_id = data.scs_network.external.id
}

resource "scs_router_interface" "app" {
  router_id = scs_router.edge.id
  subnet_id = scs_subnet.app.id
}

resource "scs_security_group" "ssh" {
  name        = "example-ssh"
  description = "SSH from anywhere"
}

resource "scs_security_group_rule" "ssh_v4" {
  security_group_id = scs_security_group.ssh.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 22
  port_range_max    = 22
  remote_ip_prefix  = "0.0.0.0/0"
  description       = "SSH"
}

resource "scs_port" "bastion" {
  network_id         = scs_network.app.id
  name               = "example-bastion"
  security_group_ids = [scs_security_group.ssh.id]

  fixed_ip {
    subnet_id = scs_subnet.app.id
  }
}

resource "scs_floating_ip" "bastion" {
  pool        = data.scs_network.external.name
  port_id     = scs_port.bastion.id
  description = "bastion"

  # The address can only be bound once the subnet is reachable from the
  # external network through the router.
  depends_on = [scs_router_interface.app]
}

output "bastion_address" {
  description = "The public address of the bastion port."
  value       = scs_floating_ip.bastion.address
}
