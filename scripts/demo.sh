#!/usr/bin/env bash
# The main job end to end on the local cluster: build and start it (control plane and the real
# node), deploy the web-db lab to its dev namespace, freeze it as release v1, publish it to a
# class, wait until every student's lab runs, show the class, prove one student's web node
# answers, then open the editor in browser mode. Safe to run again: every step converges.
#
# DEMO_STUDENTS (default 3) is how many web-db students this 2-core machine holds beside the dev copy, by the lab's
# own requests (350m CPU each; docs/benchmarks.md, "Real class"); at most 30.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
lf() { node bin/labforge.mjs "$@"; }
students="${DEMO_STUDENTS:-3}"
lab=resources/examples/web-db.yaml

lf cluster up
export KUBECONFIG="$(lf cluster kubeconfig)"
kubectl="$(bash main/cluster/go/build.sh 2>/dev/null | tail -n 1)/kubectl"
# Local stand-ins for the lab's images (built once from Debian packages, then cached).
lf cluster images nginx:1.27 postgres:16
lf compile "$lab" --class demo --students "$students" -o .labforge/demo-compiled
lf deploy "$lab"
lf releases --lab web-db | grep -qE '^web-db +v1 ' || lf snapshot web-db --tag v1
lf publish web-db@v1 --class demo --students "$students"
echo "waiting for every pod of the class to be Ready on the real node..."
"$kubectl" wait --for=condition=Ready pod -l labforge.dev/class=demo -A --timeout=600s >/dev/null
lf status --class demo
lf credentials --class demo --student student-01 -o .labforge/student-01.kubeconfig
echo "student-01's db node asks their web node for its page (wait a few seconds if PostgreSQL is still starting):"
KUBECONFIG=.labforge/student-01.kubeconfig "$kubectl" exec statefulset/db -- curl -s http://web/
exec node bin/labforge.mjs ui
