#!/usr/bin/env bash
# `make demo` / `make demo-destroy`: build the provider and show it working through OpenTofu.
# `up` prints the provider schema, then applies the first example whose resource and data source types the
# provider already has: examples/quickstart (servers, volumes, ...), else examples/network, on OS_CLOUD (the
# local test cloud by default, started if needed). With neither supported yet, the schema is all it shows.
# Work files and state live in <cargo target dir>/demo so a later `destroy` finds them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ACTION=${1:-up}

export OS_CLOUD=${OS_CLOUD:-scs-local}
LOCAL_CLOUD=no
case $OS_CLOUD in
  scs-local*)
    LOCAL_CLOUD=yes
    export OS_CLIENT_CONFIG_FILE=${OS_CLIENT_CONFIG_FILE:-$ROOT/acceptance/localcloud/clouds.yaml}
    ;;
esac

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
  # Installed the way a user's provider is: an unpacked filesystem mirror for our address (a link to the
  # fresh build), the registry for everything else, so `init` behaves as it will after a release.
  local version arch platform address
  version=$(cargo metadata --format-version 1 --no-deps |
    jq -r '.packages[] | select(.name == "terraform-provider-scs") | .version')
  case $(uname -m) in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  platform=$(uname -s | tr '[:upper:]' '[:lower:]')_$arch
  rm -rf "$DEMO_DIR/mirror"
  for address in registry.opentofu.org/sovereigncloudstack/scs registry.terraform.io/sovereigncloudstack/scs; do
    mkdir -p "$DEMO_DIR/mirror/$address/$version/$platform"
    ln -s "$TARGET_DIR/debug/terraform-provider-scs" \
      "$DEMO_DIR/mirror/$address/$version/$platform/terraform-provider-scs_v$version"
  done
  cat >"$DEMO_DIR/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$DEMO_DIR/mirror"
    include = ["registry.opentofu.org/sovereigncloudstack/scs", "registry.terraform.io/sovereigncloudstack/scs"]
  }
  direct {
    exclude = ["registry.opentofu.org/sovereigncloudstack/scs", "registry.terraform.io/sovereigncloudstack/scs"]
  }
}
TFRC
  export TF_CLI_CONFIG_FILE=$DEMO_DIR/cli.tfrc
}

# A fresh build has a new checksum: forget the old lock entry, keep the state.
init_dir() {
  rm -f "$1/.terraform.lock.hcl"
  "$TF" -chdir="$1" init -input=false >"$1/init.log" 2>&1 || { cat "$1/init.log"; return 1; }
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
  init_dir "$dir"
  "$TF" -chdir="$dir" providers schema -json >"$DEMO_DIR/schema.json"
}

read -ra DEMO_EXAMPLES <<<"${DEMO_EXAMPLES:-quickstart network}"

# The example's scs_* resource and data source types are all in the provider's schema.
example_supported() {
  local dir=examples/$1 wanted have
  [ -d "$dir" ] || return 1
  wanted=$(cat "$dir"/*.tf | sed -nE 's/^(resource|data) "(scs_[a-z0-9_]+)".*/\1 \2/p' | sort -u)
  [ -n "$wanted" ] || return 1
  have=$(jq -r '.provider_schemas[] | ((.resource_schemas // {} | keys[] | "resource " + .),
                                       (.data_source_schemas // {} | keys[] | "data " + .))' "$DEMO_DIR/schema.json")
  while read -r kind type; do
    grep -qx "$kind $type" <<<"$have" || { echo "demo: examples/$1 needs $kind $type, not there yet"; return 1; }
  done <<<"$wanted"
}

print_schema_summary() {
  echo "==> provider \"scs\" as $("$TF" version | head -1) sees it ($DEMO_DIR/schema.json has the full schema)"
  jq -r '.provider_schemas[] | .provider.block.attributes // {} | to_entries[]
         | "  \(.key)\(if .value.sensitive then " (sensitive)" else "" end): \(.value.description // "" | split(". ")[0])"' \
    "$DEMO_DIR/schema.json"
  echo "  resources:    $(jq -r '[.provider_schemas[] | .resource_schemas // {} | keys[]] | join(", ") | if . == "" then "(none yet)" else . end' "$DEMO_DIR/schema.json")"
  echo "  data sources: $(jq -r '[.provider_schemas[] | .data_source_schemas // {} | keys[]] | join(", ") | if . == "" then "(none yet)" else . end' "$DEMO_DIR/schema.json")"
}

apply_example() {
  local example=$1 dir=$DEMO_DIR/$1
  if [ $LOCAL_CLOUD = yes ]; then make cloud-up; fi
  mkdir -p "$dir"
  cp examples/"$example"/*.tf "$dir/"
  echo "==> applying examples/$example on cloud $OS_CLOUD with $TF"
  init_dir "$dir"
  "$TF" -chdir="$dir" apply -auto-approve -input=false
  echo "Remove it again with: make demo-destroy"
}

case $ACTION in
  up)
    make tools
    pick_client
    build_provider
    show_schema
    print_schema_summary
    for example in "${DEMO_EXAMPLES[@]}"; do
      if example_supported "$example"; then
        apply_example "$example"
        exit 0
      fi
    done
    echo "No example can be applied yet; the schema above is what the provider offers so far."
    ;;
  destroy)
    pick_client
    build_provider
    destroyed=0
    for example in "${DEMO_EXAMPLES[@]}"; do
      if [ -f "$DEMO_DIR/$example/terraform.tfstate" ]; then
        echo "==> destroying examples/$example on cloud $OS_CLOUD"
        init_dir "$DEMO_DIR/$example"
        "$TF" -chdir="$DEMO_DIR/$example" destroy -auto-approve -input=false
        destroyed=1
      fi
    done
    [ $destroyed = 1 ] || echo "demo-destroy: nothing to destroy (no state under $DEMO_DIR)"
    ;;
  *)
    echo "usage: $0 up|destroy" >&2
    exit 2
    ;;
esac
