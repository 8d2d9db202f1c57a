#!/bin/bash
# Installs the Debian 12 (bookworm) OpenStack Zed packages the local cloud needs, without prompts
# and without letting maintainer scripts start Debian's own daemons. Sourced by up.sh; can also run
# alone. Prints nothing and returns at once when every package is already installed.

LOCALCLOUD_PKGS="mariadb-server python3-pymysql memcached rabbitmq-server keystone glance-api placement-api
 python3-osc-placement nova-api nova-conductor nova-scheduler nova-compute nova-compute-ironic
 neutron-server ovn-central ovn-host openvswitch-switch cinder-api cinder-scheduler cinder-volume
 nfs-common qemu-utils python3-openstackclient python3-openstacksdk sudo curl iproute2 procps"
# nova-compute depends on some nova-compute-hypervisor; -ironic is the one that pulls neither libvirt
# nor qemu-system. compute_driver is overridden with the fake driver anyway.

localcloud_missing_packages() { # one dpkg-query for all: the fast path of up.sh calls this
  local installed
  # dpkg-query exits 1 when some package is unknown; its output for the others still counts
  installed=$( (dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' $LOCALCLOUD_PKGS 2>/dev/null || true) | sed -n 's/^ii //p')
  echo $LOCALCLOUD_PKGS | tr ' ' '\n' | grep -vxF -f <(echo "$installed") || true
}

localcloud_install_packages() { # logdir
  local logs=$1 missing made_policy=0 s
  missing=$(localcloud_missing_packages)
  [ -n "$missing" ] || return 0
  echo "[$(date +%H:%M:%S)] installing Debian packages (missing: $(echo $missing | tr '\n' ' '))"
  # No init system manages these daemons here: never let postinst scripts start them.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  # Debian's OpenStack packages ask dbconfig/keystone/rabbit questions; up.sh configures everything
  # itself, so every answer is "no" (these are the defaults too; stated to make it explicit).
  debconf-set-selections <<'SEL'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
glance-common glance/configure_db boolean false
glance-common glance/configure_rabbit boolean false
glance-common glance/configure_ksat boolean false
glance-api glance/configure_api-endpoint boolean false
nova-common nova/configure_db boolean false
nova-common nova/configure_rabbit boolean false
nova-common nova/configure_ksat boolean false
nova-common nova/configure_neutron boolean false
nova-common nova/configure_placement boolean false
nova-api novaapi/configure_db boolean false
nova-api nova/configure_api-endpoint boolean false
placement-common placement/configure_db boolean false
placement-common placement/configure_ksat boolean false
placement-api placement/configure_api-endpoint boolean false
neutron-common neutron/configure_db boolean false
neutron-common neutron/configure_rabbit boolean false
neutron-common neutron/configure_ksat boolean false
neutron-common neutron/configure_nova boolean false
neutron-api neutron/configure_api-endpoint boolean false
cinder-common cinder/configure_db boolean false
cinder-common cinder/configure_rabbit boolean false
cinder-common cinder/configure_ksat boolean false
cinder-api cinder/configure_api-endpoint boolean false
SEL
  s=$(date +%s)
  DEBIAN_FRONTEND=noninteractive apt-get update >"$logs/apt-update.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    $LOCALCLOUD_PKGS >"$logs/apt-install.log" 2>&1 || {
      echo "apt-get install failed, see $logs/apt-install.log" >&2; tail -20 "$logs/apt-install.log" >&2
      [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d; return 1; }
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  echo "[$(date +%H:%M:%S)] packages installed in $(( $(date +%s) - s ))s"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -Eeuo pipefail
  export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
  STATE=${LOCALCLOUD_DIR:-$HOME/.cache/terraform-provider-scs/localcloud}
  mkdir -p "$STATE/logs"
  localcloud_install_packages "$STATE/logs"
fi
