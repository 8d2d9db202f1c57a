#!/bin/bash
# status.sh: which services of the local cloud run and answer. Exit 0 only when all do.
# Env: LOCALCLOUD_DIR.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
bad=0
for s in $SERVICES; do
  if is_running "$s"; then printf '%-16s running (pid %s)\n' "$s" "$(cat "$PIDS/$s.pid")"
  else printf '%-16s STOPPED\n' "$s"; bad=1; fi
done
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
