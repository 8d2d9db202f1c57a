resource "scs_network" "this" {
  name        = "${var.prefix}-net"
  description = "created"
  tags        = ["a", "b"]
}
