#!/bin/bash
# reset.sh: stop the local cloud and wipe all its data (databases, OVN/OVS databases, images,
# volumes, fernet keys, RabbitMQ state, application credential, markers) so that the next up.sh
# builds a fresh cloud. Debian packages stay installed. Env: LOCALCLOUD_DIR.
set -uo pipefail
HERE=$(dirname "$0")
. "$HERE/lib/common.sh"
take_lock
"$HERE/down.sh" || exit 1
# MariaDB's own datadir goes too: mariadb-install-db recreates it quickly, and no DROP needs a
# running server.
rm -rf /var/lib/mysql/* 
rm -f /var/lib/ovn/ovnnb_db.db /var/lib/ovn/ovnsb_db.db /etc/openvswitch/conf.db
rm -rf /var/lib/glance/images/* /var/lib/glance/staging/* /var/lib/cinder/localcloud-nfs/* \
  /var/lib/nova/instances/* /var/lib/rabbitmq/mnesia
rm -rf /etc/keystone/fernet-keys /etc/keystone/credential-keys
rm -f "$STATE"/.done-* "$STATE/.up-complete" "$STATE/appcred.env" "$STATE/clouds.yaml" "$CLOUDS_YAML"
rm -f "$RUN/tiny.qcow2"
log "local cloud data wiped; run up.sh for a fresh cloud"
