# SCS-1V-4 by what it offers; RAM in MiB as terraform-provider-openstack has it.
data "scs_flavor" "small" {
  vcpus = 1
  ram   = 4
}

data "scs_image" "ubuntu" {
  most_recent = true

  os_distro  = "ubuntu"
  os_version = "24.04"
}

resource "scs_keypair" "me" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key"
}

moved {
  from = openstack_compute_keypair_v2.me
  to   = scs_keypair.me
}

resource "scs_server_group" "app" {
  name   = "${var.prefix}-group"
  policy = "soft-anti-affinity"
}

moved {
  from = openstack_compute_servergroup_v2.app
  to   = scs_server_group.app
}

resource "scs_server" "vm" {
  name                 = "${var.prefix}-vm"
  flavor_id            = data.scs_flavor.small.id
  image_id             = data.scs_image.ubuntu.id
  key_pair             = scs_keypair.me.name
  user_data_wo         = "#cloud-config\n"
  user_data_wo_version = 1

  # Faster teardown in CI.
  # scs migrate: openstack_compute_instance_v2 `force_delete` has no counterpart in scs_server: servers are deleted normally and waited for
  # force_delete = true

  metadata = {
    role = "web"
  }

  network {
    port = scs_port.vm.id
  }

  server_group_id = scs_server_group.app.id

  depends_on = [scs_router_interface.app]
}

moved {
  from = openstack_compute_instance_v2.vm
  to   = scs_server.vm
}

resource "scs_volume" "data" {
  name        = "${var.prefix}-data"
  size        = 1
  description = "application data"
}

moved {
  from = openstack_blockstorage_volume_v3.data
  to   = scs_volume.data
}

resource "scs_volume_attachment" "data" {
  server_id = scs_server.vm.id
  volume_id = scs_volume.data.id
}

moved {
  from = openstack_compute_volume_attach_v2.data
  to   = scs_volume_attachment.data
}

resource "scs_floating_ip" "vm" {
  pool       = var.external_network
  port_id    = scs_port.vm.id
  depends_on = [scs_router_interface.app]
}

moved {
  from = openstack_networking_floatingip_v2.vm
  to   = scs_floating_ip.vm
}

# The address follows the port, not the server.
# scs migrate: openstack_networking_floatingip_associate_v2.vm merged into scs_floating_ip.vm: `scs_floating_ip` holds its association in `port_id`; the `removed` block below takes the association out of the state without touching the cloud
# resource "openstack_networking_floatingip_associate_v2" "vm" {
#   floating_ip = openstack_networking_floatingip_v2.vm.address
#   port_id     = openstack_networking_port_v2.vm.id
#
#   depends_on = [openstack_networking_router_interface_v2.app]
# }

removed {
  from = openstack_networking_floatingip_associate_v2.vm

  lifecycle {
    destroy = false
  }
}
