data "scs_image" "ubuntu" {
  os_distro  = "ubuntu"
  os_version = "24.04"
}

data "scs_image" "by_regex" {
  name_regex  = "^Debian"
  most_recent = true
}

output "ubuntu" {
  value = data.scs_image.ubuntu
}

output "debian_name" {
  value = data.scs_image.by_regex.name
}
