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

/// Builds the migration plan of one cluster from its objects as they stream by. Keeps in memory
/// only what relates objects (names, claims, classes, workloads); the volumes and claims
/// themselves go to a spill as compact records, and `plan()` reads them back one at a time to
/// decide, then spills the decided volumes for rendering.
public struct Planner {
  public let options: PlanOptions
  private let spill: any RecordSpill

  /// An in-tree PersistentVolume as the planner keeps it until `plan()`.
  private struct InTree {
    var storageClassName: String?
    var isDisk: Bool
    var record: SpillRef
  }

  /// A claim: where its record is, whether its backup was written, and the PV it is bound to
  /// when that PV was read before it and is not in-tree (no pod using only such claims matters).
  private struct Claim {
    var record: SpillRef
    var backedUp: Bool
    var boundOutside: Bool
    /// Set by `plan()`: the plan keeps its backup.
    var kept = false
  }

  // Names and claims are kept by their 128-bit hash (`HandleKey`): a dump of 100,000 volumes
  // would otherwise hold every name twice, as a key and in the spilled record.
  private var inTree: [InTree] = []
  private var inTreeNames = NameArena()
  private var inTreeClaims: Set<HandleKey> = []
  /// Where a PV was read, and whether it is in-tree, in 12 bytes.
  private struct Seen {
    var line: UInt32
    var column: UInt32
    var file: UInt32
    var inTree: Bool
  }
  /// Every PV name seen (duplicates are errors).
  private var pvSeen = HandleTable<Seen>()
  /// The files PVs were read from, in order (`Seen.file`).
  private var files: [String] = []
  private var pvcs = HandleTable<Claim>()
  private var classes: [String: StorageClass] = [:]
  /// One copy of each storageClassName volumes name.
  private var classNames: Set<String> = []
  private var defaultClass: String?
  private var workloads: [WorkloadRecord] = []
  /// Existing CSI Azure Files handles → PV name.
  private var csiFileHandles: [HandleKey: String] = [:]
  /// Existing CSI Azure Disk handles (lower-cased) → PV name.
  private var csiDiskHandles: [HandleKey: String] = [:]
  /// Claim backups written while reading that the plan does not keep (set by `plan()`).
  public private(set) var unkeptBackups: [String] = []
  /// Manifests written while reading (`writeManifestsAhead`) of volumes the plan does not
  /// migrate (set by `plan()`).
  public private(set) var unwantedManifests: [String] = []
  /// Whether a workload was read after the last volume, claim or class: kubectl lists those
  /// kinds before workloads, so the volumes are likely all read.
  private var volumesSettled = false
  private var early: EarlyManifests?

  /// Manifests written ahead of `plan()`, in input order.
  private struct EarlyManifests {
    let classByName: [String: PlannedClass]
    /// The next volume (index into `inTree`).
    var next = 0
    /// Whose manifests were written.
    var written: [Bool]
    /// False once a volume, claim or class was read after they began: those written may differ
    /// from the plan's.
    var current = true
  }

  public init(options: PlanOptions = PlanOptions(), spill: any RecordSpill = MemorySpill()) {
    self.options = options
    self.spill = spill
  }

  /// Takes one decoded object; `tree` is the object as read (for annotations the typed model drops).
  /// - Throws: `InputError` when an object appears twice (two dumps of one cluster, or two clusters
  ///   mixed): a plan must never name one volume twice; the spill's error when it cannot write.
  public mutating func add(_ object: KubeObject, tree: ObjectTree) throws {
    try Self.checkNames(of: object)
    switch object {
    case .persistentVolume, .persistentVolumeClaim, .storageClass:
      volumesSettled = false
      early?.current = false
    case .workload:
      volumesSettled = !inTree.isEmpty
    case .secret, .other:
      break
    }
    switch object {
    case .persistentVolume(let pv):
      let location = pv.origin.location()
      let key = HandleKey(pv.metadata.name)
      if let first = pvSeen[key] {
        let file = files[Int(first.file)]
        throw InputError("PersistentVolume \(pv.metadata.name) appears twice (first at \(file):\(first.line):\(first.column)): plan one cluster at a time", at: location)
      }
      let cls = PVClass(pv)
      if files.last != location.file { files.append(location.file) }
      pvSeen.insert(
        key,
        Seen(
          line: UInt32(clamping: location.line), column: UInt32(clamping: location.column), file: UInt32(files.count - 1),
          inTree: cls.isInTree))
      switch cls {
      case .inTreeAzureDisk, .inTreeAzureDiskUnmanaged, .inTreeAzureFile:
        let record = PVRecord(pv, tree: tree)
        var writer = SpillWriter()
        record.encode(to: &writer)
        let className = record.storageClassName.map { name in classNames.insert(name).memberAfterInsert }
        inTreeNames.append(pv.metadata.name)
        inTree.append(InTree(
          storageClassName: className, isDisk: record.isDisk, record: try spill.append(writer.bytes)))
        if let claim = record.claim { inTreeClaims.insert(HandleKey(claim)) }
      case .csiAzureFile:
        if case .csi(let csi) = pv.source { csiFileHandles[HandleKey(csi.volumeHandle)] = pv.metadata.name }
      case .csiAzureDisk:
        if case .csi(let csi) = pv.source { csiDiskHandles[HandleKey(csi.volumeHandle.lowercased())] = pv.metadata.name }
      case .other: break
      }
    case .persistentVolumeClaim(let pvc):
      let key = ClaimKey(namespace: pvc.metadata.namespace, name: pvc.metadata.name)
      let hash = HandleKey(key)
      if let first = pvcs[hash] {
        throw InputError("PersistentVolumeClaim \(key.display) appears twice (first at \(try claimRecord(first).location)): plan one cluster at a time", at: pvc.origin.location())
      }
      var writer = SpillWriter(capacity: 256)
      PVCRecord(pvc, tree: tree).encode(to: &writer)
      let volume = pvc.volumeName ?? ""
      let boundOutside = !volume.isEmpty && pvSeen[HandleKey(volume)].map { !$0.inTree } == true
      pvcs.insert(hash, Claim(record: try spill.append(writer.bytes), backedUp: mayNeedBackup(pvc), boundOutside: boundOutside))
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
      if w.kind == .pod && record.inline.isEmpty {
        // A pod matters through claims of in-tree volumes only: not through claims bound to
        // volumes read already that are not in-tree.
        let relevant = record.claims.contains { claim in
          pvcs[HandleKey(ClaimKey(namespace: record.namespace, name: claim))].map { !$0.boundOutside } ?? true
        }
        if !relevant { return }
      }
      workloads.append(record)
    case .secret, .other:
      break
    }
  }

  /// Plan files and migrate.sh's state files are named after objects: names must be what the API
  /// server accepts (no `/`, no `..`), or a crafted dump could make the plan write outside its
  /// directory.
  public static func checkNames(of object: KubeObject) throws(InputError) {
    switch object {
    case .persistentVolume(let pv): try checkNames("PersistentVolume", pv.metadata, at: pv.origin.location())
    case .persistentVolumeClaim(let pvc): try checkNames("PersistentVolumeClaim", pvc.metadata, at: pvc.origin.location())
    case .storageClass(let sc): try checkNames("StorageClass", sc.metadata, at: sc.origin.location())
    case .workload(let w): try checkNames(w.kind.rawValue, w.metadata, at: w.origin.location())
    case .secret, .other: break
    }
  }

  static func checkNames(_ kind: String, _ meta: Metadata, at location: SourceLocation) throws(InputError) {
    func refuse(_ what: String, _ value: String, _ rule: String) -> InputError {
      InputError("\(kind) \(what) \(Text.quotedForMessage(value)) is not a Kubernetes name (\(rule)); plan names files after it", at: location)
    }
    let subdomain = "at most 253 of a-z, 0-9, '-' and '.', starting and ending with a letter or digit"
    if !KubeName.isSubdomain(meta.name) { throw refuse("name", meta.name, subdomain) }
    if !meta.namespace.isEmpty && !KubeName.isLabel(meta.namespace) {
      throw refuse("namespace", meta.namespace, "at most 63 of a-z, 0-9 and '-', starting and ending with a letter or digit")
    }
    for owner in meta.owners where !KubeName.isSubdomain(owner.name) {
      throw refuse("owner \(owner.kind)", owner.name, subdomain)
    }
  }

  /// Whether a claim may need a backup, as far as the objects read so far tell: yes when an
  /// in-tree volume names it (or is named by it), no when it is bound to a volume already read
  /// that is not in-tree. Saves writing (and removing) a file per claim of a large cluster.
  public func mayNeedBackup(_ pvc: PersistentVolumeClaim) -> Bool {
    if inTreeClaims.contains(HandleKey(ClaimKey(namespace: pvc.metadata.namespace, name: pvc.metadata.name))) { return true }
    guard let volume = pvc.volumeName, !volume.isEmpty else { return true }
    return pvSeen[HandleKey(volume)].map(\.inTree) ?? true
  }

  private func claimRecord(_ claim: Claim) throws -> PVCRecord {
    var reader = SpillReader(try spill.read(claim.record))
    return try PVCRecord(from: &reader)
  }

  // MARK: - Deciding

  /// Decides every volume and groups them with their workloads. Reads each spilled record back
  /// once, and spills the decided volume in name order, for rendering in batches. Call it once:
  /// it lets go of each table as soon as it is done with it.
  public mutating func plan() throws -> Plan {
    let plannedClasses = planClasses()
    let classByName = Dictionary(plannedClasses.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let order = inTree.indices.sorted(by: inTreeNames.less)
    let names = inTreeNames.reordered(order)
    inTreeNames = NameArena()
    pvSeen = HandleTable()
    inTreeClaims = []
    let existingFileHandles = csiFileHandles.count

    // Deciding a volume reads its records back, decides and encodes it: runs of volumes are
    // decided on two threads from a copy of the tables (read only), and taken in name order by
    // this function, which keeps the tables and the spill.
    let merged = DecidedVolumes(
      claims: ClaimTable(templates: templatePrefixes(), capacity: order.count),
      handles: HandleCheck(files: csiFileHandles, disks: csiDiskHandles))
    csiFileHandles = [:]
    csiDiskHandles = [:]
    merged.facts.reserveCapacity(order.count)
    merged.refs.reserveCapacity(order.count)
    do {
      // Read only while the threads run.
      let planner = Shared(self)
      let runs = Parallel.runs(order.count, size: Self.decideRun)
      try Parallel.ordered(count: runs.count, workers: 2) { _, r in
        var run = DecidedRun()
        for i in runs[r] {
          run.append(try planner.value.decide(inTree: planner.value.inTree[order[i]], classByName))
        }
        return run
      } consume: { run in
        try merged.append(run, to: planner.value.spill)
      }
    }
    var facts = merged.facts
    let refs = merged.refs
    var claims = merged.claims
    var handles = merged.handles
    let targets = merged.targets, targetPairs = merged.targetPairs
    for key in merged.kept { pvcs.update(key) { $0.kept = true } }
    merged.release()
    claims.finish()
    let overrides = handles.blocks(names: names)
    handles = HandleCheck(files: [:], disks: [:])
    for i in overrides.keys { facts[i].action = .blocked }
    // Manifests written ahead stand for a volume the plan migrates; of any other, they go.
    if let early {
      var unwanted: [String] = []
      var unwantedClaims: Set<HandleKey> = []
      // Volumes read after the manifests began have none written.
      for (i, k) in order.enumerated() where k < early.written.count && early.written[k] {
        if facts[i].action == .migrate {
          facts[i].manifestsWritten = early.current
        } else {
          var reader = SpillReader(try spill.read(inTree[k].record))
          let pv = try PVRecord(from: &reader)
          unwanted.append(PlanPaths.persistentVolume(pv.name))
          if let claim = pv.claim {
            unwanted.append(PlanPaths.claim(claim))
            unwantedClaims.insert(HandleKey(claim))
          }
        }
      }
      // A claim manifest removed may be that of a volume the plan migrates (a volume blocked for
      // its disk or share can name the claim another one migrates with): written again.
      if !unwantedClaims.isEmpty {
        for i in facts.indices where facts[i].manifestsWritten {
          if let claim = claims.hash(i), unwantedClaims.contains(claim) { facts[i].manifestsWritten = false }
        }
      }
      unwantedManifests = unwanted
      self.early = nil
    }
    inTree = []
    var unkept: [ClaimKey] = []
    try pvcs.forEachValue { claim in
      if claim.backedUp && !claim.kept { unkept.append(try claimRecord(claim).key) }
    }
    unkeptBackups = unkept.sorted().map(PlanPaths.backupClaim)
    pvcs = HandleTable()

    let (plannedWorkloads, groupsFound) = planWorkloads(facts, claims, classByName)
    // Groups are numbered in the order they are run.
    var groups = groupsFound
    for i in groups.indices { groups[i].number = i + 1 }
    for (g, group) in groups.enumerated() {
      for v in group.volumes { facts[v].group = Int32(g) }
    }
    let volumes = VolumeList(
      facts: facts, names: names, spill: spill, refs: refs, overrides: overrides,
      targetClasses: facts.indices.lazy.filter { facts[$0].action == .migrate }.map { targetPairs[Int(targets[$0])] })
    return Plan(
      inputs: options.inputs, namespaces: options.namespaces.sorted(), volumes: volumes, classes: plannedClasses,
      workloads: plannedWorkloads, groups: groups, inline: planInline(), existingFileHandles: existingFileHandles,
      toolVersion: options.toolVersion)
  }

  /// Volumes decided together, by one thread.
  static let decideRun = 64

  /// Decides a few more volumes as far as the objects read so far tell, and writes the
  /// manifests of those that migrate; `plan()` keeps them where its own decision agrees. Runs
  /// only once workloads come after the volumes (the queue's thread calls it while it waits for
  /// objects), and stops for good when a volume, claim or class comes after all. Returns
  /// whether there is more to do.
  public mutating func writeManifestsAhead(_ write: (String, [UInt8]) throws -> Void) throws -> Bool {
    guard volumesSettled else { return false }
    if early == nil {
      let classes = planClasses()
      early = EarlyManifests(
        classByName: Dictionary(classes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }),
        written: [Bool](repeating: false, count: inTree.count))
    }
    guard var state = early, state.current, state.next < inTree.count else { return false }
    early = nil  // written back below: no copy of `written` while it changes
    let end = min(state.next + Self.aheadRun, inTree.count)
    for k in state.next..<end {
      let v = try decide(inTree: inTree[k], state.classByName)
      guard v.action == .migrate else { continue }
      for (path, bytes) in try PlanDirectory.manifests(of: v) { try write(path, bytes) }
      state.written[k] = true
    }
    state.next = end
    early = state
    return state.next < inTree.count
  }

  /// Volumes whose manifests are written ahead at a time.
  static let aheadRun = 16

  /// In-tree volume `entry`, decided: its records read back and checked against the tables.
  private func decide(inTree entry: InTree, _ classByName: [String: PlannedClass]) throws -> PlannedVolume {
    var reader = SpillReader(try spill.read(entry.record))
    let pv = try PVRecord(from: &reader)
    let pvc = try pv.claim.flatMap { pvcs[HandleKey($0)] }.map(claimRecord)
    return planVolume(pv, pvc, classByName)
  }

  /// At most this many volumes no pod uses go in one group.
  public static let unusedGroupSize = 100

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

  func planVolume(_ pv: PVRecord, _ pvc: PVCRecord?, _ planned: [String: PlannedClass]) -> PlannedVolume {
    var v = PlannedVolume(pv: pv, pvc: pvc, action: .migrate)
    func block(_ b: PlanBlock) {
      v.action = .blocked
      v.reason = b.reason
      v.remedy = b.remedy
    }
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

  // MARK: Workloads and groups

  private struct WorkloadKey: Hashable {
    var kind: String
    var namespace: String
    var name: String
  }

  func planWorkloads(
    _ volumes: [VolumeFacts], _ claims: ClaimTable, _ planned: [String: PlannedClass]
  ) -> ([PlannedWorkload], [MigrationGroup]) {
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

    // Claims of migrating volumes, by hash: claim → volume.
    let claimVolume = claims.volumeIndex { volumes[$0].action == .migrate }
    func volume(_ namespace: String, _ claim: String) -> Int? {
      claims.volume(of: HandleKey(ClaimKey(namespace: namespace, name: claim)), in: claimVolume)
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
      let relevant = w.claims.filter { volume(w.namespace, $0) != nil }
      var stsClaims: [String] = []
      if w.kind == .statefulSet {
        // Claims made from the templates, used by pods now or after a scale-up.
        for t in w.claimTemplates {
          let prefix = "\(t.name)-\(w.name)-"
          claims.forEachTemplateClaim(namespace: w.namespace, prefix: prefix) { i, name in
            if volumes[i].action == .migrate { stsClaims.append(name) }
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
        volume(w.namespace, c).map { volumes[$0].isDisk } ?? false
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

    // Union-find over the volumes of the claims: claims used by one workload belong together.
    // Every claim a workload keeps is the claim of a migrating volume (see `relevant`).
    let keys = accs.keys.sorted { ($0.namespace, $0.kind, $0.name) < ($1.namespace, $1.kind, $1.name) }
    var parent = [Int32](repeating: -1, count: volumes.count)
    func find(_ i: Int) -> Int {
      var i = i
      while parent[i] >= 0, Int(parent[i]) != i { i = Int(parent[i]) }
      return i
    }
    func union(_ a: Int, _ b: Int) {
      let ra = find(a), rb = find(b)
      if ra != rb { parent[max(ra, rb)] = Int32(min(ra, rb)) }
    }
    for key in keys {
      guard let w = accs[key] else { continue }
      let members = w.claims.compactMap { volume(w.namespace, $0) }
      for m in members where parent[m] < 0 { parent[m] = Int32(m) }
      for m in members.dropFirst() { union(members[0], m) }
    }
    var workloadList: [PlannedWorkload] = []
    var componentWorkloads: [Int: [Int]] = [:]
    var workloadOnlyGroups: [[Int]] = []
    for key in keys {
      guard let w = accs[key] else { continue }
      workloadList.append(w)
      let index = workloadList.count - 1
      if let first = w.claims.first.flatMap({ volume(w.namespace, $0) }) {
        componentWorkloads[find(first), default: []].append(index)
      } else {
        workloadOnlyGroups.append([index])
      }
    }
    var componentVolumes: [Int: [Int]] = [:]
    var unused: [String: [Int]] = [:]
    for (i, v) in volumes.enumerated() where v.action == .migrate {
      // Volumes that name one claim go with the volume the claim maps to.
      if let claim = claims.hash(i), let owner = claims.volume(of: claim, in: claimVolume), parent[owner] >= 0 {
        componentVolumes[find(owner), default: []].append(i)
      } else {
        unused[claims.namespace(i) ?? "", default: []].append(i)
      }
    }
    var groups: [MigrationGroup] = []
    // Volumes no pod uses need not move together: groups of at most `unusedGroupSize`, so that a
    // namespace of thousands of them is worked (and rendered) in pieces of a bounded size.
    for ns in unused.keys.sorted() {
      let all = unused[ns] ?? []
      for run in Parallel.runs(all.count, size: Self.unusedGroupSize) {
        groups.append(MigrationGroup(number: 0, namespace: ns, workloads: [], volumes: Array(all[run])))
      }
    }
    let roots = componentWorkloads.keys.sorted { a, b in
      let wa = componentWorkloads[a]?.first ?? 0, wb = componentWorkloads[b]?.first ?? 0
      return wa < wb
    }
    var withWorkloads: [MigrationGroup] = []
    for root in roots {
      withWorkloads.append(
        MigrationGroup(
          number: 0, namespace: claims.namespace(root) ?? "", workloads: componentWorkloads[root] ?? [],
          volumes: (componentVolumes[root] ?? []).sorted()))
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

  /// `<template>-<set>-`, the start of the claims made from each claim template of a StatefulSet,
  /// in the set's namespace.
  private func templatePrefixes() -> [ClaimKey] {
    var result: [ClaimKey] = []
    for w in workloads where w.kind == .statefulSet {
      for t in w.claimTemplates { result.append(ClaimKey(namespace: w.namespace, name: "\(t.name)-\(w.name)-")) }
    }
    return result
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

/// A name, claim or volume handle by its 128-bit hash: the planner relates 100,000 volumes and
/// their claims without keeping their text. Two different texts with one hash would block a
/// volume, or relate a volume to the wrong claim; the odds are about 2^-100 for a whole fleet of
/// real names (FNV-1a is no defence against names crafted to collide, but names that reach the
/// planner are checked to be Kubernetes names first).
struct HandleKey: Hashable, Sendable {
  var a: UInt64
  var b: UInt64

  init(_ claim: ClaimKey) { self.init(claim.namespace + "\u{0}" + claim.name) }

  init(a: UInt64, b: UInt64) {
    self.a = a
    self.b = b
  }

  init(_ text: String) {
    // FNV-1a, twice with different offsets.
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x8422_2325_cbf2_9ce4
    for byte in text.utf8 {
      a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
      b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0193
      b = b ^ (b >> 29)
    }
    self.a = a
    self.b = b
  }
}

/// The claims of the decided volumes, in volume order, by hash and namespace: 20 bytes a volume,
/// where a `ClaimKey` took 32 and a heap copy of most names. The claims made from StatefulSet
/// claim templates (`<template>-<set>-<ordinal>`) are found as the volumes are appended, for the
/// templates the workloads have, instead of by a scan of every claim for each template.
struct ClaimTable {
  /// Each volume's claim by hash (meaningless where `spaces` is -1).
  private var hashes: [HandleKey] = []
  /// Each volume's claim namespace, an index into `namespaces`; -1 for a volume without one.
  private var spaces: [Int32] = []
  private var namespaces: [String] = []
  /// Namespaces by the hash of their bytes (not `String` equality, which would merge namespaces
  /// written differently that Unicode deems equal).
  private var namespaceIndex: [HandleKey: Int32] = [:]
  /// Template prefixes in their namespaces (`ClaimKey.name` is the prefix), by id.
  private let templates: [ClaimKey]
  /// Template ids by the hash of `ClaimKey(namespace:name:)` of their prefix.
  private let templateIDs: [HandleKey: Int32]
  /// Templates with a namespace or prefix not plain ASCII: compared as `String`s with each claim.
  private let oddTemplates: [Int32]
  private struct Found {
    var template: Int32
    var volume: Int32
    /// The claim's name; for a plain claim only the ordinal after the prefix.
    var name: String
    var isOrdinal: Bool
  }
  /// Claims found for templates, by template and then volume after `finish()`.
  private var found: [Found] = []
  /// Where each template's claims start in `found` (one more entry than templates).
  private var starts: [Int32] = []

  init(templates prefixes: [ClaimKey], capacity: Int) {
    var templates: [ClaimKey] = []
    var ids: [HandleKey: Int32] = [:]
    var odd: [Int32] = []
    for prefix in prefixes {
      let key = HandleKey(prefix)
      if ids[key] != nil { continue }
      ids[key] = Int32(templates.count)
      if !Self.isPlain(prefix.namespace) || !Self.isPlain(prefix.name) { odd.append(Int32(templates.count)) }
      templates.append(prefix)
    }
    self.templates = templates
    templateIDs = ids
    oddTemplates = odd
    hashes.reserveCapacity(capacity)
    spaces.reserveCapacity(capacity)
  }

  /// Printable ASCII and controls other than NUL: `String` comparison is byte comparison, and a
  /// prefix cannot run into a character the rest of the name starts.
  private static func isPlain(_ text: String) -> Bool { text.utf8.allSatisfy { $0 != 0 && $0 < 0x80 } }

  /// The test a claim made from a template passes: the template's prefix, then an ordinal.
  private static func isMade(_ claim: ClaimKey, from template: ClaimKey) -> Bool {
    claim.namespace == template.namespace && claim.name.hasPrefix(template.name)
      && claim.name.dropFirst(template.name.count).allSatisfy(\.isNumber)
  }

  /// Appends the claim of the next volume (nil: none that counts).
  mutating func append(_ claim: ClaimKey?) {
    guard let claim else {
      hashes.append(HandleKey(a: 0, b: 0))
      spaces.append(-1)
      return
    }
    let volume = Int32(hashes.count)
    hashes.append(HandleKey(claim))
    let space = HandleKey(claim.namespace)
    if let i = namespaceIndex[space] {
      spaces.append(i)
    } else {
      namespaceIndex[space] = Int32(namespaces.count)
      spaces.append(Int32(namespaces.count))
      namespaces.append(claim.namespace)
    }
    if templates.isEmpty { return }
    if Self.isPlain(claim.namespace) && Self.isPlain(claim.name) {
      // Only a prefix that ends at the last "-", followed by digits, can match.
      let name = claim.name.utf8
      if let dash = name.lastIndex(of: UInt8(ascii: "-")) {
        let ordinal = name[name.index(after: dash)...]
        if ordinal.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
          let id = templateIDs[HandleKey(ClaimKey(namespace: claim.namespace, name: String(claim.name[...dash])))]
        {
          found.append(Found(template: id, volume: volume, name: String(claim.name[ordinal.startIndex...]), isOrdinal: true))
        }
      }
      for id in oddTemplates where Self.isMade(claim, from: templates[Int(id)]) {
        found.append(Found(template: id, volume: volume, name: claim.name, isOrdinal: false))
      }
    } else {
      for (id, template) in templates.enumerated() where Self.isMade(claim, from: template) {
        found.append(Found(template: Int32(id), volume: volume, name: claim.name, isOrdinal: false))
      }
    }
  }

  /// Orders the claims found for templates; call once, after the last `append`.
  mutating func finish() {
    found.sort { ($0.template, $0.volume) < ($1.template, $1.volume) }
    starts = [Int32](repeating: 0, count: templates.count + 1)
    for f in found { starts[Int(f.template) + 1] += 1 }
    for i in templates.indices { starts[i + 1] += starts[i] }
  }

  var count: Int { hashes.count }

  /// The hash of volume `i`'s claim.
  func hash(_ i: Int) -> HandleKey? { spaces[i] < 0 ? nil : hashes[i] }

  /// The namespace of volume `i`'s claim.
  func namespace(_ i: Int) -> String? { spaces[i] < 0 ? nil : namespaces[Int(spaces[i])] }

  /// Calls `body` with each volume, in order, whose claim is made from the claim template that
  /// starts claims with `prefix` in `namespace` (one of the `templates`), and the claim's name.
  func forEachTemplateClaim(namespace: String, prefix: String, _ body: (Int, String) -> Void) {
    guard let id = templateIDs[HandleKey(ClaimKey(namespace: namespace, name: prefix))].map(Int.init) else { return }
    for f in found[Int(starts[id])..<Int(starts[id + 1])] {
      body(Int(f.volume), f.isOrdinal ? prefix + f.name : f.name)
    }
  }

  /// The volumes with a claim that `include` accepts, ordered by claim hash; of volumes with one
  /// claim, only the last.
  func volumeIndex(_ include: (Int) -> Bool) -> [Int32] {
    var index: [Int32] = []
    for i in hashes.indices where spaces[i] >= 0 && include(i) { index.append(Int32(i)) }
    index.sort { a, b in
      let x = hashes[Int(a)], y = hashes[Int(b)]
      return (x.a, x.b, a) < (y.a, y.b, b)
    }
    var result: [Int32] = []
    result.reserveCapacity(index.count)
    for (n, i) in index.enumerated() where n + 1 == index.count || hashes[Int(index[n + 1])] != hashes[Int(i)] {
      result.append(i)
    }
    return result
  }

  /// The volume of claim `key` in an index made by `volumeIndex`.
  func volume(of key: HandleKey, in index: [Int32]) -> Int? {
    var low = 0, high = index.count
    while low < high {
      let mid = (low + high) / 2
      let h = hashes[Int(index[mid])]
      if (h.a, h.b) < (key.a, key.b) { low = mid + 1 } else { high = mid }
    }
    guard low < index.count, hashes[Int(index[low])] == key else { return nil }
    return Int(index[low])
  }
}

/// A map keyed by `HandleKey`, with open addressing. A `Dictionary` keeps at most 3/4 of its
/// power-of-two capacity in use, so 100,000 names take 262,144 slots; this table fills up to
/// 13/16 of its slots (131,072 for 100,000 names), which halves the largest tables of the planner.
/// The keys are hashes already: their low bits pick the slot.
struct HandleTable<Value> {
  private var keys: [HandleKey] = []
  private var slots: [Value?] = []
  private(set) var count = 0

  init() {}

  private func slot(of key: HandleKey) -> Int {
    let mask = keys.count - 1
    var i = Int(truncatingIfNeeded: key.a) & mask
    while slots[i] != nil, keys[i] != key { i = (i + 1) & mask }
    return i
  }

  subscript(key: HandleKey) -> Value? {
    if keys.isEmpty { return nil }
    return slots[slot(of: key)]
  }

  /// Sets the value of `key`, replacing the one it had.
  mutating func insert(_ key: HandleKey, _ value: Value) {
    if (count + 1) * 16 > keys.count * 13 { grow() }
    let i = slot(of: key)
    if slots[i] == nil { count += 1 }
    keys[i] = key
    slots[i] = value
  }

  /// Changes the value of `key`, if it has one.
  mutating func update(_ key: HandleKey, _ change: (inout Value) -> Void) {
    if keys.isEmpty { return }
    let i = slot(of: key)
    guard var value = slots[i] else { return }
    slots[i] = nil
    change(&value)
    slots[i] = value
  }

  /// Calls `body` with each value, in no particular order.
  func forEachValue(_ body: (Value) throws -> Void) rethrows {
    for case let value? in slots { try body(value) }
  }

  private mutating func grow() {
    let old = (keys, slots)
    let capacity = Swift.max(16, keys.count * 2)
    keys = [HandleKey](repeating: HandleKey(a: 0, b: 0), count: capacity)
    slots = [Value?](repeating: nil, count: capacity)
    count = 0
    for (key, value) in zip(old.0, old.1) {
      guard let value else { continue }
      let i = slot(of: key)
      keys[i] = key
      slots[i] = value
      count += 1
    }
  }
}

extension HandleTable: Sendable where Value: Sendable {}

/// Disk URIs and Azure Files handles must be unique among the new PVs and the CSI PVs already
/// there, and no claim may be recreated for two volumes. Volumes come in name order, as they are
/// decided.
struct HandleCheck {
  /// Azure Files handles taken (CSI PVs in the input, then in-tree volumes in order) → PV name.
  var files: [HandleKey: String]
  /// CSI Azure Disk handles in the input (lower-cased) → PV name.
  let disks: [HandleKey: String]
  /// The in-tree volumes of each disk, and the migrating volumes of each claim.
  private var disksUsed = Repeats()
  private var claimsUsed = Repeats()
  /// The claims named more than once, for the message.
  private var sharedClaims: [HandleKey: ClaimKey] = [:]
  private var blocked: [Int: PlanBlock] = [:]

  /// The volumes of each key, kept only for keys that more than one volume has.
  struct Repeats {
    private var first: [HandleKey: Int32] = [:]
    private(set) var shared: [HandleKey: [Int]] = [:]

    /// Notes volume `i` under `key`; true when another volume had it already.
    @discardableResult
    mutating func add(_ key: HandleKey, _ i: Int) -> Bool {
      guard let earlier = first[key] else {
        first[key] = Int32(i)
        return false
      }
      shared[key, default: [Int(earlier)]].append(i)
      return true
    }
  }

  init(files: [HandleKey: String], disks: [HandleKey: String]) {
    self.files = files
    self.disks = disks
  }

  /// What the checks take of a migrating volume (computed by the thread that decided it).
  struct Entry {
    var name: String
    var isDisk: Bool
    var handle: String
    /// The handle's key: lower-cased for a disk.
    var key: HandleKey
    var claim: ClaimKey?

    init(_ v: PlannedVolume) {
      name = v.name
      isDisk = v.isDisk
      handle = v.handle
      key = HandleKey(v.isDisk ? v.handle.lowercased() : v.handle)
      claim = v.pvc?.key
    }
  }

  mutating func check(_ v: Entry, index i: Int) {
    if v.isDisk {
      if let other = disks[v.key] {
        blocked[i] = PlanBlock(
          "its disk is already used by CSI PersistentVolume \(other)",
          remedy: ["Two PersistentVolumes on one disk corrupt it. Find out which one is in use (`kubectl get pv \(v.name) \(other) -o wide`), delete the stale one (after making it Retain), and plan again."])
        return
      }
      disksUsed.add(v.key, i)
    } else {
      if let other = files[v.key] {
        blocked[i] = PlanBlock(
          "its CSI volumeHandle \(v.handle) is already used by PersistentVolume \(other)",
          remedy: ["Two PersistentVolumes with one handle share one mount on a node (wrong data). Rename or remove \(other), then plan again."])
        return
      }
      files[v.key] = v.name
    }
    // Two PVs pre-bound to one claim that names neither (no volumeName): both pass the checks of
    // one volume, but the claim can be created again for one of them only.
    if let claim = v.claim, claimsUsed.add(HandleKey(claim), i) { sharedClaims[HandleKey(claim)] = claim }
  }

  /// Every volume blocked, with why: those found on the way, every volume of a disk that several
  /// in-tree volumes name, and every volume of a claim that several migrating volumes name.
  func blocks(names: NameArena) -> [Int: PlanBlock] {
    var result = blocked
    func block(_ repeats: Repeats, _ why: (HandleKey, String) -> PlanBlock) {
      for (key, users) in repeats.shared {
        let block = why(key, users.map { names[$0] }.joined(separator: ", "))
        for i in users { result[i] = block }
      }
    }
    block(disksUsed) { _, list in
      PlanBlock(
        "several in-tree PersistentVolumes (\(list)) name the same disk",
        remedy: ["Keep one PersistentVolume per disk: find the one in use, delete the others after making them Retain, and plan again."])
    }
    block(claimsUsed) { key, list in
      let claim = sharedClaims[key] ?? ClaimKey(namespace: "", name: "")
      return PlanBlock(
        "several in-tree PersistentVolumes (\(list)) are bound to claim \(claim.display), which names none of them",
        remedy: ["Find the volume that holds the claim's data (`kubectl describe pvc -n \(claim.namespace) \(claim.name)`), make the others Retain and delete them (or set the claim's `volumeName`), and plan again."])
    }
    return result
  }
}

/// What `plan()` keeps of the decided volumes, appended a run at a time in name order (by one
/// thread at a time: `Parallel.ordered` hands runs over in turn).
private final class DecidedVolumes: @unchecked Sendable {
  var facts: [VolumeFacts] = []
  var refs: [SpillRef] = []
  var claims: ClaimTable
  var handles: HandleCheck
  /// Target class and driver of each volume, as an index into `targetPairs`.
  var targets: [Int32] = []
  var targetPairs: [(String, String)] = []
  private var targetIndex: [String: Int32] = [:]
  /// Claims whose backup the plan keeps.
  var kept: [HandleKey] = []

  init(claims: ClaimTable, handles: HandleCheck) {
    self.claims = claims
    self.handles = handles
  }

  func append(_ run: DecidedRun, to spill: any RecordSpill) throws {
    let start = try spill.append(run.bytes).offset
    var offset = start
    for v in run.volumes {
      refs.append(SpillRef(offset: offset, count: Int32(start + v.end - offset)))
      offset = start + v.end
      facts.append(v.facts)
      claims.append(v.claim)
      if let i = targetIndex[v.target] {
        targets.append(i)
      } else {
        targetIndex[v.target] = Int32(targetPairs.count)
        targets.append(Int32(targetPairs.count))
        targetPairs.append((v.targetClass, v.driver))
      }
      if let key = v.kept { kept.append(key) }
      if let entry = v.check { handles.check(entry, index: facts.count - 1) }
    }
  }

  /// Lets go of the tables once the caller has taken them.
  func release() {
    facts = []
    refs = []
    claims = ClaimTable(templates: [], capacity: 0)
    handles = HandleCheck(files: [:], disks: [:])
    targets = []
    kept = []
  }
}

/// Volumes decided by one thread, in name order: their records, one after the other, and what
/// the plan's tables take of each.
private struct DecidedRun {
  struct Volume {
    /// Where its record ends in `bytes`.
    var end: Int
    var facts: VolumeFacts
    /// The claim of a migrating volume.
    var claim: ClaimKey?
    var targetClass: String
    var driver: String
    /// `targetClass` and `driver` in one key.
    var target: String
    /// Its claim, when the plan keeps the claim's backup.
    var kept: HandleKey?
    var check: HandleCheck.Entry?
  }
  var bytes: [UInt8] = []
  var volumes: [Volume] = []

  init() {
    bytes.reserveCapacity(Planner.decideRun * 1024)
    volumes.reserveCapacity(Planner.decideRun)
  }

  mutating func append(_ v: PlannedVolume) {
    var writer = SpillWriter(capacity: 1024)
    v.encode(to: &writer)
    bytes.append(contentsOf: writer.bytes)
    volumes.append(Volume(
      end: bytes.count, facts: VolumeFacts(v), claim: v.action == .migrate ? v.pv.claim : nil,
      targetClass: v.targetClass, driver: v.driver, target: v.targetClass + "\u{0}" + v.driver,
      kept: v.backupPaths.count > 1 ? v.pvc.map { HandleKey($0.key) } : nil,
      check: v.action == .migrate ? HandleCheck.Entry(v) : nil))
  }
}
