# `validate` must point at auth_url with the provider's own diagnostic.

provider "scs" {
  auth_url = "not a url"
}

# Clients only validate and configure a provider that something uses.
resource "scs_network" "probe" {
  name = "provider-probe"
}
