#!/usr/bin/env bash
# Builds terraform-provider-openstack (the provider compare.py measures this one against) from the Go
# module proxy with `go install`, cached by version under
# ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-scs/tpo-<version>/, and prints the binary's path.
# Uses the Go module and build caches acceptance/tools/install.sh uses for OpenTofu.
#
#   TPO_VERSION=3.4.0 acceptance/bench/install_tpo.sh
set -euo pipefail

version=${TPO_VERSION:-3.4.0}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-scs"
dir="$cache/tpo-$version"
exe="$dir/terraform-provider-openstack"
module=github.com/terraform-provider-openstack/terraform-provider-openstack/v3

log() { printf 'install_tpo: %s\n' "$*" >&2; }

# The module version is stamped into the binary; a cached binary of another version is rebuilt.
if [[ -x "$exe" ]] && go version -m "$exe" 2>/dev/null | awk '$1 == "mod" { print $3 }' | grep -qx "v$version"; then
    log "terraform-provider-openstack $version: cached"
    echo "$exe"
    exit 0
fi
command -v go >/dev/null || { log "ERROR: go is needed to build terraform-provider-openstack"; exit 1; }
start=$SECONDS
log "terraform-provider-openstack $version: go install (a few minutes the first time)"
mkdir -p "$dir"
export GOMODCACHE="$cache/go-mod" GOCACHE="$cache/go-build" GOBIN="$dir"
export GOFLAGS="-buildvcs=false"
# Outside any module, so the repository's own go.mod files play no part.
(cd "$dir" && go install -trimpath "$module@v$version")
log "terraform-provider-openstack $version: built in $((SECONDS - start)) s"
echo "$exe"
