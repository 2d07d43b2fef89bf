#!/usr/bin/env bash
# Builds crdcheck (main.go beside this script) against the Kubernetes modules the local cluster
# is built from: a module made in a temporary folder from ../k8s/go.mod and go.sum, so the pins
# stay in one place and the control plane's build key does not change. Prints the binary's path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${LABFORGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/labforge}/crdcheck"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -mod=mod"
key="$( { go version; cat "$here/main.go" "$here/build.sh" "$here/../k8s/go.mod" "$here/../k8s/go.sum"; } | sha256sum | cut -c1-16)"
bin="$cache_root/$key/crdcheck"
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The k8s module minus its tool list, renamed; go adds the two direct requirements itself.
sed -e 's#^module .*#module labforge.dev/cluster/crdcheck#' -e '/^tool (/,/^)/d' "$here/../k8s/go.mod" > "$work/go.mod"
cp "$here/../k8s/go.sum" "$here/main.go" "$work/"
mkdir -p "$(dirname "$bin")"
(cd "$work" && go build -o "$bin.tmp" . ) >&2
mv "$bin.tmp" "$bin"
echo "$bin"
