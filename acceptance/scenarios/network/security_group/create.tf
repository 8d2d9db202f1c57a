resource "scs_security_group" "this" {
  name        = "${var.prefix}-sg"
  description = "created"
  tags        = ["a"]
}
