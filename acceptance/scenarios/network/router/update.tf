# The gateway is cleared in place; the router stays.
resource "scs_router" "this" {
  name           = "${var.prefix}-router-renamed"
  description    = "updated"
  admin_state_up = false
  tags           = ["b"]
}
