# shellcheck shell=bash disable=SC2034
# Shared settings and process helpers for up.sh, down.sh, status.sh and reset.sh (sourced, not run).
# Every daemon is started by these scripts, recorded by PID and process start time under $PIDS, and
# stopped only by that record, so nothing else on the machine is ever signalled.

# Debian's python and tools, never a pyenv/venv one that may come first on PATH.
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C.UTF-8
unset OS_CLOUD OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_TOKEN OS_CLIENT_CONFIG_FILE 2>/dev/null || true

LOCALCLOUD_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${LOCALCLOUD_DIR:-$HOME/.cache/terraform-provider-scs/localcloud}
LOGS=$STATE/logs
PIDS=$STATE/pids
RUN=$STATE/run
IP=127.0.0.1
REGION=RegionOne
# nova's compute host name must equal the OVN chassis host name, or ML2/OVN refuses port binding.
NODE=localcloud
NFS_EXPORT=/var/lib/cinder/localcloud-nfs
NFS_SHARE="$IP:$NFS_EXPORT"
CLOUDS_YAML=$LOCALCLOUD_HOME/clouds.yaml

# Start order; down.sh stops in reverse.
SERVICES="mariadb memcached epmd rabbitmq ovn-nb-db ovn-sb-db ovn-northd ovs-db ovs-vswitchd ovn-controller
 keystone glance-api placement-api nova-api nova-conductor nova-scheduler nova-compute
 neutron-server cinder-api cinder-scheduler cinder-volume"
# name=url probed by status.sh and the fast path of up.sh (any HTTP answer counts as "answers").
API_PROBES="keystone=http://$IP:5000/v3 glance=http://$IP:9292/ placement=http://$IP:8778/
 nova=http://$IP:8774/ neutron=http://$IP:9696/ cinder=http://$IP:8776/"
TCP_PROBES="mariadb=3306 memcached=11211 rabbitmq=5672 ovn-nb=6641 ovn-sb=6642"
ALL_PORTS="3306 11211 4369 5672 25672 5000 8774 8776 8778 9292 9696 6641 6642"

mkdir -p "$LOGS" "$PIDS" "$RUN"

log() { echo "[$(date +%H:%M:%S)] $*"; }

# Field 22 of /proc/PID/stat: start time in clock ticks since boot; guards against PID reuse.
starttime() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
descendants() { local c; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$c"; descendants "$c"; done; }

is_running() {
  local pid
  [ -f "$PIDS/$1.pid" ] || return 1
  pid=$(cat "$PIDS/$1.pid")
  alive "$pid" || return 1
  [ ! -f "$PIDS/$1.start" ] || [ "$(cat "$PIDS/$1.start")" = "$(starttime "$pid")" ]
}

# stop_service NAME: TERM the recorded process tree, KILL what is left after ~20 s.
stop_service() {
  local name=$1 pid tree p t left
  [ -f "$PIDS/$name.pid" ] || return 0
  pid=$(cat "$PIDS/$name.pid")
  if ! is_running "$name"; then rm -f "$PIDS/$name.pid" "$PIDS/$name.start"; return 0; fi
  tree="$pid $(descendants "$pid" | tr '\n' ' ')"
  kill -TERM "$pid" 2>/dev/null || true
  for t in $(seq 1 40); do
    left=""; for p in $tree; do alive "$p" && left="$left $p"; done
    [ -z "$left" ] && break
    # uwsgi/oslo workers normally follow their parent; nudge stragglers directly
    [ "$t" = 16 ] && for p in $left; do kill -TERM "$p" 2>/dev/null; done
    sleep 0.5
  done
  left=""; for p in $tree; do alive "$p" && left="$left $p"; done
  if [ -n "$left" ]; then log "$name: SIGKILL to$left"; kill -KILL $left 2>/dev/null || true; sleep 0.3; fi
  rm -f "$PIDS/$name.pid" "$PIDS/$name.start"
  log "$name stopped"
}

# A daemon must not keep any descriptor it inherits beyond stdio: a lock file open in a caller (this
# script's own lock, the Makefile's flock, a CI runner's) would stay locked for as long as the daemon
# lives, and the next `make cloud-up` would wait forever. Called in the subshell that execs the daemon.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
  done
  return 0
}

http_answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-3}" "$1" 2>/dev/null)" != 000 ]; }
tcp_answers() { (exec 3<>"/dev/tcp/$IP/$1") 2>/dev/null; }

# One up/down/reset at a time (make test may start up.sh while someone else runs it): the second
# waits, then finds the cloud up and returns through the fast path.
take_lock() {
  [ -n "${LOCALCLOUD_LOCKED:-}" ] && return 0
  # daemons must not inherit fd 9: start_bg closes it for them
  exec 9>"$STATE/lock"
  if ! flock -n 9; then
    log "waiting for another up/down/reset of this cloud to finish"
    flock 9
  fi
  export LOCALCLOUD_LOCKED=1
}
