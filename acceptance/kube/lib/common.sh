# shellcheck shell=bash disable=SC2034
# Shared settings and helpers of the Kubernetes test bed (sourced by build.sh, up.sh, down.sh,
# status.sh and smoke.sh). Every process is started by up.sh, recorded by PID and process start time
# under $PIDS and stopped only by that record, so nothing else on the machine is ever signalled.

export LC_ALL=C.UTF-8
# The Go toolchain the way acceptance/tools/ finds it: `go` on PATH (/usr/local/go on the CI image).
export PATH=$PATH:/usr/local/go/bin

KUBE_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-scs

# Versions. Kubernetes, etcd, Cluster API and helm also appear in modules/*/go.mod, which pin them
# (with every dependency) for the build; these are for ldflags, names and messages.
K8S_VERSION=1.36.3
ETCD_VERSION=3.6.17
CAPI_VERSION=1.14.2
HELM_VERSION=3.22.0
CSO_COMMIT=b3680fbbd4ebd89dfaabfe9a598cde00d1a1ab88
# The operator is not served by the Go module proxy: its source snapshot (with vendor/) comes from
# the shared/ folder beside the checkout, which developers and CI both have.
CSO_SOURCE=${KUBE_CSO_SOURCE:-$(cd "$KUBE_HOME/../.." && pwd)/../shared/kube-testbed/cluster-stack-operator-${CSO_COMMIT:0:8}.tar.xz}
# Raise when build.sh builds differently (flags, steps), so the cache key moves on.
BUILD_REVISION=1

# The build directory is keyed by everything that decides what the binaries are.
kube_build_key() {
  (
    cd "$KUBE_HOME"
    echo "k8s=$K8S_VERSION etcd=$ETCD_VERSION capi=$CAPI_VERSION helm=$HELM_VERSION cso=$CSO_COMMIT rev=$BUILD_REVISION"
    find modules patches -type f | LC_ALL=C sort | xargs sha256sum
  ) | sha256sum | cut -c1-12
}
KUBE_BUILD=$CACHE/kube-$K8S_VERSION-$(kube_build_key)
BIN=$KUBE_BUILD/bin
MANIFEST_SRC=$KUBE_BUILD/config

# The running test bed: state, logs, certificates and the admin kubeconfig at a fixed path.
STATE=${KUBE_BED_DIR:-$CACHE/kube-bed}
LOGS=$STATE/logs
PIDS=$STATE/pids
PKI=$STATE/pki
KUBECONFIG_ADMIN=$STATE/admin.kubeconfig
IP=127.0.0.1
API_PORT=6443
API_URL=https://$IP:$API_PORT
# The namespace the cluster stacks and their ClusterClasses live in; tests create their own next to it.
STACK_NAMESPACE=cluster-stacks

# Start order; down.sh stops in reverse. name:webhook-port:health-port:diagnostics-port
CONTROLLERS="capi-core:9450:9460:9470 capi-kubeadm-bootstrap:9451:9461:9471
 capi-kubeadm-control-plane:9452:9462:9472 capd:9453:9463:9473 cso:9443:9464:9474"
SERVICES="etcd kube-apiserver kube-controller-manager capi-core capi-kubeadm-bootstrap
 capi-kubeadm-control-plane capd cso"
# CSO's own webhook port is fixed at 9443; 9442 is its runtime hook server. CAPD's in-memory
# provider serves a debug port (19000) and one port from 20000-30000 per fake workload cluster.
ALL_PORTS="2379 2380 2381 $API_PORT 10257 19000 9442 9443 9450 9451 9452 9453 9460 9461 9462 9463 9464 9470 9471 9472 9473 9474"

log() { echo "[$(date +%H:%M:%S)] kube: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Field 22 of /proc/PID/stat: start time in clock ticks since boot; guards against PID reuse.
starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

is_running() {
  local pid
  [ -f "$PIDS/$1.pid" ] || return 1
  pid=$(cat "$PIDS/$1.pid")
  alive "$pid" || return 1
  [ ! -f "$PIDS/$1.start" ] || [ "$(cat "$PIDS/$1.start")" = "$(starttime "$pid")" ]
}

# stop_service NAME: TERM the recorded process, KILL it if it is still there after ~20 s.
stop_service() {
  local name=$1 pid t
  [ -f "$PIDS/$name.pid" ] || return 0
  pid=$(cat "$PIDS/$name.pid")
  if is_running "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for t in $(seq 1 40); do alive "$pid" || break; sleep 0.5; done
    if alive "$pid"; then log "$name: SIGKILL to $pid"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.3; fi
    log "$name stopped"
  fi
  rm -f "$PIDS/$name.pid" "$PIDS/$name.start"
}

# A daemon must not keep a descriptor it inherits beyond stdio: a lock held open by a caller (the
# Makefile's flock, a CI runner's) would stay locked for as long as the daemon lives.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
  done
  return 0
}

# start_bg NAME CMD...: own session, output to $LOGS/NAME.log, PID and start time recorded.
start_bg() {
  local name=$1 pid
  shift
  is_running "$name" && return 0
  ( close_inherited_fds; exec setsid "$@" ) </dev/null >>"$LOGS/$name.log" 2>&1 &
  pid=$!
  echo "$pid" >"$PIDS/$name.pid"
  starttime "$pid" >"$PIDS/$name.start"
  log "started $name (pid $pid)"
}

tcp_answers() { (exec 3<>"/dev/tcp/$IP/$1") 2>/dev/null; }
http_ok() { curl -fs -o /dev/null --max-time "${2:-3}" "$1" 2>/dev/null; }
api_ready() {
  curl -fs -o /dev/null --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "$API_URL/readyz" 2>/dev/null
}
# kubectl of the running bed (up.sh links its build at $STATE/bin), else of this checkout's build.
kubectl_bin() { if [ -x "$STATE/bin/kubectl" ]; then echo "$STATE/bin/kubectl"; else echo "$BIN/kubectl"; fi; }
kubectl() { "$(kubectl_bin)" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# One up/down at a time: the second waits, then finds the bed up and returns through the fast path.
take_lock() {
  [ -n "${KUBE_BED_LOCKED:-}" ] && return 0
  mkdir -p "$STATE"
  exec 8>"$STATE/lock"
  if ! flock -n 8; then
    log "waiting for another up/down of the test bed to finish"
    flock 8
  fi
  export KUBE_BED_LOCKED=1
}
