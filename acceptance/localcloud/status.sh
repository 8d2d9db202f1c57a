#!/bin/bash
# status.sh: which services of the local cloud run and answer. Exit 0 only when all do.
# status.sh --mem: also the memory (RSS, PSS from /proc/PID/smaps_rollup) of each process tree.
# Env: LOCALCLOUD_DIR.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
MEM=0; [ "${1:-}" = --mem ] && MEM=1
tree_mem() { # pid -> "procs rss_kib pss_kib"
  local p n=0 r=0 q=0 a b
  for p in $1 $(descendants "$1"); do
    read -r a b < <(awk '/^Rss:/{r=$2} /^Pss:/{q=$2} END{print r+0, q+0}' "/proc/$p/smaps_rollup" 2>/dev/null)
    n=$((n+1)); r=$((r+${a:-0})); q=$((q+${b:-0}))
  done
  echo "$n $r $q"
}
bad=0; tot_n=0; tot_r=0; tot_q=0
for s in $SERVICES; do
  if is_running "$s"; then
    pid=$(cat "$PIDS/$s.pid")
    if [ $MEM = 1 ]; then
      read -r n r q < <(tree_mem "$pid")
      tot_n=$((tot_n+n)); tot_r=$((tot_r+r)); tot_q=$((tot_q+q))
      printf '%-16s running (pid %s) %3d procs  RSS %5d MiB  PSS %5d MiB\n' "$s" "$pid" "$n" $((r/1024)) $((q/1024))
    else printf '%-16s running (pid %s)\n' "$s" "$pid"; fi
  else printf '%-16s STOPPED\n' "$s"; bad=1; fi
done
[ $MEM = 1 ] && printf '%-16s %3d procs  RSS %5d MiB  PSS %5d MiB\n' TOTAL "$tot_n" $((tot_r/1024)) $((tot_q/1024))
for p in $TCP_PROBES; do
  if tcp_answers "${p#*=}"; then printf '%-16s answers on %s:%s\n' "${p%%=*}" "$IP" "${p#*=}"
  else printf '%-16s NOT answering on %s:%s\n' "${p%%=*}" "$IP" "${p#*=}"; bad=1; fi
done
for p in $API_PROBES; do
  if http_answers "${p#*=}" 3; then printf '%-16s API answers at %s\n' "${p%%=*}" "${p#*=}"
  else printf '%-16s API NOT answering at %s\n' "${p%%=*}" "${p#*=}"; bad=1; fi
done
if [ $bad = 0 ]; then echo "local cloud: up (OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML OS_CLOUD=scs-local)"
else echo "local cloud: down or degraded (logs: $LOGS)"; fi
exit $bad
