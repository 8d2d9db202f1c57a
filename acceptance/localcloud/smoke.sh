#!/bin/bash
# smoke.sh: the local-cloud "done when" checks (flavors, images, server on a tenant network behind a
# router, volume attach/detach, floating IP), as the member user through its application
# credential. Prints ok/FAIL per check and "N passed, M failed"; exits non-zero on any failure.
# Works against any cloud: OS_CLIENT_CONFIG_FILE / OS_CLOUD (member) / SMOKE_ADMIN_CLOUD (optional
# admin cloud for binding checks; empty to skip them).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export OS_CLIENT_CONFIG_FILE=${OS_CLIENT_CONFIG_FILE:-$HERE/clouds.yaml}
export OS_CLOUD=${OS_CLOUD:-scs-local}
export SMOKE_ADMIN_CLOUD=${SMOKE_ADMIN_CLOUD-scs-local-admin}
export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 "$HERE/lib/smoke.py" "$@"
