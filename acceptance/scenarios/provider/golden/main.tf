# Traffic for golden DynamicValue vectors (tfplugin's value tests): run with
# TFPLUGIN_CAPTURE_DIR set, on both clients. It covers nulls (omitted optional
# arguments), unknowns (values of a network not yet created, also inside a set
# and with a known prefix, which OpenTofu sends as a refined unknown), numbers,
# bools, strings, sets, a map and a single nested block. No secrets: the cloud
# comes from OS_CLOUD, which is not part of the configuration.
terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

variable "prefix" {
  type = string
}

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
