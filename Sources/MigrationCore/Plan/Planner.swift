import YAMLStream

/// What the user asked for.
public struct PlanOptions: Sendable {
  /// Only volumes whose claims live in these namespaces (empty: all).
  public var namespaces: Set<String>
  /// Input names, for the record.
  public var inputs: [String]
  public var toolVersion: String

  public init(namespaces: Set<String> = [], inputs: [String] = [], toolVersion: String = "0.1.0") {
    self.namespaces = namespaces
    self.inputs = inputs
    self.toolVersion = toolVersion
  }
}

/// Builds the migration plan of one cluster from its objects as they stream by. Keeps compact
/// records only (never YAML trees); `plan()` relates them and decides.
public struct Planner {
  public let options: PlanOptions

  private var inTree: [PVRecord] = []
  private var inTreeNames: Set<String> = []
  private var inTreeClaims: Set<ClaimKey> = []
  private var pvSeen: [String: SourceLocation] = [:]
  private var pvcs: [ClaimKey: PVCRecord] = [:]
  private var classes: [String: StorageClass] = [:]
  private var defaultClass: String?
  private var workloads: [WorkloadRecord] = []
  /// Existing CSI Azure Files handles → PV name.
  private var csiFileHandles: [String: String] = [:]
  /// Existing CSI Azure Disk handles (lower-cased) → PV name.
  private var csiDiskHandles: [String: String] = [:]

  public init(options: PlanOptions = PlanOptions()) {
    self.options = options
  }

  /// Takes one decoded object; `tree` is the object as read (for annotations the typed model drops).
  /// - Throws: `InputError` when an object appears twice (two dumps of one cluster, or two clusters
  ///   mixed): a plan must never name one volume twice.
  public mutating func add(_ object: KubeObject, tree: ObjectTree) throws(InputError) {
    switch object {
    case .persistentVolume(let pv):
      let location = pv.origin.location()
      if let first = pvSeen[pv.metadata.name] {
        throw InputError("PersistentVolume \(pv.metadata.name) appears twice (first at \(first)): plan one cluster at a time", at: location)
      }
      pvSeen[pv.metadata.name] = location
      switch PVClass(pv) {
      case .inTreeAzureDisk, .inTreeAzureDiskUnmanaged, .inTreeAzureFile:
        let record = PVRecord(pv, tree: tree)
        inTreeNames.insert(record.name)
        if let claim = record.claim { inTreeClaims.insert(claim) }
        inTree.append(record)
      case .csiAzureFile:
        if case .csi(let csi) = pv.source { csiFileHandles[csi.volumeHandle] = pv.metadata.name }
      case .csiAzureDisk:
        if case .csi(let csi) = pv.source { csiDiskHandles[csi.volumeHandle.lowercased()] = pv.metadata.name }
      case .other: break
      }
    case .persistentVolumeClaim(let pvc):
      let record = PVCRecord(pvc, tree: tree)
      if let first = pvcs[record.key] {
        throw InputError("PersistentVolumeClaim \(record.key.display) appears twice (first at \(first.location)): plan one cluster at a time", at: record.location)
      }
      pvcs[record.key] = record
    case .storageClass(var sc):
      sc.metadata.labels = Dictionary(ObjectMeta.labels(tree), uniquingKeysWith: { a, _ in a })
      if let first = classes[sc.metadata.name] {
        throw InputError("StorageClass \(sc.metadata.name) appears twice (first at \(first.origin.location())): plan one cluster at a time", at: sc.origin.location())
      }
      classes[sc.metadata.name] = sc
      if sc.isDefault { defaultClass = sc.metadata.name }
    case .workload(let w):
      let record = WorkloadRecord(w)
      // Only what relates to volumes is kept; finished pods hold no volume.
      if w.kind == .pod, w.phase == "Succeeded" || w.phase == "Failed" { return }
      if w.kind == .pod && record.claims.isEmpty && record.inline.isEmpty { return }
      workloads.append(record)
    case .secret, .other:
      break
    }
  }

  /// Whether a claim may need a backup, as far as the objects read so far tell: yes when an
  /// in-tree volume names it (or is named by it), no when it is bound to a volume already read
  /// that is not in-tree. Saves writing (and removing) a file per claim of a large cluster.
  public func mayNeedBackup(_ pvc: PersistentVolumeClaim) -> Bool {
    if inTreeClaims.contains(ClaimKey(namespace: pvc.metadata.namespace, name: pvc.metadata.name)) { return true }
    guard let volume = pvc.volumeName, !volume.isEmpty else { return true }
    return inTreeNames.contains(volume) || pvSeen[volume] == nil
  }

  // MARK: - Deciding

  public func plan() -> Plan {
    let plannedClasses = planClasses()
    let classByName = Dictionary(plannedClasses.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    var volumes = inTree.sorted { $0.name < $1.name }.map { planVolume($0, classByName) }
    checkHandles(&volumes)

    let (plannedWorkloads, groupsFound) = planWorkloads(&volumes, classByName)
    // Groups are numbered in the order they are run.
    var groups = groupsFound
    for i in groups.indices { groups[i].number = i + 1 }
    for (g, group) in groups.enumerated() {
      for v in group.volumes { volumes[v].group = g }
    }
    return Plan(
      inputs: options.inputs, namespaces: options.namespaces.sorted(), volumes: volumes, classes: plannedClasses,
      workloads: plannedWorkloads, groups: groups, inline: planInline(), existingFileHandles: csiFileHandles.count,
      toolVersion: options.toolVersion)
  }

  // MARK: StorageClasses

  /// AKS's in-tree built-in classes and the CSI built-ins that replace them.
  public static let builtInTargets: [String: String] = [
    "default": "managed-csi",
    "managed": "managed-csi",
    "managed-premium": "managed-csi-premium",
    "azurefile": "azurefile-csi",
    "azurefile-premium": "azurefile-csi-premium",
  ]

  static func isAKSBuiltIn(_ sc: StorageClass) -> Bool {
    guard builtInTargets[sc.metadata.name] != nil else { return false }
    return sc.metadata.labels["addonmanager.kubernetes.io/mode"] != nil
      || sc.metadata.labels["kubernetes.io/cluster-service"] == "true"
  }

  func planClasses() -> [PlannedClass] {
    var result: [PlannedClass] = []
    for sc in classes.values.sorted(by: { $0.metadata.name < $1.metadata.name }) {
      let cls = SCClass(provisioner: sc.provisioner)
      guard cls.isInTree else { continue }
      result.append(StorageClassBuilder.plan(sc, existing: classes))
    }
    // Class names in-tree volumes use that are not in the input.
    var missing: Set<String> = []
    for pv in inTree {
      if let name = pv.storageClassName, !name.isEmpty, classes[name] == nil { missing.insert(name) }
    }
    for name in missing.sorted() {
      let driver = inTree.first { $0.storageClassName == name }.map { $0.isDisk ? Drivers.csiDisk : Drivers.csiFile } ?? Drivers.csiDisk
      if let target = Self.builtInTargets[name] {
        result.append(PlannedClass(name: name, driver: driver, action: .builtIn, target: target, inDump: false))
      } else {
        result.append(
          PlannedClass(
            name: name, driver: driver, action: .blocked,
            reason: "StorageClass \(name) is not in the input, so its CSI replacement cannot be built", inDump: false))
      }
    }
    return result.sorted { $0.name < $1.name }
  }

  /// The storageClassName the new PV and claim get, or why there is none.
  func targetClass(_ name: String?, _ planned: [String: PlannedClass]) -> Result<String, PlanBlock> {
    guard let name, !name.isEmpty else { return .success("") }
    if let p = planned[name] {
      if p.action == .blocked || p.target == nil {
        return .failure(PlanBlock(
          "its StorageClass \(name) has no CSI replacement: \(p.reason ?? "see the storage classes section")",
          remedy: ["Create a CSI StorageClass for these volumes (or include `\(name)` in the dump: `kubectl get sc \(name) -o yaml`), then plan again."]))
      }
      return .success(p.target ?? name)
    }
    // A class that is CSI already (or not Azure): keep it.
    return .success(name)
  }

  // MARK: Volumes

  func planVolume(_ pv: PVRecord, _ planned: [String: PlannedClass]) -> PlannedVolume {
    var v = PlannedVolume(pv: pv, pvc: nil, action: .migrate)
    func block(_ b: PlanBlock) {
      v.action = .blocked
      v.reason = b.reason
      v.remedy = b.remedy
    }
    if let claim = pv.claim { v.pvc = pvcs[claim] }
    if !options.namespaces.isEmpty {
      let ns = pv.claim?.namespace
      if ns == nil || !options.namespaces.contains(ns ?? "") {
        v.action = .skipped
        v.reason = ns.map { "claim namespace \($0) is not selected (-n)" } ?? "no claim, so in no namespace selected with -n"
        return v
      }
    }
    if let b = VolumeChecks.sourceBlock(pv) {
      block(b)
      return v
    }
    if let b = VolumeChecks.phaseBlock(pv) {
      block(b)
      return v
    }
    if let claim = pv.claim {
      guard let pvc = v.pvc else {
        block(PlanBlock(
          "it is bound to claim \(claim.display), which is not in the input",
          remedy: ["Dump the claims too (`kubectl get pv,pvc,sc,pods,deploy,sts,ds,job,cronjob -A -o yaml`) and plan again."]))
        return v
      }
      if let name = pvc.volumeName, !name.isEmpty, name != pv.name {
        block(PlanBlock(
          "claim \(claim.display) is bound to volume \(name), not to this one",
          remedy: ["Find out which volume holds the data (`kubectl describe pv \(pv.name) \(name)`), and plan again once the binding is settled."]))
        return v
      }
      if let uid = pv.claimRef?.uid, !uid.isEmpty, !pvc.uid.isEmpty, uid != pvc.uid {
        block(PlanBlock(
          "claim \(claim.display) was recreated since this volume was bound (uid differs)",
          remedy: ["Check `kubectl describe pvc -n \(claim.namespace) \(claim.name)`; plan again once it is Bound to \(pv.name)."]))
        return v
      }
    }
    switch targetClass(pv.storageClassName, planned) {
    case .failure(let b):
      block(b)
      return v
    case .success(let target): v.targetClass = target
    }
    let sku = pv.storageClassName.flatMap { classes[$0] }.flatMap { $0.parameter("skuname") ?? $0.parameter("storageaccounttype") }
    VolumeBuilder.decide(&v, sku: sku)
    return v
  }

  /// Disk URIs and Azure Files handles must be unique among the new PVs and the CSI PVs already there.
  func checkHandles(_ volumes: inout [PlannedVolume]) {
    var fileHandles = csiFileHandles
    var diskUsers: [String: [Int]] = [:]
    for i in volumes.indices where volumes[i].action == .migrate {
      let v = volumes[i]
      if v.isDisk {
        let key = v.handle.lowercased()
        if let other = csiDiskHandles[key] {
          volumes[i].action = .blocked
          volumes[i].reason = "its disk is already used by CSI PersistentVolume \(other)"
          volumes[i].remedy = ["Two PersistentVolumes on one disk corrupt it. Find out which one is in use (`kubectl get pv \(v.name) \(other) -o wide`), delete the stale one (after making it Retain), and plan again."]
          continue
        }
        diskUsers[key, default: []].append(i)
      } else {
        if let other = fileHandles[v.handle] {
          volumes[i].action = .blocked
          volumes[i].reason = "its CSI volumeHandle \(v.handle) is already used by PersistentVolume \(other)"
          volumes[i].remedy = ["Two PersistentVolumes with one handle share one mount on a node (wrong data). Rename or remove \(other), then plan again."]
          continue
        }
        fileHandles[v.handle] = v.name
      }
    }
    for (_, users) in diskUsers where users.count > 1 {
      let names = users.map { volumes[$0].name }.joined(separator: ", ")
      for i in users {
        volumes[i].action = .blocked
        volumes[i].reason = "several in-tree PersistentVolumes (\(names)) name the same disk"
        volumes[i].remedy = ["Keep one PersistentVolume per disk: find the one in use, delete the others after making them Retain, and plan again."]
      }
    }
  }

  // MARK: Workloads and groups

  private struct WorkloadKey: Hashable {
    var kind: String
    var namespace: String
    var name: String
  }

  func planWorkloads(_ volumes: inout [PlannedVolume], _ planned: [String: PlannedClass]) -> ([PlannedWorkload], [MigrationGroup]) {
    var controllers: [WorkloadKey: Int] = [:]
    for (i, w) in workloads.enumerated() where w.kind != .pod {
      controllers[WorkloadKey(kind: w.kind.rawValue, namespace: w.namespace, name: w.name)] = i
    }
    func record(_ kind: String, _ ns: String, _ name: String) -> WorkloadRecord? {
      controllers[WorkloadKey(kind: kind, namespace: ns, name: name)].map { workloads[$0] }
    }
    /// The top-level owner of a pod or controller: what must be stopped.
    func topLevel(_ w: WorkloadRecord) -> (key: WorkloadKey, note: String?) {
      let ns = w.namespace
      guard let owner = w.owners.first else { return (WorkloadKey(kind: w.kind.rawValue, namespace: ns, name: w.name), nil) }
      switch owner.kind {
      case "ReplicaSet":
        if let rs = record("ReplicaSet", ns, owner.name) {
          if let d = rs.owners.first(where: { $0.kind == "Deployment" }) {
            return (WorkloadKey(kind: "Deployment", namespace: ns, name: d.name), nil)
          }
          if rs.owners.isEmpty { return (WorkloadKey(kind: "ReplicaSet", namespace: ns, name: owner.name), nil) }
          let o = rs.owners[0]
          return (WorkloadKey(kind: o.kind, namespace: ns, name: o.name), nil)
        }
        let candidate = owner.name.lastIndex(of: "-").map { String(owner.name[..<$0]) } ?? owner.name
        let note: String? =
          record("Deployment", ns, candidate) == nil
          ? "Deployment \(candidate) is not in the input: inferred from ReplicaSet \(owner.name)" : nil
        return (WorkloadKey(kind: "Deployment", namespace: ns, name: candidate), note)
      case "Job":
        if let job = record("Job", ns, owner.name) {
          if let c = job.owners.first(where: { $0.kind == "CronJob" }) {
            return (WorkloadKey(kind: "CronJob", namespace: ns, name: c.name), nil)
          }
          return (WorkloadKey(kind: "Job", namespace: ns, name: owner.name), nil)
        }
        if let dash = owner.name.lastIndex(of: "-"), owner.name[owner.name.index(after: dash)...].allSatisfy(\.isNumber),
          record("CronJob", ns, String(owner.name[..<dash])) != nil
        {
          return (WorkloadKey(kind: "CronJob", namespace: ns, name: String(owner.name[..<dash])), nil)
        }
        return (WorkloadKey(kind: "Job", namespace: ns, name: owner.name), nil)
      default:
        return (WorkloadKey(kind: owner.kind, namespace: ns, name: owner.name), nil)
      }
    }

    // Claims of migrating volumes.
    var claimVolume: [ClaimKey: Int] = [:]
    for (i, v) in volumes.enumerated() where v.action == .migrate {
      if let claim = v.pv.claim { claimVolume[claim] = i }
    }

    var accs: [WorkloadKey: PlannedWorkload] = [:]
    func touch(_ key: WorkloadKey, note: String?) {
      if accs[key] != nil {
        if let note, !(accs[key]?.notes.contains(note) ?? true) { accs[key]?.notes.append(note) }
        return
      }
      let rec = record(key.kind, key.namespace, key.name)
      let stop: StopMethod
      switch key.kind {
      case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController": stop = .scale
      case "DaemonSet": stop = .pauseDaemonSet
      case "CronJob", "Job": stop = .suspend
      case "Pod": stop = .deletePod
      default: stop = .manual
      }
      var w = PlannedWorkload(
        kind: key.kind, namespace: key.namespace, name: key.name, stop: stop, replicas: rec?.replicas,
        strategy: rec?.strategy, inDump: rec != nil || key.kind == "Pod", claims: [], pods: [])
      if let note { w.notes.append(note) }
      if stop == .manual {
        w.notes.append("owned by \(key.kind) \(key.name), a controller csi-migrate does not know: stop it the way that controller expects, and start it again afterwards")
      }
      accs[key] = w
    }

    for w in workloads {
      let relevant = w.claims.filter { claimVolume[ClaimKey(namespace: w.namespace, name: $0)] != nil }
      var stsClaims: [String] = []
      if w.kind == .statefulSet {
        // Claims made from the templates, used by pods now or after a scale-up.
        for t in w.claimTemplates {
          let prefix = "\(t.name)-\(w.name)-"
          for (key, _) in claimVolume where key.namespace == w.namespace && key.name.hasPrefix(prefix) {
            if key.name.dropFirst(prefix.count).allSatisfy(\.isNumber) { stsClaims.append(key.name) }
          }
        }
      }
      let all = relevant + stsClaims
      let hasTemplateChange = w.kind == .statefulSet && !templateChanges(w, planned).isEmpty
      guard !all.isEmpty || hasTemplateChange else { continue }
      if !options.namespaces.isEmpty && !options.namespaces.contains(w.namespace) { continue }
      let (key, note) = topLevel(w)
      touch(key, note: note)
      for c in all where !(accs[key]?.claims.contains(c) ?? true) { accs[key]?.claims.append(c) }
      if w.kind == .pod && key.kind != "Pod" { accs[key]?.pods.append(w.name) }
      if w.kind == .pod && key.kind == "Pod" { accs[key]?.pods = [w.name] }
      if hasTemplateChange, key.kind == "StatefulSet", key.name == w.name {
        accs[key]?.templateChanges = templateChanges(w, planned)
      }
    }
    // Notes that depend on the volumes.
    for (key, w) in accs {
      var notes = w.notes
      let rwoDisk = w.claims.contains { c in
        claimVolume[ClaimKey(namespace: w.namespace, name: c)].map { volumes[$0].isDisk } ?? false
      }
      if key.kind == "Deployment", w.strategy == nil || w.strategy == "RollingUpdate", rwoDisk {
        notes.append("RollingUpdate with a ReadWriteOnce disk: a rollout starts the new pod before the old one stops, and the disk cannot attach twice (Multi-Attach error). The migration scales to 0 and back, which is safe; consider `strategy: Recreate` for later rollouts.")
      }
      if key.kind == "DaemonSet", rwoDisk {
        notes.append("a DaemonSet runs one pod per node, but a disk attaches to one node only: only one of its pods can ever have used this disk")
      }
      accs[key]?.notes = notes
      accs[key]?.claims.sort()
      accs[key]?.pods.sort()
    }

    // Union-find: claims used by one workload belong together.
    let keys = accs.keys.sorted { ($0.namespace, $0.kind, $0.name) < ($1.namespace, $1.kind, $1.name) }
    var parent: [ClaimKey: ClaimKey] = [:]
    func find(_ c: ClaimKey) -> ClaimKey {
      var c = c
      while let p = parent[c], p != c { c = p }
      return c
    }
    func union(_ a: ClaimKey, _ b: ClaimKey) {
      let ra = find(a), rb = find(b)
      if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }
    for key in keys {
      guard let w = accs[key] else { continue }
      let claims = w.claims.map { ClaimKey(namespace: w.namespace, name: $0) }
      for c in claims where parent[c] == nil { parent[c] = c }
      for c in claims.dropFirst() { union(claims[0], c) }
    }
    var workloadList: [PlannedWorkload] = []
    var componentWorkloads: [ClaimKey: [Int]] = [:]
    var workloadOnlyGroups: [[Int]] = []
    for key in keys {
      guard let w = accs[key] else { continue }
      workloadList.append(w)
      let index = workloadList.count - 1
      if let first = w.claims.first {
        componentWorkloads[find(ClaimKey(namespace: w.namespace, name: first)), default: []].append(index)
      } else {
        workloadOnlyGroups.append([index])
      }
    }
    var componentVolumes: [ClaimKey: [Int]] = [:]
    var unused: [String: [Int]] = [:]
    for (i, v) in volumes.enumerated() where v.action == .migrate {
      if let claim = v.pv.claim, parent[claim] != nil {
        componentVolumes[find(claim), default: []].append(i)
      } else {
        unused[v.pv.claim?.namespace ?? "", default: []].append(i)
      }
    }
    var groups: [MigrationGroup] = []
    for ns in unused.keys.sorted() {
      groups.append(MigrationGroup(number: 0, namespace: ns, workloads: [], volumes: unused[ns] ?? []))
    }
    let roots = componentWorkloads.keys.sorted { a, b in
      let wa = componentWorkloads[a]?.first ?? 0, wb = componentWorkloads[b]?.first ?? 0
      return wa < wb
    }
    var withWorkloads: [MigrationGroup] = []
    for root in roots {
      withWorkloads.append(
        MigrationGroup(
          number: 0, namespace: root.namespace, workloads: componentWorkloads[root] ?? [],
          volumes: (componentVolumes[root] ?? []).sorted { volumes[$0].name < volumes[$1].name }))
    }
    for ws in workloadOnlyGroups {
      withWorkloads.append(MigrationGroup(number: 0, namespace: workloadList[ws[0]].namespace, workloads: ws, volumes: []))
    }
    withWorkloads.sort { a, b in
      let x = workloadList[a.workloads[0]], y = workloadList[b.workloads[0]]
      return (x.namespace, x.name, x.kind) < (y.namespace, y.name, y.kind)
    }
    groups += withWorkloads
    return (workloadList, groups)
  }

  /// StatefulSet claim templates on an in-tree class, with the class they move to.
  func templateChanges(_ w: WorkloadRecord, _ planned: [String: PlannedClass]) -> [TemplateChange] {
    var changes: [TemplateChange] = []
    for (i, t) in w.claimTemplates.enumerated() {
      guard let className = t.storageClassName ?? defaultClass, let p = planned[className],
        let target = p.target, p.action != .blocked
      else { continue }
      changes.append(TemplateChange(index: i, name: t.name, from: t.storageClassName, to: target))
    }
    return changes
  }

  // MARK: Inline volumes

  func planInline() -> [PlannedInlineVolume] {
    var controllers: Set<ObjectRef> = []
    for w in workloads where w.kind != .pod { controllers.insert(w.ref) }
    var seenOwners: Set<ObjectRef> = []
    var result: [PlannedInlineVolume] = []
    for w in workloads where !w.inline.isEmpty {
      if !options.namespaces.isEmpty && !options.namespaces.contains(w.namespace) { continue }
      var covered = false
      for owner in w.owners {
        if controllers.contains(ObjectRef(kind: owner.kind, namespace: w.namespace, name: owner.name)) { covered = true }
        if owner.kind == "ReplicaSet", let dash = owner.name.lastIndex(of: "-"),
          controllers.contains(ObjectRef(kind: "Deployment", namespace: w.namespace, name: String(owner.name[..<dash])))
        {
          covered = true
        }
      }
      if covered { continue }
      var ref = w.ref
      if let owner = w.owners.first {
        ref = ObjectRef(kind: owner.kind, namespace: w.namespace, name: owner.name)
        if !seenOwners.insert(ref).inserted { continue }
      }
      for v in w.inline {
        result.append(InlineBuilder.plan(v, workload: ref, location: SourceLocation(file: w.location.file, position: v.position)))
      }
    }
    return result.sorted { ($0.workload, $0.volume) < ($1.workload, $1.volume) }
  }
}

/// Why a volume cannot be migrated automatically, and the way out.
public struct PlanBlock: Error, Sendable {
  public var reason: String
  public var remedy: [String]
  public init(_ reason: String, remedy: [String]) {
    self.reason = reason
    self.remedy = remedy
  }
}

/// Checks on the volume source and phase that block a volume.
enum VolumeChecks {
  static func sourceBlock(_ pv: PVRecord) -> PlanBlock? {
    switch pv.source {
    case .azureDisk(let disk):
      if disk.isUnmanaged {
        let uri = disk.diskURI ?? "<vhd-uri>"
        return PlanBlock(
          "unmanaged (blob VHD) disk (\(disk.kind.map { "kind \($0)" } ?? "blob URI")): no CSI driver serves it",
          remedy: [
            "Stop the workload that uses it and make sure the PersistentVolume is Retain.",
            "Convert the VHD into a managed disk: `az disk create --resource-group <rg> --name \(pv.name) --source \(uri) --location <region>` (add `--zone <n>` for a zonal node pool; the VHD's storage account must be in the same subscription and region).",
            "Create a static CSI PersistentVolume for the new disk (`volumeHandle` = the id printed by `az disk create`), recreate the claim with `volumeName`, and start the workload.",
            "Keep the VHD until the data is verified; then plan again so that nothing in-tree is left.",
          ])
      }
      if (disk.diskURI ?? "").isEmpty {
        return PlanBlock("azureDisk has no diskURI", remedy: ["Fix or remove this PersistentVolume by hand; it cannot be mounted as it is."])
      }
    case .azureFile(let file):
      if (file.shareName ?? "").isEmpty || (file.secretName ?? "").isEmpty {
        return PlanBlock("azureFile lacks shareName or secretName", remedy: ["Fix or remove this PersistentVolume by hand; it cannot be mounted as it is."])
      }
      let ns = file.secretNamespace ?? pv.claimRef?.namespace ?? ""
      if ns.isEmpty {
        return PlanBlock(
          "no secret namespace: no secretNamespace and no claimRef, so Kubernetes itself cannot translate it (could not find a secret namespace in PersistentVolumeSource or ClaimRef)",
          remedy: [
            "Find the namespace that holds Secret `\(file.secretName ?? "")` (`kubectl get secret -A --field-selector metadata.name=\(file.secretName ?? "")`).",
            "If the share is still needed, bind it to a claim in that namespace (create a PersistentVolumeClaim with `volumeName: \(pv.name)`), then dump and plan again; otherwise make it Retain and delete the PersistentVolume (the share stays).",
          ])
      }
    default: break
    }
    return nil
  }

  static func phaseBlock(_ pv: PVRecord) -> PlanBlock? {
    switch pv.phase {
    case "Released":
      return PlanBlock(
        "volume is Released: its claim \(pv.claim?.display ?? "") was deleted, and no workload can use it",
        remedy: [
          "Decide whether the data is still needed (`kubectl describe pv \(pv.name)`).",
          "If it is: `kubectl patch pv \(pv.name) -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Retain\"}}'`, then `kubectl patch pv \(pv.name) --type=json -p '[{\"op\":\"remove\",\"path\":\"/spec/claimRef\"}]'`, create a claim with `volumeName: \(pv.name)`, then dump and plan again.",
          "If it is not: delete the PersistentVolume; with Retain the Azure resource stays and must be deleted in Azure.",
        ])
    case "Failed":
      return PlanBlock(
        "volume is Failed: Kubernetes could not reclaim it",
        remedy: [
          "Read the reason: `kubectl get pv \(pv.name) -o jsonpath='{.status.message}'`.",
          "If the data must be kept, patch it to Retain first; then either fix the cause or remove the claimRef, bind a new claim with `volumeName`, and plan again.",
        ])
    default:
      return nil
    }
  }
}
