#!/usr/bin/env bash
# status.sh: which processes of the test bed run and answer, with their memory (RSS); exit 0 only
# when all do. Env: KUBE_BED_DIR.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
bad=0 total=0
for s in $SERVICES; do
  if is_running "$s"; then
    pid=$(cat "$PIDS/$s.pid")
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    total=$((total + ${rss:-0}))
    printf '%-28s running (pid %s)  RSS %4d MiB\n' "$s" "$pid" $((${rss:-0} / 1024))
  else
    printf '%-28s STOPPED\n' "$s"
    bad=1
  fi
done
printf '%-28s RSS %4d MiB\n' TOTAL $((total / 1024))
if [ -f "$PKI/admin.crt" ] && api_ready; then echo "kube-apiserver answers at $API_URL"
else echo "kube-apiserver NOT answering at $API_URL"; bad=1; fi
for c in $CONTROLLERS; do
  hp=$(echo "$c" | cut -d: -f3)
  if http_ok "http://$IP:$hp/readyz"; then printf '%-28s ready (:%s/readyz)\n' "${c%%:*}" "$hp"
  else printf '%-28s NOT ready (:%s/readyz)\n' "${c%%:*}" "$hp"; bad=1; fi
done
if [ $bad = 0 ] && [ -f "$STATE/.up-complete" ]; then
  kubectl get clusterstacks,clusterstackreleases,clusterclasses -n "$STACK_NAMESPACE" 2>/dev/null
  echo "test bed: up (KUBECONFIG=$KUBECONFIG_ADMIN)"
else
  echo "test bed: down or degraded (logs: $LOGS)"
  bad=1
fi
exit $bad
