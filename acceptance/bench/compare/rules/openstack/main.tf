# One security group (its default rules removed) with 200 ingress rules.
terraform {
  required_providers {
    openstack = { source = "terraform-provider-openstack/openstack" }
  }
}

provider "openstack" {}

variable "prefix" {
  type = string
}

variable "rules" {
  type    = number
  default = 200
}

resource "openstack_networking_secgroup_v2" "g" {
  name                 = "${var.prefix}-sg"
  delete_default_rules = true
}

resource "openstack_networking_secgroup_rule_v2" "r" {
  count             = var.rules
  security_group_id = openstack_networking_secgroup_v2.g.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 20000 + count.index
  port_range_max    = 20000 + count.index
  remote_ip_prefix  = "10.0.0.0/8"
}
