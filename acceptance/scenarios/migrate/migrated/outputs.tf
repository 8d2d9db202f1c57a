output "address" {
  value = scs_floating_ip.vm.address
}

output "server" {
  value = {
    id     = scs_server.vm.id
    ip     = scs_server.vm.access_ip_v4
    volume = scs_volume_attachment.data.device
  }
}

locals {
  rule_ids = [for r in [scs_security_group_rule.ssh, scs_security_group_rule.icmp] : r.id]
}

output "rules" {
  value = local.rule_ids
}
