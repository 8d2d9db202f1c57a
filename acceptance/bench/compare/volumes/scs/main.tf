# Ten empty volumes created at once: ten waits for `available` (and ten for the deletes) that
# poll the same kind at the same time.
terraform {
  required_providers {
    scs = { source = "sovereigncloudstack/scs" }
  }
}

provider "scs" {}

variable "prefix" {
  type = string
}

variable "volumes" {
  type    = number
  default = 10
}

resource "scs_volume" "v" {
  count = var.volumes
  name  = "${var.prefix}-vol-${count.index}"
  size  = 1
}
