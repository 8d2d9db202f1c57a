#!/usr/bin/env bash
# Builds every binary of the Kubernetes test bed with `go build` from the Go module proxy, into
#   ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-scs/kube-<k8s version>-<key>/bin
# where the key hashes modules/ and patches/ and names the operator's commit (see lib/common.sh). A binary that is
# there already is not built again, so a second run takes a second. Also copies the CRDs and webhook
# configurations of every controller next to the binaries (config/), so up.sh needs nothing else.
#
#   etcd                          modules/etcd                      go.etcd.io/etcd/server/v3
#   kube-apiserver, kube-controller-manager, kubectl
#                                 modules/kube-*, modules/kubectl   k8s.io/kubernetes, k8s.io/kubectl
#   capi-core, capi-kubeadm-bootstrap, capi-kubeadm-control-plane
#                                 modules/capi                      sigs.k8s.io/cluster-api
#   capd                          modules/capi                      sigs.k8s.io/cluster-api/test
#   helm                          modules/helm                      helm.sh/helm/v3 (CSO runs `helm template`)
#   cso                           $CSO_SOURCE                       the operator's source snapshot
#                                 with its vendor/ directory (shared/kube-testbed/), built offline
# patches/ holds the few changes the test bed needs (each file says what and why).
#
# Go builds run under `nice` with two packages at a time (GOFLAGS=-p=2): the machine is shared.
# Env: GOMODCACHE / GOCACHE (default: the caches acceptance/tools shares), KUBE_BUILD_JOBS (-p, 2).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

command -v go >/dev/null || die "go is needed to build the test bed (Go >= 1.26 on PATH)"
export GOMODCACHE=${GOMODCACHE:-$CACHE/go-mod} GOCACHE=${GOCACHE:-$CACHE/go-build}
export GOFLAGS="-mod=readonly -buildvcs=false -p=${KUBE_BUILD_JOBS:-2}" GOTOOLCHAIN=local CGO_ENABLED=0
mkdir -p "$BIN" "$MANIFEST_SRC"
T0=$SECONDS

K8S_LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION
 -X k8s.io/component-base/version.gitMajor=${K8S_VERSION%%.*}
 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
CAPI_LDFLAGS="-s -w -X sigs.k8s.io/cluster-api/version.gitVersion=v$CAPI_VERSION"

# build NAME DIR ARGS...: `go build ARGS -o bin/NAME` in DIR unless bin/NAME exists.
build() {
  local name=$1 dir=$2 t0=$SECONDS
  shift 2
  if [ -x "$BIN/$name" ]; then log "$name: cached"; return 0; fi
  log "$name: building"
  (cd "$dir" && nice -n 10 go build -trimpath -o "$BIN/$name.tmp" "$@") 2>&1 | grep -v '^go: downloading' >&2 || true
  [ -x "$BIN/$name.tmp" ] || die "go build of $name failed"
  mv -f "$BIN/$name.tmp" "$BIN/$name"
  log "$name: built in $((SECONDS - t0)) s ($(du -m "$BIN/$name" | cut -f1) MB)"
}

M=$KUBE_HOME/modules
build etcd "$M/etcd" -ldflags "-s -w" .
build kube-apiserver "$M/kube-apiserver" -ldflags "$K8S_LDFLAGS" .
build kube-controller-manager "$M/kube-controller-manager" -ldflags "$K8S_LDFLAGS" .
build kubectl "$M/kubectl" -ldflags "$K8S_LDFLAGS -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION" .
# Where the proxy's copy of a module (as modules/capi pins it) sits in the module cache.
module_dir() { (cd "$M/capi" && go mod download -json "$1" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'); }
CAPI_DIR=$(module_dir sigs.k8s.io/cluster-api)
CAPI_TEST_DIR=$(module_dir sigs.k8s.io/cluster-api/test)
[ -d "$CAPI_DIR" ] && [ -d "$CAPI_TEST_DIR" ] || die "the module cache has no sigs.k8s.io/cluster-api{,/test} v$CAPI_VERSION"

# patched_copy DIR PATCH: a writable copy of DIR in the work directory with PATCH applied.
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
patched_copy() {
  local copy
  copy=$work/$(basename "$2" .patch)
  cp -r "$1" "$copy"
  chmod -R u+w "$copy"
  patch -s -p1 -d "$copy" <"$KUBE_HOME/patches/$2"
  echo "$copy"
}

# Cluster API's managers, through a copy of modules/capi that replaces two modules with patched
# copies: controller-runtime, so that the webhook servers listen on 127.0.0.1 only (the managers have
# no flag for it), and cluster-api/test, whose in-memory provider (part of CAPD) gets the health,
# version and server-side apply endpoints the Cluster Stack Operator needs of a workload cluster.
CAPI_BINS="capi-core capi-kubeadm-bootstrap capi-kubeadm-control-plane capd"
if ! (for b in $CAPI_BINS; do [ -x "$BIN/$b" ] || exit 1; done); then
  capi=$work/capi
  mkdir -p "$capi"
  cp "$M/capi/go.mod" "$M/capi/go.sum" "$capi/"
  cr=$(patched_copy "$(module_dir sigs.k8s.io/controller-runtime)" controller-runtime-loopback.patch)
  test=$(patched_copy "$CAPI_TEST_DIR" capd-inmemory.patch)
  printf 'replace sigs.k8s.io/controller-runtime => %s\nreplace sigs.k8s.io/cluster-api/test => %s\n' \
    "$cr" "$test" >>"$capi/go.mod"
  # -mod=mod: the replacing copies' own requirements are read from their go.mod files; go.sum has
  # every hash already (the same module graph as modules/capi).
  export GOFLAGS=${GOFLAGS/-mod=readonly/-mod=mod}
  build capi-core "$capi" -ldflags "$CAPI_LDFLAGS" sigs.k8s.io/cluster-api/core
  build capi-kubeadm-bootstrap "$capi" -ldflags "$CAPI_LDFLAGS" sigs.k8s.io/cluster-api/bootstrap/kubeadm
  build capi-kubeadm-control-plane "$capi" -ldflags "$CAPI_LDFLAGS" sigs.k8s.io/cluster-api/controlplane/kubeadm
  build capd "$capi" -ldflags "$CAPI_LDFLAGS" sigs.k8s.io/cluster-api/test/infrastructure/docker
  export GOFLAGS=${GOFLAGS/-mod=mod/-mod=readonly}
fi

build helm "$M/helm" -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" helm.sh/helm/v3/cmd/helm
# The operator from its source snapshot, with its webhook and runtime hook servers on 127.0.0.1.
[ -f "$CSO_SOURCE" ] || die "the Cluster Stack Operator's source is not at $CSO_SOURCE (set KUBE_CSO_SOURCE)"
CSO_DIR=$work/cso-unpacked/cso-src
if [ ! -x "$BIN/cso" ] || [ ! -d "$MANIFEST_SRC/cso" ]; then
  mkdir -p "$work/cso-unpacked"
  tar -xJf "$CSO_SOURCE" -C "$work/cso-unpacked"
  [ -d "$CSO_DIR" ] || die "$CSO_SOURCE has no cso-src/ directory"
fi
if [ ! -x "$BIN/cso" ]; then
  export GOFLAGS=${GOFLAGS/-mod=readonly/-mod=vendor}
  build cso "$(patched_copy "$CSO_DIR" cso-loopback.patch)" -ldflags "-s -w" ./cmd
  export GOFLAGS=${GOFLAGS/-mod=vendor/-mod=readonly}
fi

# CRDs and webhook configurations, as each controller ships them; up.sh renders them for 127.0.0.1.
copy_config() { # name dir
  local out=$MANIFEST_SRC/$1
  rm -rf "$out"
  mkdir -p "$out/crd"
  cp "$2"/crd/bases/*.yaml "$out/crd/"
  [ ! -f "$2/webhook/manifests.yaml" ] || cp "$2/webhook/manifests.yaml" "$out/webhook.yaml"
  chmod -R u+w "$out"
}
copy_config capi-core "$CAPI_DIR/core/config"
copy_config capi-kubeadm-bootstrap "$CAPI_DIR/bootstrap/kubeadm/config"
copy_config capi-kubeadm-control-plane "$CAPI_DIR/controlplane/kubeadm/config"
copy_config capd "$CAPI_TEST_DIR/infrastructure/docker/config"
[ ! -d "$CSO_DIR" ] || copy_config cso "$CSO_DIR/config"

log "all binaries in $BIN ($((SECONDS - T0)) s)"
echo "$BIN"
