# timeout/zero.tf without its zero create timeouts.

resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_volume" "this" {
  name = "${var.prefix}-vol"
  size = 1
}
