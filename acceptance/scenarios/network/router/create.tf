data "scs_network" "public" {
  name     = "public"
  external = true
}

resource "scs_router" "this" {
  name                = "${var.prefix}-router"
  external_network_id = data.scs_network.public.id
  tags                = ["a"]
}
