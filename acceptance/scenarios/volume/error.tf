# Within the project's quota but far beyond what the local cloud's storage
# backend can hold: Cinder's scheduler puts the volume into `error`.
resource "scs_volume" "this" {
  name = "${var.prefix}-vol-too-big"
  size = 6000
}
