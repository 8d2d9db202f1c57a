resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "this" {
  network_id = scs_network.this.id
  name       = "${var.prefix}-subnet"
  cidr       = "10.63.0.0/24"
}

resource "scs_security_group" "a" {
  name = "${var.prefix}-sg-a"
}

resource "scs_security_group" "b" {
  name = "${var.prefix}-sg-b"
}

resource "scs_port" "this" {
  network_id         = scs_network.this.id
  name               = "${var.prefix}-port-renamed"
  description        = "updated"
  admin_state_up     = false
  security_group_ids = [scs_security_group.a.id, scs_security_group.b.id]
  tags               = ["b"]

  fixed_ip {
    subnet_id  = scs_subnet.this.id
    ip_address = "10.63.0.11"
  }

  allowed_address_pair {
    ip_address = "10.63.0.250"
  }
}
