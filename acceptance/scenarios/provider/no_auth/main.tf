# `plan` with no cloud, no auth_url and nothing in the environment: the provider
# must say what is missing and where it looked. The harness clears OS_*, points
# OS_CLIENT_CONFIG_FILE at a missing file and HOME at an empty directory.

# Clients only validate and configure a provider that something uses.
resource "scs_network" "probe" {
  name = "provider-probe"
}
