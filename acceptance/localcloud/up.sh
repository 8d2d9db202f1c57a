#!/bin/bash
# up.sh: install (if missing), configure and start a single-node OpenStack (Debian 12 / Zed packages)
# on 127.0.0.1, seed it like an SCS-compliant cloud and write clouds.yaml next to this script.
# Idempotent: on a running, healthy cloud it only probes the APIs and returns.
# Env: LOCALCLOUD_DIR (state: logs, pids; default ~/.cache/terraform-provider-scs/localcloud),
#      LOCALCLOUD_ADMIN_PASSWORD, LOCALCLOUD_MEMBER_PASSWORD (defaults are fixed: loopback-only cloud).
set -Eeuo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$LOCALCLOUD_HOME/lib/packages.sh"
trap 'echo "up.sh: FAILED at line $LINENO: $BASH_COMMAND (logs: $LOGS)" >&2' ERR
[ "$(id -u)" = 0 ] || { echo "up.sh must run as root (it installs packages and starts system daemons)" >&2; exit 1; }
take_lock

ADMIN_PASS=${LOCALCLOUD_ADMIN_PASSWORD:-scs-local-admin}
MEMBER_PASS=${LOCALCLOUD_MEMBER_PASSWORD:-scs-local-member}
SVC_PASS=scs-local-service
DB_PASS=scs-local-db
RABBIT_PASS=scs-local-rabbit
T0=$(date +%s)
stamp() { echo "$(date -Is) $1 $(( $(date +%s) - T0 ))s" >> "$STATE/timings.log"; log "$1 (+$(( $(date +%s) - T0 ))s)"; }

# Keystone's bcrypt rounds for secrets it stores (see keystone.conf below).
HASH_ROUNDS=4

# A change to these scripts (or to the passwords) forces the full path once.
CONFIG_HASH=$(cat "$LOCALCLOUD_HOME"/up.sh "$LOCALCLOUD_HOME"/lib/{common.sh,packages.sh,seed.py} \
  <(echo "$ADMIN_PASS $MEMBER_PASS") | md5sum | cut -d' ' -f1)

appcred_works() {
  [ -f "$STATE/appcred.env" ] || return 1
  # shellcheck disable=SC1091
  . "$STATE/appcred.env"
  [ "${APPCRED_HASH_ROUNDS:-}" = "$HASH_ROUNDS" ] || return 1
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
    -d "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"id\":\"$APPCRED_ID\",\"secret\":\"$APPCRED_SECRET\"}}}}" \
    "http://$IP:5000/v3/auth/tokens" 2>/dev/null) || true
  [ "$code" = 201 ]
}

fast_path_ok() {
  local s p
  [ "${LOCALCLOUD_RESEED:-0}" = 0 ] || return 1
  [ -f "$STATE/.up-complete" ] && [ "$(cat "$STATE/.up-complete")" = "$CONFIG_HASH" ] || return 1
  [ -f "$CLOUDS_YAML" ] || return 1
  [ -z "$(localcloud_missing_packages)" ] || return 1
  for s in $SERVICES; do is_running "$s" || return 1; done
  # probes in parallel: each API answers in 0.1-1 s on a busy machine
  local jobs=() j
  for p in $API_PROBES; do http_answers "${p#*=}" 3 & jobs+=($!); done
  appcred_works & jobs+=($!)
  for j in "${jobs[@]}"; do wait "$j" || return 1; done
}
if fast_path_ok; then
  log "local cloud already running and healthy ($(( $(date +%s) - T0 ))s); OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML OS_CLOUD=scs-local"
  exit 0
fi
rm -f "$STATE/.up-complete"

###############################################################################
# packages
###############################################################################
localcloud_install_packages "$LOGS"
stamp packages-ready

# refuse to run next to a cloud (or anything) we did not start ourselves
any_ours=0; for s in $SERVICES; do is_running "$s" && any_ours=1; done
if [ $any_ours = 0 ]; then
  for port in $ALL_PORTS; do
    tcp_answers "$port" && { echo "port $port on $IP is in use by a process up.sh did not start; aborting" >&2; exit 1; }
  done
fi

###############################################################################
# helpers
###############################################################################
# start_bg NAME USER CMD...: own session, output to $LOGS/NAME.log, PID + start time recorded
start_bg() {
  local name=$1 user=$2 pid; shift 2
  if is_running "$name"; then return 0; fi
  log "starting $name"
  [ "$user" = root ] || set -- setpriv --reuid="$user" --regid="$user" --init-groups "$@"
  # The subshell execs the daemon, so $! is the daemon's PID.
  ( close_inherited_fds; exec setsid "$@" ) </dev/null >>"$LOGS/$name.log" 2>&1 &
  pid=$!
  echo "$pid" > "$PIDS/$name.pid"
  starttime "$pid" > "$PIDS/$name.start"
}
check_alive() { is_running "$1" || { echo "$1 died, see $LOGS/$1.log:" >&2; tail -30 "$LOGS/$1.log" >&2; return 1; }; }
wait_tcp() { # port seconds service
  local i; for ((i=0; i<$2*4; i++)); do tcp_answers "$1" && return 0; check_alive "$3"; sleep 0.25; done
  echo "timeout waiting for port $1 ($3)" >&2; return 1
}
wait_http() { # url seconds service
  local i; for ((i=0; i<$2*4; i++)); do http_answers "$1" 2 && return 0; check_alive "$3"; sleep 0.25; done
  echo "timeout waiting for $1 ($3)" >&2; return 1
}
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }
CHANGED_FILES=""
# put PATH OWNER:GROUP MODE < content: writes only on change, remembers what changed
put() {
  local tmp; tmp=$(mktemp)
  cat > "$tmp"
  if [ -f "$1" ] && [ ! -f "$1.debian-orig" ] && dpkg -S "$1" >/dev/null 2>&1; then cp -p "$1" "$1.debian-orig"; fi
  if ! cmp -s "$tmp" "$1" 2>/dev/null; then
    install -D -o "${2%%:*}" -g "${2##*:}" -m "$3" "$tmp" "$1"; CHANGED_FILES="$CHANGED_FILES $1"
  fi
  rm -f "$tmp"
}
# restart_if_changed NAME FILE...: a running service whose config changed is stopped, start_bg restarts it
restart_if_changed() {
  local name=$1 f; shift
  is_running "$name" || return 0
  for f in "$@"; do
    case " $CHANGED_FILES " in *" $f "*) log "$f changed: restarting $name"; stop_service "$name"; return 0 ;; esac
  done
}
dburl() { echo "mysql+pymysql://$1:$DB_PASS@$IP/$2?charset=utf8"; }
authtoken() { # service user; service tokens required as in the OSSA-2023-003 fixes Debian ships
cat <<INI
[keystone_authtoken]
www_authenticate_uri = http://$IP:5000
auth_url = http://$IP:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SVC_PASS
region_name = $REGION
service_token_roles_required = true
memcached_servers = $IP:11211
INI
}
ksauth() { # section user
cat <<INI
[$1]
auth_url = http://$IP:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $SVC_PASS
region_name = $REGION
INI
}
uwsgi_ini() { # name port wsgi-file user processes threads
cat <<INI
[uwsgi]
http-socket = $IP:$2
wsgi-file = $3
plugins = python3
master = true
processes = $5
threads = $6
enable-threads = true
lazy-apps = true
die-on-term = true
no-orphans = true
need-app = true
buffer-size = 65535
http-auto-chunked = true
http-chunked-input = true
http-raw-body = true
wsgi-manage-chunked-input = true
add-header = Connection: close
uid = $4
gid = $4
chdir = /var/lib/$4
procname-prefix-spaced = localcloud-$1
INI
}
once() { # marker cmd...: run a one-time step (db sync) unless its marker exists
  local m=$STATE/.done-$1; shift
  [ -f "$m" ] && return 0
  "$@" && touch "$m"
}

###############################################################################
# MariaDB
###############################################################################
put /etc/mysql/mariadb.conf.d/99-localcloud.cnf root:root 644 <<INI
[mysqld]
bind-address = $IP
skip-name-resolve
max_connections = 1000
innodb_buffer_pool_size = 128M
performance_schema = off
INI
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
[ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql >"$LOGS/mariadb-install-db.log" 2>&1
restart_if_changed mariadb /etc/mysql/mariadb.conf.d/99-localcloud.cnf
start_bg mariadb root /usr/sbin/mariadbd --user=mysql --pid-file=/run/mysqld/mysqld.pid
for i in $(seq 120); do mysqladmin ping >/dev/null 2>&1 && break; check_alive mariadb; sleep 0.25; done
mysqladmin ping >/dev/null
if [ ! -f "$STATE/.done-databases" ]; then
  for db in keystone glance placement nova_api nova nova_cell0 neutron cinder; do
    user=${db%%_*}
    mysql -e "CREATE DATABASE IF NOT EXISTS $db;
      CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
      CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$DB_PASS';
      GRANT ALL PRIVILEGES ON $db.* TO '$user'@'127.0.0.1';
      GRANT ALL PRIVILEGES ON $db.* TO '$user'@'localhost';"
  done
  touch "$STATE/.done-databases"
fi
stamp mariadb-ready

###############################################################################
# memcached: Keystone's cache and the services' token cache, as every production deployment has
# them. Without it each service process validates a new token with Keystone on its own, and
# Keystone builds each answer from the database: 0.3-0.6 s per validation on 2 busy cores, paid
# by the first request of every provider process to every service.
###############################################################################
start_bg memcached memcache /usr/bin/memcached -l $IP -p 11211 -m 64 -U 0
wait_tcp 11211 20 memcached

###############################################################################
# RabbitMQ (loopback only, with its own epmd so that epmd binds to loopback and has a known PID)
###############################################################################
put /etc/rabbitmq/rabbitmq-env.conf root:root 644 <<INI
NODENAME=rabbit@localhost
NODE_IP_ADDRESS=$IP
NODE_PORT=5672
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
INI
put /etc/rabbitmq/rabbitmq.conf root:root 644 <<INI
listeners.tcp.default = $IP:5672
loopback_users = none
INI
export ERL_EPMD_ADDRESS=$IP
start_bg epmd rabbitmq /usr/bin/epmd -address $IP
wait_tcp 4369 20 epmd
restart_if_changed rabbitmq /etc/rabbitmq/rabbitmq-env.conf /etc/rabbitmq/rabbitmq.conf
start_bg rabbitmq rabbitmq env HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=$IP /usr/lib/rabbitmq/bin/rabbitmq-server
TRANSPORT="rabbit://openstack:$RABBIT_PASS@$IP:5672/"
# RabbitMQ takes ~10 s to boot: OVN and the keystone DB sync proceed meanwhile, the user is added later.

###############################################################################
# OVN NB/SB + northd, local OVS (userspace netdev datapath) + ovn-controller = the chassis
###############################################################################
mkdir -p /var/lib/ovn /run/ovn /var/lib/openvswitch /run/openvswitch /etc/openvswitch
[ -f /var/lib/ovn/ovnnb_db.db ] || ovsdb-tool create /var/lib/ovn/ovnnb_db.db /usr/share/ovn/ovn-nb.ovsschema
[ -f /var/lib/ovn/ovnsb_db.db ] || ovsdb-tool create /var/lib/ovn/ovnsb_db.db /usr/share/ovn/ovn-sb.ovsschema
start_bg ovn-nb-db root /usr/sbin/ovsdb-server /var/lib/ovn/ovnnb_db.db \
  --remote=punix:/run/ovn/ovnnb_db.sock --remote=ptcp:6641:$IP \
  --unixctl=/run/ovn/ovnnb_db.ctl --pidfile=/run/ovn/ovnnb_db.pid --log-file="$LOGS/ovn-nb-db.vlog"
start_bg ovn-sb-db root /usr/sbin/ovsdb-server /var/lib/ovn/ovnsb_db.db \
  --remote=punix:/run/ovn/ovnsb_db.sock --remote=ptcp:6642:$IP \
  --unixctl=/run/ovn/ovnsb_db.ctl --pidfile=/run/ovn/ovnsb_db.pid --log-file="$LOGS/ovn-sb-db.vlog"
wait_tcp 6641 20 ovn-nb-db; wait_tcp 6642 20 ovn-sb-db
start_bg ovn-northd root /usr/bin/ovn-northd --ovnnb-db=unix:/run/ovn/ovnnb_db.sock \
  --ovnsb-db=unix:/run/ovn/ovnsb_db.sock --pidfile=/run/ovn/ovn-northd.pid \
  --unixctl=/run/ovn/ovn-northd.ctl --log-file="$LOGS/ovn-northd.vlog"
[ -f /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
start_bg ovs-db root /usr/sbin/ovsdb-server /etc/openvswitch/conf.db \
  --remote=punix:/run/openvswitch/db.sock --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
  --unixctl=/run/openvswitch/ovsdb-server.ctl --pidfile=/run/openvswitch/ovsdb-server.pid \
  --log-file="$LOGS/ovs-db.vlog"
for i in $(seq 80); do [ -S /run/openvswitch/db.sock ] && break; check_alive ovs-db; sleep 0.25; done
ovs-vsctl --no-wait init
ovs-vsctl --no-wait set Open_vSwitch . \
  external_ids:system-id=$NODE external_ids:hostname=$NODE \
  external_ids:ovn-remote=tcp:$IP:6642 external_ids:ovn-encap-type=geneve \
  external_ids:ovn-encap-ip=$IP external_ids:ovn-bridge-datapath-type=netdev \
  external_ids:ovn-bridge-mappings=public:br-ex external_ids:ovn-cms-options=enable-chassis-as-gw
ovs-vsctl --no-wait --may-exist add-br br-int -- set Bridge br-int datapath_type=netdev fail-mode=secure other-config:disable-in-band=true
ovs-vsctl --no-wait --may-exist add-br br-ex -- set Bridge br-ex datapath_type=netdev
# ovs-vswitchd is needed although no packet flows: ovn-controller acknowledges nb_cfg (which neutron
# reads as "agent alive") only after vswitchd installed its flows.
start_bg ovs-vswitchd root /usr/sbin/ovs-vswitchd unix:/run/openvswitch/db.sock \
  --unixctl=/run/openvswitch/ovs-vswitchd.ctl --pidfile=/run/openvswitch/ovs-vswitchd.pid \
  --log-file="$LOGS/ovs-vswitchd.vlog"
start_bg ovn-controller root /usr/bin/ovn-controller unix:/run/openvswitch/db.sock \
  --pidfile=/run/ovn/ovn-controller.pid --log-file="$LOGS/ovn-controller.vlog"

###############################################################################
# Keystone
###############################################################################
put /etc/keystone/keystone.conf root:keystone 640 <<INI
[DEFAULT]
use_stderr = true
[database]
connection = $(dburl keystone keystone)
[token]
provider = fernet
[identity]
# Every provider process authenticates once with the application credential, and Keystone checks its
# secret against a bcrypt hash: at the default 12 rounds that is ~0.25 s of CPU per token, which
# made Keystone the busiest process of an acceptance run on 2 cores. 4 rounds (bcrypt's least) is
# enough for a loopback-only test cloud. Existing hashes keep their rounds; the application
# credential below is made again when it was hashed with others.
password_hash_rounds = $HASH_ROUNDS
[cache]
enabled = true
backend = oslo_cache.memcache_pool
memcache_servers = $IP:11211
INI
uwsgi_ini keystone 5000 /usr/bin/keystone-wsgi-public keystone 2 4 | put /etc/localcloud/keystone-uwsgi.ini root:root 644
once keystone-db as keystone keystone-manage db_sync >>"$LOGS/keystone-manage.log" 2>&1
[ -f /etc/keystone/fernet-keys/0 ] || keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone >>"$LOGS/keystone-manage.log" 2>&1
[ -f /etc/keystone/credential-keys/0 ] || keystone-manage credential_setup --keystone-user keystone --keystone-group keystone >>"$LOGS/keystone-manage.log" 2>&1
bootstrap_keystone() {
  as keystone keystone-manage bootstrap --bootstrap-password "$ADMIN_PASS" \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id $REGION \
    --bootstrap-admin-url http://$IP:5000/v3/ --bootstrap-internal-url http://$IP:5000/v3/ \
    --bootstrap-public-url http://$IP:5000/v3/ >>"$LOGS/keystone-manage.log" 2>&1
}
[ "$(cat "$STATE/.done-keystone-bootstrap" 2>/dev/null)" = "$(echo "$ADMIN_PASS" | md5sum)" ] || {
  bootstrap_keystone; echo "$ADMIN_PASS" | md5sum > "$STATE/.done-keystone-bootstrap"; }
restart_if_changed keystone /etc/keystone/keystone.conf /etc/localcloud/keystone-uwsgi.ini
start_bg keystone root /usr/bin/uwsgi_python3 --ini /etc/localcloud/keystone-uwsgi.ini

###############################################################################
# OVN chassis registration (ovn-controller had time to connect meanwhile)
###############################################################################
for i in $(seq 120); do
  ovn-sbctl --db=tcp:$IP:6642 --timeout=5 --columns=hostname find Chassis hostname=$NODE 2>/dev/null | grep -q "$NODE" && break
  check_alive ovn-controller; sleep 0.25
done
ovn-sbctl --db=tcp:$IP:6642 --timeout=5 --columns=hostname find Chassis hostname=$NODE | grep -q "$NODE" \
  || { echo "OVN chassis $NODE did not register (see $LOGS/ovn-controller.vlog)" >&2; exit 1; }
# Neutron 21 reads bridge mappings / CMS options from Chassis.external_ids, OVN 23.03 publishes them
# only in other_config: without this copy router gateway ports fail to bind to physnet "public".
ovn-sbctl --db=tcp:$IP:6642 set Chassis $NODE external_ids:ovn-bridge-mappings=public:br-ex \
  external_ids:ovn-cms-options=enable-chassis-as-gw
stamp ovn-ready

###############################################################################
# Glance (file store)
###############################################################################
mkdir -p /var/lib/glance/images /var/lib/glance/staging /var/lib/glance/tasks_work_dir /var/lib/glance/lock
chown -R glance:glance /var/lib/glance
put /etc/glance/glance-api.conf root:glance 640 <<INI
[DEFAULT]
bind_host = $IP
bind_port = 9292
workers = 1
use_stderr = true
enabled_backends = fs:file
[database]
connection = $(dburl glance glance)
$(authtoken glance)
[paste_deploy]
flavor = keystone
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = /var/lib/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = /var/lib/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = /var/lib/glance/tasks_work_dir/
[oslo_concurrency]
lock_path = /var/lib/glance/lock
INI
once glance-db as glance glance-manage --config-file /etc/glance/glance-api.conf db_sync >>"$LOGS/glance-manage.log" 2>&1
restart_if_changed glance-api /etc/glance/glance-api.conf
start_bg glance-api glance /usr/bin/glance-api --config-file /etc/glance/glance-api.conf

###############################################################################
# Placement
###############################################################################
put /etc/placement/placement.conf root:placement 640 <<INI
[DEFAULT]
use_stderr = true
[placement_database]
connection = $(dburl placement placement)
[api]
auth_strategy = keystone
$(authtoken placement)
INI
uwsgi_ini placement 8778 /usr/bin/placement-api placement 1 4 | put /etc/localcloud/placement-uwsgi.ini root:root 644
once placement-db as placement placement-manage db sync >>"$LOGS/placement-manage.log" 2>&1
restart_if_changed placement-api /etc/placement/placement.conf /etc/localcloud/placement-uwsgi.ini
start_bg placement-api root /usr/bin/uwsgi_python3 --ini /etc/localcloud/placement-uwsgi.ini

###############################################################################
# RabbitMQ user (the broker had time to boot meanwhile)
###############################################################################
wait_tcp 5672 90 rabbitmq
for i in $(seq 60); do rabbitmqctl -q await_startup >/dev/null 2>&1 && break; check_alive rabbitmq; sleep 1; done
if [ ! -f "$STATE/.done-rabbit-user" ]; then
  rabbitmqctl -q list_users | grep -q '^openstack' || rabbitmqctl -q add_user openstack "$RABBIT_PASS" >/dev/null
  rabbitmqctl -q set_permissions openstack '.*' '.*' '.*'
  touch "$STATE/.done-rabbit-user"
fi
stamp rabbitmq-ready

###############################################################################
# clouds.yaml and identity seed: service users must exist before nova-conductor starts (it dies on
# a 401 otherwise). One openstacksdk process: seconds instead of minutes of CLI calls.
###############################################################################
wait_http http://$IP:5000/v3 90 keystone
write_clouds() { # appcred id/secret optional
  local tmp; tmp=$(mktemp)
  cat > "$tmp" <<YAML
# Written by acceptance/localcloud/up.sh for the loopback-only test cloud. Do not commit.
clouds:
  scs-local:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://$IP:5000/v3
      application_credential_id: "${APPCRED_ID:-}"
      application_credential_secret: "${APPCRED_SECRET:-}"
    region_name: $REGION
    interface: public
    identity_api_version: 3
  scs-local-password:
    auth_type: password
    auth:
      auth_url: http://$IP:5000/v3
      username: scs-member
      password: "$MEMBER_PASS"
      project_name: scs-project
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    interface: public
    identity_api_version: 3
  scs-local-admin:
    auth_type: password
    auth:
      auth_url: http://$IP:5000/v3
      username: admin
      password: "$ADMIN_PASS"
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    interface: public
    identity_api_version: 3
YAML
  chmod 600 "$tmp"
  cp "$tmp" "$STATE/clouds.yaml"; mv "$tmp" "$CLOUDS_YAML"
}
[ -f "$STATE/appcred.env" ] && . "$STATE/appcred.env"
write_clouds
export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml
export IP REGION MEMBER_PASS SVC_PASS
# Seeding is idempotent but costs ~15 s; a cloud seeded by this very configuration skips it
# (LOCALCLOUD_RESEED=1 forces it, e.g. after deleting a seeded flavor by hand).
SEEDED=0
[ "${LOCALCLOUD_RESEED:-0}" = 0 ] && [ "$(cat "$STATE/.done-seed" 2>/dev/null)" = "$CONFIG_HASH" ] && SEEDED=1
if [ $SEEDED = 0 ]; then
  /usr/bin/python3 "$LOCALCLOUD_HOME/lib/seed.py" identity >>"$LOGS/seed.log" 2>&1 \
    || { tail -30 "$LOGS/seed.log" >&2; exit 1; }
  stamp identity-seeded
fi

###############################################################################
# Nova (API under uwsgi; conductor, scheduler, compute with the fake driver)
###############################################################################
mkdir -p /var/lib/nova/instances /var/lib/nova/tmp && chown -R nova:nova /var/lib/nova
put /etc/nova/nova.conf root:nova 640 <<INI
[DEFAULT]
host = $NODE
my_ip = $IP
my_block_storage_ip = $IP
state_path = /var/lib/nova
transport_url = $TRANSPORT
compute_driver = fake.FakeDriver
use_stderr = true
# one node: a resize (e.g. a Terraform flavor change) must be allowed to land on the same host
allow_resize_to_same_host = true
# there are no real VIFs; never wait for network-vif-plugged
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
osapi_compute_listen = $IP
osapi_compute_workers = 1
metadata_listen = $IP
metadata_workers = 1
enabled_apis = osapi_compute
[api]
auth_strategy = keystone
[api_database]
connection = $(dburl nova nova_api)
[database]
connection = $(dburl nova nova)
$(authtoken nova)
$(ksauth placement placement)
$(ksauth neutron neutron)
$(ksauth service_user nova)
send_service_user_token = true
[glance]
api_servers = http://$IP:9292
[cinder]
os_region_name = $REGION
catalog_info = volumev3:cinderv3:publicURL
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 30
[vnc]
enabled = false
[spice]
enabled = false
[oslo_concurrency]
lock_path = /var/lib/nova/tmp
[oslo_messaging_notifications]
driver = noop
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
INI
uwsgi_ini nova-api 8774 /usr/bin/nova-api-wsgi nova 2 1 | put /etc/localcloud/nova-api-uwsgi.ini root:root 644
nova_db_sync() {
  as nova nova-manage api_db sync
  as nova nova-manage cell_v2 map_cell0
  as nova nova-manage cell_v2 list_cells | grep -q ' cell1 ' || as nova nova-manage cell_v2 create_cell --name=cell1
  as nova nova-manage db sync
}
once nova-db nova_db_sync >>"$LOGS/nova-manage.log" 2>&1
for n in nova-api nova-conductor nova-scheduler nova-compute; do
  restart_if_changed $n /etc/nova/nova.conf /etc/localcloud/nova-api-uwsgi.ini
done
start_bg nova-api root /usr/bin/uwsgi_python3 --ini /etc/localcloud/nova-api-uwsgi.ini
start_bg nova-conductor nova /usr/bin/nova-conductor --config-file /etc/nova/nova.conf
start_bg nova-scheduler nova /usr/bin/nova-scheduler --config-file /etc/nova/nova.conf
start_bg nova-compute nova /usr/bin/nova-compute --config-file /etc/nova/nova.conf

###############################################################################
# Neutron (ML2/OVN + ovn-router; one eventlet neutron-server also runs OVN's maintenance workers)
###############################################################################
mkdir -p /var/lib/neutron/lock && chown -R neutron:neutron /var/lib/neutron
put /etc/neutron/neutron.conf root:neutron 640 <<INI
[DEFAULT]
bind_host = $IP
bind_port = 9696
core_plugin = ml2
service_plugins = ovn-router
auth_strategy = keystone
transport_url = $TRANSPORT
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
use_stderr = true
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
dhcp_agent_notification = false
# The OVN chassis counts as dead, and ports refuse to bind to it (servers go to ERROR), when
# ovn-controller has not acknowledged Neutron's nb_cfg for this long; on a loaded 2-core machine
# running several acceptance clients at once that took more than the default 75 s.
agent_down_time = 600
allow_overlapping_ips = true
state_path = /var/lib/neutron
[database]
connection = $(dburl neutron neutron)
$(authtoken neutron)
$(ksauth nova nova)
[oslo_concurrency]
lock_path = /var/lib/neutron/lock
[oslo_messaging_notifications]
driver = noop
INI
put /etc/neutron/plugins/ml2/ml2_conf.ini root:neutron 640 <<INI
[ml2]
type_drivers = flat,vlan,geneve
tenant_network_types = geneve
mechanism_drivers = ovn
extension_drivers = port_security
overlay_ip_version = 4
[ml2_type_geneve]
vni_ranges = 1:65536
max_header_size = 38
[ml2_type_flat]
flat_networks = public
[ml2_type_vlan]
network_vlan_ranges = public
[securitygroup]
enable_security_group = true
[ovn]
ovn_nb_connection = tcp:$IP:6641
ovn_sb_connection = tcp:$IP:6642
ovn_l3_scheduler = leastloaded
ovn_metadata_enabled = false
enable_distributed_floating_ip = false
INI
once neutron-db as neutron neutron-db-manage --config-file /etc/neutron/neutron.conf \
  --config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade heads >>"$LOGS/neutron-db-manage.log" 2>&1
restart_if_changed neutron-server /etc/neutron/neutron.conf /etc/neutron/plugins/ml2/ml2_conf.ini
start_bg neutron-server neutron /usr/bin/neutron-server --config-file /etc/neutron/neutron.conf \
  --config-file /etc/neutron/plugins/ml2/ml2_conf.ini

###############################################################################
# Cinder (NFS driver on a bind mount: os-brick skips mounting when the mount point already is in
# /proc/mounts, so the unmodified driver works on plain local files; no NFS, no device-mapper needed)
###############################################################################
mkdir -p /var/lib/cinder/tmp /var/lib/cinder/mnt "$NFS_EXPORT" && chown -R cinder:cinder /var/lib/cinder
echo "$NFS_SHARE" | put /etc/cinder/nfs_shares root:cinder 640
MNT=/var/lib/cinder/mnt/$(echo -n "$NFS_SHARE" | md5sum | cut -d' ' -f1)
mkdir -p "$MNT"
awk '{print $2}' /proc/mounts | grep -qx "$MNT" || mount --bind "$NFS_EXPORT" "$MNT"
echo "$MNT" > "$RUN/cinder-bind-mount"
put /etc/cinder/cinder.conf root:cinder 640 <<INI
[DEFAULT]
host = $NODE
my_ip = $IP
state_path = /var/lib/cinder
transport_url = $TRANSPORT
auth_strategy = keystone
glance_api_servers = http://$IP:9292
enabled_backends = nfs-local
osapi_volume_listen = $IP
osapi_volume_workers = 1
use_stderr = true
rootwrap_config = /etc/cinder/rootwrap.conf
api_paste_config = /etc/cinder/api-paste.ini
[database]
connection = $(dburl cinder cinder)
$(authtoken cinder)
$(ksauth nova nova)
[oslo_concurrency]
lock_path = /var/lib/cinder/tmp
[oslo_messaging_notifications]
driver = noop
[nfs-local]
volume_driver = cinder.volume.drivers.nfs.NfsDriver
volume_backend_name = nfs-local
nfs_shares_config = /etc/cinder/nfs_shares
nfs_mount_point_base = /var/lib/cinder/mnt
nfs_sparsed_volumes = true
nfs_snapshot_support = true
# stays false: with secure file operations the NFS driver refuses volume snapshots (measured: it then
# fails to initialise), although running df/du/qemu-img without rootwrap would be faster
nas_secure_file_operations = false
nas_secure_file_permissions = false
INI
uwsgi_ini cinder-api 8776 /usr/bin/cinder-wsgi cinder 2 1 | put /etc/localcloud/cinder-api-uwsgi.ini root:root 644
once cinder-db as cinder cinder-manage db sync >>"$LOGS/cinder-manage.log" 2>&1
for n in cinder-api cinder-scheduler cinder-volume; do
  restart_if_changed $n /etc/cinder/cinder.conf /etc/cinder/nfs_shares /etc/localcloud/cinder-api-uwsgi.ini
done
start_bg cinder-api root /usr/bin/uwsgi_python3 --ini /etc/localcloud/cinder-api-uwsgi.ini
start_bg cinder-scheduler cinder /usr/bin/cinder-scheduler --config-file /etc/cinder/cinder.conf
start_bg cinder-volume cinder /usr/bin/cinder-volume --config-file /etc/cinder/cinder.conf
stamp all-started

###############################################################################
# wait for the APIs, then seed flavors, images, network, volume type, quotas
###############################################################################

wait_http http://$IP:9292/ 90 glance-api
wait_http http://$IP:8778/ 90 placement-api
wait_http http://$IP:8774/ 90 nova-api
wait_http http://$IP:9696/ 120 neutron-server
wait_http http://$IP:8776/ 90 cinder-api
# 64 MiB virtual: a volume created from it is converted in ~1 s instead of ~30 s for 1 GiB
[ -f "$RUN/tiny.qcow2" ] || qemu-img create -f qcow2 "$RUN/tiny.qcow2" 64M >/dev/null
export IMAGE_FILE=$RUN/tiny.qcow2
if [ $SEEDED = 0 ]; then
  /usr/bin/python3 "$LOCALCLOUD_HOME/lib/seed.py" content >>"$LOGS/seed.log" 2>&1 \
    || { tail -30 "$LOGS/seed.log" >&2; exit 1; }
  echo "$CONFIG_HASH" > "$STATE/.done-seed"
  stamp content-seeded
fi

# the member's application credential: recreated only when it stops working
if ! appcred_works; then
  /usr/bin/python3 "$LOCALCLOUD_HOME/lib/seed.py" appcred > "$STATE/appcred.env.new" 2>>"$LOGS/seed.log" \
    || { tail -30 "$LOGS/seed.log" >&2; exit 1; }
  echo "APPCRED_HASH_ROUNDS='$HASH_ROUNDS'" >> "$STATE/appcred.env.new"
  chmod 600 "$STATE/appcred.env.new"; mv "$STATE/appcred.env.new" "$STATE/appcred.env"
  . "$STATE/appcred.env"
  write_clouds
  appcred_works || { echo "new application credential does not authenticate" >&2; exit 1; }
fi

# compute/volume/network agents: boots fail until these report in
seed_step() { /usr/bin/python3 "$LOCALCLOUD_HOME/lib/seed.py" "$1" >>"$LOGS/seed.log" 2>&1 \
  || { tail -30 "$LOGS/seed.log" >&2; exit 1; }; }
seed_step wait-compute
# map the compute host into cell1 now rather than at the scheduler's next 30 s discovery
once discover-hosts as nova nova-manage cell_v2 discover_hosts >>"$LOGS/nova-manage.log" 2>&1
seed_step wait-agents
for s in $SERVICES; do check_alive "$s"; done
echo "$CONFIG_HASH" > "$STATE/.up-complete"
stamp up-complete
log "local cloud ready in $(( $(date +%s) - T0 ))s: export OS_CLIENT_CONFIG_FILE=$CLOUDS_YAML OS_CLOUD=scs-local"
