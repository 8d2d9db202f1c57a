#!/usr/bin/env bash
# `make demo` / `make demo-destroy`: build the provider and show it working through OpenTofu.
# Once the provider has servers (scs_server) and examples/quickstart exists, `up` applies the quickstart on
# OS_CLOUD (the local test cloud by default, started if needed); before that it prints the provider schema.
# Work files and state live in <cargo target dir>/demo so a later `destroy` finds them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ACTION=${1:-up}

need() { command -v "$1" >/dev/null || { echo "demo: '$1' is missing ($2)" >&2; exit 1; }; }
need cargo "install Rust, see README.md"
need jq "apt-get install jq"

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
DEMO_DIR=$TARGET_DIR/demo
mkdir -p "$DEMO_DIR"

pick_client() {
  if [ -x "$ROOT/acceptance/tools/bin/tofu" ]; then
    TF=$ROOT/acceptance/tools/bin/tofu
  elif [ -x "$ROOT/acceptance/tools/bin/terraform" ]; then
    TF=$ROOT/acceptance/tools/bin/terraform
    echo "demo: tofu is not available (see acceptance/tools), using Terraform 1.0.3 instead"
  else
    echo "demo: no client in acceptance/tools/bin; run 'make tools'" >&2
    exit 1
  fi
}

build_provider() {
  echo "==> building the provider"
  cargo build -p terraform-provider-scs --bin terraform-provider-scs
  # dev_overrides skips registry lookups and checksums for our address only; everything else stays normal.
  cat >"$DEMO_DIR/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "sovereigncloudstack/scs" = "$TARGET_DIR/debug"
  }
  direct {}
}
TFRC
  export TF_CLI_CONFIG_FILE=$DEMO_DIR/cli.tfrc
}

show_schema() {
  local dir=$DEMO_DIR/schema
  mkdir -p "$dir"
  cat >"$dir/main.tf" <<'HCL'
terraform {
  required_providers {
    scs = { source = "sovereigncloudstack/scs" }
  }
}
HCL
  "$TF" -chdir="$dir" providers schema -json >"$DEMO_DIR/schema.json"
}

has_servers() {
  [ -f examples/quickstart/main.tf ] &&
    jq -e '.provider_schemas[] | .resource_schemas // {} | has("scs_server")' "$DEMO_DIR/schema.json" >/dev/null
}

print_schema_summary() {
  echo "==> provider \"scs\" as $("$TF" version | head -1) sees it ($DEMO_DIR/schema.json has the full schema)"
  jq -r '.provider_schemas[] | .provider.block.attributes // {} | to_entries[]
         | "  \(.key)\(if .value.sensitive then " (sensitive)" else "" end): \(.value.description // "" | split(". ")[0])"' \
    "$DEMO_DIR/schema.json"
  echo "  resources:    $(jq -r '[.provider_schemas[] | .resource_schemas // {} | keys[]] | join(", ") | if . == "" then "(none yet)" else . end' "$DEMO_DIR/schema.json")"
  echo "  data sources: $(jq -r '[.provider_schemas[] | .data_source_schemas // {} | keys[]] | join(", ") | if . == "" then "(none yet)" else . end' "$DEMO_DIR/schema.json")"
  echo "The quickstart (examples/quickstart) is applied here once scs_server exists."
}

quickstart_up() {
  export OS_CLOUD=${OS_CLOUD:-scs-local}
  case $OS_CLOUD in
    scs-local*)
      export OS_CLIENT_CONFIG_FILE=${OS_CLIENT_CONFIG_FILE:-$ROOT/acceptance/localcloud/clouds.yaml}
      make cloud-up
      ;;
  esac
  local dir=$DEMO_DIR/quickstart
  mkdir -p "$dir"
  cp examples/quickstart/*.tf "$dir/"
  echo "==> applying examples/quickstart on cloud $OS_CLOUD with $TF"
  "$TF" -chdir="$dir" apply -auto-approve -input=false
  "$TF" -chdir="$dir" output
  echo "Remove it again with: make demo-destroy"
}

case $ACTION in
  up)
    make tools
    pick_client
    build_provider
    show_schema
    if has_servers; then quickstart_up; else print_schema_summary; fi
    ;;
  destroy)
    if [ ! -f "$DEMO_DIR/quickstart/terraform.tfstate" ]; then
      echo "demo-destroy: nothing to destroy (no state in $DEMO_DIR/quickstart)"
      exit 0
    fi
    pick_client
    build_provider
    "$TF" -chdir="$DEMO_DIR/quickstart" destroy -auto-approve -input=false
    ;;
  *)
    echo "usage: $0 up|destroy" >&2
    exit 2
    ;;
esac
