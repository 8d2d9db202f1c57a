# A volume-backed server (diskless SCS flavor: implicit boot from volume) with
# user_data. tests/acc_server.rs changes the image (rebuilt in place by
# re-imaging the root volume, Nova 2.93) and user_data (planned replacement).

variable "image" {
  type = string
}

variable "user_data" {
  type    = string
  default = null
}

resource "scs_server" "this" {
  name        = "${var.prefix}-vm"
  flavor_name = "SCS-1V-2"
  image_name  = var.image
  user_data   = var.user_data
}
