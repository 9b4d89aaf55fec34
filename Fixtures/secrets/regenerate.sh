#!/usr/bin/env bash
# Rebuilds the printed secrets fixtures from src/*.yaml with the real kubectl printer
# (see ../demo/regenerate.sh and ../tools/fake_apiserver.py):
#   cluster.yaml           kubectl get secrets,configmaps,pv,pods -A -o yaml
#   cluster.json           ... -o json
#   cluster-multidoc.yaml  each object as `kubectl get KIND NAME -o yaml` prints it, joined by ---
#   cluster-stream.json    ... -o json | jq '.items[]'
# SECRET-VALUES.txt is hand-maintained: update it when a secret value in src/ changes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../tools/fake-apiserver.sh
. "$here/../tools/fake-apiserver.sh"
trap fake_apiserver_stop EXIT
fake_apiserver_start "$here"/src/*.yaml
print_dump_shapes "$here" cluster secrets,configmaps,pv,pods
echo "regenerated: $(cd "$here" && ls cluster*.yaml cluster*.json | tr '\n' ' ')"
