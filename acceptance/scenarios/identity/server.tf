# The server of the scenario; the query step removes this file and imports the
# server again from the configuration `terraform query` generates.

resource "scs_server" "web" {
  name        = "${var.prefix}-web"
  flavor_name = "SCS-1V-4-10"
  image_name  = "Ubuntu 24.04"

  network {
    uuid = scs_network.app.id
  }

  depends_on = [scs_subnet.app]
}

output "server_id" {
  value = scs_server.web.id
}
