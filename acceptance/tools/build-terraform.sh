#!/usr/bin/env bash
# Builds a Terraform CLI from the Go module proxy alone, for acceptance runs on the newest Terraform.
#
#   build-terraform.sh VERSION OUT     e.g. build-terraform.sh 1.16.3 ~/.cache/.../terraform
#
# `go install github.com/hashicorp/terraform@vX` is refused: Terraform's go.mod replaces its nested
# remote-state backend modules (and internal/legacy) with ./internal/... paths, and the proxy serves
# those modules only at an old commit that no longer compiles against 1.14+. So we build through a
# wrapper module that requires Terraform at VERSION and replaces each nested module with a small local
# stub whose backend reports itself unavailable. Terraform's own code is unchanged; the local, remote,
# cloud, http and inmem state backends work, which is all the tests use.
#
# Env: GOMODCACHE / GOCACHE (callers share them with other Go builds), GO (default: go on PATH).
set -euo pipefail

version=${1:?usage: build-terraform.sh VERSION OUT}
out=${2:?usage: build-terraform.sh VERSION OUT}
go=${GO:-go}
export GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

info=$("$go" mod download -json "github.com/hashicorp/terraform@v$version")
field() { printf '%s' "$info" | sed -n "s/.*\"$1\": \"\\(.*\\)\".*/\\1/p"; }
gomod=$(field GoMod)
src=$(field Dir)
[[ -f "$gomod" && -d "$src" ]] || { echo "build-terraform: the proxy gave no go.mod/source for v$version" >&2; exit 1; }
go_line=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod")
mapfile -t nested < <(sed -n 's#^replace github.com/hashicorp/terraform/\([^ ]*\) => \./.*#\1#p' "$gomod")

# Terraform 1.14 changed the backend workspace methods from `error` to diagnostics.
if grep -q 'Workspaces() (\[\]string, tfdiags.Diagnostics)' "$src/internal/backend/backend.go"; then
  ws_err=tfdiags.Diagnostics ws_ret='diag()'
else
  ws_err=error ws_ret='diag().Err()'
fi

{
  printf 'module local.invalid/terraform-build\n\ngo %s\n\nrequire github.com/hashicorp/terraform v%s\n\ntool github.com/hashicorp/terraform\n\n' "$go_line" "$version"
  # Replaces of other modules in Terraform's go.mod apply to the build only if the main module repeats them.
  sed -n '/^replace /p' "$gomod" | grep -v ' => \./' || true
} >"$work/go.mod"

for sub in "${nested[@]}"; do
  dir="$work/stubs/$sub"
  pkg=$(basename "$sub")
  mkdir -p "$dir"
  printf 'module github.com/hashicorp/terraform/%s\n\ngo %s\n\nrequire github.com/hashicorp/terraform v%s\n' \
    "$sub" "$go_line" "$version" >"$dir/go.mod"
  if [[ $sub == internal/backend/remote-state/* ]]; then
    cat >"$dir/stub.go" <<GO
// Package $pkg stands in for a state backend the module proxy cannot serve for this version.
package $pkg

import (
	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/configs/configschema"
	"github.com/hashicorp/terraform/internal/states/statemgr"
	"github.com/hashicorp/terraform/internal/tfdiags"
	"github.com/zclconf/go-cty/cty"
)

type unavailable struct{}

func New() backend.Backend { return unavailable{} }

func diag() tfdiags.Diagnostics {
	var d tfdiags.Diagnostics
	return d.Append(tfdiags.Sourceless(tfdiags.Error, "Backend unavailable",
		"the $pkg state backend is not part of this Terraform build"))
}

func (unavailable) ConfigSchema() *configschema.Block { return &configschema.Block{} }
func (unavailable) PrepareConfig(v cty.Value) (cty.Value, tfdiags.Diagnostics) { return v, diag() }
func (unavailable) Configure(cty.Value) tfdiags.Diagnostics { return diag() }
func (unavailable) StateMgr(string) (statemgr.Full, $ws_err) { return nil, $ws_ret }
func (unavailable) DeleteWorkspace(string, bool) $ws_err { return $ws_ret }
func (unavailable) Workspaces() ([]string, $ws_err) { return nil, $ws_ret }
GO
  fi
  echo "replace github.com/hashicorp/terraform/$sub => ./stubs/$sub" >>"$work/go.mod"
done

# -mod=mod fills go.sum from the proxy (and checksum database) as the build needs it; `go mod tidy`
# would fetch every package's test dependencies too.
(cd "$work" && "$go" build -mod=mod -trimpath \
  -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
  -o "$out.tmp" github.com/hashicorp/terraform)
mv -f "$out.tmp" "$out"
