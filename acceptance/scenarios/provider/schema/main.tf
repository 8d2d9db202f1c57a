# `providers schema -json` with nothing but the empty provider block the harness
# writes: loading the provider and reading its schema needs no cloud.
