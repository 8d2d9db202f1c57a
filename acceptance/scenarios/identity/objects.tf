# A network (with a subnet), a volume and a server: the objects
# tests/acc_identity_query.rs imports by identity and finds with `terraform query`.

resource "scs_network" "app" {
  name = "${var.prefix}-app"
}

resource "scs_subnet" "app" {
  network_id = scs_network.app.id
  name       = "${var.prefix}-app-v4"
  cidr       = "10.73.0.0/24"
}

resource "scs_volume" "data" {
  name = "${var.prefix}-data"
  size = 1
}

output "ids" {
  value = {
    network = scs_network.app.id
    volume  = scs_volume.data.id
  }
}
