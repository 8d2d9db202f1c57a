#!/usr/bin/env bash
# Checks that a release build is reproducible: builds the committed HEAD a second time from a fresh
# clone in another directory, with another cargo target directory and another signing key, and
# compares its SHA256SUMS (every zip and the manifest) with those of a first build.
#
#   scripts/release-reproducible.sh [FIRST_DIST]
#
# FIRST_DIST is a dist/VERSION directory made from HEAD by scripts/release.sh (default: build one
# from a second clone too). Exits 1 and shows both lists when they differ.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf 'release-reproducible: %s\n' "$*" >&2; }
version=${VERSION:-0.0.0-reproducible}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[[ -z $(git -C "$root" status --porcelain --untracked-files=no) ]] \
  || log "note: the working tree has uncommitted changes; the clone builds HEAD only"

build() { # dir: clone HEAD into dir/src and release it into dir/dist
  local dir=$1
  git clone --quiet --no-hardlinks "$root" "$dir/src"
  bash "$root/scripts/release-test-key.sh" "$dir/key" >/dev/null 2>&1
  (cd "$dir/src" && CARGO_TARGET_DIR=$dir/target RELEASE_GPG_KEY_FILE=$dir/key/secret.asc \
    DIST_DIR=$dir/dist VERSION=$version PLATFORMS=${PLATFORMS:-native} bash scripts/release.sh)
}

if [[ -n ${1:-} ]]; then
  first=$(cd "$1" && pwd)
  version=$(basename "$first")
else
  build "$work/a"
  first=$work/a/dist
fi
build "$work/b"
sums() { sed "s/_${version//./\\.}_/_VERSION_/" "$1"/*_SHA256SUMS; }
if diff <(sums "$first") <(sums "$work/b/dist"); then
  log "reproducible: both builds have the same SHA256SUMS"
  cat "$work/b/dist"/*_SHA256SUMS
else
  log "NOT reproducible: the SHA256SUMS above differ"
  exit 1
fi
