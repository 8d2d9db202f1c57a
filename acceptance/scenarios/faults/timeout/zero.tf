# Creates that may take no time at all: the create timeout has passed before they start.
# tests/acc_faults.rs then applies timeout/default.tf, the same objects without the limit.

resource "scs_network" "this" {
  name = "${var.prefix}-net"

  timeouts {
    create = "0s"
  }
}

resource "scs_volume" "this" {
  name = "${var.prefix}-vol"
  size = 1

  timeouts {
    create = "0s"
  }
}
