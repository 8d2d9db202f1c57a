resource "scs_network" "this" {
  name                  = "${var.prefix}-net-renamed"
  description           = "updated"
  admin_state_up        = false
  port_security_enabled = false
  tags                  = ["b", "c"]
}
