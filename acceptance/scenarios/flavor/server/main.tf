# A server and the scs_flavor data source name the same flavor in the v1
# syntax of scs-0100 (the flavor is called SCS-2V-4): both find it.
terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

provider "scs" {}

variable "prefix" {
  type = string
}

data "scs_flavor" "by_v1_name" {
  name = "SCS-2V:4"
}

data "scs_image" "ubuntu" {
  os_distro  = "ubuntu"
  os_version = "24.04"
}

# SCS-2V-4 has no root disk: the server boots from a volume made from the image.
resource "scs_server" "by_v1_name" {
  name        = "${var.prefix}-vm"
  flavor_name = "SCS-2V:4"
  image_id    = data.scs_image.ubuntu.id
}

output "data_source_flavor_id" {
  value = data.scs_flavor.by_v1_name.id
}
