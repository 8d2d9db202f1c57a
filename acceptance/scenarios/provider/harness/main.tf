# The harness's own round trip on the smallest real resource: apply, empty plan,
# delete out of band, re-create, forget, import.

resource "scs_network" "this" {
  name = "${var.prefix}-net"
}
