# Policies cannot change in place: this replaces the group.
resource "scs_server_group" "this" {
  name   = "${var.prefix}-group"
  policy = "soft-anti-affinity"
}
