import YAMLStream

/// RUNBOOK.md: the plan as a checklist a platform engineer follows (or hands to a colleague):
/// preflight, then per group every step with its command, what to expect and how to undo it,
/// then blocked and inline volumes, final verification and cleanup. Written in pieces.
public struct RunbookRenderer {
  public let plan: Plan
  public init(plan: Plan) { self.plan = plan }

  /// What comes before the groups: summary and preflight.
  public func head(_ write: (String) throws -> Void) throws {
    try header(write)
    try preflight(write)
  }

  /// What comes after the groups: blocked and inline volumes, final verification.
  public func tail(_ write: (String) throws -> Void) throws {
    try blocked(write)
    try inline(write)
    try final(write)
  }

  func header(_ write: (String) throws -> Void) throws {
    let migrate = plan.volumes.indices(.migrate)
    let disks = migrate.filter(plan.volumes.isDisk).count
    var out = "# Migration runbook: in-tree Azure volumes to CSI\n\n"
    out += "Made by csi-migrate \(plan.toolVersion) from \(plan.inputs.map { "`\($0)`" }.joined(separator: ", ")), "
    out += "offline: nothing was read from the cluster. Strategy **static, same names**: every volume keeps its Azure disk or file share, "
    out += "its PersistentVolume name and its claim name; only the volume source changes from the in-tree plugin to the CSI driver "
    out += "(`\(Drivers.csiDisk)`, `\(Drivers.csiFile)`). Workloads keep working without edits because no name changes.\n\n"
    if !plan.namespaces.isEmpty {
      out += "Only claims in the namespaces \(plan.namespaces.map { "`\($0)`" }.joined(separator: ", ")) are planned (`-n`).\n\n"
    }
    out += "| | |\n|---|---|\n"
    out += "| Volumes to migrate | \(migrate.count) (\(disks) disks, \(migrate.count - disks) file shares) |\n"
    out += "| Groups (workloads stopped together) | \(plan.groups.count) |\n"
    out += "| Blocked volumes (by hand, see [Blocked volumes](#blocked-volumes)) | \(plan.count(.blocked)) |\n"
    if plan.count(.skipped) > 0 { out += "| Volumes outside the selected namespaces | \(plan.count(.skipped)) |\n" }
    out += "| StorageClasses to create | \(plan.createdClasses.count) |\n"
    out += "| Inline volumes to edit by hand | \(plan.inline.count) |\n\n"
    out += """
      ## How to use this runbook

      - Work from the plan directory: commands refer to `manifests/` and `backup/` by relative path.
      - Do the steps in order and tick them off. Each step gives the command, what you should see (**Expect**) \
      and how to undo it (**Rollback**). A group is one unit: its workloads are stopped once, all its volumes \
      migrate, then the workloads start again.
      - `./migrate.sh --context <kube-context>` does the same, step by step, with the same numbers. Without \
      `--apply` it only reads the cluster and prints what it would do. With `--apply` it checks the cluster before \
      every step and skips what is done, so after a failure you fix the cause and run the same command again. \
      `--group N` runs the preflight and group N only. It keeps what it records (replica counts, saved objects) in `state/`.
      - Safety rules the plan never breaks: nothing is deleted before its PersistentVolume is `Retain`; a disk keeps its \
      URI (`volumeHandle` = the old `diskURI`, verbatim); every Azure Files `volumeHandle` is unique; no secret value is \
      read or written. `backup/` holds the original objects (as in the dump, cleaned for `kubectl apply`) for rollback.
      - The plan is only as fresh as the dump. If the cluster changed (volumes added, claims recreated), dump and plan again: \
      the identity checks of the preflight and of the script stop on a volume whose uid differs from the dump.


      """
    try write(out)
  }

  /// One step as a checklist item, appended to `out` piece by piece (a runbook has hundreds of
  /// thousands of them).
  func stepBlock(_ id: String, _ step: Step, into out: inout String) {
    out += "- [ ] **"
    out += id
    out += " "
    out += Markdown.inline(step.title)
    out += "**\n\n  ```sh\n"
    for c in step.commands {
      out += "  "
      out += c
      out += "\n"
    }
    out += "  ```\n\n  Expect: "
    out += step.expect
    out += ".\n"
    if !step.rollback.isEmpty {
      // Rollbacks are commands, or prose (which a lone entry is written as).
      func isCommand(_ r: String) -> Bool { r.hasPrefix("kubectl") || r.hasPrefix("az ") || r.hasPrefix("test ") }
      if step.rollback.count == 1 && !isCommand(step.rollback[0]) {
        out += "  Rollback: "
        out += step.rollback[0]
        out += "\n"
      } else {
        out += "  Rollback:\n\n  ```sh\n"
        for r in step.rollback {
          out += isCommand(r) ? "  " : "  # "
          out += r
          out += "\n"
        }
        out += "  ```\n"
      }
    }
    out += "\n"
  }

  func preflight(_ write: (String) throws -> Void) throws {
    var out = "## Preflight\n\n"
    var n = 0
    // Lists grow with the number of volumes: hand them out in pieces.
    func flushIfLarge() throws { try ChunkedText.flushIfFull(&out, write) }
    func itemStart(_ title: String) {
      n += 1
      out += "- [ ] **P.\(n) \(title)**\n\n"
    }
    func item(_ title: String, _ commands: [String], _ expect: String) {
      itemStart(title)
      if !commands.isEmpty {
        out += "  ```sh\n"
        for c in commands { out += "  \(c)\n" }
        out += "  ```\n\n"
      }
      out += "  \(expect)\n\n"
    }
    item("The right cluster", ["kubectl config current-context", "kubectl cluster-info"],
      "Expect: the context and API server of the cluster the dump came from. Every later command uses the current context; `migrate.sh` needs it named with `--context`.")
    let volumes = plan.volumes
    let migrating = volumes.indices(.migrate)
    let anyDisk = migrating.contains(where: volumes.isDisk)
    var drivers: [String] = []
    if anyDisk { drivers.append(Drivers.csiDisk) }
    if migrating.contains(where: { !volumes.isDisk($0) }) { drivers.append(Drivers.csiFile) }
    if !drivers.isEmpty {
      item("The CSI drivers are installed", [Shell.command(["kubectl", "get", "csidriver"] + drivers)],
        "Expect: \(drivers.joined(separator: " and ")) listed. On AKS: `az aks update -n <cluster> -g <rg> --enable-disk-driver --enable-file-driver`.")
    }
    // One identity check per migrating volume (the preflight steps after the class steps).
    if !migrating.isEmpty {
      n += 1
      out += "- [ ] **P.\(n) Every volume is the one in the plan, before anything changes**\n\n"
      out += "  ```sh\n  kubectl get pv -o custom-columns=NAME:.metadata.name,UID:.metadata.uid,POLICY:.spec.persistentVolumeReclaimPolicy,STATUS:.status.phase\n  ```\n\n"
      out += "  Expect: each volume below with the same uid. A different uid means the cluster changed since the dump, or this is another cluster: stop, dump and plan again.\n\n"
      out += "  | PersistentVolume | uid in the dump | policy in the dump |\n  |---|---|---|\n"
      try volumes.forEachSummary(where: { volumes.action($0) == .migrate }) { _, v in
        out += "  | `\(v.name)` | `\(v.uid)` | \(v.reclaimPolicy ?? "—") |\n"
        try flushIfLarge()
      }
      out += "\n"
    }
    let namespaces = Set(plan.groups.flatMap { g in g.workloads.map { plan.workloads[$0].namespace } }).sorted()
    item("Freeze changes", [],
      "Pause whatever deploys to \(namespaces.isEmpty ? "the cluster" : namespaces.map { "`\($0)`" }.joined(separator: ", ")) (Argo CD or Flux sync, Helm upgrades, CI jobs) and any autoscaler that could scale a stopped workload up: a claim recreated by them with the old class would get an empty new disk.")
    item("Back up the live objects", ["kubectl get pv,pvc,sc -A -o yaml > live-before-migration.yaml"],
      "`backup/` holds the objects as the dump had them; this file holds them as they are now.")
    let disks = migrating.filter(volumes.isDisk)
    if anyDisk {
      itemStart("Optional: a snapshot of every disk")
      out += "  ```sh\n"
      try volumes.forEachSummary(where: { volumes.action($0) == .migrate && volumes.isDisk($0) }) { _, v in
        let rg = resourceGroup(of: v.handle) ?? "<resource-group>"
        let name = String(lastPathComponent(v.handle).prefix(60))
        out += "  " + Shell.command(["az", "snapshot", "create", "--resource-group", rg, "--name", "\(name)-pre-csi", "--source", v.handle, "--incremental", "true"]) + "\n"
        try flushIfLarge()
      }
      out += "  ```\n\n"
      out += "  Recommended for production: the migration does not copy data, but a snapshot is the way back from a mistake outside this plan. Snapshots cost money until deleted; on clusters with node resource group lockdown, use `--resource-group` of a group you own.\n\n"
    }
    if disks.contains(where: { !volumes.hasZone($0) }) {
      itemStart("Confirm the zone of disks the dump does not place")
      out += "  ```sh\n"
      try volumes.forEachSummary(where: { volumes.action($0) == .migrate && volumes.isDisk($0) && !volumes.hasZone($0) }) { _, v in
        out += "  " + Shell.command(["az", "disk", "show", "--ids", v.handle, "--query", "{zones:zones,sku:sku.name,state:diskState}", "-o", "json"]) + "\n"
        try flushIfLarge()
      }
      out += "  ```\n\n"
      out += "  Expect: `zones` empty (null). If a disk is zonal, add `nodeAffinity` with `topology.kubernetes.io/zone In [<region>-<zone>]` to its manifest in `manifests/persistentvolumes/` before its group runs.\n\n"
    }
    try write(out)
    out = ""
    let classSteps = plan.classSteps()
    if !classSteps.isEmpty || !plan.classes.isEmpty {
      out += "### StorageClasses\n\n"
      out += "| In-tree class | Driver | Becomes | Why |\n|---|---|---|---|\n"
      for c in plan.classes {
        let target = c.target.map { "`\($0)`" } ?? "—"
        let why = c.action == .create ? "new class, `\(c.manifestPath ?? "")`" : (c.reason ?? "")
        out += "| `\(c.name)` | \(c.driver) | \(c.action == .blocked ? "blocked" : target) | \(Markdown.cell(why)) |\n"
      }
      out += "\n"
      for c in plan.classes where !c.changes.isEmpty {
        out += "Changes in `\(c.target ?? c.name)`: " + c.changes.map(Markdown.inline).joined(separator: "; ") + ".\n\n"
      }
      for step in classSteps {
        n += 1
        stepBlock("P.\(n)", step, into: &out)
      }
    }
    try write(out)
  }

  /// Group `g` of a plan part (`Plan.batch(groups:)`), with its steps.
  func group(_ g: Int, _ steps: [Step], _ write: (String) throws -> Void) throws {
    let group = plan.groups[g]
    let workloads = group.workloads.map { plan.workloads[$0] }
    var out = "## Group \(group.number): "
    if workloads.isEmpty {
      out += "volumes no pod uses\(group.namespace.isEmpty ? "" : " in `\(group.namespace)`")\n\n"
      out += "No workload uses these volumes (no pod and no template in the dump mounts their claims), so nothing is stopped. "
      out += "They make a good first group: the procedure can be watched with nothing at stake but the objects themselves.\n\n"
    } else {
      out += workloads.map { "\($0.kind) `\($0.namespace)/\($0.name)`" }.joined(separator: ", ") + "\n\n"
      out += "| Workload | Replicas in the dump | Stopped by | Claims |\n|---|---|---|---|\n"
      for w in workloads {
        let replicas = w.replicas.map(String.init) ?? "—"
        let how: String
        switch w.stop {
        case .scale: how = "scale to 0, then back"
        case .pauseDaemonSet: how = "a nodeSelector no node has, removed afterwards"
        case .suspend: how = "`suspend: true`, then back"
        case .deletePod: how = "saving and deleting the pod, then creating it again"
        case .manual: how = "by hand (unknown controller)"
        }
        out += "| \(w.kind) `\(w.name)`\(w.inDump ? "" : " (not in the dump)") | \(replicas) | \(how) | \(w.claims.map { "`\($0)`" }.joined(separator: ", ")) |\n"
      }
      out += "\n"
      for w in workloads {
        for note in w.notes { out += "> **\(w.kind) \(w.name)**: \(Markdown.inline(note))\n>\n" }
        if !w.templateChanges.isEmpty {
          out += "> **StatefulSet \(w.name)**: its claim templates name in-tree classes (\(w.templateChanges.map { "`\($0.name)`: \($0.from ?? "default class") → `\($0.to)`" }.joined(separator: ", "))); templates are immutable, so the StatefulSet is recreated (without touching its pods) while it is scaled to 0.\n>\n"
        }
      }
      if workloads.contains(where: { !$0.notes.isEmpty || !$0.templateChanges.isEmpty }) {
        out = String(out.dropLast(2)) + "\n\n"
      }
    }
    if !group.volumes.isEmpty {
      out += "| PersistentVolume | Claim | Source | CSI volumeHandle | StorageClass |\n|---|---|---|---|---|\n"
      for i in group.volumes {
        let v = plan.volumes[i]
        let claim = v.pvc.map { "`\($0.key.display)`" } ?? "—"
        let cls = v.targetClass.isEmpty ? "(none)" : "`\(v.targetClass)`"
        out += "| `\(v.name)` | \(claim) | \(v.sourceKind) | `\(Markdown.code(v.handle))` | \(cls) |\n"
      }
      out += "\n"
      for i in group.volumes {
        let v = plan.volumes[i]
        if v.changes.isEmpty && v.warnings.isEmpty { continue }
        out += "Changes for `\(v.name)`:\n\n"
        for c in v.changes { out += "- \(Markdown.inline(c))\n" }
        for w in v.warnings { out += "- **Check:** \(Markdown.inline(w))\n" }
        out += "\n"
      }
    }
    out += "### Steps\n\n"
    for (k, step) in steps.enumerated() { stepBlock("\(group.number).\(k + 1)", step, into: &out) }
    out += groupRollback(g, steps)
    try write(out)
  }

  /// "Rolling back group N": every volume back to its in-tree original, then every StatefulSet
  /// the group recreated back to its saved copy (claim templates on the in-tree classes), then
  /// the workloads started again. Empty when the group changed nothing a rollback must undo.
  func groupRollback(_ g: Int, _ steps: [Step]) -> String {
    let group = plan.groups[g]
    func id(_ k: Int) -> String { "\(group.number).\(k + 1)" }
    let recreated = steps.indices.filter { steps[$0].action == .recreateStatefulSet }
    guard !group.volumes.isEmpty || !recreated.isEmpty else { return "" }
    var rollback = "### Rolling back group \(group.number)\n\n"
    let stopping = steps.indices.filter { steps[$0].action == .stop || steps[$0].action == .waitUnused }.map(id)
    let stop = "stop the workloads" + (group.volumes.isEmpty ? "" : " and wait until no pod uses the claims")
      + (stopping.isEmpty ? "" : " (\(stopping.count == 1 ? "step" : "steps") \(Self.list(stopping)))")
    if !group.volumes.isEmpty {
      rollback += "Every object removed is in `backup/`, and every disk or share is still there (Retain). To go back to the in-tree volumes: "
      rollback += "\(stop), then for each volume make sure it is Retain, delete what the migration created and restore the backup:\n\n```sh\n"
      for i in group.volumes {
        let v = plan.volumes[i]
        // Retain first, whichever volume has the name now: a rollback from a step before
        // "Protect" must not let deleting the claim delete the disk or share.
        rollback += Plan.retain(v.name) + "  # NotFound: the volume is gone already, go on\n"
        if let pvc = v.pvc {
          rollback += Shell.command(["kubectl", "-n", pvc.key.namespace, "delete", "pvc", pvc.key.name, "--ignore-not-found"]) + "\n"
        }
        rollback += Shell.command(["kubectl", "delete", "pv", v.name, "--ignore-not-found"]) + "  # Retain: the \(v.isDisk ? "disk" : "share") stays\n"
        for line in plan.restoreVolume(v) { rollback += line + "\n" }
      }
      rollback += "```\n\n"
    } else {
      rollback += "To go back: \(stop).\n\n"
    }
    for k in recreated {
      guard let wi = steps[k].workload else { continue }
      let w = plan.workloads[wi]
      rollback += "Then put StatefulSet `\(w.namespace)/\(w.name)` back as it was before step \(id(k)), its claim templates on the in-tree classes, "
      rollback += "from the copy that step saved in `\(plan.savedStatefulSet(w))` (`migrate.sh` saves it there too). "
      if !group.volumes.isEmpty {
        rollback += "Do it only now, with every claim Bound to its in-tree volume again. "
      }
      rollback += "The copy was taken at 0 replicas, so it starts no pod until the workloads are started. "
      rollback += "If step \(id(k)) failed half-way, the StatefulSet is missing (nothing to stop) and these commands create it; "
      rollback += "if it never ran, there is no copy and they do nothing:\n\n```sh\n"
      for line in plan.restoreStatefulSet(w) { rollback += line + "\n" }
      rollback += "```\n\n"
    }
    rollback += "Then start the workloads again (the rollback of the stop steps) and verify.\n\n"
    return rollback
  }

  func blocked(_ write: (String) throws -> Void) throws {
    let volumes = plan.volumes
    var out = "## Blocked volumes\n\n"
    if volumes.count(.blocked) == 0 {
      out += "None: every in-tree volume in the dump is planned above.\n\n"
      try write(out)
      return
    }
    out += "These in-tree volumes are not migrated by the steps above. Until they are, the cluster keeps in-tree volumes. "
    out += "Their objects are in `backup/` all the same.\n\n"
    try volumes.forEach(where: { volumes.action($0) == .blocked }) { _, v in
      out += "### \(v.sourceKind) `\(v.name)`\(v.pv.claim.map { " (claim `\($0.display)`)" } ?? "")\n\n"
      out += "Why: \(Markdown.inline(v.reason ?? "")).\n\n"
      if !v.remedy.isEmpty {
        out += "The way out:\n\n"
        for (k, r) in v.remedy.enumerated() { out += "\(k + 1). \(r)\n" }
        out += "\n"
      }
      try ChunkedText.flushIfFull(&out, write)
    }
    if volumes.count(.skipped) > 0 {
      out += "### Not selected\n\n"
      try volumes.forEach(where: { volumes.action($0) == .skipped }) { _, v in
        out += "- `\(v.name)`: \(Markdown.inline(v.reason ?? ""))\n"
      }
      out += "\n"
    }
    try write(out)
  }

  func inline(_ write: (String) throws -> Void) throws {
    guard !plan.inline.isEmpty else { return }
    var out = "## Inline volumes\n\n"
    out += "These pod templates name an Azure disk or share directly instead of through a claim. There is no PersistentVolume to "
    out += "migrate: the template itself must change, so they are done by hand (and through the workload's source: Helm chart, "
    out += "GitOps repository), not by `migrate.sh`.\n\n"
    for v in plan.inline {
      out += "### \(v.workload.kind) `\(v.workload.namespace)/\(v.workload.name)`, volume `\(v.volume)` (\(v.sourceKind))\n\n"
      out += "Found at `\(v.location)`.\n\n"
      if let blocked = v.blocked { out += "**Blocked:** \(Markdown.inline(blocked)).\n\n" }
      for (k, line) in v.instructions.enumerated() { out += "\(k + 1). \(line)\n" }
      out += "\n"
      if let replacement = v.replacement, let yaml = try? YAMLWriter().write(.sequence([replacement])) {
        out += "```yaml\n" + String(decoding: yaml, as: UTF8.self).replacingPrefix("---\n") + "```\n\n"
      }
    }
    try write(out)
  }

  func final(_ write: (String) throws -> Void) throws {
    var out = "## Final verification\n\n"
    out += "- [ ] **V.1 No in-tree volume is left but the blocked ones**\n\n"
    out += "  ```sh\n  kubectl get pv -o custom-columns=NAME:.metadata.name,DISK:.spec.azureDisk.diskURI,SHARE:.spec.azureFile.shareName,CSI:.spec.csi.driver\n  ```\n\n"
    out += "  Expect: `DISK` and `SHARE` are `<none>` for every volume except the \(plan.count(.blocked)) blocked ones.\n\n"
    out += "- [ ] **V.2 A fresh scan agrees**\n\n"
    out += "  ```sh\n  kubectl get pv,pvc,sc,pods,deploy,sts,ds,job,cronjob -A -o yaml | csi-migrate scan\n  ```\n\n"
    out += "  Expect: only the blocked volumes, the inline volumes not yet edited, and the old in-tree StorageClasses remain.\n\n"
    out += "- [ ] **V.3 Every workload runs**\n\n"
    out += "  ```sh\n  kubectl get pods -A --field-selector=status.phase!=Running,status.phase!=Succeeded\n  ```\n\n"
    out += "  Expect: no pod of a migrated workload. A pod Pending with `volume node affinity conflict` means the volume's zone affinity does not match any node: compare the new PersistentVolume's `nodeAffinity` with `az disk show --ids <uri> --query zones`.\n\n"
    out += "## Afterwards\n\n"
    out += "- The new PersistentVolumes are `Retain`. Where the old ones were `Delete` and the disk or share should go with its claim, patch them back once verified: `kubectl patch pv <name> -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Delete\"}}'`.\n"
    let retire = plan.classes.filter { $0.inDump && $0.action != .builtIn && $0.action != .blocked }
    if !retire.isEmpty {
      out += "- Retire the old in-tree classes once nothing provisions through them any more (update Helm values and manifests to the new class names first): "
      out += retire.map { Shell.command(["kubectl", "delete", "sc", $0.name]) }.map { "`\($0)`" }.joined(separator: ", ") + ". Deleting a class never touches existing volumes.\n"
    }
    out += "- Update the sources of the workloads (Helm values, GitOps repositories) to the new StorageClass names, so that the next deployment does not bring the in-tree classes back.\n"
    out += "- Delete the safety snapshots when the data has been verified: `az snapshot delete --ids <id>`.\n"
    out += "- Keep this plan directory (and `state/`) with the change record: `backup/` is the way back.\n"
    try write(out)
  }

  /// "a", "a and b", "a, b and c".
  static func list(_ items: [String]) -> String {
    guard let last = items.last, items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " and " + last
  }

  /// The resource group of an ARM disk id.
  /// The part after the first `resourceGroups` (any case) of the non-empty parts between `/`.
  func resourceGroup(of uri: String) -> String? {
    // Compared as ASCII bytes (`| 0x20` lowercases a letter).
    let key = "resourcegroups".utf8
    let bytes = uri.utf8
    var afterKey = false
    var start = bytes.startIndex
    while start < bytes.endIndex {
      let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
      if start < end {
        if afterKey { return String(uri[start..<end]) }
        afterKey = bytes[start..<end].elementsEqual(key) { $0 | 0x20 == $1 }
      }
      start = end < bytes.endIndex ? bytes.index(after: end) : end
    }
    return nil
  }
}

/// Markdown escaping.
enum Markdown {
  /// Text in a table cell.
  static func cell(_ s: String) -> String { Text.markdownCell(s) }
  /// Running text: only what would break the layout is escaped.
  static func inline(_ s: String) -> String {
    if !Text.containsByte(s, 0x0A, or: 0x0D) { return s }
    var out = ""
    for c in s {
      switch c {
      case "\n", "\r": out += " "
      default: out.append(c)
      }
    }
    return out
  }
  /// Inside backticks in a table cell.
  static func code(_ s: String) -> String {
    if !Text.containsByte(s, UInt8(ascii: "|"), or: UInt8(ascii: "`")) { return s }
    return s.replacingAll("|", with: "\\|").replacingAll("`", with: "'")
  }
}

extension String {
  func replacingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for c in self { if c == target { out += replacement } else { out.append(c) } }
    return out
  }
}
