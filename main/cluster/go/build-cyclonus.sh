#!/usr/bin/env bash
# Builds cyclonus (an independent NetworkPolicy evaluator, pinned in cyclonus/go.mod) into the same
# cache root as the control plane, in its own folder keyed by a hash of its pins, the Go version
# and this script: building it never invalidates the control plane's cache, and a rebuild happens
# only when one of those changes. Prints the binary's path on the last line of stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${LABFORGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/labforge}/tools"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -mod=mod"

key="$( { go version; cat "$here/build-cyclonus.sh" "$here/cyclonus/go.mod" "$here/cyclonus/go.sum"; } | sha256sum | cut -c1-16)"
dir="$cache_root/cyclonus-$key"
if [[ -f "$dir/.complete" ]]; then
  echo "cyclonus is up to date ($key)" >&2
  echo "$dir/cyclonus"
  exit 0
fi
mkdir -p "$dir"
start=$(date +%s)
version="$(cd "$here/cyclonus" && go list -m -f '{{.Version}}' github.com/mattfenwick/cyclonus)"
echo "building cyclonus $version into $dir" >&2
(cd "$here/cyclonus" && go build -ldflags "-s -w" -o "$dir/cyclonus" github.com/mattfenwick/cyclonus/cmd/cyclonus)
echo "built in $(( $(date +%s) - start ))s" >&2
touch "$dir/.complete"
echo "$dir/cyclonus"
