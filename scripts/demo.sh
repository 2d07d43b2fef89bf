#!/usr/bin/env bash
# The main job end to end on the local control plane: build and start the cluster, deploy the
# routing lab to its dev namespace, freeze it as release v1, publish it to a class of 30, show
# the class, then open the editor in browser mode. Safe to run again: every step converges.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
lf() { node bin/labforge.mjs "$@"; }

lf cluster up
export KUBECONFIG="$(lf cluster kubeconfig)"
lf compile resources/examples/routing-lab.yaml --class demo --students 30 -o .labforge/demo-compiled
lf deploy resources/examples/routing-lab.yaml
lf releases --lab routing-lab | grep -qE '^routing-lab +v1 ' || lf snapshot routing-lab --tag v1
lf publish routing-lab@v1 --class demo --students 30
lf status --class demo
lf credentials --class demo --student student-01 -o .labforge/student-01.kubeconfig
echo "student-01 can now: KUBECONFIG=.labforge/student-01.kubeconfig kubectl get pods"
exec node bin/labforge.mjs ui
