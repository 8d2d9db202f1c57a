output "address" {
  value = openstack_networking_floatingip_v2.vm.address
}

output "server" {
  value = {
    id     = openstack_compute_instance_v2.vm.id
    ip     = openstack_compute_instance_v2.vm.access_ip_v4
    volume = openstack_compute_volume_attach_v2.data.device
  }
}

locals {
  rule_ids = [for r in [openstack_networking_secgroup_rule_v2.ssh, openstack_networking_secgroup_rule_v2.icmp] : r.id]
}

output "rules" {
  value = local.rule_ids
}
