#!/usr/bin/env bash
# Builds what the local cluster's real node runs beside Debian's containerd, runc and CNI plugins:
# kubelet and kube-proxy (from the control plane's own Kubernetes pins in k8s/), CoreDNS
# (coredns/), kube-router as the NetworkPolicy enforcer (kuberouter/), the distribution registry
# (registry/) and Kubernetes' pause program (build/pause/linux/pause.c from the same
# k8s.io/kubernetes module, compiled statically). One cache folder keyed by a hash of every pin, the Go version and this
# script, beside the control plane's; prints the bin directory on the last line of stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${LABFORGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/labforge}/node"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -mod=mod"

key="$( { go version; gcc --version | head -1; cat "$here/build-node.sh"; for m in k8s coredns kuberouter registry; do cat "$here/$m/go.mod" "$here/$m/go.sum"; done; cat "$here/coredns/main.go"; } | sha256sum | cut -c1-16)"
bin="$cache_root/$key/bin"
if [[ -f "$bin/.complete" ]]; then
  echo "node binaries are up to date ($key)" >&2
  echo "$bin"
  exit 0
fi
mkdir -p "$bin"
start=$(date +%s)

modver() { (cd "$here/$1" && go list -m -f '{{.Version}}' "$2"); }
kube_version="$(modver k8s k8s.io/kubernetes)"
IFS=. read -r kmaj kmin _ <<<"${kube_version#v}"
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=$kmaj -X $pkg.gitMinor=$kmin -X $pkg.gitTreeState=clean"
done
(
  cd "$here/k8s"
  for cmd in kubelet kube-proxy; do
    echo "building $cmd $kube_version" >&2
    go build -ldflags "$kube_ldflags" -o "$bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  done
  # The pod sandbox's process: upstream's pause.c, the program of the registry.k8s.io/pause image.
  pause_src="$(go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
  echo "building pause from $pause_src" >&2
  gcc -Os -Wall -Werror -static -DVERSION="$kube_version" -o "$bin/pause" "$pause_src"
  strip "$bin/pause"
)
coredns_version="$(modver coredns github.com/coredns/coredns)"
echo "building coredns $coredns_version" >&2
(cd "$here/coredns" && go build -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$coredns_version" -o "$bin/coredns" .)
kr_version="$(modver kuberouter github.com/cloudnativelabs/kube-router/v2)"
echo "building kube-router $kr_version" >&2
(cd "$here/kuberouter" && go build -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$kr_version" -o "$bin/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
echo "building registry $(modver registry github.com/distribution/distribution/v3)" >&2
(cd "$here/registry" && go build -ldflags "-s -w" -o "$bin/registry" github.com/distribution/distribution/v3/cmd/registry)
echo "built in $(( $(date +%s) - start ))s" >&2
touch "$bin/.complete"
echo "$bin"
