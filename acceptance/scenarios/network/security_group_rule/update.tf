# Rules cannot change in place: the new port range replaces the ssh rule.
resource "scs_security_group" "this" {
  name = "${var.prefix}-sg"
}

resource "scs_security_group_rule" "ssh" {
  security_group_id = scs_security_group.this.id
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 2222
  port_range_max    = 2222
  remote_ip_prefix  = "0.0.0.0/0"
  description       = "ssh"
}

resource "scs_security_group_rule" "icmp_echo" {
  security_group_id = scs_security_group.this.id
  direction         = "ingress"
  protocol          = "icmp"
  port_range_min    = 8
  port_range_max    = 0
  remote_ip_prefix  = "192.0.2.0/24"
}

resource "scs_security_group_rule" "from_self_v6" {
  security_group_id = scs_security_group.this.id
  direction         = "ingress"
  ethertype         = "IPv6"
  protocol          = "58"
  remote_group_id   = scs_security_group.this.id
}

resource "scs_security_group_rule" "default_egress_v4" {
  security_group_id = scs_security_group.this.id
  direction         = "egress"
  ethertype         = "IPv4"
}
