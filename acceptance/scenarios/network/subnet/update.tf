resource "scs_network" "this" {
  name = "${var.prefix}-net"
}

resource "scs_subnet" "this" {
  network_id      = scs_network.this.id
  name            = "${var.prefix}-subnet-renamed"
  description     = "updated"
  cidr            = "10.61.0.0/24"
  gateway_ip      = "10.61.0.254"
  enable_dhcp     = false
  dns_nameservers = ["149.112.112.112", "9.9.9.9"]
  tags            = ["b"]

  allocation_pool {
    start = "10.61.0.10"
    end   = "10.61.0.49"
  }

  allocation_pool {
    start = "10.61.0.100"
    end   = "10.61.0.149"
  }

  host_route {
    destination_cidr = "192.168.0.0/16"
    next_hop         = "10.61.0.253"
  }
}
