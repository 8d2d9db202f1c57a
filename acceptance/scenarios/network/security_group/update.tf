resource "scs_security_group" "this" {
  name        = "${var.prefix}-sg-renamed"
  description = "updated"
  tags        = ["b", "c"]
}
