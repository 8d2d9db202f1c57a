#!/usr/bin/env bash
# up.sh: start the Kubernetes test bed on 127.0.0.1: etcd, kube-apiserver and kube-controller-manager,
# Cluster API (core, kubeadm bootstrap, kubeadm control plane, in-memory infrastructure provider)
# and the Cluster Stack Operator in local mode, all as plain processes; then the ClusterStack
# `inmem` with the test bed's own cluster stack releases v1 and v2 in the namespace cluster-stacks.
# Builds the binaries first if the cache does not have them (build.sh).
#
# Idempotent: on a running, healthy bed it only probes and returns. A bed that was stopped starts
# empty (down.sh keeps nothing but the certificates). Writes the admin kubeconfig to
# $KUBE_BED_DIR/admin.kubeconfig (default ~/.cache/terraform-provider-scs/kube-bed/admin.kubeconfig).
# Env: KUBE_BED_DIR (state directory), XDG_CACHE_HOME.
set -Eeuo pipefail
. "$(dirname "$0")/lib/common.sh"
trap 'log "up.sh FAILED at line $LINENO: $BASH_COMMAND (logs: $LOGS)"' ERR
take_lock
T0=$(date +%s.%N)
since() { printf '%.1f s' "$(echo "$(date +%s.%N) - $T0" | bc)"; }

# Cluster stack releases served to CSO: version:kubernetes-version. Upgrading a Cluster from v1 to
# v2 changes its class and its Kubernetes version together, as with real cluster stacks.
STACK=docker-inmem-1-36
RELEASES="v1:v1.36.0 v2:v1.36.1"

# A change to the binaries, these scripts or the cluster stack charts restarts the bed.
CONFIG_HASH=$( (echo "$KUBE_BUILD $RELEASES"; cat "$KUBE_HOME"/up.sh "$KUBE_HOME"/lib/*; \
  find "$KUBE_HOME/clusterstack" -type f | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-16)

# Ready, and serving their webhooks (readiness does not wait for the webhook server).
controllers_healthy() {
  local c name wp hp dp
  for c in $CONTROLLERS; do
    IFS=: read -r name wp hp dp <<<"$c"
    http_ok "http://$IP:$hp/readyz" && tcp_answers "$wp" || return 1
  done
}
stacks_ready() {
  local v
  for v in $RELEASES; do
    [ "$(kubectl get clusterstackrelease -n "$STACK_NAMESPACE" "$STACK-${v%%:*}" \
      -o jsonpath='{.status.ready}' 2>/dev/null)" = true ] || return 1
    kubectl get clusterclass -n "$STACK_NAMESPACE" "$STACK-${v%%:*}" >/dev/null 2>&1 || return 1
  done
}
fast_path_ok() {
  local s
  [ "$(cat "$STATE/.up-complete" 2>/dev/null)" = "$CONFIG_HASH" ] || return 1
  for s in $SERVICES; do is_running "$s" || return 1; done
  api_ready && controllers_healthy && stacks_ready
}
if fast_path_ok; then
  log "test bed already running and healthy ($(since)): KUBECONFIG=$KUBECONFIG_ADMIN"
  exit 0
fi

# Binaries: built once per cache key; the lock keeps a parallel `make kube-build` from racing us.
missing=0
for b in etcd kube-apiserver kube-controller-manager kubectl capi-core capi-kubeadm-bootstrap \
  capi-kubeadm-control-plane capd helm cso; do [ -x "$BIN/$b" ] || missing=1; done
[ -d "$MANIFEST_SRC/cso" ] || missing=1
if [ $missing = 1 ]; then
  log "binaries missing in $BIN: building them (the first build takes 10-20 minutes)"
  mkdir -p "$CACHE/locks"
  flock -o "$CACHE/locks/kube-build.lock" bash "$KUBE_HOME/build.sh" >/dev/null
fi

# Anything of ours running but unhealthy or from other scripts or binaries: start again from empty.
any_ours=0
for s in $SERVICES; do is_running "$s" && any_ours=1; done
if [ $any_ours = 1 ]; then
  log "test bed partly running or changed: restarting it"
  bash "$KUBE_HOME/down.sh"
fi
rm -f "$STATE/.up-complete"
for port in $ALL_PORTS; do
  tcp_answers "$port" && die "port $port on $IP is in use by a process up.sh did not start"
done

# A fresh start: empty etcd, fresh logs; the certificates are kept (their CA is in kubeconfigs).
mkdir -p "$LOGS" "$PIDS"
rm -rf "$STATE/etcd" "$STATE/manifests" "$STATE/cso-releases" "$STATE/cso-tmp" "$LOGS.previous"
mv "$LOGS" "$LOGS.previous" && mkdir -p "$LOGS"
ln -sfn "$BIN" "$STATE/bin"

###############################################################################
# certificates: a CA of the bed's own, the API server's serving certificate, an admin client
# certificate (group system:masters), service-account keys and one serving certificate for every
# webhook on 127.0.0.1
###############################################################################
issue() { # name subject subjectAltNames
  openssl req -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "$2" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$PKI/$1.ext"
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -out "$PKI/$1.crt" -days 3650 -extfile "$PKI/$1.ext" 2>/dev/null
  rm -f "$PKI/$1.csr" "$PKI/$1.ext"
}
if [ ! -s "$PKI/webhook/tls.crt" ]; then
  rm -rf "$PKI" && mkdir -p "$PKI/webhook" && chmod 700 "$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 3650 \
    -subj "/CN=terraform-provider-scs test bed CA" 2>/dev/null
  issue apiserver /CN=kube-apiserver \
    "IP:$IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1"
  issue admin "/CN=admin/O=system:masters" "DNS:admin"
  issue webhook /CN=webhook "IP:$IP,DNS:localhost"
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  # the layout controller-runtime's webhook servers read
  cp "$PKI/webhook.crt" "$PKI/webhook/tls.crt"
  cp "$PKI/webhook.key" "$PKI/webhook/tls.key"
  cp "$PKI/ca.crt" "$PKI/webhook/ca.crt"
  log "certificates written to $PKI"
fi
umask 077
cat >"$KUBECONFIG_ADMIN.tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kube-bed
  cluster:
    server: $API_URL
    certificate-authority: $PKI/ca.crt
users:
- name: admin
  user:
    client-certificate: $PKI/admin.crt
    client-key: $PKI/admin.key
contexts:
- name: kube-bed
  context: {cluster: kube-bed, user: admin, namespace: $STACK_NAMESPACE}
current-context: kube-bed
KC
mv "$KUBECONFIG_ADMIN.tmp" "$KUBECONFIG_ADMIN"
umask 022

###############################################################################
# etcd, kube-apiserver, kube-controller-manager
###############################################################################
start_bg etcd "$BIN/etcd" --name kube-bed --data-dir "$STATE/etcd" \
  --listen-client-urls "http://$IP:2379" --advertise-client-urls "http://$IP:2379" \
  --listen-peer-urls "http://$IP:2380" --initial-advertise-peer-urls "http://$IP:2380" \
  --initial-cluster "kube-bed=http://$IP:2380" --listen-metrics-urls "http://$IP:2381" \
  --quota-backend-bytes 1073741824 --unsafe-no-fsync --log-level warn
# Priority and fairness, the endpoint reconciler and profiling only cost memory and CPU here.
start_bg kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers="http://$IP:2379" \
  --bind-address="$IP" --advertise-address="$IP" --secure-port="$API_PORT" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-account-issuer=https://kubernetes.default.svc \
  --service-cluster-ip-range=10.96.0.0/16 \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NamespaceLifecycle,ServiceAccount \
  --allow-privileged=true --enable-priority-and-fairness=false \
  --profiling=false --endpoint-reconciler-type=none --v=1
for i in $(seq 1 300); do
  api_ready && break
  is_running kube-apiserver || { tail -20 "$LOGS/kube-apiserver.log" >&2; die "kube-apiserver exited"; }
  [ "$i" = 300 ] && die "kube-apiserver not ready after 60 s (log: $LOGS/kube-apiserver.log)"
  sleep 0.2
done
log "kube-apiserver ready ($(since))"
# Only what a management cluster needs of it: garbage collection (owner references), namespace
# deletion and service accounts.
start_bg kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$KUBECONFIG_ADMIN" --authentication-kubeconfig="$KUBECONFIG_ADMIN" \
  --authorization-kubeconfig="$KUBECONFIG_ADMIN" \
  --controllers=garbagecollector,namespace,serviceaccount,serviceaccount-token \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --bind-address="$IP" --secure-port=10257 --leader-elect=false \
  --use-service-account-credentials=false --v=1

###############################################################################
# CRDs and webhook configurations, then the controllers. A manager started before its CRDs are
# established exits (no REST mapping), so they all go in first.
###############################################################################
mkdir -p "$STATE/manifests"
for c in $CONTROLLERS; do
  name=${c%%:*} wp=$(echo "$c" | cut -d: -f2)
  python3 "$KUBE_HOME/lib/render.py" "$name" "$MANIFEST_SRC/$name" "$wp" "$PKI/ca.crt" \
    "$STATE/manifests/$name.yaml"
  kubectl apply --server-side --force-conflicts -f "$STATE/manifests/$name.yaml" >/dev/null
done
kubectl wait --for=condition=Established --timeout=120s crd --all >/dev/null
log "CRDs established ($(since))"

# The cluster stack releases CSO reads in local mode: <release dir>/cluster-stacks/<stack>-<version>/
# with the two charts (as .tgz), metadata.yaml and the cluster add-on values.
make_release() { # version kubernetes-version
  local v=$1 k8s=$2 out=$STATE/cso-releases/cluster-stacks/$STACK-$1 work chart
  work=$(mktemp -d)
  mkdir -p "$out"
  for chart in cluster-class cluster-addon; do
    cp -r "$KUBE_HOME/clusterstack/$chart" "$work/$STACK-$chart"
    sed -i "s/^version: .*/version: $v/" "$work/$STACK-$chart/Chart.yaml"
    tar -czf "$out/$STACK-$chart-$v.tgz" -C "$work" "$STACK-$chart"
  done
  cat >"$out/metadata.yaml" <<Y
apiVersion: metadata.clusterstack.x-k8s.io/v1alpha1
versions:
  clusterStack: $v
  kubernetes: $k8s
  components:
    clusterAddon: $v
    nodeImage: $v
Y
  printf 'values: |\n  clusterStackVersion: %s\n' "$v" >"$out/cluster-addon-values.yaml"
  rm -rf "$work"
}
for r in $RELEASES; do make_release "${r%%:*}" "${r#*:}"; done

# CSO reads its webhook certificate from $TMPDIR/k8s-webhook-server/serving-certs.
mkdir -p "$STATE/cso-tmp/k8s-webhook-server"
cp -r "$PKI/webhook" "$STATE/cso-tmp/k8s-webhook-server/serving-certs"

export KUBECONFIG=$KUBECONFIG_ADMIN
CAPI_COMMON=(--leader-elect=false --webhook-cert-dir="$PKI/webhook" --insecure-diagnostics
  --feature-gates=ClusterTopology=true --v=2)
for c in $CONTROLLERS; do
  IFS=: read -r name wp hp dp <<<"$c"
  case $name in
    capi-core | capi-kubeadm-bootstrap | capi-kubeadm-control-plane)
      start_bg "$name" "$BIN/$name" "${CAPI_COMMON[@]}" --webhook-port="$wp" \
        --health-addr="$IP:$hp" --diagnostics-address="$IP:$dp" ;;
    capd)
      # The in-memory provider's fake workload API servers listen on POD_IP.
      POD_IP=$IP start_bg capd "$BIN/capd" "${CAPI_COMMON[@]}" --webhook-port="$wp" \
        --health-addr="$IP:$hp" --diagnostics-address="$IP:$dp" ;;
    cso)
      PATH=$BIN:$PATH TMPDIR=$STATE/cso-tmp start_bg cso "$BIN/cso" --leader-elect=false --local \
        --release-dir="$STATE/cso-releases" --health-probe-bind-address="$IP:$hp" \
        --metrics-bind-address="$IP:$dp" --hook-port=9442 --hook-cert-dir="$PKI/webhook" ;;
  esac
done
for i in $(seq 1 300); do
  controllers_healthy && break
  for s in $SERVICES; do
    is_running "$s" || { tail -20 "$LOGS/$s.log" >&2; die "$s exited (log: $LOGS/$s.log)"; }
  done
  [ "$i" = 300 ] && die "controllers not ready after 60 s (logs: $LOGS)"
  sleep 0.2
done
log "controllers ready ($(since))"

###############################################################################
# the shared cluster stack: ClusterStack inmem with v1 and v2 in the namespace cluster-stacks
###############################################################################
versions=$(for r in $RELEASES; do printf '"%s",' "${r%%:*}"; done)
shared_stack() {
  cat <<Y | kubectl apply --server-side -f - >/dev/null
apiVersion: v1
kind: Namespace
metadata:
  name: $STACK_NAMESPACE
---
apiVersion: clusterstack.x-k8s.io/v1alpha1
kind: ClusterStack
metadata:
  name: inmem
  namespace: $STACK_NAMESPACE
spec:
  provider: docker
  name: inmem
  kubernetesVersion: "1.36"
  channel: stable
  autoSubscribe: false
  noProvider: true
  versions: [${versions%,}]
Y
}
for i in $(seq 1 60); do
  shared_stack 2>"$STATE/apply.err" && break
  [ "$i" = 60 ] && die "cannot apply the ClusterStack: $(cat "$STATE/apply.err")"
  sleep 0.5
done
rm -f "$STATE/apply.err"
for i in $(seq 1 240); do
  stacks_ready && break
  [ "$i" = 240 ] && die "cluster stack releases not ready after 120 s (log: $LOGS/cso.log)"
  sleep 0.5
done
log "cluster stack releases ready ($(since))"

for s in $SERVICES; do is_running "$s" || die "$s exited (log: $LOGS/$s.log)"; done
echo "$CONFIG_HASH" >"$STATE/.up-complete"
log "test bed ready in $(since): KUBECONFIG=$KUBECONFIG_ADMIN, ClusterClasses $(for r in $RELEASES; do printf '%s ' "$STACK-${r%%:*}"; done)in namespace $STACK_NAMESPACE"
