#!/usr/bin/env bash
# smoke.sh: proves the chain the cluster resources rely on, on the running test bed, in a namespace
# of its own that it deletes afterwards:
#   ClusterStack (CSO, local mode) -> ClusterStackRelease ready -> ClusterClass -> Cluster Available
#   -> <cluster>-kubeconfig secret -> `kubectl get nodes` in the (fake) workload cluster
#   -> ClusterAddon ready (the add-on chart's ConfigMap is in the workload cluster)
# then deletes the Cluster and the ClusterStack and waits until they are gone. Prints `ok` per step
# with the seconds since the start; the first `FAIL` ends the run (each step needs the one before),
# deletes the namespace and exits non-zero.
# Env: SMOKE_UPGRADE=1 also upgrades the Cluster from v1 to v2 (class and Kubernetes version together)
#      and waits for every machine to be replaced; SMOKE_TIMEOUT (seconds per wait, default 180);
#      SMOKE_KEEP=1 leaves the namespace and its objects for inspection.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
TIMEOUT=${SMOKE_TIMEOUT:-180}
NS=kube-smoke-$(printf '%04x' $((RANDOM % 65536)))
CLUSTER=smoke
T0=$(date +%s.%N)
now() { printf '%5.1f s' "$(echo "$(date +%s.%N) - $T0" | bc)"; }
ok() { echo "ok    [$(now)] $*"; }
fail() {
  echo "FAIL  [$(now)] $*"
  echo "kube smoke: FAILED (logs: $LOGS)"
  exit 1
}
# wait_for DESCRIPTION COMMAND...: run COMMAND every half second until it succeeds or TIMEOUT passes.
wait_for() {
  local what=$1 end=$((SECONDS + TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then fail "$what (not within ${TIMEOUT} s)"; return 1; fi
    sleep 0.5
  done
  ok "$what"
}
condition_true() { # kind name type
  kubectl get "$1" -n "$NS" "$2" -o json |
    jq -e --arg t "$3" '.status.conditions[] | select(.type == $t and .status == "True")'
}
field_is() { # kind name jsonpath value
  [ "$(kubectl get "$1" -n "$NS" "$2" -o "jsonpath=$3")" = "$4" ]
}
gone() { ! kubectl get "$1" -n "$NS" "$2" >/dev/null 2>&1; }
# All machines of the cluster run VERSION and are Ready.
machines_at() {
  kubectl get machines -n "$NS" -l "cluster.x-k8s.io/cluster-name=$CLUSTER" -o json |
    jq -e --arg v "$1" '(.items | length) == 2 and all(.items[];
      .spec.version == $v and (.status.conditions // [] | any(.type == "Ready" and .status == "True")))'
}
workload() { "$(kubectl_bin)" --kubeconfig "$STATE/$NS-$CLUSTER.kubeconfig" "$@"; }
# The fake API server prints no table columns: read the Ready conditions from JSON.
nodes_ready() {
  workload get nodes -o json |
    jq -e '(.items | length) == 2 and all(.items[]; any(.status.conditions[]?; .type == "Ready" and .status == "True"))'
}

api_ready || { echo "FAIL  the test bed is not running (make kube-up)"; exit 1; }
cleanup() {
  trap - EXIT
  rm -f "$STATE/$NS-$CLUSTER.kubeconfig"
  if [ "${SMOKE_KEEP:-}" = 1 ]; then echo "kept namespace $NS (SMOKE_KEEP=1)"; return; fi
  kubectl delete namespace "$NS" --wait=false >/dev/null 2>&1
  wait_for "namespace $NS deleted" gone namespace "$NS"
}
trap cleanup EXIT

stack() { # versions...
  local versions
  versions=$(printf '"%s",' "$@")
  cat <<Y
apiVersion: clusterstack.x-k8s.io/v1alpha1
kind: ClusterStack
metadata: {name: inmem, namespace: $NS}
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

kubectl create namespace "$NS" >/dev/null && ok "namespace $NS created" || fail "namespace $NS"
stack v1 | kubectl apply -f - >/dev/null && ok "ClusterStack inmem (v1) applied" || fail "ClusterStack apply"
wait_for "ClusterStackRelease docker-inmem-1-36-v1 ready" \
  field_is clusterstackrelease docker-inmem-1-36-v1 '{.status.ready}' true
wait_for "ClusterStackRelease reports Kubernetes v1.36.0" \
  field_is clusterstackrelease docker-inmem-1-36-v1 '{.status.kubernetesVersion}' v1.36.0
wait_for "ClusterClass docker-inmem-1-36-v1 exists" kubectl get clusterclass -n "$NS" docker-inmem-1-36-v1

cat <<Y | kubectl apply -f - >/dev/null && ok "Cluster $CLUSTER applied (1 control plane, 1 worker)" || fail "Cluster apply"
apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata: {name: $CLUSTER, namespace: $NS}
spec:
  clusterNetwork:
    services: {cidrBlocks: [10.128.0.0/12]}
    pods: {cidrBlocks: [192.168.0.0/16]}
    serviceDomain: cluster.local
  topology:
    classRef: {name: docker-inmem-1-36-v1}
    version: v1.36.0
    controlPlane: {replicas: 1}
    workers:
      machineDeployments:
        - {class: default-worker, name: md-0, replicas: 1}
    variables:
      - {name: mtu, value: 1400}
Y
wait_for "secret $CLUSTER-kubeconfig written" kubectl get secret -n "$NS" "$CLUSTER-kubeconfig"
wait_for "Cluster ControlPlaneInitialized" condition_true cluster "$CLUSTER" ControlPlaneInitialized
wait_for "Cluster Available" condition_true cluster "$CLUSTER" Available
kubectl get secret -n "$NS" "$CLUSTER-kubeconfig" -o jsonpath='{.data.value}' | base64 -d \
  >"$STATE/$NS-$CLUSTER.kubeconfig"
wait_for "kubectl get nodes in the workload cluster: 2 Ready" nodes_ready
wait_for "ClusterAddon cluster-addon-$CLUSTER ready" field_is clusteraddon "cluster-addon-$CLUSTER" '{.status.ready}' true
wait_for "add-on ConfigMap in the workload cluster" workload get configmap -n kube-system cluster-stack-addons

if [ "${SMOKE_UPGRADE:-}" = 1 ]; then
  stack v1 v2 | kubectl apply -f - >/dev/null && ok "ClusterStack versions v1, v2" || fail "ClusterStack v2"
  wait_for "ClusterStackRelease docker-inmem-1-36-v2 ready" \
    field_is clusterstackrelease docker-inmem-1-36-v2 '{.status.ready}' true
  kubectl patch cluster -n "$NS" "$CLUSTER" --type merge \
    -p '{"spec":{"topology":{"classRef":{"name":"docker-inmem-1-36-v2"},"version":"v1.36.1"}}}' >/dev/null &&
    ok "Cluster upgraded to docker-inmem-1-36-v2, v1.36.1" || fail "Cluster upgrade refused"
  wait_for "every machine replaced by one at v1.36.1" machines_at v1.36.1
  wait_for "Cluster Available after the upgrade" condition_true cluster "$CLUSTER" Available
fi

kubectl delete cluster -n "$NS" "$CLUSTER" --wait=false >/dev/null && ok "Cluster delete requested" || fail "Cluster delete"
wait_for "Cluster $CLUSTER gone" gone cluster "$CLUSTER"
kubectl delete clusterstack -n "$NS" inmem --wait=false >/dev/null && ok "ClusterStack delete requested" || fail "ClusterStack delete"
wait_for "ClusterStackRelease docker-inmem-1-36-v1 gone" gone clusterstackrelease docker-inmem-1-36-v1

cleanup
echo "kube smoke: all passed in $(now)"
