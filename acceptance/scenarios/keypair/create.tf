# A throwaway test key (its private half was discarded).
resource "scs_keypair" "this" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMKh+5UcAi74aA860MWFK7idUvkjZyHhNwZ7M+sajuMQ tfacc-test-key\n"
}
