data "scs_flavor" "small" {
  vcpus = 1
  ram   = 4
  disk  = 10
}

resource "scs_server" "this" {
  name       = "${var.prefix}-srv"
  flavor_id  = data.scs_flavor.small.id
  image_name = "Ubuntu 24.04"
}

# The volume's attributes are variables so that one configuration serves every step of the
# tests: renaming, growing and retyping an attached volume all leave the attachment alone.
variable "volume_name" {
  type    = string
  default = "vol"
}

variable "volume_size" {
  type    = number
  default = 1
}

variable "volume_type" {
  type    = string
  default = null
}

resource "scs_volume" "this" {
  name        = "${var.prefix}-${var.volume_name}"
  size        = var.volume_size
  volume_type = var.volume_type
}

resource "scs_volume_attachment" "this" {
  server_id = scs_server.this.id
  volume_id = scs_volume.this.id
}
