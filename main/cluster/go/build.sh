#!/usr/bin/env bash
# Builds the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl, kwok) from the pinned Go modules beside this script into a cache folder outside git.
# The output folder is keyed by a hash of the pins, the Go version and this script, so a rebuild
# happens only when one of them changes. Prints the bin directory on the last line of stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${LABFORGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/labforge}/cluster"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-trimpath -mod=mod"

key="$( { go version; cat "$here/build.sh" "$here/k8s/go.mod" "$here/k8s/go.sum" "$here/kwok/go.mod" "$here/kwok/go.sum"; } | sha256sum | cut -c1-16)"
bin="$cache_root/$key/bin"
if [[ -f "$bin/.complete" ]]; then
  echo "control plane binaries are up to date ($key)" >&2
  echo "$bin"
  exit 0
fi
mkdir -p "$bin"

modver() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }
kube_version="$(modver "$here/k8s" k8s.io/kubernetes)"
kwok_version="$(modver "$here/kwok" sigs.k8s.io/kwok)"
IFS=. read -r kmaj kmin _ <<<"${kube_version#v}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Without these the binaries report v0.0.0-master and clients warn about version skew.
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=$kmaj -X $pkg.gitMinor=$kmin"
  kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

start=$(date +%s)
(
  cd "$here/k8s"
  echo "building etcd + Kubernetes $kube_version into $bin" >&2
  go build -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    echo "  $cmd" >&2
    go build -ldflags "$kube_ldflags" -o "$bin/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  done
)
(
  cd "$here/kwok"
  echo "building kwok $kwok_version" >&2
  go build -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${kube_version#v}" \
    -o "$bin/kwok" sigs.k8s.io/kwok/cmd/kwok
)
# kwok's stage definitions and CRDs (Exec, PortForward, ...) ship in its module; keep a copy next
# to the binaries they belong to.
kwok_dir="$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
rm -rf "$bin/../kwok-stage" && cp -r "$kwok_dir/kustomize/stage" "$bin/../kwok-stage" && chmod -R u+w "$bin/../kwok-stage"
rm -rf "$bin/../kwok-crd" && cp -r "$kwok_dir/kustomize/crd/bases" "$bin/../kwok-crd" && chmod -R u+w "$bin/../kwok-crd"
echo "built in $(( $(date +%s) - start ))s" >&2
touch "$bin/.complete"
echo "$bin"
