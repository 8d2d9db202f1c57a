# Shrinking is refused at plan time.
resource "scs_volume" "this" {
  name        = "${var.prefix}-vol-renamed"
  description = "updated"
  size        = 1
  metadata = {
    stage = "update"
    extra = "yes"
  }
}
