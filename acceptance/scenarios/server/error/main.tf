# A server Nova cannot place: the second member of a hard anti-affinity group
# on a one-host cloud goes to ERROR ("No valid host was found").

# Created by the test (anti-affinity).
variable "server_group_id" {
  type = string
}

resource "scs_server" "first" {
  name            = "${var.prefix}-first"
  flavor_name     = "SCS-1V-4-10"
  image_name      = "Ubuntu 24.04"
  server_group_id = var.server_group_id
}

resource "scs_server" "second" {
  name            = "${var.prefix}-second"
  flavor_name     = "SCS-1V-4-10"
  image_name      = "Ubuntu 24.04"
  server_group_id = var.server_group_id

  depends_on = [scs_server.first]
}
