#!/usr/bin/env bash
# Rebuilds the printed demo fixtures from the hand-written objects in src/, with the real
# kubectl printer: a tiny fake API server (../tools/fake_apiserver.py) serves src/*.yaml and
# `kubectl get` prints them exactly as it prints a live cluster.
#   cluster.yaml           kubectl get pv,pvc,sc,pods,deploy,sts -A -o yaml
#   cluster.json           kubectl get pv,pvc,sc,pods,deploy,sts -A -o json
#   cluster-multidoc.yaml  every object as `kubectl get KIND NAME -o yaml` prints it, joined by ---
#   cluster-stream.json    kubectl get pv,pvc,sc,pods,deploy,sts -A -o json | jq '.items[]'
# Needs: bash, python3 + PyYAML, kubectl (or $KUBECTL), jq. Tests never need any of these.
# Afterwards, re-run ../bad/regenerate.sh (truncated.* are cut from these files).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../tools/fake-apiserver.sh
. "$here/../tools/fake-apiserver.sh"
trap fake_apiserver_stop EXIT
fake_apiserver_start "$here"/src/*.yaml
print_dump_shapes "$here" cluster pv,pvc,sc,pods,deploy,sts
echo "regenerated: $(cd "$here" && ls cluster*.yaml cluster*.json | tr '\n' ' ')"
