# SCS-1V-4 by what it offers; RAM in MiB as terraform-provider-openstack has it.
data "openstack_compute_flavor_v2" "small" {
  vcpus = 1
  ram   = 4096
}

data "openstack_images_image_v2" "ubuntu" {
  most_recent = true

  properties = {
    os_distro  = "ubuntu"
    os_version = "24.04"
  }
}

resource "openstack_compute_keypair_v2" "me" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key"
}

resource "openstack_compute_servergroup_v2" "app" {
  name     = "${var.prefix}-group"
  policies = ["soft-anti-affinity"]
}

resource "openstack_compute_instance_v2" "vm" {
  name      = "${var.prefix}-vm"
  flavor_id = data.openstack_compute_flavor_v2.small.id
  image_id  = data.openstack_images_image_v2.ubuntu.id
  key_pair  = openstack_compute_keypair_v2.me.name
  user_data = "#cloud-config\n"

  # Faster teardown in CI.
  force_delete = true

  metadata = {
    role = "web"
  }

  network {
    port = openstack_networking_port_v2.vm.id
  }

  scheduler_hints {
    group = openstack_compute_servergroup_v2.app.id
  }

  depends_on = [openstack_networking_router_interface_v2.app]
}

resource "openstack_blockstorage_volume_v3" "data" {
  name        = "${var.prefix}-data"
  size        = 1
  description = "application data"
}

resource "openstack_compute_volume_attach_v2" "data" {
  instance_id = openstack_compute_instance_v2.vm.id
  volume_id   = openstack_blockstorage_volume_v3.data.id
}

resource "openstack_networking_floatingip_v2" "vm" {
  pool = var.external_network
}

# The address follows the port, not the server.
resource "openstack_networking_floatingip_associate_v2" "vm" {
  floating_ip = openstack_networking_floatingip_v2.vm.address
  port_id     = openstack_networking_port_v2.vm.id

  depends_on = [openstack_networking_router_interface_v2.app]
}
