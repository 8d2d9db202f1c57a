# A new public key replaces the keypair.
resource "scs_keypair" "this" {
  name       = "${var.prefix}-key"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIb5HuR967NLzyD6bsT055MKSh7QwCWrd5eSm5i0moV+ tfacc-test-key-2"
}
