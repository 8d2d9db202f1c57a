# A name or an ID. Left null, the volume keeps its type; the test then sets another type (a
# retype in place: Cinder migrates the data if needed and keeps the ID), and the same type by ID.
variable "volume_type" {
  type    = string
  default = null
}

# Rename, new description and metadata, and an extend: all in place.
resource "scs_volume" "this" {
  name        = "${var.prefix}-vol-renamed"
  description = "updated"
  size        = 2
  volume_type = var.volume_type
  metadata = {
    stage = "update"
    extra = "yes"
  }
}
