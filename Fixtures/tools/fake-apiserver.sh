# shellcheck shell=bash
# Source this file, then:
#   fake_apiserver_start SRC.yaml...   # serves the objects; exports KUBECONFIG for kubectl
#   kubectl get ... -o yaml            # the real kubectl printer, no cluster needed
#   fake_apiserver_stop
# Needs python3 with PyYAML, and kubectl ($KUBECTL, default kubectl). See fake_apiserver.py.

FAKE_APISERVER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBECTL="${KUBECTL:-kubectl}"

fake_apiserver_start() {
  FAKE_APISERVER_TMP="$(mktemp -d)"
  python3 "$FAKE_APISERVER_DIR/fake_apiserver.py" "$@" >"$FAKE_APISERVER_TMP/port" 2>"$FAKE_APISERVER_TMP/log" &
  FAKE_APISERVER_PID=$!
  local i
  for i in $(seq 1 100); do
    [ -s "$FAKE_APISERVER_TMP/port" ] && break
    if ! kill -0 "$FAKE_APISERVER_PID" 2>/dev/null; then
      cat "$FAKE_APISERVER_TMP/log" >&2
      echo "fake_apiserver.py failed to start" >&2
      return 1
    fi
    sleep 0.1
  done
  local port
  port="$(head -n1 "$FAKE_APISERVER_TMP/port")"
  cat >"$FAKE_APISERVER_TMP/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- cluster:
    server: http://127.0.0.1:$port
  name: fake
contexts:
- context:
    cluster: fake
    user: fake
  name: fake
current-context: fake
users:
- name: fake
  user: {}
KUBECONFIG
  export KUBECONFIG="$FAKE_APISERVER_TMP/kubeconfig"
}

# kubectl against the fake server, with a private discovery cache.
fkubectl() {
  "$KUBECTL" --cache-dir="$FAKE_APISERVER_TMP/cache" "$@"
}

fake_apiserver_stop() {
  if [ -n "${FAKE_APISERVER_PID:-}" ]; then
    kill "$FAKE_APISERVER_PID" 2>/dev/null || true
    wait "$FAKE_APISERVER_PID" 2>/dev/null || true
    FAKE_APISERVER_PID=
  fi
  if [ -n "${FAKE_APISERVER_TMP:-}" ]; then
    rm -rf "$FAKE_APISERVER_TMP"
    FAKE_APISERVER_TMP=
  fi
}

# Writes, from the objects served, the four shapes of one dump:
#   print_dump_shapes OUTDIR BASENAME RESOURCES
# OUTDIR/BASENAME.yaml           kubectl get RESOURCES -A -o yaml        (one kind: List)
# OUTDIR/BASENAME.json           kubectl get RESOURCES -A -o json        (one List, 4-space indent)
# OUTDIR/BASENAME-multidoc.yaml  each object as `kubectl get KIND NAME -o yaml` prints it, joined by ---
# OUTDIR/BASENAME-stream.json    kubectl get RESOURCES -A -o json | jq '.items[]'
print_dump_shapes() {
  local out="$1" base="$2" resources="$3"
  fkubectl get "$resources" -A -o yaml >"$out/$base.yaml"
  fkubectl get "$resources" -A -o json >"$out/$base.json"
  jq '.items[]' <"$out/$base.json" >"$out/$base-stream.json"
  local first=1 kind ns name
  : >"$out/$base-multidoc.yaml"
  while IFS='|' read -r kind ns name; do
    if [ "$first" = 1 ]; then first=0; else printf -- '---\n' >>"$out/$base-multidoc.yaml"; fi
    if [ -n "$ns" ]; then
      fkubectl get "$(printf '%s' "$kind" | tr 'A-Z' 'a-z')" "$name" -n "$ns" -o yaml >>"$out/$base-multidoc.yaml"
    else
      fkubectl get "$(printf '%s' "$kind" | tr 'A-Z' 'a-z')" "$name" -o yaml >>"$out/$base-multidoc.yaml"
    fi
  done < <(jq -r '.items[] | [.kind, (.metadata.namespace // ""), .metadata.name] | join("|")' <"$out/$base.json")
}
