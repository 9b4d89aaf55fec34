/// One thing the operator (or migrate.sh) does, in order: the command, what to expect, and how
/// to undo it. The runbook, the script and plan.json are all rendered from the same steps, so
/// their order cannot disagree.
public struct Step: Sendable {
  public enum Action: String, Sendable, CaseIterable {
    // Preflight.
    case applyStorageClass = "apply-storageclass"
    case requireStorageClass = "require-storageclass"
    case checkVolume = "check-volume"
    // Per group.
    case retain
    case recordState = "record-state"
    case stop
    case waitUnused = "wait-claims-unused"
    case waitDetached = "wait-detached"
    case deleteClaim = "delete-pvc"
    case waitClaimGone = "wait-pvc-gone"
    case deleteVolume = "delete-pv"
    case waitVolumeGone = "wait-pv-gone"
    case applyVolume = "apply-pv"
    case applyClaim = "apply-pvc"
    case waitBound = "wait-bound"
    case recreateStatefulSet = "recreate-statefulset"
    case start
    case verifyVolume = "verify-volume"
    case verifyWorkload = "verify-workload"

    /// Steps that delete something.
    public var deletes: Bool { self == .deleteClaim || self == .deleteVolume }
  }

  public var action: Action
  /// Group number (1-based); 0 for preflight.
  public var group: Int
  /// Index into `Plan.volumes`.
  public var volume: Int?
  /// Index into `Plan.workloads`.
  public var workload: Int?
  /// Index into `Plan.classes`.
  public var storageClass: Int?
  public var title: String
  public var commands: [String]
  public var expect: String
  public var rollback: [String]
}

extension Plan {
  static let timeout = "10m"

  /// The preflight steps about storage classes (the first preflight steps).
  public func classSteps() -> [Step] {
    var steps: [Step] = []
    for (i, c) in classes.enumerated() where c.action == .create {
      guard let target = c.target, let path = c.manifestPath else { continue }
      steps.append(Step(
        action: .applyStorageClass, group: 0, storageClass: i, title: "Create StorageClass \(target) (replaces \(c.name))",
        commands: [Shell.command(["kubectl", "apply", "-f", path])],
        expect: "`kubectl get sc \(target)` shows provisioner \(c.driver)",
        rollback: [Shell.command(["kubectl", "delete", "sc", target]) + "  # only while no claim uses it"]))
    }
    for (name, driver) in requiredClasses {
      steps.append(Step(
        action: .requireStorageClass, group: 0, title: "Check that StorageClass \(name) exists",
        commands: [Shell.command(["kubectl", "get", "sc", name, "-o", "jsonpath={.provisioner}"])],
        expect: "prints \(driver) (AKS creates its CSI built-ins when the CSI drivers are enabled: `az aks update --enable-disk-driver --enable-file-driver`)",
        rollback: []))
    }
    return steps
  }

  /// The preflight identity check of volume `i` (nil when it does not migrate): the preflight
  /// steps after `classSteps()`, one per migrating volume in order. Made one at a time, so that
  /// a renderer never holds them all.
  public func checkStep(_ i: Int, _ v: VolumeSummary) -> Step? {
    guard v.action == .migrate else { return nil }
    return Step(
      action: .checkVolume, group: 0, volume: i, title: "Check that PersistentVolume \(v.name) is the one in the plan",
      commands: [Shell.command(["kubectl", "get", "pv", v.name, "-o", "jsonpath={.metadata.uid} {.spec.persistentVolumeReclaimPolicy}{\"\\n\"}"])],
      expect: "uid \(v.uid.isEmpty ? "(none in the dump)" : v.uid) (a different uid means the cluster changed since the dump, or this is another cluster: stop and plan again)",
      rollback: [])
  }

  /// The steps of one group, in the order they must run.
  public func steps(ofGroup g: Int) -> [Step] { steps(ofGroup: g, detail: true) }

  /// The steps of one group; without `detail`, only their action, indices and title (commands,
  /// expect and rollback left empty), for renderers that need no more (migrate.sh).
  func steps(ofGroup g: Int, detail: Bool) -> [Step] {
    let group = groups[g]
    let n = group.number
    var steps: [Step] = []
    steps.reserveCapacity(2 + 12 * group.volumes.count + 6 * group.workloads.count)
    func add(
      _ action: Step.Action, volume: Int? = nil, workload: Int? = nil, _ title: String, _ commands: @autoclosure () -> [String],
      expect: @autoclosure () -> String, rollback: @autoclosure () -> [String]
    ) {
      steps.append(Step(
        action: action, group: n, volume: volume, workload: workload, title: title, commands: detail ? commands() : [],
        expect: detail ? expect() : "", rollback: detail ? rollback() : []))
    }

    // What the steps need of each volume, read once (a `PlannedVolume` copy retains every field).
    let members = group.volumes.map { StepVolume(volumes[$0]) }
    // 1. Retain, before anything can delete. The command comes back in every volume restore
    // (step 4): kept by position in `group.volumes`.
    var retains: [String] = []
    if detail { retains.reserveCapacity(group.volumes.count) }
    for (position, i) in group.volumes.enumerated() {
      let v = members[position]
      let original = v.reclaimPolicy ?? "Delete"
      let retain = detail ? Self.retain(v.name) : ""
      if detail { retains.append(retain) }
      add(.retain, volume: i, "Protect \(v.name): reclaim policy Retain",
        [retain],
        expect: "`kubectl get pv \(v.name) -o jsonpath='{.spec.persistentVolumeReclaimPolicy}'` prints Retain; deleting the claim or the volume now leaves the \(v.isDisk ? "disk" : "share") in Azure",
        rollback: original == "Retain" ? Self.retainAlready : [
          Shell.line("Keep Retain until the migration is verified or fully rolled back; only then, if wanted: kubectl patch pv \(word: v.name) -p \(word: #"{"spec":{"persistentVolumeReclaimPolicy":""#, original, #""}}"#)")
        ])
    }
    // 2. Stop the workloads.
    for wi in group.workloads {
      let w = workloads[wi]
      if let record = recordStep(w) { add(.recordState, workload: wi, record.title, record.commands, expect: record.expect, rollback: []) }
      let stop = stopStep(w)
      add(.stop, workload: wi, stop.title, stop.commands, expect: stop.expect, rollback: stop.rollback)
    }
    // 3. Nothing may use the claims any more.
    let claims = members.compactMap { $0.claim?.name }
    if !group.workloads.isEmpty && !claims.isEmpty {
      var commands: [String] = []
      let pods = detail ? group.workloads.flatMap { workloads[$0].pods } : []
      for pod in pods {
        commands.append(Shell.line("kubectl -n \(word: group.namespace) wait --for=delete \(word: "pod/", pod) \(word: "--timeout=", Self.timeout)"))
      }
      if detail {
        commands.append(
          Shell.command(["kubectl", "-n", group.namespace, "get", "pods", "-o", #"jsonpath={range .items[*]}{.metadata.name}{" "}{.spec.volumes[*].persistentVolumeClaim.claimName}{"\n"}{end}"#])
            + " | grep -wE " + Shell.quote(claims.joined(separator: "|")))
      }
      add(.waitUnused, "Wait until no pod uses \(claims.joined(separator: ", "))", commands,
        expect: "the `grep` prints nothing (`kubectl wait` on a pod that is already gone reports NotFound: fine)",
        rollback: Self.startAgain)
    }
    // 4. Per volume: detach, delete old claim and volume, create the CSI ones.
    for (position, i) in group.volumes.enumerated() {
      let v = members[position]
      // The lines several steps share (the restores, deleting the new objects), made once.
      let lines = detail ? VolumeLines(name: v.name, claim: v.claim, retain: retains[position]) : nil
      let restoreVolume = lines?.restoreVolume ?? []
      if v.isDisk {
        add(.waitDetached, volume: i, "Wait until disk \(lastSegment(v.handle)) is detached",
          [
            Shell.line("\(Self.listAttachments) | grep -w \(word: v.name)"),
            Shell.line("az disk show --ids \(word: v.handle) --query diskState -o tsv  # optional"),
          ],
          expect: "the `grep` prints nothing; `az` prints Unattached (Reserved or Attached: wait; a disk stuck Attached for more than 10 minutes needs `kubectl describe volumeattachment`)",
          rollback: Self.nothingChanged)
      }
      if let key = v.claim {
        let ns = key.namespace, claim = key.name
        let restoreClaim = lines?.restoreClaim ?? []
        add(.deleteClaim, volume: i, "Delete the old claim \(key.display)",
          [Shell.line("kubectl -n \(word: ns) delete pvc \(word: claim) --wait=false")],
          expect: "`persistentvolumeclaim \"\(claim)\" deleted`; PersistentVolume \(v.name) turns Released and stays (Retain)",
          rollback: restoreClaim)
        add(.waitClaimGone, volume: i, "Wait until claim \(key.display) is gone",
          [Shell.line("kubectl -n \(word: ns) wait --for=delete \(word: "pvc/", claim) \(word: "--timeout=", Self.timeout)")],
          expect: "`condition met` (or NotFound). Stuck in Terminating means a pod still uses it: `kubectl -n \(ns) describe pvc \(claim)`",
          rollback: restoreClaim)
      }
      add(.deleteVolume, volume: i, "Delete the old in-tree PersistentVolume \(v.name)",
        [Shell.line("kubectl delete pv \(word: v.name) --wait=false")],
        expect: "`persistentvolume \"\(v.name)\" deleted`; the \(v.isDisk ? "disk" : "share") stays in Azure (Retain)",
        rollback: restoreVolume)
      add(.waitVolumeGone, volume: i, "Wait until PersistentVolume \(v.name) is gone",
        [Shell.line("kubectl wait --for=delete \(word: "pv/", v.name) \(word: "--timeout=", Self.timeout)")],
        expect: "`condition met` (or NotFound). A finalizer `external-attacher/...` that stays means the disk is still attached somewhere",
        rollback: restoreVolume)
      add(.applyVolume, volume: i, "Create the CSI PersistentVolume \(v.name)",
        [Shell.line("kubectl apply -f \(word: PlanPaths.persistentVolume(v.name))")],
        expect: "`persistentvolume/\(v.name) created`; `kubectl get pv \(v.name)` shows \(v.claim == nil ? "Available" : "Available, then Bound once the claim exists")",
        rollback: lines.map { [$0.deleteVolume] + restoreVolume } ?? [])
      if let key = v.claim {
        let claim = key.name
        // Both steps undo the same way.
        let rollback = lines.flatMap { l in l.claim.map { [$0.delete, l.deleteVolume] + restoreVolume } } ?? []
        add(.applyClaim, volume: i, "Create the claim \(key.display) again, bound to \(v.name)",
          [Shell.line("kubectl apply -f \(word: PlanPaths.claim(key))")],
          expect: "`persistentvolumeclaim/\(claim) created`",
          rollback: rollback)
        add(.waitBound, volume: i, "Wait until claim \(key.display) is Bound",
          [lines?.claim?.waitBound ?? ""],
          expect: "`condition met`; `kubectl get pv \(v.name) -o jsonpath='{.spec.csi.driver}'` prints \(v.driver)",
          rollback: rollback)
      }
    }
    // 5. StatefulSets whose templates name an in-tree class.
    for wi in group.workloads where !workloads[wi].templateChanges.isEmpty {
      let w = workloads[wi]
      let saved = savedStatefulSet(w)
      let patched = "state/statefulset.\(w.namespace).\(w.name).csi.yaml"
      let classes = w.templateChanges.map { "\($0.name) → \($0.to)" }.joined(separator: ", ")
      add(.recreateStatefulSet, workload: wi, "Recreate StatefulSet \(w.namespace)/\(w.name) with CSI classes in its claim templates (\(classes))",
        [
          Shell.command(["mkdir", "-p", "state"]),
          // The first copy is the one to keep: run again (after a failure, or after a create
          // whose answer was lost), `get` would save the StatefulSet without it or with the CSI
          // classes. Through a new file, so that a failed `get` leaves no empty copy.
          Shell.command(["test", "-s", saved]) + " || { "
            + Shell.command(["kubectl", "-n", w.namespace, "get", "statefulset", w.name, "-o", "yaml"]) + " > " + Shell.quote(saved + ".new")
            + " && " + Shell.command(["mv", saved + ".new", saved]) + "; }",
          replaceStatefulSet(w, from: saved, patch: statefulSetPatch(w), through: patched),
        ],
        expect: "claim templates are immutable, so the StatefulSet is deleted without its pods (--cascade=orphan) and created again; `kubectl -n \(w.namespace) get sts \(w.name) -o jsonpath='{.spec.volumeClaimTemplates[*].spec.storageClassName}'` prints the CSI classes. Update the source of the StatefulSet (Helm values, GitOps repository) to the same classes, or the next deployment fails or reverts. Run again, the step keeps the copy it saved the first time (the StatefulSet as it was, at 0 replicas), and deletes nothing if the patch fails (the claim templates are not what the dump showed)",
        rollback: restoreStatefulSet(w))
    }
    // 6. Start again, 7. verify.
    for wi in group.workloads {
      let w = workloads[wi]
      if let start = startStep(w) { add(.start, workload: wi, start.title, start.commands, expect: start.expect, rollback: start.rollback) }
    }
    for (position, i) in group.volumes.enumerated() {
      let v = members[position]
      add(.verifyVolume, volume: i, "Verify \(v.name)",
        [Shell.line("kubectl get pv \(word: v.name) -o \(Self.verifyJSONPath)")],
        expect: "`\(v.driver) \(v.handle) \(v.claim == nil ? "Available" : "Bound")`",
        rollback: v.claim == nil ? [] : Self.fullRollback)
    }
    for wi in group.workloads {
      let w = workloads[wi]
      if let verify = verifyStep(w) {
        add(.verifyWorkload, workload: wi, verify.title, verify.commands, expect: verify.expect, rollback: [])
      }
    }
    return steps
  }

  func restoreClaim(_ v: PlannedVolume) -> [String] { VolumeLines(name: v.name, claim: v.pvc?.key, retain: nil).restoreClaim }

  func restoreVolume(_ v: PlannedVolume) -> [String] { VolumeLines(name: v.name, claim: v.pvc?.key, retain: nil).restoreVolume }

  /// The fields of a `PlannedVolume` its group steps use.
  struct StepVolume {
    var name: String
    var isDisk: Bool
    var handle: String
    var reclaimPolicy: String?
    var claim: ClaimKey?

    init(_ v: PlannedVolume) {
      name = v.name
      isDisk = v.isDisk
      handle = v.handle
      reclaimPolicy = v.pv.reclaimPolicy
      claim = v.pvc?.key
    }

    var driver: String { isDisk ? Drivers.csiDisk : Drivers.csiFile }
  }

  /// The command lines about one volume that several of its steps share.
  struct VolumeLines {
    /// `kubectl delete pv`, the first rollback line of the steps that create the CSI objects.
    var deleteVolume: String
    var restoreVolume: [String]
    var restoreClaim: [String]
    var claim: ClaimLines?

    struct ClaimLines {
      /// `kubectl delete pvc`.
      var delete: String
      /// `kubectl wait` until the claim is Bound: the wait-bound step and the end of both restores.
      var waitBound: String
    }

    /// Lines of PersistentVolume `volume` and its claim `key`; `retain` is `Plan.retain(volume)`
    /// when already made.
    init(name volume: String, claim key: ClaimKey?, retain: String?) {
      deleteVolume = Shell.line("kubectl delete pv \(word: volume)")
      restoreVolume = [
        Shell.line("kubectl apply -f \(word: PlanPaths.backupPersistentVolume(volume))  # the in-tree volume again (claimRef without uid)"),
        retain ?? Plan.retain(volume),
      ]
      guard let key else {
        restoreClaim = []
        return
      }
      let ns = key.namespace, name = key.name
      let apply = Shell.line("kubectl apply -f \(word: PlanPaths.backupClaim(key))")
      let waitBound = Shell.line(
        "kubectl -n \(word: ns) wait \(word: "--for=jsonpath={.status.phase}=Bound") \(word: "pvc/", name) \(word: "--timeout=", Plan.timeout)")
      claim = ClaimLines(delete: Shell.line("kubectl -n \(word: ns) delete pvc \(word: name)"), waitBound: waitBound)
      restoreVolume.append(apply)
      restoreVolume.append(waitBound)
      restoreClaim = [
        Shell.line("kubectl patch pv \(word: volume) --type=json -p \(Plan.unbindPatch)  # lets the old volume bind a new claim"),
        apply, waitBound,
      ]
    }
  }

  /// Shared rollback texts (one array each, not one per step).
  static let retainAlready = ["Nothing to undo (it was Retain already)."]
  static let startAgain = ["Start the workloads again (rollback of the stop steps above)."]
  static let nothingChanged = ["Nothing changed yet: start the workloads again."]
  static let fullRollback = ["Full rollback of this volume: stop the workloads, then run the rollback of \"Create the claim\" above."]

  /// Words of the per-volume commands that need quotes, quoted once.
  static let listAttachments = Shell.command([
    "kubectl", "get", "volumeattachment", "-o",
    "custom-columns=NAME:.metadata.name,PV:.spec.source.persistentVolumeName,NODE:.spec.nodeName,ATTACHED:.status.attached",
  ])
  static let verifyJSONPath = Shell.quote(#"jsonpath={.spec.csi.driver} {.spec.csi.volumeHandle} {.status.phase}{"\n"}"#)
  static let unbindPatch = Shell.quote(#"[{"op":"remove","path":"/spec/claimRef/uid"},{"op":"remove","path":"/spec/claimRef/resourceVersion"}]"#)
  static let retainPatch = Shell.quote(#"{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}"#)

  /// Where the recreate-statefulset step keeps the StatefulSet as it was before (scaled to 0):
  /// the same file migrate.sh keeps, so a rollback finds the copy whichever made it.
  public func savedStatefulSet(_ w: PlannedWorkload) -> String {
    "state/statefulset.\(w.namespace).\(w.name).yaml"
  }

  /// Puts back the StatefulSet the recreate-statefulset step replaced, from its saved copy: the
  /// rollback of that step and part of the group's rollback. One chain that does nothing without
  /// a copy (the step never ran, or its `kubectl get` failed) and deletes nothing unless the copy
  /// is ready to be created; the StatefulSet may be gone already (the step failed between delete
  /// and create). The copy was taken at 0 replicas, so creating it starts no pod.
  public func restoreStatefulSet(_ w: PlannedWorkload) -> [String] {
    let saved = savedStatefulSet(w)
    let restored = "state/statefulset.\(w.namespace).\(w.name).restore.yaml"
    return [
      Shell.command(["test", "-s", saved]) + " && "
        + replaceStatefulSet(w, from: saved, patch: Self.creatablePatch(), through: restored)
    ]
  }

  /// The command that sets PersistentVolume `name`'s reclaim policy to Retain.
  static func retain(_ name: String) -> String {
    Shell.line("kubectl patch pv \(word: name) -p \(retainPatch)")
  }

  /// Replaces StatefulSet `w` (its pods stay) by `source` with `patch` applied, written to `file`
  /// first: one chain, so nothing is deleted unless the object to create is ready.
  func replaceStatefulSet(_ w: PlannedWorkload, from source: String, patch: String, through file: String) -> String {
    Shell.command(["kubectl", "patch", "--local", "-f", source, "--type=json", "-p", patch, "-o", "yaml"]) + " > " + Shell.quote(file)
      + " && " + Shell.command(["kubectl", "-n", w.namespace, "delete", "statefulset", w.name, "--cascade=orphan", "--ignore-not-found"])
      + " && " + Shell.command(["kubectl", "create", "-f", file])
  }

  /// A JSON patch of `ops` that also makes a saved object creatable again: without its
  /// resourceVersion, uid and status.
  public static func creatablePatch(_ ops: [String] = []) -> String {
    let creatable = [
      #"{"op":"remove","path":"/metadata/resourceVersion"}"#, #"{"op":"remove","path":"/metadata/uid"}"#,
      #"{"op":"remove","path":"/status"}"#,
    ]
    return "[" + (ops + creatable).joined(separator: ",") + "]"
  }

  /// The JSON patch that moves a StatefulSet's claim templates to CSI classes and makes the
  /// saved object creatable again.
  public func statefulSetPatch(_ w: PlannedWorkload) -> String {
    var ops: [String] = []
    for c in w.templateChanges {
      ops.append(#"{"op":"test","path":"/spec/volumeClaimTemplates/\#(c.index)/metadata/name","value":"\#(c.name)"}"#)
      ops.append(#"{"op":"add","path":"/spec/volumeClaimTemplates/\#(c.index)/spec/storageClassName","value":"\#(c.to)"}"#)
    }
    return Self.creatablePatch(ops)
  }

  struct StepText {
    var title: String
    var commands: [String]
    var expect: String
    var rollback: [String] = []
  }

  func recordStep(_ w: PlannedWorkload) -> StepText? {
    switch w.stop {
    case .scale:
      return StepText(
        title: "Record the replicas of \(w.kind) \(w.namespace)/\(w.name)",
        commands: [Shell.command(["kubectl", "-n", w.namespace, "get", w.kubectlKind, w.name, "-o", "jsonpath={.spec.replicas}{\"\\n\"}"])],
        expect: "a number; write it down (the dump says \(w.replicas.map(String.init) ?? "nothing")); it is the count to scale back to")
    case .suspend:
      return StepText(
        title: "Record whether \(w.kind) \(w.namespace)/\(w.name) is suspended",
        commands: [Shell.command(["kubectl", "-n", w.namespace, "get", w.kubectlKind, w.name, "-o", "jsonpath={.spec.suspend}{\"\\n\"}"])],
        expect: "true, false or nothing (= false); restore this value at the end")
    case .deletePod:
      return StepText(
        title: "Save bare Pod \(w.namespace)/\(w.name)",
        commands: [Shell.command(["kubectl", "-n", w.namespace, "get", "pod", w.name, "-o", "yaml"]) + " > " + Shell.quote("pod-\(w.namespace).\(w.name).yaml")],
        expect: "the file holds the pod; no controller recreates a bare pod, so this copy is how it comes back")
    case .pauseDaemonSet, .manual:
      return nil
    }
  }

  func stopStep(_ w: PlannedWorkload) -> StepText {
    let ns = w.namespace
    switch w.stop {
    case .scale:
      return StepText(
        title: "Stop \(w.kind) \(ns)/\(w.name): scale to 0",
        commands: [Shell.command(["kubectl", "-n", ns, "scale", "\(w.kubectlKind)/\(w.name)", "--replicas=0"])],
        expect: "`\(w.kubectlKind).apps/\(w.name) scaled`; its pods terminate",
        rollback: [Shell.command(["kubectl", "-n", ns, "scale", "\(w.kubectlKind)/\(w.name)", "--replicas=\(w.replicas ?? 1)"]) + "  # the recorded count"])
    case .pauseDaemonSet:
      return StepText(
        title: "Stop DaemonSet \(ns)/\(w.name): a nodeSelector no node has",
        commands: [Shell.command(["kubectl", "-n", ns, "patch", "daemonset", w.name, "-p", #"{"spec":{"template":{"spec":{"nodeSelector":{"csi-migrate/paused":"true"}}}}}"#])],
        expect: "its pods terminate on every node (no node carries the label csi-migrate/paused)",
        rollback: [Shell.command(["kubectl", "-n", ns, "patch", "daemonset", w.name, "--type=json", "-p", #"[{"op":"remove","path":"/spec/template/spec/nodeSelector/csi-migrate~1paused"}]"#])])
    case .suspend:
      let running = w.kind == "CronJob" ? "; Jobs already running go on: wait for them or delete them (`kubectl -n \(ns) get jobs`)" : "; its running pods are deleted"
      return StepText(
        title: "Stop \(w.kind) \(ns)/\(w.name): suspend",
        commands: [Shell.command(["kubectl", "-n", ns, "patch", w.kubectlKind, w.name, "-p", #"{"spec":{"suspend":true}}"#])],
        expect: "no new pods start\(running)",
        rollback: [Shell.command(["kubectl", "-n", ns, "patch", w.kubectlKind, w.name, "-p", #"{"spec":{"suspend":false}}"#]) + "  # or the recorded value"])
    case .deletePod:
      return StepText(
        title: "Stop bare Pod \(ns)/\(w.name): delete it (saved above)",
        commands: [Shell.command(["kubectl", "-n", ns, "delete", "pod", w.name])],
        expect: "`pod \"\(w.name)\" deleted`",
        rollback: recreatePod(w))
    case .manual:
      return StepText(
        title: "Stop \(w.kind) \(ns)/\(w.name) by hand",
        commands: ["# \(w.kind) is not a controller csi-migrate knows: stop it so that no pod uses \(w.claims.joined(separator: ", "))"],
        expect: "no pod of \(w.name) runs",
        rollback: ["Start it again the same way."])
    }
  }

  func recreatePod(_ w: PlannedWorkload) -> [String] {
    let file = "pod-\(w.namespace).\(w.name).yaml"
    return [
      Shell.command(["kubectl", "patch", "--local", "-f", file, "--type=json", "-p", Self.creatablePatch(), "-o", "yaml"]) + " | kubectl create -f -"
    ]
  }

  func startStep(_ w: PlannedWorkload) -> StepText? {
    let ns = w.namespace
    switch w.stop {
    case .scale:
      return StepText(
        title: "Start \(w.kind) \(ns)/\(w.name) again",
        commands: [Shell.command(["kubectl", "-n", ns, "scale", "\(w.kubectlKind)/\(w.name)", "--replicas=\(w.replicas ?? 1)"]) + "  # the recorded count"],
        expect: "pods start and mount the CSI volumes",
        rollback: [Shell.command(["kubectl", "-n", ns, "scale", "\(w.kubectlKind)/\(w.name)", "--replicas=0"])])
    case .pauseDaemonSet:
      return StepText(
        title: "Start DaemonSet \(ns)/\(w.name) again",
        commands: [Shell.command(["kubectl", "-n", ns, "patch", "daemonset", w.name, "--type=json", "-p", #"[{"op":"remove","path":"/spec/template/spec/nodeSelector/csi-migrate~1paused"}]"#])],
        expect: "its pods start on every node again")
    case .suspend:
      return StepText(
        title: "Resume \(w.kind) \(ns)/\(w.name)",
        commands: [Shell.command(["kubectl", "-n", ns, "patch", w.kubectlKind, w.name, "-p", #"{"spec":{"suspend":false}}"#]) + "  # or the recorded value"],
        expect: "the next schedule (CronJob) or the remaining completions (Job) run")
    case .deletePod:
      return StepText(
        title: "Create bare Pod \(ns)/\(w.name) again",
        commands: recreatePod(w),
        expect: "`pod/\(w.name) created`; it mounts the CSI volumes")
    case .manual:
      return StepText(
        title: "Start \(w.kind) \(ns)/\(w.name) again by hand", commands: ["# start it the way its controller expects"],
        expect: "its pods run")
    }
  }

  func verifyStep(_ w: PlannedWorkload) -> StepText? {
    switch w.kind {
    case "Deployment", "StatefulSet", "DaemonSet":
      return StepText(
        title: "Verify \(w.kind) \(w.namespace)/\(w.name)",
        commands: [Shell.command(["kubectl", "-n", w.namespace, "rollout", "status", "\(w.kubectlKind)/\(w.name)", "--timeout=\(Self.timeout)"])],
        expect: "`successfully rolled out`; then check the application itself (logs, a read of known data)")
    case "Pod":
      return StepText(
        title: "Verify Pod \(w.namespace)/\(w.name)",
        commands: [Shell.command(["kubectl", "-n", w.namespace, "wait", "--for=condition=Ready", "pod/\(w.name)", "--timeout=\(Self.timeout)"])],
        expect: "`condition met`")
    default:
      return nil
    }
  }
}

/// `lastPathComponent(uri)`, by bytes when `uri` is ASCII (there, bytes and Characters split
/// alike); otherwise by that function.
private func lastSegment(_ uri: String) -> String {
  let bytes = uri.utf8
  let ascii = bytes.withContiguousStorageIfAvailable { buffer in buffer.reduce(0, |) < 0x80 } ?? bytes.allSatisfy { $0 < 0x80 }
  guard ascii else { return lastPathComponent(uri) }
  var end = bytes.endIndex
  while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "/") { end = bytes.index(before: end) }
  var start = end
  while start > bytes.startIndex, bytes[bytes.index(before: start)] != UInt8(ascii: "/") { start = bytes.index(before: start) }
  // Only slashes, or nothing: `split` finds no segment.
  guard start < end else { return uri }
  return String(Substring(bytes[start..<end]))
}
