# One security group (its default rules removed) with 200 ingress rules.
terraform {
  required_providers {
    scs = { source = "sovereigncloudstack/scs" }
  }
}

provider "scs" {}

variable "prefix" {
  type = string
}

variable "rules" {
  type    = number
  default = 200
}

resource "scs_security_group" "g" {
  name                 = "${var.prefix}-sg"
  delete_default_rules = true
}

resource "scs_security_group_rule" "r" {
  count             = var.rules
  security_group_id = scs_security_group.g.id
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 20000 + count.index
  port_range_max    = 20000 + count.index
  remote_ip_prefix  = "10.0.0.0/8"
}
