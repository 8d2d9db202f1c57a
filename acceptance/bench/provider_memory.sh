#!/usr/bin/env bash
# Peak memory (RSS) and CPU time of the provider process and wall-clock time of tofu/terraform while they plan,
# apply, re-plan and destroy a scenario with many resources against a cloud (the local test cloud by
# default). Prints one table row per phase; removes everything it created, also when interrupted.
#
#   acceptance/bench/provider_memory.sh                 # 200 rules + 50 ports on scs-local, tofu, release build
#   RULES=500 PORTS=100 CLIENT=terraform PROFILE=debug acceptance/bench/provider_memory.sh
#   PROVIDER_BIN=/path/to/terraform-provider-scs acceptance/bench/provider_memory.sh   # no cargo build
#
# How: tofu starts the provider through a dev_overrides directory whose terraform-provider-scs is a
# wrapper that runs the real binary under GNU time (`/usr/bin/time -f %M`), so each provider process
# reports its own peak RSS when it exits (every phase starts one or more). The client itself runs under
# GNU time too. The same numbers can be read from /proc/<pid>/status (VmHWM) while it runs; GNU time
# reports them after exit, which catches the very last allocation too.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

RULES=${RULES:-200}
PORTS=${PORTS:-50}
CLIENT=${CLIENT:-tofu}
PROFILE=${PROFILE:-release}
PARALLELISM=${PARALLELISM:-10}

export OS_CLOUD=${OS_CLOUD:-scs-local}
case $OS_CLOUD in
  scs-local*) export OS_CLIENT_CONFIG_FILE=${OS_CLIENT_CONFIG_FILE:-$ROOT/acceptance/localcloud/clouds.yaml} ;;
esac

die() { echo "provider_memory: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing: apt-get install time"
command -v jq >/dev/null || die "jq is missing: apt-get install jq"
TF=${TF:-$ROOT/acceptance/tools/bin/$CLIENT}
[ -x "$TF" ] || die "$TF is missing: run 'make tools'"

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
if [ -n "${PROVIDER_BIN:-}" ]; then
  BIN=$PROVIDER_BIN # a binary built elsewhere; nothing is built
elif [ "$PROFILE" = release ]; then
  cargo build --release -p terraform-provider-scs --bin terraform-provider-scs
  BIN=$TARGET_DIR/release/terraform-provider-scs
else
  cargo build -p terraform-provider-scs --bin terraform-provider-scs
  BIN=$TARGET_DIR/debug/terraform-provider-scs
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scs-provider-memory.XXXXXX")
# A copy, so a concurrent cargo build cannot swap the binary under a running phase.
cp "$BIN" "$WORK/terraform-provider-scs.real"
mkdir -p "$WORK/override" "$WORK/rss" "$WORK/config"
cat >"$WORK/override/terraform-provider-scs" <<WRAP
#!/bin/sh
exec /usr/bin/time -f '%M %U %S' -o "$WORK/rss/provider.\$\$" "$WORK/terraform-provider-scs.real" "\$@"
WRAP
chmod +x "$WORK/override/terraform-provider-scs"
cat >"$WORK/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "registry.opentofu.org/sovereigncloudstack/scs"  = "$WORK/override"
    "registry.terraform.io/sovereigncloudstack/scs" = "$WORK/override"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE=$WORK/cli.tfrc
export TF_IN_AUTOMATION=1

PREFIX=bench-mem-$(date +%s)-$$
cat >"$WORK/config/main.tf" <<HCL
terraform {
  required_providers {
    scs = { source = "sovereigncloudstack/scs" }
  }
}

provider "scs" {}

resource "scs_network" "bench" {
  name = "$PREFIX-net"
}

resource "scs_subnet" "bench" {
  network_id = scs_network.bench.id
  name       = "$PREFIX-subnet"
  cidr       = "10.199.0.0/20"
}

resource "scs_security_group" "bench" {
  name                 = "$PREFIX-sg"
  delete_default_rules = true
}

resource "scs_security_group_rule" "bench" {
  count             = $RULES
  security_group_id = scs_security_group.bench.id
  direction         = "ingress"
  protocol          = "tcp"
  port_range_min    = 20000 + count.index
  port_range_max    = 20000 + count.index
  remote_ip_prefix  = "10.0.0.0/8"
}

resource "scs_port" "bench" {
  count              = $PORTS
  network_id         = scs_network.bench.id
  name               = "$PREFIX-port-\${count.index}"
  security_group_ids = [scs_security_group.bench.id]

  fixed_ip {
    subnet_id = scs_subnet.bench.id
  }
}
HCL

tf() { "$TF" -chdir="$WORK/config" "$@"; }

applied=no
cleanup() {
  local rc=$?
  if [ $applied = yes ]; then
    echo "provider_memory: destroying what this run created (prefix $PREFIX)" >&2
    if ! tf destroy -auto-approve -input=false -parallelism="$PARALLELISM" >"$WORK/cleanup.log" 2>&1; then
      # Keep the state: it is what a second destroy needs.
      echo "provider_memory: cleanup destroy FAILED, see $WORK/cleanup.log; retry with" \
        "TF_CLI_CONFIG_FILE=$WORK/cli.tfrc $TF -chdir=$WORK/config destroy; objects are named $PREFIX-*" >&2
      exit 1
    fi
  fi
  if [ $rc = 0 ] || [ "${KEEP_WORK:-}" != 1 ]; then rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ROWS=()
# phase name, then the client's arguments. Rows: wall time, client and provider peak RSS.
phase() {
  local name=$1
  shift
  rm -f "$WORK"/rss/provider.*
  local start end
  start=$(date +%s.%N)
  if ! /usr/bin/time -f '%M' -o "$WORK/rss/client" "$TF" -chdir="$WORK/config" "$@" >"$WORK/$name.log" 2>&1; then
    tail -n 30 "$WORK/$name.log" >&2
    die "phase '$name' failed (log above)"
  fi
  end=$(date +%s.%N)
  local client_kib provider_kib provider_cpu procs
  client_kib=$(awk 'END { print $1 }' "$WORK/rss/client")
  # GNU time writes "Command exited with non-zero status" before the numbers when the child failed.
  provider_kib=$(cat "$WORK"/rss/provider.* 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { if ($1 > m) m = $1 } END { print m + 0 }')
  provider_cpu=$(cat "$WORK"/rss/provider.* 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { s += $2 + $3 } END { print s + 0 }')
  procs=$(find "$WORK/rss" -name "provider.*" | wc -l)
  ROWS+=("$(printf '%-22s %9.1f %14.1f %16.1f %18.2f %6d' "$name" "$(echo "$end - $start" | bc)" \
    "$(echo "$client_kib / 1024" | bc -l)" "$(echo "$provider_kib / 1024" | bc -l)" "$provider_cpu" "$procs")")
}

command -v bc >/dev/null || die "bc is missing: apt-get install bc"
resources=$((RULES + PORTS + 3))
echo "provider_memory: $resources resources ($RULES rules, $PORTS ports, network, subnet, group) on $OS_CLOUD" \
  "with $("$TF" version | head -1), provider $PROFILE build, -parallelism=$PARALLELISM" >&2

phase "validate" validate -no-color
phase "plan (create)" plan -input=false -parallelism="$PARALLELISM" -out="$WORK/create.plan"
applied=yes
phase "apply" apply -input=false -parallelism="$PARALLELISM" "$WORK/create.plan"
phase "plan (refresh, no-op)" plan -input=false -parallelism="$PARALLELISM" -detailed-exitcode
phase "destroy" destroy -auto-approve -input=false -parallelism="$PARALLELISM"
applied=no

echo
echo "$resources resources, $CLIENT, provider $PROFILE build, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-22s %9s %14s %16s %18s %6s\n' phase "wall [s]" "client [MiB]" "provider [MiB]" "provider CPU [s]" procs
for r in "${ROWS[@]}"; do echo "$r"; done
echo "(MiB = peak RSS of the largest single process; provider CPU = user+system time summed over the"
echo " provider processes of the phase; procs = provider processes started in the phase)"
