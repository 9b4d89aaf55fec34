/// migrate.sh: runs the runbook. A dry run unless `--apply`; every step reads the cluster first
/// and skips what is done, so a second run continues where the first stopped; the first failure
/// stops it. The step numbers are the runbook's.
public struct ScriptRenderer {
  public let plan: Plan
  public init(plan: Plan) { self.plan = plan }

  /// What comes before the group functions: the helpers and the preflight.
  public func head(_ write: (String) throws -> Void) throws {
    try write(Self.prelude(plan))
    try preflight(write)
  }

  /// What comes after them: `main`.
  public func tail(_ write: (String) throws -> Void) throws { try write(main()) }

  static func q(_ s: String) -> String { Shell.quote(s) }

  func preflight(_ write: (String) throws -> Void) throws {
    let volumes = plan.volumes
    let migrating = volumes.indices(.migrate)
    let anyDisk = migrating.contains(where: volumes.isDisk)
    var drivers: [String] = []
    if anyDisk { drivers.append(Drivers.csiDisk) }
    if migrating.contains(where: { !volumes.isDisk($0) }) { drivers.append(Drivers.csiFile) }
    var out = "preflight() {\n"
    out += "  step P.1 \"The right cluster\"\n  show_cluster\n"
    var n = 1
    if !drivers.isEmpty {
      n += 1
      out += "  step P.\(n) \"The CSI drivers are installed\"\n"
      out += "  require_csidriver \(drivers.map(Self.q).joined(separator: " "))\n"
    }
    // One identity check per migrating volume (the preflight steps after the class steps).
    if !migrating.isEmpty {
      n += 1
      out += "  step P.\(n) \"Every volume is the one in the plan, before anything changes\"\n"
      try volumes.forEachSummary(where: { volumes.action($0) == .migrate }) { _, v in
        out += "  check_volume \(Self.q(v.name)) \(Self.q(v.uid)) \(Self.q(v.handle))\n"
        try ChunkedText.flushIfFull(&out, write)
      }
    }
    // The runbook's next items (freeze, backup, snapshots, zones) are for the operator.
    n += 2
    if anyDisk { n += 1 }
    if migrating.contains(where: { volumes.isDisk($0) && !volumes.hasZone($0) }) { n += 1 }
    let required = plan.requiredClasses
    for step in plan.classSteps() {
      n += 1
      out += "  step P.\(n) \(Self.q(step.title))\n"
      switch step.action {
      case .applyStorageClass:
        if let i = step.storageClass, let target = plan.classes[i].target, let path = plan.classes[i].manifestPath {
          out += "  apply_storageclass \(Self.q(target)) \(Self.q(plan.classes[i].driver)) \(Self.q(path))\n"
        }
      case .requireStorageClass:
        if let (name, driver) = required.first(where: { step.title.hasSuffix(" \($0.name) exists") }) {
          out += "  require_storageclass \(Self.q(name)) \(Self.q(driver))\n"
        }
      default: break
      }
    }
    out += "}\n\n"
    try write(out)
  }

  /// The function of group `g` of a plan part (`Plan.batch(groups:)`); titles and indices
  /// are all it needs of the steps.
  func group(_ g: Int, _ steps: [Step]) -> String {
    let group = plan.groups[g]
    var out = "group_\(group.number)() {\n"
    let what = group.workloads.isEmpty
      ? "volumes no pod uses" : group.workloads.map { "\(plan.workloads[$0].kind) \(plan.workloads[$0].namespace)/\(plan.workloads[$0].name)" }.joined(separator: ", ")
    out += "  group_begin \(group.number) \(Self.q(what))\n"
    // The group is done when every volume is the CSI one and every StatefulSet is recreated;
    // then nothing is stopped again.
    var doneChecks: [String] = []
    var words: [Int: VolumeWords] = [:]
    for i in group.volumes {
      let w = VolumeWords(plan.volumes[i])
      words[i] = w
      doneChecks.append("volume_migrated \(w.name) \(w.handle) \(w.namespace) \(w.claim)")
    }
    for wi in group.workloads where !plan.workloads[wi].templateChanges.isEmpty {
      let w = plan.workloads[wi]
      doneChecks.append("statefulset_migrated \(Self.q(w.namespace)) \(Self.q(w.name)) " + w.templateChanges.map { "\($0.index) \(Self.q($0.to))" }.joined(separator: " "))
    }
    if doneChecks.isEmpty {
      out += "  GROUP_DONE=0\n"
    } else {
      out += "  if " + doneChecks.joined(separator: " && ") + "; then GROUP_DONE=1; else GROUP_DONE=0; fi\n"
    }
    for (k, step) in steps.enumerated() {
      out += "  step \(group.number).\(k + 1) \(Self.q(step.title))\n"
      out += "  " + call(step, words) + "\n"
    }
    out += "}\n\n"
    return out
  }

  /// The script line that performs one step; `words` holds the volumes of its group.
  func call(_ step: Step, _ words: [Int: VolumeWords]) -> String {
    switch step.action {
    case .recordState, .stop, .recreateStatefulSet, .start, .verifyWorkload:
      guard let w = step.workload else { return ":" }
      return call(step.action, workload: plan.workloads[w])
    case .waitUnused:
      guard let group = plan.groups.first(where: { $0.number == step.group }) else { return ":" }
      let claims = group.volumes.compactMap { plan.volumes[$0].pvc?.key.name }
      return Self.skipIfDone + "wait_unused \(Self.q(group.namespace)) " + claims.map(Self.q).joined(separator: " ") + "; fi"
    case .applyStorageClass, .requireStorageClass, .checkVolume:
      return ":"
    case .retain, .waitDetached, .deleteClaim, .waitClaimGone, .deleteVolume, .waitVolumeGone, .applyVolume, .applyClaim,
      .waitBound, .verifyVolume:
      guard let v = step.volume.flatMap({ words[$0] }) else { return ":" }
      return call(step.action, volume: v)
    }
  }

  /// Skips a step that stops or records a workload when its group is migrated already.
  static let skipIfDone = "if [ \"$GROUP_DONE\" = 1 ]; then say \"  skipped: the group is migrated already\"; else "

  /// What the steps of a volume pass to the script's functions, quoted once for all of them.
  struct VolumeWords {
    let name, uid, handle: String
    /// The claim's namespace and name; empty (quoted) without a claim.
    let namespace, claim: String
    let hasClaim: Bool
    let manifest, claimManifest: String

    init(_ v: PlannedVolume) {
      name = Shell.quote(v.name)
      uid = Shell.quote(v.pv.uid)
      handle = Shell.quote(v.handle)
      namespace = Shell.quote(v.pvc?.key.namespace ?? "")
      claim = Shell.quote(v.pvc?.key.name ?? "")
      hasClaim = v.pvc != nil
      manifest = Shell.quote(PlanPaths.persistentVolume(v.name))
      claimManifest = v.pvc.map { Shell.quote(PlanPaths.claim($0.key)) } ?? ""
    }
  }

  private func call(_ action: Step.Action, volume v: VolumeWords) -> String {
    switch action {
    case .retain: return "retain \(v.name) \(v.uid) \(v.handle)"
    case .waitDetached: return "wait_detached \(v.name)"
    case .deleteClaim: return v.hasClaim ? "delete_pvc \(v.namespace) \(v.claim) \(v.name)" : ":"
    case .waitClaimGone: return v.hasClaim ? "wait_pvc_gone \(v.namespace) \(v.claim) \(v.name)" : ":"
    case .deleteVolume: return "delete_pv \(v.name) \(v.uid) \(v.handle)"
    case .waitVolumeGone: return "wait_pv_gone \(v.name)"
    case .applyVolume: return "apply_pv \(v.name) \(v.handle) \(v.manifest)"
    case .applyClaim: return v.hasClaim ? "apply_pvc \(v.namespace) \(v.claim) \(v.name) \(v.claimManifest)" : ":"
    case .waitBound: return v.hasClaim ? "wait_bound \(v.namespace) \(v.claim) \(v.name)" : ":"
    case .verifyVolume: return "verify_volume \(v.name) \(v.handle) \(v.namespace) \(v.claim)"
    default: return ":"
    }
  }

  private func call(_ action: Step.Action, workload w: PlannedWorkload) -> String {
    let q = Self.q, skipIfDone = Self.skipIfDone
    switch action {
    case .recordState:
      switch w.stop {
      case .scale: return skipIfDone + "record_replicas \(q(w.kubectlKind)) \(q(w.namespace)) \(q(w.name)) \(w.replicas ?? 1); fi"
      case .suspend: return skipIfDone + "record_suspend \(q(w.kubectlKind)) \(q(w.namespace)) \(q(w.name)); fi"
      case .deletePod: return skipIfDone + "save_pod \(q(w.namespace)) \(q(w.name)); fi"
      default: return ":"
      }
    case .stop:
      switch w.stop {
      case .scale: return skipIfDone + "scale_down \(q(w.kubectlKind)) \(q(w.namespace)) \(q(w.name)); fi"
      case .pauseDaemonSet: return skipIfDone + "pause_daemonset \(q(w.namespace)) \(q(w.name)); fi"
      case .suspend: return skipIfDone + "suspend \(q(w.kubectlKind)) \(q(w.namespace)) \(q(w.name)); fi"
      case .deletePod: return skipIfDone + "delete_pod \(q(w.namespace)) \(q(w.name)); fi"
      case .manual: return skipIfDone + "manual_stop \(q(w.kind)) \(q(w.namespace)) \(q(w.name)) " + w.claims.map(q).joined(separator: " ") + "; fi"
      }
    case .recreateStatefulSet:
      return "recreate_statefulset \(q(w.namespace)) \(q(w.name)) \(q(plan.statefulSetPatch(w))) "
        + w.templateChanges.map { "\($0.index) \(q($0.to))" }.joined(separator: " ")
    case .start:
      switch w.stop {
      case .scale: return "scale_up \(q(w.kubectlKind)) \(q(w.namespace)) \(q(w.name)) \(w.replicas ?? 1)"
      case .pauseDaemonSet: return "resume_daemonset \(q(w.namespace)) \(q(w.name))"
      case .suspend: return "resume \(q(w.kubectlKind)) \(q(w.namespace)) \(q(w.name))"
      case .deletePod: return "create_pod \(q(w.namespace)) \(q(w.name))"
      case .manual: return "manual_start \(q(w.kind)) \(q(w.namespace)) \(q(w.name))"
      }
    case .verifyWorkload:
      return w.kind == "Pod" ? "verify_pod \(q(w.namespace)) \(q(w.name))" : "verify_rollout \(q(w.kubectlKind)) \(q(w.namespace)) \(q(w.name))"
    default:
      return ":"
    }
  }

  func main() -> String {
    var out = "main() {\n"
    let migrate = plan.count(.migrate)
    out += "  say \"csi-migrate plan: \(migrate) volume(s) to migrate in \(plan.groups.count) group(s); \(plan.count(.blocked)) blocked (see RUNBOOK.md)\"\n"
    out += "  if [ \"$APPLY\" = 1 ]; then say \"mode: APPLY on context $CONTEXT\"; else say \"mode: dry run on context $CONTEXT (nothing is changed; --apply changes it)\"; fi\n"
    out += "  if [ -n \"$ONLY_GROUP\" ] && { [ \"$ONLY_GROUP\" -lt 1 ] || [ \"$ONLY_GROUP\" -gt \(plan.groups.count) ]; }; then die \"--group must be between 1 and \(plan.groups.count)\"; fi\n"
    out += "  preflight\n"
    for group in plan.groups {
      out += "  if [ -z \"$ONLY_GROUP\" ] || [ \"$ONLY_GROUP\" = \(group.number) ]; then group_\(group.number); fi\n"
    }
    out += "  CURRENT_STEP=\"\"\n"
    out += "  say \"\"\n"
    out += "  if [ \"$APPLY\" = 1 ]; then say \"done: every step of the plan is complete; finish with the final verification of RUNBOOK.md\"; else say \"dry run complete: run again with --apply to make these changes\"; fi\n"
    out += "}\n\nmain\n"
    return out
  }

  static func prelude(_ plan: Plan) -> String {
    let header = """
      #!/usr/bin/env bash
      # migrate.sh: written by csi-migrate \(plan.toolVersion); runs RUNBOOK.md step by step (same numbers).
      #
      #   ./migrate.sh --context NAME            dry run: reads the cluster, prints what it would change
      #   ./migrate.sh --context NAME --apply    makes the changes
      #   options: --group N (preflight and group N only), --timeout SECONDS (each wait, default 600)
      #
      # Every step checks the cluster first and skips what is done: after a failure, fix the cause and
      # run the same command again. It stops at the first failure. Nothing is deleted unless the
      # PersistentVolume is Retain and is the one the plan was made from (same uid).
      # Needs bash and kubectl (1.23 or later, for `kubectl wait --for=jsonpath`).

      """
    return header + #"""
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
        k patch --local -f "$file" --type=json -p \#(Shell.quote(Plan.creatablePatch())) -o yaml >"$file.new"
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


      """#
  }
}
