resource "scs_volume" "this" {
  name        = "${var.prefix}-vol"
  description = "created"
  size        = 1
  metadata = {
    stage = "create"
  }
}
