resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "this" {
  network_id      = scs_network.this.id
  name            = "${var.prefix}-subnet"
  cidr            = "10.61.0.0/24"
  dns_nameservers = ["9.9.9.9"]
  tags            = ["a"]

  allocation_pool {
    start = "10.61.0.10"
    end   = "10.61.0.99"
  }
}
