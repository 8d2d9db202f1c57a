data "scs_flavor" "small" {
  vcpus = 2
  ram   = 4
}

data "scs_flavor" "ssd" {
  vcpus     = 2
  ram       = 4
  disk      = 20
  disk_type = "ssd"
}

data "scs_flavor" "by_v1_name" {
  name = "SCS-2V:4"
}

output "small" {
  value = data.scs_flavor.small
}

output "ssd" {
  value = data.scs_flavor.ssd
}

output "by_v1_name" {
  value = data.scs_flavor.by_v1_name.name
}

# Requirements are minimums: the attributes then hold the chosen flavor's
# actual figures (4 vCPUs here), not the requested ones.
data "scs_flavor" "at_least_3" {
  vcpus = 3
  ram   = 1
}

output "at_least_3" {
  value = data.scs_flavor.at_least_3.name
}
