terraform {
  required_providers {
    scs = {
      source = "sovereigncloudstack/scs"
    }
  }
}

provider "scs" {}

# Every object name starts with the prefix so runs can share one project and
# leftovers can be found by name.
variable "prefix" {
  type = string
}

# A throwaway test key (its private half was discarded).
resource "scs_keypair" "this" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key\n"
}
