# scs_server with write-only user data. tests/acc_write_only.rs writes cloud-init.yaml next to
# this file and sets TF_VAR_user_data_version; the text must end up in no plan and no state.

variable "user_data_version" {
  type    = number
  default = 1
}

resource "scs_server" "wo" {
  name        = "${var.prefix}-wo"
  flavor_name = "SCS-1V-4-10"
  image_name  = "Debian 12"

  user_data_wo         = file("${path.module}/cloud-init.yaml")
  user_data_wo_version = var.user_data_version
}
