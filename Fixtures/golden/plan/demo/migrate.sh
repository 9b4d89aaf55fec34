#!/usr/bin/env bash
# migrate.sh: written by csi-migrate 0.1.0; runs RUNBOOK.md step by step (same numbers).
#
#   ./migrate.sh --context NAME            dry run: reads the cluster, prints what it would change
#   ./migrate.sh --context NAME --apply    makes the changes
#   options: --group N (preflight and group N only), --timeout SECONDS (each wait, default 600)
#
# Every step checks the cluster first and skips what is done: after a failure, fix the cause and
# run the same command again. It stops at the first failure. Nothing is deleted unless the
# PersistentVolume is Retain and is the one the plan was made from (same uid).
# Needs bash and kubectl (1.23 or later, for `kubectl wait --for=jsonpath`).
set -euo pipefail

usage() {
  sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//'
}

CONTEXT=""
APPLY=0
ONLY_GROUP=""
TIMEOUT=600
while [ $# -gt 0 ]; do
  case "$1" in
    --context) CONTEXT="${2:?--context needs a value}"; shift 2 ;;
    --context=*) CONTEXT="${1#--context=}"; shift ;;
    --apply) APPLY=1; shift ;;
    --group) ONLY_GROUP="${2:?--group needs a value}"; shift 2 ;;
    --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'migrate.sh: unknown argument: %s\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -z "$CONTEXT" ]; then
  printf 'migrate.sh: --context NAME is required (kubectl config get-contexts lists them)\n' >&2
  exit 2
fi
case "$TIMEOUT" in '' | *[!0-9]*) printf 'migrate.sh: --timeout needs a number of seconds\n' >&2; exit 2 ;; esac
case "$ONLY_GROUP" in *[!0-9]*) printf 'migrate.sh: --group needs a group number\n' >&2; exit 2 ;; esac

PLAN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="$PLAN_DIR/state"
CURRENT_STEP=""
GROUP_DONE=0

finish() {
  local status=$1
  if [ "$status" -ne 0 ] && [ -n "$CURRENT_STEP" ]; then
    printf '\nmigrate.sh: stopped at step %s. Fix the cause (RUNBOOK.md, step %s, says what to expect and how to roll back),\n' "$CURRENT_STEP" "$CURRENT_STEP" >&2
    printf 'then run the same command again: finished steps are skipped.\n' >&2
  fi
}
trap 'finish $?' EXIT

say() { printf '%s\n' "$*"; }
die() {
  printf 'migrate.sh: error: %s\n' "$*" >&2
  exit 1
}
k() { kubectl --context "$CONTEXT" "$@"; }

# The words as one command line to copy: each word bare when safe, else single-quoted.
quoted() {
  local word escaped out="" sq="'"
  for word in "$@"; do
    if [[ "$word" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
      out+="$word "
    else
      escaped=${word//$sq/$sq\\$sq$sq}
      out+="$sq$escaped$sq "
    fi
  done
  printf '%s' "${out% }"
}

# Runs a command with --apply; prints it otherwise.
run() {
  local words=("$@")
  if [ "${words[0]}" = k ]; then words=(kubectl --context "$CONTEXT" "${words[@]:1}"); fi
  if [ "$APPLY" = 1 ]; then
    say "  + $(quoted "${words[@]}")"
    "${words[@]}"
  else
    say "  would run: $(quoted "${words[@]}")"
  fi
}

step() {
  CURRENT_STEP="$1"
  say ""
  say "[$1] $2"
}

group_begin() {
  say ""
  say "== group $1: $2"
}

# Reads a PersistentVolume into PV_EXISTS PV_UID PV_POLICY PV_DRIVER PV_HANDLE PV_INTREE PV_PHASE.
pv_state() {
  local out
  out="$(k get pv "$1" --ignore-not-found -o jsonpath='{.metadata.uid}{"|"}{.spec.persistentVolumeReclaimPolicy}{"|"}{.spec.csi.driver}{"|"}{.spec.csi.volumeHandle}{"|"}{.spec.azureDisk.diskURI}{.spec.azureFile.shareName}{"|"}{.status.phase}')"
  PV_EXISTS=0 PV_UID="" PV_POLICY="" PV_DRIVER="" PV_HANDLE="" PV_INTREE="" PV_PHASE=""
  if [ -n "$out" ]; then
    PV_EXISTS=1
    IFS='|' read -r PV_UID PV_POLICY PV_DRIVER PV_HANDLE PV_INTREE PV_PHASE <<<"$out"
  fi
}

# Reads a claim into PVC_EXISTS PVC_VOLUME PVC_PHASE.
pvc_state() {
  local out
  out="$(k -n "$1" get pvc "$2" --ignore-not-found -o jsonpath='{.metadata.uid}{"|"}{.spec.volumeName}{"|"}{.status.phase}')"
  PVC_EXISTS=0 PVC_VOLUME="" PVC_PHASE=""
  if [ -n "$out" ]; then
    PVC_EXISTS=1
    IFS='|' read -r _ PVC_VOLUME PVC_PHASE <<<"$out"
  fi
}

show_cluster() {
  local server
  server="$(kubectl config view --context "$CONTEXT" --minify -o jsonpath='{.clusters[0].cluster.server}')" ||
    die "no kube context named $CONTEXT"
  say "  context $CONTEXT, API server $server"
  k get --raw /version >/dev/null || die "the API server of context $CONTEXT does not answer"
}

require_csidriver() {
  local d
  for d in "$@"; do
    if [ -z "$(k get csidriver "$d" --ignore-not-found -o name)" ]; then
      die "CSIDriver $d is not installed (AKS: az aks update --enable-disk-driver --enable-file-driver)"
    fi
    say "  $d is installed"
  done
}

apply_storageclass() { # NAME DRIVER FILE
  local provisioner
  provisioner="$(k get sc "$1" --ignore-not-found -o jsonpath='{.provisioner}')"
  if [ "$provisioner" = "$2" ]; then say "  $1 exists"; return 0; fi
  if [ -n "$provisioner" ]; then die "StorageClass $1 exists with provisioner $provisioner, not $2"; fi
  run k apply -f "$PLAN_DIR/$3"
}

require_storageclass() { # NAME DRIVER
  local provisioner
  provisioner="$(k get sc "$1" --ignore-not-found -o jsonpath='{.provisioner}')"
  if [ "$provisioner" = "$2" ]; then say "  $1 exists"; return 0; fi
  if [ "$APPLY" = 1 ]; then die "StorageClass $1 with provisioner $2 is missing (found: '${provisioner}')"; fi
  say "  WARNING: StorageClass $1 with provisioner $2 is missing; --apply stops here"
}

# The volume is the in-tree one of the plan (same uid), the CSI one of the plan (same handle), or absent.
check_volume() { # PV UID HANDLE
  pv_state "$1"
  if [ "$PV_EXISTS" = 0 ]; then
    say "  $1 does not exist: its migration is under way (old volume deleted, new one not created yet)"
    return 0
  fi
  if [ -n "$PV_DRIVER" ]; then
    [ "$PV_HANDLE" = "$3" ] || die "PersistentVolume $1 is a CSI volume with handle $PV_HANDLE, but the plan expects $3"
    say "  $1 is the CSI volume already"
    return 0
  fi
  [ -n "$PV_INTREE" ] || die "PersistentVolume $1 is neither in-tree Azure nor CSI"
  if [ -n "$2" ] && [ "$PV_UID" != "$2" ]; then
    die "PersistentVolume $1 has uid $PV_UID, the dump had $2: the cluster changed since the dump, or this is another cluster; dump and plan again"
  fi
  say "  $1 is the in-tree volume of the plan (reclaim policy $PV_POLICY, $PV_PHASE)"
}

require_retain() { # PV, after pv_state
  if [ "$PV_POLICY" = Retain ]; then return 0; fi
  [ "$APPLY" = 1 ] && die "PersistentVolume $1 is $PV_POLICY, not Retain: refusing to delete"
  say "  (dry run: $1 is $PV_POLICY now; the Retain step makes it Retain before this)"
}

volume_migrated() { # PV HANDLE NAMESPACE CLAIM
  pv_state "$1"
  if [ "$PV_EXISTS" = 0 ] || [ -z "$PV_DRIVER" ] || [ "$PV_HANDLE" != "$2" ]; then return 1; fi
  [ -z "$4" ] && return 0
  pvc_state "$3" "$4"
  [ "$PVC_EXISTS" = 1 ] && [ "$PVC_VOLUME" = "$1" ] && [ "$PVC_PHASE" = Bound ]
}

statefulset_migrated() { # NAMESPACE NAME [INDEX CLASS]...
  local ns=$1 name=$2 class
  shift 2
  while [ $# -gt 1 ]; do
    class="$(k -n "$ns" get statefulset "$name" --ignore-not-found -o jsonpath="{.spec.volumeClaimTemplates[$1].spec.storageClassName}")"
    [ "$class" = "$2" ] || return 1
    shift 2
  done
}

retain() { # PV UID HANDLE
  check_volume "$1" "$2" "$3"
  if [ "$PV_EXISTS" = 0 ] || [ -n "$PV_DRIVER" ]; then return 0; fi
  if [ "$PV_POLICY" = Retain ]; then say "  already Retain"; return 0; fi
  run k patch pv "$1" -p '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'
}

state_file() { printf '%s/%s' "$STATE_DIR" "$(printf '%s.' "$@" | sed 's/\.$//')"; }

save_state() { # FILE VALUE
  if [ "$APPLY" = 1 ]; then
    mkdir -p "$STATE_DIR"
    printf '%s\n' "$2" >"$1"
    say "  recorded $2 in ${1#"$PLAN_DIR"/}"
  else
    say "  would record $2"
  fi
}

record_replicas() { # KIND NAMESPACE NAME DUMP_REPLICAS
  local file live
  file="$(state_file replicas "$1" "$2" "$3")"
  if [ -f "$file" ]; then say "  recorded earlier: $(cat "$file")"; return 0; fi
  if [ -z "$(k -n "$2" get "$1" "$3" --ignore-not-found -o name)" ]; then
    # Gone, as after a StatefulSet recreation that failed half-way: restore the dump's count.
    say "  $1 $2/$3 is absent; the dump's $4 replicas are restored at the end"
    save_state "$file" "$4"
    return 0
  fi
  live="$(k -n "$2" get "$1" "$3" -o jsonpath='{.spec.replicas}')"
  [ -n "$live" ] || live=1
  if [ "$live" = 0 ] && [ "$4" != 0 ]; then
    say "  note: the cluster has 0 replicas (stopped by hand?); the dump's $4 are restored at the end"
    live="$4"
  elif [ "$live" != "$4" ]; then
    say "  note: the dump had $4 replicas, the cluster has $live; $live is restored at the end"
  fi
  save_state "$file" "$live"
}

scale_down() { # KIND NAMESPACE NAME
  local live
  if [ -z "$(k -n "$2" get "$1" "$3" --ignore-not-found -o name)" ]; then
    say "  absent: nothing to stop (a StatefulSet is created again from its saved copy later)"
    return 0
  fi
  live="$(k -n "$2" get "$1" "$3" -o jsonpath='{.spec.replicas}')"
  if [ "$live" = 0 ]; then say "  already at 0"; return 0; fi
  run k -n "$2" scale "$1/$3" --replicas=0
}

scale_up() { # KIND NAMESPACE NAME DUMP_REPLICAS
  local file want live
  file="$(state_file replicas "$1" "$2" "$3")"
  if [ -f "$file" ]; then
    want="$(cat "$file")"
  elif [ "$GROUP_DONE" = 1 ]; then
    # Started again after an earlier, complete run: leave today's count alone.
    say "  skipped: started again when the group was migrated"
    return 0
  else
    want="$4"
    say "  no recorded count (dry run): the dump's $4"
  fi
  live="$(k -n "$2" get "$1" "$3" -o jsonpath='{.spec.replicas}')"
  if [ "$live" = "$want" ]; then say "  already at $want"; else run k -n "$2" scale "$1/$3" --replicas="$want"; fi
  # Once restored, the count is forgotten: a later run must not scale back to it.
  if [ "$APPLY" = 1 ]; then rm -f "$file"; fi
}

pause_daemonset() { # NAMESPACE NAME
  local paused
  paused="$(k -n "$1" get daemonset "$2" -o jsonpath="{.spec.template.spec.nodeSelector['csi-migrate/paused']}")"
  if [ "$paused" = true ]; then say "  already paused"; return 0; fi
  run k -n "$1" patch daemonset "$2" -p '{"spec":{"template":{"spec":{"nodeSelector":{"csi-migrate/paused":"true"}}}}}'
}

resume_daemonset() { # NAMESPACE NAME
  local paused
  paused="$(k -n "$1" get daemonset "$2" -o jsonpath="{.spec.template.spec.nodeSelector['csi-migrate/paused']}")"
  if [ -z "$paused" ]; then say "  not paused"; return 0; fi
  run k -n "$1" patch daemonset "$2" --type=json -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector/csi-migrate~1paused"}]'
}

record_suspend() { # KIND NAMESPACE NAME
  local file live
  file="$(state_file suspend "$1" "$2" "$3")"
  if [ -f "$file" ]; then say "  recorded earlier: $(cat "$file")"; return 0; fi
  live="$(k -n "$2" get "$1" "$3" -o jsonpath='{.spec.suspend}')"
  save_state "$file" "${live:-false}"
}

suspend() { # KIND NAMESPACE NAME
  local live
  live="$(k -n "$2" get "$1" "$3" -o jsonpath='{.spec.suspend}')"
  if [ "$live" = true ]; then say "  already suspended"; return 0; fi
  run k -n "$2" patch "$1" "$3" -p '{"spec":{"suspend":true}}'
}

resume() { # KIND NAMESPACE NAME
  local file want=false live
  file="$(state_file suspend "$1" "$2" "$3")"
  if [ -f "$file" ]; then want="$(cat "$file")"; fi
  live="$(k -n "$2" get "$1" "$3" -o jsonpath='{.spec.suspend}')"
  if [ "${live:-false}" = "$want" ]; then say "  suspend is $want already"; return 0; fi
  run k -n "$2" patch "$1" "$3" -p "{\"spec\":{\"suspend\":$want}}"
}

save_pod() { # NAMESPACE NAME
  local file
  file="$(state_file pod "$1" "$2" yaml)"
  if [ -f "$file" ]; then say "  saved earlier in ${file#"$PLAN_DIR"/}"; return 0; fi
  if [ -z "$(k -n "$1" get pod "$2" --ignore-not-found -o name)" ]; then
    die "bare Pod $1/$2 is gone and was not saved: recreate it from its source after the migration"
  fi
  if [ "$APPLY" = 1 ]; then
    mkdir -p "$STATE_DIR"
    k -n "$1" get pod "$2" -o yaml >"$file"
    say "  saved in ${file#"$PLAN_DIR"/}"
  else
    say "  would save it in ${file#"$PLAN_DIR"/}"
  fi
}

delete_pod() { # NAMESPACE NAME
  if [ -z "$(k -n "$1" get pod "$2" --ignore-not-found -o name)" ]; then say "  already gone"; return 0; fi
  run k -n "$1" delete pod "$2"
}

create_pod() { # NAMESPACE NAME
  local file
  file="$(state_file pod "$1" "$2" yaml)"
  if [ -n "$(k -n "$1" get pod "$2" --ignore-not-found -o name)" ]; then say "  exists"; return 0; fi
  if [ "$APPLY" != 1 ]; then say "  would create it again from ${file#"$PLAN_DIR"/}"; return 0; fi
  [ -f "$file" ] || die "no saved copy of Pod $1/$2 in $file"
  k patch --local -f "$file" --type=json -p '[{"op":"remove","path":"/metadata/resourceVersion"},{"op":"remove","path":"/metadata/uid"},{"op":"remove","path":"/status"}]' -o yaml >"$file.new"
  run k create -f "$file.new"
}

manual_stop() { # KIND NAMESPACE NAME CLAIM...
  local kind=$1 ns=$2 name=$3
  shift 3
  say "  $kind $ns/$name is not a controller this script knows: stop it by hand so that no pod uses: $*"
  [ "$APPLY" = 1 ] && [ -n "$(claim_users "$ns" "$@")" ] && die "pods of $kind $name still use the claims; stop it, then run again"
  return 0
}

manual_start() { # KIND NAMESPACE NAME
  say "  start $1 $2/$3 again by hand"
}

# Pods (not finished) in NAMESPACE that use any of the claims.
claim_users() { # NAMESPACE CLAIM...
  local ns=$1 lines pod phase volume claim
  shift
  lines="$(k -n "$ns" get pods -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{" "}{range .spec.volumes[*]}{.persistentVolumeClaim.claimName}{" "}{end}{"\n"}{end}')"
  while read -r pod phase volumes; do
    [ -n "$pod" ] || continue
    case "$phase" in Succeeded | Failed) continue ;; esac
    for volume in $volumes; do
      for claim in "$@"; do
        if [ "$volume" = "$claim" ]; then printf '%s ' "$pod"; fi
      done
    done
  done <<<"$lines"
  return 0
}

wait_unused() { # NAMESPACE CLAIM...
  local ns=$1 users deadline=$((SECONDS + TIMEOUT))
  shift
  while :; do
    users="$(claim_users "$ns" "$@")"
    if [ -z "$users" ]; then say "  no pod uses them"; return 0; fi
    if [ "$APPLY" != 1 ]; then say "  would wait until these pods are gone: $users"; return 0; fi
    [ "$SECONDS" -lt "$deadline" ] || die "after ${TIMEOUT}s these pods still use the claims: $users"
    sleep 5
  done
}

wait_detached() { # PV
  local lines name volume found deadline=$((SECONDS + TIMEOUT))
  pv_state "$1"
  if [ -n "$PV_DRIVER" ]; then say "  already the CSI volume"; return 0; fi
  while :; do
    found=""
    lines="$(k get volumeattachments -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.source.persistentVolumeName}{"\n"}{end}')"
    while read -r name volume; do
      if [ -n "$name" ] && [ "$volume" = "$1" ]; then found="$found $name"; fi
    done <<<"$lines"
    if [ -z "$found" ]; then say "  detached"; return 0; fi
    if [ "$APPLY" != 1 ]; then say "  would wait until these VolumeAttachments are gone:$found"; return 0; fi
    [ "$SECONDS" -lt "$deadline" ] || die "after ${TIMEOUT}s the disk is still attached:$found (kubectl describe volumeattachment)"
    sleep 5
  done
}

delete_pvc() { # NAMESPACE CLAIM PV
  pv_state "$3"
  if [ -n "$PV_DRIVER" ]; then say "  $3 is the CSI volume already: nothing to delete"; return 0; fi
  pvc_state "$1" "$2"
  if [ "$PVC_EXISTS" = 0 ]; then say "  already gone"; return 0; fi
  [ "$PVC_VOLUME" = "$3" ] || die "claim $1/$2 is bound to '$PVC_VOLUME', not to $3"
  if [ "$PV_EXISTS" = 1 ]; then require_retain "$3"; fi
  run k -n "$1" delete pvc "$2" --wait=false
}

wait_pvc_gone() { # NAMESPACE CLAIM PV
  pv_state "$3"
  if [ -n "$PV_DRIVER" ]; then say "  $3 is the CSI volume already"; return 0; fi
  pvc_state "$1" "$2"
  if [ "$PVC_EXISTS" = 0 ]; then say "  gone"; return 0; fi
  if [ "$APPLY" != 1 ]; then say "  would wait until it is gone"; return 0; fi
  k -n "$1" wait --for=delete "pvc/$2" --timeout="${TIMEOUT}s" ||
    die "claim $1/$2 is still there; a pod may still use it: kubectl -n $1 describe pvc $2"
}

delete_pv() { # PV UID HANDLE
  check_volume "$1" "$2" "$3"
  if [ "$PV_EXISTS" = 0 ]; then say "  already gone"; return 0; fi
  if [ -n "$PV_DRIVER" ]; then return 0; fi
  require_retain "$1"
  if [ "$APPLY" = 1 ] && [ "$PV_PHASE" = Bound ]; then die "PersistentVolume $1 is still Bound: its claim still exists"; fi
  run k delete pv "$1" --wait=false
}

wait_pv_gone() { # PV
  pv_state "$1"
  if [ "$PV_EXISTS" = 0 ]; then say "  gone"; return 0; fi
  if [ -n "$PV_DRIVER" ]; then say "  $1 is the CSI volume already"; return 0; fi
  if [ "$APPLY" != 1 ]; then say "  would wait until it is gone"; return 0; fi
  k wait --for=delete "pv/$1" --timeout="${TIMEOUT}s" ||
    die "PersistentVolume $1 is still there: kubectl describe pv $1 (finalizers?)"
}

apply_pv() { # PV HANDLE FILE
  pv_state "$1"
  if [ "$PV_EXISTS" = 1 ] && [ -n "$PV_DRIVER" ]; then
    [ "$PV_HANDLE" = "$2" ] || die "PersistentVolume $1 exists with handle $PV_HANDLE, the plan expects $2"
    say "  created already"
    return 0
  fi
  if [ "$PV_EXISTS" = 1 ]; then
    [ "$APPLY" = 1 ] && die "the in-tree PersistentVolume $1 still exists"
    say "  (dry run: the in-tree volume is deleted before this)"
  fi
  run k apply -f "$PLAN_DIR/$3"
}

apply_pvc() { # NAMESPACE CLAIM PV FILE
  pvc_state "$1" "$2"
  if [ "$PVC_EXISTS" = 1 ]; then
    pv_state "$3"
    if [ "$PVC_VOLUME" = "$3" ] && [ -n "$PV_DRIVER" ]; then say "  created already"; return 0; fi
    [ "$APPLY" = 1 ] && die "claim $1/$2 exists and is not the new one (volume '$PVC_VOLUME')"
    say "  (dry run: the old claim is deleted before this)"
  fi
  run k apply -f "$PLAN_DIR/$4"
}

wait_bound() { # NAMESPACE CLAIM PV
  if [ "$APPLY" != 1 ]; then say "  would wait until it is Bound"; return 0; fi
  k -n "$1" wait --for=jsonpath='{.status.phase}'=Bound "pvc/$2" --timeout="${TIMEOUT}s" ||
    die "claim $1/$2 is not Bound: kubectl -n $1 describe pvc $2; kubectl describe pv $3"
}

recreate_statefulset() { # NAMESPACE NAME PATCH [INDEX CLASS]...
  local ns=$1 name=$2 patch=$3 saved patched exists
  shift 3
  if [ -n "$(k -n "$ns" get statefulset "$name" --ignore-not-found -o name)" ]; then exists=1; else exists=0; fi
  if [ "$exists" = 1 ] && statefulset_migrated "$ns" "$name" "$@"; then say "  its claim templates use the CSI classes already"; return 0; fi
  saved="$(state_file statefulset "$ns" "$name" yaml)"
  patched="$(state_file statefulset "$ns" "$name" csi yaml)"
  if [ "$APPLY" != 1 ]; then
    say "  would save it in ${saved#"$PLAN_DIR"/}, patch the templates into ${patched#"$PLAN_DIR"/},"
    say "  would run: kubectl --context $CONTEXT -n $ns delete statefulset $name --cascade=orphan"
    say "  would run: kubectl --context $CONTEXT create -f $patched"
    return 0
  fi
  mkdir -p "$STATE_DIR"
  if [ "$exists" = 1 ]; then
    k -n "$ns" get statefulset "$name" -o yaml >"$saved"
  elif [ ! -f "$saved" ]; then
    die "StatefulSet $ns/$name is gone and was not saved: create it again from its source with the CSI classes"
  fi
  k patch --local -f "$saved" --type=json -p "$patch" -o yaml >"$patched" ||
    die "the claim templates of $ns/$name are not what the dump showed: recreate it by hand (RUNBOOK.md)"
  if [ "$exists" = 1 ]; then
    run k -n "$ns" delete statefulset "$name" --cascade=orphan --wait=true
  fi
  run k create -f "$patched"
}

verify_volume() { # PV HANDLE NAMESPACE CLAIM
  if [ "$APPLY" != 1 ]; then say "  would check that $1 is the CSI volume $2"; return 0; fi
  pv_state "$1"
  if [ -z "$PV_DRIVER" ] || [ "$PV_HANDLE" != "$2" ]; then die "PersistentVolume $1 is not the CSI volume of the plan"; fi
  if [ -n "$4" ]; then
    pvc_state "$3" "$4"
    if [ "$PVC_PHASE" != Bound ] || [ "$PVC_VOLUME" != "$1" ]; then die "claim $3/$4 is not Bound to $1"; fi
  fi
  say "  $1: $PV_DRIVER, Bound"
}

verify_rollout() { # KIND NAMESPACE NAME
  if [ "$APPLY" != 1 ]; then say "  would wait for the rollout of $1/$3"; return 0; fi
  k -n "$2" rollout status "$1/$3" --timeout="${TIMEOUT}s" || die "$1 $2/$3 did not become ready"
}

verify_pod() { # NAMESPACE NAME
  if [ "$APPLY" != 1 ]; then say "  would wait until Pod $1/$2 is Ready"; return 0; fi
  k -n "$1" wait --for=condition=Ready "pod/$2" --timeout="${TIMEOUT}s" || die "Pod $1/$2 is not Ready"
}

preflight() {
  step P.1 "The right cluster"
  show_cluster
  step P.2 "The CSI drivers are installed"
  require_csidriver disk.csi.azure.com file.csi.azure.com
  step P.3 "Every volume is the one in the plan, before anything changes"
  check_volume pv-web-uploads 699f071a-5fd8-4665-a9df-dec6baecde5b /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/web-uploads
  check_volume pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 d1784030-35c9-48c4-a68d-c8f46a423cf9 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  check_volume pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 af5d8bb0-9f2e-4ea4-b658-90e0f94855d0 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  check_volume pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 0e46c215-b5fa-4b0c-9b18-bd763f20134c 'mc_shop-rg_shop-aks_eastus#f1a2b3c4d5e6f7a8b9c0d1e#kubernetes-dynamic-pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#shop'
  step P.8 'Create StorageClass zoned-premium-csi (replaces zoned-premium)'
  apply_storageclass zoned-premium-csi disk.csi.azure.com manifests/storageclasses/zoned-premium-csi.yaml
  step P.9 'Check that StorageClass azurefile-csi exists'
  require_storageclass azurefile-csi file.csi.azure.com
  step P.10 'Check that StorageClass managed-csi exists'
  require_storageclass managed-csi disk.csi.azure.com
}

group_1() {
  group_begin 1 'StatefulSet shop/db'
  if volume_migrated pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 shop data-db-0 && volume_migrated pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 shop data-db-1 && statefulset_migrated shop db 0 managed-csi; then GROUP_DONE=1; else GROUP_DONE=0; fi
  step 1.1 'Protect pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325: reclaim policy Retain'
  retain pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 d1784030-35c9-48c4-a68d-c8f46a423cf9 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  step 1.2 'Protect pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52: reclaim policy Retain'
  retain pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 af5d8bb0-9f2e-4ea4-b658-90e0f94855d0 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  step 1.3 'Record the replicas of StatefulSet shop/db'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else record_replicas statefulset shop db 2; fi
  step 1.4 'Stop StatefulSet shop/db: scale to 0'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else scale_down statefulset shop db; fi
  step 1.5 'Wait until no pod uses data-db-0, data-db-1'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else wait_unused shop data-db-0 data-db-1; fi
  step 1.6 'Wait until disk kubernetes-dynamic-pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 is detached'
  wait_detached pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  step 1.7 'Delete the old claim shop/data-db-0'
  delete_pvc shop data-db-0 pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  step 1.8 'Wait until claim shop/data-db-0 is gone'
  wait_pvc_gone shop data-db-0 pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  step 1.9 'Delete the old in-tree PersistentVolume pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325'
  delete_pv pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 d1784030-35c9-48c4-a68d-c8f46a423cf9 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  step 1.10 'Wait until PersistentVolume pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 is gone'
  wait_pv_gone pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  step 1.11 'Create the CSI PersistentVolume pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325'
  apply_pv pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 manifests/persistentvolumes/pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325.yaml
  step 1.12 'Create the claim shop/data-db-0 again, bound to pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325'
  apply_pvc shop data-db-0 pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 manifests/persistentvolumeclaims/shop.data-db-0.yaml
  step 1.13 'Wait until claim shop/data-db-0 is Bound'
  wait_bound shop data-db-0 pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325
  step 1.14 'Wait until disk kubernetes-dynamic-pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 is detached'
  wait_detached pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  step 1.15 'Delete the old claim shop/data-db-1'
  delete_pvc shop data-db-1 pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  step 1.16 'Wait until claim shop/data-db-1 is gone'
  wait_pvc_gone shop data-db-1 pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  step 1.17 'Delete the old in-tree PersistentVolume pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52'
  delete_pv pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 af5d8bb0-9f2e-4ea4-b658-90e0f94855d0 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  step 1.18 'Wait until PersistentVolume pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 is gone'
  wait_pv_gone pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  step 1.19 'Create the CSI PersistentVolume pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52'
  apply_pv pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 manifests/persistentvolumes/pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52.yaml
  step 1.20 'Create the claim shop/data-db-1 again, bound to pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52'
  apply_pvc shop data-db-1 pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 manifests/persistentvolumeclaims/shop.data-db-1.yaml
  step 1.21 'Wait until claim shop/data-db-1 is Bound'
  wait_bound shop data-db-1 pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52
  step 1.22 'Recreate StatefulSet shop/db with CSI classes in its claim templates (data → managed-csi)'
  recreate_statefulset shop db '[{"op":"test","path":"/spec/volumeClaimTemplates/0/metadata/name","value":"data"},{"op":"add","path":"/spec/volumeClaimTemplates/0/spec/storageClassName","value":"managed-csi"},{"op":"remove","path":"/metadata/resourceVersion"},{"op":"remove","path":"/metadata/uid"},{"op":"remove","path":"/status"}]' 0 managed-csi
  step 1.23 'Start StatefulSet shop/db again'
  scale_up statefulset shop db 2
  step 1.24 'Verify pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325'
  verify_volume pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 shop data-db-0
  step 1.25 'Verify pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52'
  verify_volume pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/MC_shop-rg_shop-aks_eastus/providers/Microsoft.Compute/disks/kubernetes-dynamic-pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52 shop data-db-1
  step 1.26 'Verify StatefulSet shop/db'
  verify_rollout statefulset shop db
}

group_2() {
  group_begin 2 'Deployment shop/media'
  if volume_migrated pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 'mc_shop-rg_shop-aks_eastus#f1a2b3c4d5e6f7a8b9c0d1e#kubernetes-dynamic-pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#shop' shop shared-media; then GROUP_DONE=1; else GROUP_DONE=0; fi
  step 2.1 'Protect pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36: reclaim policy Retain'
  retain pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 0e46c215-b5fa-4b0c-9b18-bd763f20134c 'mc_shop-rg_shop-aks_eastus#f1a2b3c4d5e6f7a8b9c0d1e#kubernetes-dynamic-pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#shop'
  step 2.2 'Record the replicas of Deployment shop/media'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else record_replicas deployment shop media 2; fi
  step 2.3 'Stop Deployment shop/media: scale to 0'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else scale_down deployment shop media; fi
  step 2.4 'Wait until no pod uses shared-media'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else wait_unused shop shared-media; fi
  step 2.5 'Delete the old claim shop/shared-media'
  delete_pvc shop shared-media pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36
  step 2.6 'Wait until claim shop/shared-media is gone'
  wait_pvc_gone shop shared-media pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36
  step 2.7 'Delete the old in-tree PersistentVolume pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36'
  delete_pv pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 0e46c215-b5fa-4b0c-9b18-bd763f20134c 'mc_shop-rg_shop-aks_eastus#f1a2b3c4d5e6f7a8b9c0d1e#kubernetes-dynamic-pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#shop'
  step 2.8 'Wait until PersistentVolume pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 is gone'
  wait_pv_gone pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36
  step 2.9 'Create the CSI PersistentVolume pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36'
  apply_pv pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 'mc_shop-rg_shop-aks_eastus#f1a2b3c4d5e6f7a8b9c0d1e#kubernetes-dynamic-pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#shop' manifests/persistentvolumes/pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36.yaml
  step 2.10 'Create the claim shop/shared-media again, bound to pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36'
  apply_pvc shop shared-media pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 manifests/persistentvolumeclaims/shop.shared-media.yaml
  step 2.11 'Wait until claim shop/shared-media is Bound'
  wait_bound shop shared-media pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36
  step 2.12 'Start Deployment shop/media again'
  scale_up deployment shop media 2
  step 2.13 'Verify pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36'
  verify_volume pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36 'mc_shop-rg_shop-aks_eastus#f1a2b3c4d5e6f7a8b9c0d1e#kubernetes-dynamic-pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36#shop' shop shared-media
  step 2.14 'Verify Deployment shop/media'
  verify_rollout deployment shop media
}

group_3() {
  group_begin 3 'Deployment web/web'
  if volume_migrated pv-web-uploads /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/web-uploads web uploads; then GROUP_DONE=1; else GROUP_DONE=0; fi
  step 3.1 'Protect pv-web-uploads: reclaim policy Retain'
  retain pv-web-uploads 699f071a-5fd8-4665-a9df-dec6baecde5b /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/web-uploads
  step 3.2 'Record the replicas of Deployment web/web'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else record_replicas deployment web web 1; fi
  step 3.3 'Stop Deployment web/web: scale to 0'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else scale_down deployment web web; fi
  step 3.4 'Wait until no pod uses uploads'
  if [ "$GROUP_DONE" = 1 ]; then say "  skipped: the group is migrated already"; else wait_unused web uploads; fi
  step 3.5 'Wait until disk web-uploads is detached'
  wait_detached pv-web-uploads
  step 3.6 'Delete the old claim web/uploads'
  delete_pvc web uploads pv-web-uploads
  step 3.7 'Wait until claim web/uploads is gone'
  wait_pvc_gone web uploads pv-web-uploads
  step 3.8 'Delete the old in-tree PersistentVolume pv-web-uploads'
  delete_pv pv-web-uploads 699f071a-5fd8-4665-a9df-dec6baecde5b /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/web-uploads
  step 3.9 'Wait until PersistentVolume pv-web-uploads is gone'
  wait_pv_gone pv-web-uploads
  step 3.10 'Create the CSI PersistentVolume pv-web-uploads'
  apply_pv pv-web-uploads /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/web-uploads manifests/persistentvolumes/pv-web-uploads.yaml
  step 3.11 'Create the claim web/uploads again, bound to pv-web-uploads'
  apply_pvc web uploads pv-web-uploads manifests/persistentvolumeclaims/web.uploads.yaml
  step 3.12 'Wait until claim web/uploads is Bound'
  wait_bound web uploads pv-web-uploads
  step 3.13 'Start Deployment web/web again'
  scale_up deployment web web 1
  step 3.14 'Verify pv-web-uploads'
  verify_volume pv-web-uploads /subscriptions/e345c182-ead5-402a-a5c8-e40952a69ac0/resourceGroups/shop-rg/providers/Microsoft.Compute/disks/web-uploads web uploads
  step 3.15 'Verify Deployment web/web'
  verify_rollout deployment web web
}

main() {
  say "csi-migrate plan: 4 volume(s) to migrate in 3 group(s); 4 blocked (see RUNBOOK.md)"
  if [ "$APPLY" = 1 ]; then say "mode: APPLY on context $CONTEXT"; else say "mode: dry run on context $CONTEXT (nothing is changed; --apply changes it)"; fi
  if [ -n "$ONLY_GROUP" ] && { [ "$ONLY_GROUP" -lt 1 ] || [ "$ONLY_GROUP" -gt 3 ]; }; then die "--group must be between 1 and 3"; fi
  preflight
  if [ -z "$ONLY_GROUP" ] || [ "$ONLY_GROUP" = 1 ]; then group_1; fi
  if [ -z "$ONLY_GROUP" ] || [ "$ONLY_GROUP" = 2 ]; then group_2; fi
  if [ -z "$ONLY_GROUP" ] || [ "$ONLY_GROUP" = 3 ]; then group_3; fi
  CURRENT_STEP=""
  say ""
  if [ "$APPLY" = 1 ]; then say "done: every step of the plan is complete; finish with the final verification of RUNBOOK.md"; else say "dry run complete: run again with --apply to make these changes"; fi
}

main
