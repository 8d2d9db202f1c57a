#!/usr/bin/env bash
# down.sh: stop every process up.sh started, by its recorded PID and start time (never by name), in
# reverse start order, and check that nothing listens on the test bed's ports afterwards. The next
# up.sh starts an empty bed. Env: KUBE_BED_DIR.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
T0=$SECONDS
take_lock
rm -f "$STATE/.up-complete"
# The controllers first (in parallel: they do not need each other to shut down), then the
# controller manager, the API server and etcd.
for s in capi-core capi-kubeadm-bootstrap capi-kubeadm-control-plane capd cso; do stop_service "$s" & done
wait
for s in kube-controller-manager kube-apiserver etcd; do stop_service "$s"; done
left=""
for port in $ALL_PORTS; do tcp_answers "$port" && left="$left $port"; done
if [ -n "$left" ]; then log "still listening on $IP:$left"; exit 1; fi
log "test bed stopped in $((SECONDS - T0)) s; no listener left on its ports"
