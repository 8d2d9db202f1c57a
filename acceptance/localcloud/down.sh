#!/bin/bash
# down.sh: stop every process up.sh started, by its recorded PID and start time (never by name);
# remove the cinder bind mount and the OVS tap devices. Data is kept: up.sh brings the same cloud
# back. Env: LOCALCLOUD_DIR.
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
T0=$(date +%s)
take_lock
rm -f "$STATE/.up-complete"
OPENSTACK="keystone glance-api placement-api nova-api nova-conductor nova-scheduler nova-compute
 neutron-server cinder-api cinder-scheduler cinder-volume"
INFRA_REVERSED="ovn-controller ovs-vswitchd ovs-db ovn-northd ovn-sb-db ovn-nb-db rabbitmq epmd memcached mariadb"
# The API services do not need each other to shut down: stop them in parallel, then the
# infrastructure they used, in reverse start order.
for s in $OPENSTACK; do stop_service "$s" & done
wait
for s in $INFRA_REVERSED; do
  # lets vswitchd remove its datapath ports itself
  [ "$s" = ovs-vswitchd ] && is_running ovs-vswitchd && \
    ovs-appctl -t /run/openvswitch/ovs-vswitchd.ctl exit --cleanup >/dev/null 2>&1
  stop_service "$s"
done
if [ -f "$RUN/cinder-bind-mount" ]; then
  m=$(cat "$RUN/cinder-bind-mount")
  awk '{print $2}' /proc/mounts | grep -qx "$m" && umount "$m" && log "unmounted $m"
  rm -f "$RUN/cinder-bind-mount"
fi
for dev in br-int br-ex ovs-netdev; do
  ip -d link show "$dev" 2>/dev/null | grep -q 'tun type tap' && ip link del "$dev" 2>/dev/null && log "removed tap $dev"
done
left=""
for port in $ALL_PORTS; do tcp_answers "$port" && left="$left $port"; done
if [ -n "$left" ]; then echo "down.sh: still listening on $IP:$left" >&2; exit 1; fi
log "local cloud stopped in $(( $(date +%s) - T0 ))s; no listener left on its ports"
