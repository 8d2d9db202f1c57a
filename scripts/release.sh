#!/usr/bin/env bash
# Builds and signs a release as the provider registries publish it (see docs/releasing.md):
#
#   dist/VERSION/terraform-provider-scs_VERSION_<os>_<arch>.zip   one file: terraform-provider-scs_vVERSION[.exe]
#   dist/VERSION/terraform-provider-scs_VERSION_manifest.json     plugin protocol 6.0
#   dist/VERSION/terraform-provider-scs_VERSION_SHA256SUMS        every zip and the manifest
#   dist/VERSION/terraform-provider-scs_VERSION_SHA256SUMS.sig    binary detached GPG signature
#   dist/VERSION/terraform-provider-scs_VERSION_signing-key.asc   the public key that made it
#   dist/VERSION/terraform-provider-scs_VERSION_sbom.cdx.json      CycloneDX SBOM of the binary (+ .sig)
#   dist/VERSION/terraform-provider-scs_VERSION_provenance.json    SLSA provenance statement (+ .sig)
#
# Usage: VERSION=x.y.z scripts/release.sh
# Env:
#   PLATFORMS            `native` (default: this machine's linux build), `all`, or a list such as
#                        "linux_amd64 darwin_arm64" or "darwin_amd64,windows_amd64"; other platforms are built with cargo-zigbuild
#                        (installed from PyPI into the cache on first use).
#   RELEASE_GPG_KEY      key id or fingerprint of a secret key in GNUPGHOME (or the default keyring), or
#   RELEASE_GPG_KEY_FILE an armored secret key file (without passphrase), imported into a private keyring.
#                        The key must be RSA: Terraform 1.0 cannot check other signatures.
#   DIST_DIR             default dist/VERSION
#   RELEASE_BINARY       package this already-built binary for the native platform instead of building
#                        one (the install tests use the debug build the test run has anyway: a release
#                        build takes 10 to 17 minutes on a 2-core machine). Not for publishing.
#   SOURCE_DATE_EPOCH    default: the commit time of HEAD; every zip entry carries it.
#
# Two runs from different directories give byte-identical zips and SHA256SUMS: the binaries carry no
# absolute path of the checkout, the cargo home, the target directory or the toolchain, and the zips carry
# a fixed time and no extra fields. `scripts/release-reproducible.sh` checks this.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
log() { printf 'release: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

version=${VERSION:-}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "VERSION=x.y.z is required (got '${version}')"
name=terraform-provider-scs
dist=${DIST_DIR:-$root/dist/$version}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-scs
target_dir=${CARGO_TARGET_DIR:-$root/target}
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for tool in cargo gpg zip sha256sum python3; do command -v $tool >/dev/null || die "$tool is needed"; done

# ---- signing key first: a release that cannot be signed is not worth building ----------------------
gnupg_tmp=""
cleanup() { [[ -n $gnupg_tmp ]] && { gpgconf --homedir "$gnupg_tmp" --kill all 2>/dev/null || true; rm -rf "$gnupg_tmp"; }; }
trap cleanup EXIT
if [[ -n ${RELEASE_GPG_KEY_FILE:-} ]]; then
  [[ -r $RELEASE_GPG_KEY_FILE ]] || die "RELEASE_GPG_KEY_FILE=$RELEASE_GPG_KEY_FILE is not readable"
  gnupg_tmp=$(mktemp -d)
  export GNUPGHOME=$gnupg_tmp
  gpg --batch --quiet --import "$RELEASE_GPG_KEY_FILE" || die "cannot import $RELEASE_GPG_KEY_FILE"
  key=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
elif [[ -n ${RELEASE_GPG_KEY:-} ]]; then
  key=$RELEASE_GPG_KEY
else
  die "set RELEASE_GPG_KEY (a key id in your keyring) or RELEASE_GPG_KEY_FILE (an armored secret key); \
scripts/release-test-key.sh makes a throwaway one"
fi
algo=$(gpg --batch --with-colons --list-secret-keys "$key" 2>/dev/null | awk -F: '$1 == "sec" { print $4; exit }')
[[ -n $algo ]] || die "no secret key $key in ${GNUPGHOME:-the default keyring}"
[[ $algo == 1 ]] || die "key $key is not RSA (algorithm $algo): Terraform 1.0 only checks RSA signatures"

# ---- platforms -------------------------------------------------------------------------------------
all_platforms="linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64"
case ${PLATFORMS:-native} in
  native) platforms=linux_amd64 ;;
  all) platforms=$all_platforms ;;
  *) platforms=${PLATFORMS//,/ } ;;
esac
triple() {
  case $1 in
    linux_amd64) echo x86_64-unknown-linux-gnu ;;
    linux_arm64) echo aarch64-unknown-linux-gnu ;;
    darwin_amd64) echo x86_64-apple-darwin ;;
    darwin_arm64) echo aarch64-apple-darwin ;;
    windows_amd64) echo x86_64-pc-windows-gnu ;;
    *) die "unknown platform $1 (known: $all_platforms)" ;;
  esac
}
host=$(rustc -vV | sed -n 's/^host: //p')

zigbuild() {
  local venv=$cache/zigbuild-venv
  if ! [[ -x $venv/bin/cargo-zigbuild ]]; then
    log "installing cargo-zigbuild and ziglang from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check cargo-zigbuild==0.24.0 ziglang==0.17.0
  fi
  PATH=$venv/bin:$PATH "$venv/bin/cargo-zigbuild" "$@"
}

# ---- build -----------------------------------------------------------------------------------------
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
sysroot=$(rustc --print sysroot)
remap=(--remap-path-prefix="$root=/build/$name" --remap-path-prefix="$target_dir=/build/target"
       --remap-path-prefix="$cargo_home=/cargo" --remap-path-prefix="$sysroot=/rustc")
export CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; echo "${remap[*]}")
# The C parts of ring and aws-lc are compiled by build scripts: their file names must not leak either.
cmap="-ffile-prefix-map=$root=/build/$name -ffile-prefix-map=$target_dir=/build/target -ffile-prefix-map=$cargo_home=/cargo"
export CFLAGS="${CFLAGS:-} $cmap" CXXFLAGS="${CXXFLAGS:-} $cmap"
# Without it Rust's darwin targets assume the newest macOS the toolchain knows.
export MACOSX_DEPLOYMENT_TARGET=11.0

rm -rf "$dist"
mkdir -p "$dist"
stage=$(mktemp -d)
trap 'cleanup; rm -rf "$stage"' EXIT
for platform in $platforms; do
  t=$(triple "$platform")
  exe=""; [[ $platform == windows_* ]] && exe=.exe
  start=$SECONDS
  built=$target_dir/$t/release/$name$exe
  if [[ -n ${RELEASE_BINARY:-} ]]; then
    [[ $t == "$host" && -x $RELEASE_BINARY ]] || die "RELEASE_BINARY is for the native platform only"
    log "$platform: packaging $RELEASE_BINARY (not built here)"
    built=$RELEASE_BINARY
  elif [[ $t == "$host" ]]; then
    log "$platform: cargo build --release --target $t"
    cargo build --release --locked --target "$t" --bin $name
  else
    rustup target list --installed | grep -qx "$t" || rustup target add "$t" \
      || die "rustup cannot add $t here; build $platform on a machine that can"
    log "$platform: cargo zigbuild --release --target $t"
    if [[ $platform == darwin_* ]]; then
      # zig has no macOS SDK and so no framework: scripts/macos-frameworks holds link stubs (symbol
      # lists) of Security and CoreFoundation, which rustls-native-certs and rustls-platform-verifier
      # link through security-framework. Given to the final link only: the dependencies' builds stay.
      zigbuild rustc --release --locked --target "$t" --bin $name -- \
        "-Clink-arg=-F$root/scripts/macos-frameworks"
    else
      zigbuild zigbuild --release --locked --target "$t" --bin $name
    fi
  fi
  log "$platform: built in $((SECONDS - start)) s"
  mkdir -p "$stage/$platform"
  inner=${name}_v$version$exe
  install -m 0755 "$built" "$stage/$platform/$inner"
  touch -d "@$SOURCE_DATE_EPOCH" "$stage/$platform/$inner"
  # -X: no uid/gid or extended time fields; TZ=UTC: zip stores local time.
  (cd "$stage/$platform" && TZ=UTC zip -q -X "$dist/${name}_${version}_$platform.zip" "$inner")
done

printf '{\n  "version": 1,\n  "metadata": {\n    "protocol_versions": ["6.0"]\n  }\n}\n' \
  >"$dist/${name}_${version}_manifest.json"
(cd "$dist" && LC_ALL=C sha256sum -- *.zip "${name}_${version}_manifest.json" >"${name}_${version}_SHA256SUMS")
# Binary, not armored: both clients reject an armored signature.
gpg --batch --yes --local-user "$key" --output "$dist/${name}_${version}_SHA256SUMS.sig" \
  --detach-sign "$dist/${name}_${version}_SHA256SUMS"
gpg --batch --yes --armor --output "$dist/${name}_${version}_signing-key.asc" --export "$key"
# The SBOM and the provenance statement stay out of SHA256SUMS (the registries read it for the zips
# alone) and carry a signature each.
triples=()
for platform in $platforms; do triples+=("$(triple "$platform")"); done
python3 "$root/scripts/release-attest.py" "$dist" "$version" "${triples[@]}" || die "SBOM or provenance failed"
for doc in sbom.cdx.json provenance.json; do
  gpg --batch --yes --local-user "$key" --output "$dist/${name}_${version}_$doc.sig" \
    --detach-sign "$dist/${name}_${version}_$doc"
done
# Each zip's single entry, its mode and its executable format for the platform, the sums, and the
# signature, verified with the published signing key in a keyring of its own.
python3 "$root/scripts/release-check.py" "$dist" >&2 || die "scripts/release-check.py rejects $dist"
log "wrote $dist:"
(cd "$dist" && ls -l) >&2
