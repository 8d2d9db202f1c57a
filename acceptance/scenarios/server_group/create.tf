resource "scs_server_group" "this" {
  name   = "${var.prefix}-group"
  policy = "anti-affinity"
}
