# Traffic for golden DynamicValue vectors (tfplugin's value tests): run with
# TFPLUGIN_CAPTURE_DIR set, on both clients. It covers nulls (omitted optional
# arguments), unknowns (values of a network not yet created, also inside a set
# and with a known prefix, which OpenTofu sends as a refined unknown), numbers,
# bools, strings, sets, a map and a single nested block. No secrets: the cloud
# comes from OS_CLOUD, which is not part of the configuration.

provider "scs" {
  max_retries = 3
  insecure    = false
  # A service no resource here calls, so the override changes nothing.
  endpoint_overrides = {
    dns = "http://127.0.0.1:9001/"
  }
}

resource "scs_network" "first" {
  name           = "${var.prefix}-first"
  mtu            = 1400
  admin_state_up = true
  tags           = ["golden", "b", "a"]
}

resource "scs_network" "second" {
  name        = "${var.prefix}-second"
  description = "after ${scs_network.first.id}"
  tags        = [scs_network.first.id, "golden", "ümlaut ✓"]

  timeouts {
    create = "5m"
  }
}

# A nested block that is wholly unknown at plan time (dynamic block whose
# for_each depends on the first network) and one that is partly unknown.
resource "scs_network" "third" {
  name = "${var.prefix}-third"

  dynamic "timeouts" {
    for_each = scs_network.first.id != "" ? [1] : []
    content {
      create = "4m"
    }
  }
}

resource "scs_network" "fourth" {
  name = "${var.prefix}-fourth"

  timeouts {
    create = scs_network.first.id != "" ? "3m" : "2m"
    delete = "1m"
  }
}

# Lists: a list attribute with an unknown element, list blocks with known and
# unknown attributes, and a list block that is wholly unknown at plan time.
resource "scs_subnet" "lists" {
  name            = "${var.prefix}-lists"
  network_id      = scs_network.first.id
  cidr            = "10.77.0.0/24"
  ip_version      = 4
  dns_nameservers = ["9.9.9.9", scs_network.first.id != "" ? "1.1.1.1" : "8.8.8.8"]

  # One pool is enough to capture a nested block with known values.
  allocation_pool {
    start = "10.77.0.100"
    end   = scs_network.first.id != "" ? "10.77.0.150" : "10.77.0.160"
  }

  host_route {
    destination_cidr = "10.88.0.0/16"
    next_hop         = "10.77.0.5"
  }
}

resource "scs_subnet" "unknown_blocks" {
  name       = "${var.prefix}-unknown-blocks"
  network_id = scs_network.first.id
  cidr       = "10.78.0.0/24"

  dynamic "allocation_pool" {
    for_each = scs_network.first.id != "" ? ["10.78.0.20"] : []
    content {
      start = allocation_pool.value
      end   = "10.78.0.30"
    }
  }
}
