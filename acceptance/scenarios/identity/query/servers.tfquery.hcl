# The project's servers named like the scenario's web server, with their whole
# objects so that `terraform query -generate-config-out` can write their
# configuration.
list "scs_server" "web" {
  provider         = scs
  include_resource = true

  config {
    name = "PREFIX-web"
  }
}
