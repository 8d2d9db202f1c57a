# 1,000 resources in state: 5 security groups (default rules removed) with 199 ingress rules each.
terraform {
  required_providers {
    scs = { source = "sovereigncloudstack/scs" }
  }
}

provider "scs" {}

variable "prefix" {
  type = string
}

variable "groups" {
  type    = number
  default = 5
}

variable "rules_per_group" {
  type    = number
  default = 199
}

resource "scs_security_group" "g" {
  count                = var.groups
  name                 = "${var.prefix}-sg-${count.index}"
  delete_default_rules = true
}

resource "scs_security_group_rule" "r" {
  count             = var.groups * var.rules_per_group
  security_group_id = scs_security_group.g[floor(count.index / var.rules_per_group)].id
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 20000 + count.index % var.rules_per_group
  port_range_max    = 20000 + count.index % var.rules_per_group
  remote_ip_prefix  = "10.0.0.0/8"
}
