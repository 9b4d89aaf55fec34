import YAMLStream

/// Classifies the objects of one input (one cluster) as they stream by, keeping only counts,
/// findings and the little it needs to relate objects to each other at the end.
public struct Inventory: Sendable {
  public let input: Int
  public let name: String
  public private(set) var totals = Totals()
  public private(set) var findings: [Finding] = []

  /// StorageClass name → class, to judge StatefulSet claim templates at the end.
  private var classes: [String: SCClass] = [:]
  private var defaultClass: String?
  private var statefulSets: [Workload] = []
  private var inlineWorkloads: [Workload] = []
  /// Controllers present in the input (not pods), to avoid counting a pod's inline volume twice.
  private var controllers: Set<ObjectRef> = []
  private var finished = false
  private var firstSecret: (ObjectRef, Origin)?
  /// Distinct kinds counted by name; the rest are counted together.
  static let maxSkippedKinds = 200
  static let otherKinds = "(other kinds)"

  public init(input: Int, name: String) {
    self.input = input
    self.name = name
  }

  private mutating func add(
    _ rule: Rule, _ ref: ObjectRef, _ origin: Origin, _ position: SourcePosition?, storage: StorageKind? = nil,
    _ message: String
  ) {
    findings.append(Finding(rule, ref, at: origin.location(position), input: input, storage: storage, message))
  }

  public mutating func add(_ object: KubeObject, decodeFindings: [Finding] = []) {
    let start = findings.count
    // Objects arrive in input order: sorting each object's few findings keeps the list sorted.
    defer { if findings.count - start > 1 { findings[start...].sort(by: Finding.ordered) } }
    totals.objects.total += 1
    findings.append(contentsOf: decodeFindings)
    switch object {
    case .persistentVolume(let pv): add(pv)
    case .persistentVolumeClaim: totals.objects.persistentVolumeClaims += 1
    case .storageClass(let sc): add(sc)
    case .workload(let w): add(w)
    case .secret(let ref, let origin):
      // One finding per input, however many Secrets: it is advice, not a list.
      totals.objects.secrets += 1
      if firstSecret == nil { firstSecret = (ref, origin) }
    case .other(let kind):
      if totals.objects.skipped[kind] != nil || totals.objects.skipped.count < Self.maxSkippedKinds {
        totals.objects.skipped[kind, default: 0] += 1
      } else {
        totals.objects.skipped[Self.otherKinds, default: 0] += 1
      }
    }
  }

  // MARK: PersistentVolumes

  public mutating func add(_ pv: PersistentVolume) {
    let cls = PVClass(pv)
    totals.add(cls)
    let ref = pv.ref
    let o = pv.origin
    let storage = StorageKind(cls)

    // Any PV, in-tree or CSI: deprecated zone keys block the AKS 1.26 upgrade.
    let deprecated = pv.nodeAffinity.flatMap { $0 }.filter { TopologyKeys.deprecated.contains($0.key) }
    if let first = deprecated.first {
      // Literal messages: a finding costs no allocation beyond its own slot.
      let zone = deprecated.contains { $0.key == TopologyKeys.betaZone }
      let region = deprecated.contains { $0.key == TopologyKeys.betaRegion }
      let message =
        zone && region
        ? "nodeAffinity uses failure-domain.beta.kubernetes.io/zone and /region: AKS refuses the upgrade to 1.26 and nodes lose these labels in 1.28; the PV must be recreated with topology.kubernetes.io keys"
        : zone
          ? "nodeAffinity uses failure-domain.beta.kubernetes.io/zone: AKS refuses the upgrade to 1.26 and nodes lose this label in 1.28; the PV must be recreated with topology.kubernetes.io keys"
          : "nodeAffinity uses failure-domain.beta.kubernetes.io/region: AKS refuses the upgrade to 1.26 and nodes lose this label in 1.28; the PV must be recreated with topology.kubernetes.io keys"
      add(.deprecatedZoneLabel, ref, o, first.position, storage: storage, message)
    }
    if pv.phase == "Released" || pv.phase == "Failed" {
      add(.releasedOrFailedVolume, ref, o, pv.phasePosition, storage: storage,
        pv.phase == "Released"
          ? "volume is Released: its claim was deleted; decide whether the data is still needed before migrating it"
          : "volume is Failed: reclamation failed; inspect it before migrating")
    }
    guard cls.isInTree else { return }

    let served = pv.metadata.annotations[Metadata.migratedTo] != nil
    if served { totals.persistentVolumes.servedByCSIMigration += 1 }
    if pv.reclaimPolicy == "Delete" {
      add(.deleteReclaimPolicy, ref, o, pv.reclaimPolicyPosition, storage: storage,
        "reclaim policy Delete: deleting the claim or volume during migration deletes the Azure resource; patch to Retain first")
    }
    switch pv.source {
    case .azureDisk(let disk):
      if disk.isUnmanaged {
        add(.unmanagedDisk, ref, o, pv.sourcePosition, storage: storage, unmanagedMessage(disk))
      } else {
        add(.inTreeVolume, ref, o, pv.sourcePosition, storage: storage,
          served
            ? "in-tree azureDisk volume, served through CSI migration today (pv.kubernetes.io/migrated-to); migrate it to a disk.csi.azure.com volume"
            : "in-tree azureDisk volume; migrate it to a disk.csi.azure.com volume")
      }
      if disk.cachingMode == "ReadWrite" {
        add(.cachingModeReadWrite, ref, o, pv.sourcePosition, storage: storage,
          "cachingMode ReadWrite (the API default for static PVs) risks cache corruption and is deprecated by the CSI driver")
      }
    case .azureFile(let file):
      let namespace = file.secretNamespace ?? pv.claimRef?.namespace ?? ""
      if namespace.isEmpty {
        add(.fileSecretNamespaceUnknown, ref, o, pv.sourcePosition, storage: storage,
          "cannot be translated: could not find a secret namespace in PersistentVolumeSource or ClaimRef")
      } else {
        add(.inTreeVolume, ref, o, pv.sourcePosition, storage: storage,
          served
            ? "in-tree azureFile volume, served through CSI migration today (pv.kubernetes.io/migrated-to); migrate it to a file.csi.azure.com volume"
            : "in-tree azureFile volume; migrate it to a file.csi.azure.com volume")
      }
    default: break
    }
  }

  // MARK: StorageClasses

  public mutating func add(_ sc: StorageClass) {
    let cls = SCClass(provisioner: sc.provisioner)
    totals.add(cls)
    classes[sc.metadata.name] = cls
    if sc.isDefault { defaultClass = sc.metadata.name }
    guard cls.isInTree else { return }
    let ref = sc.ref
    let storage = StorageKind(cls)
    let target = cls == .inTreeAzureDisk ? Drivers.csiDisk : Drivers.csiFile
    add(.inTreeStorageClass, ref, sc.origin, nil, storage: storage,
      "provisioner \(sc.provisioner): volumes it creates are in-tree; provision through \(target) instead")
    if cls == .inTreeAzureDisk {
      let kind = sc.parameter("kind")?.lowercased()
      if let kind, kind == "shared" || kind == "dedicated" {
        add(.unmanagedDiskStorageClass, ref, sc.origin, nil, storage: storage,
          "kind \(kind) provisions unmanaged blob disks, which \(Drivers.csiDisk) cannot; use managed disks")
      } else if sc.parameter("storageaccount") != nil {
        add(.unmanagedDiskStorageClass, ref, sc.origin, nil, storage: storage,
          "parameter storageaccount only applies to unmanaged blob disks and is rejected by \(Drivers.csiDisk)")
      }
      let zoned = sc.parameter("zone") != nil || sc.parameter("zones") != nil
      if zoned && !sc.allowedTopologies.isEmpty {
        add(.storageClassTopologyConflict, ref, sc.origin, nil, storage: storage,
          "cannot be translated: cannot simultaneously set allowed topologies and zone/zones parameters")
      }
    }
  }

  // MARK: Workloads

  public mutating func add(_ w: Workload) {
    totals.objects.workloads += 1
    if w.kind != .pod { controllers.insert(w.ref) }
    if w.kind == .statefulSet && !w.claimTemplates.isEmpty { statefulSets.append(w) }
    if w.volumes.contains(where: { $0.source.isInTreeAzure }) { inlineWorkloads.append(w) }
  }

  /// Whether a pod (or ReplicaSet, Job) is already covered by its controller's template in this input.
  private func coveredByController(_ w: Workload) -> Bool {
    for owner in w.metadata.owners {
      if controllers.contains(ObjectRef(kind: owner.kind, namespace: w.metadata.namespace, name: owner.name)) {
        return true
      }
      // Generated names: a ReplicaSet is `<deployment>-<hash>`, a CronJob's Job `<cronjob>-<time>`.
      let parent = ["ReplicaSet": "Deployment", "Job": "CronJob"][owner.kind]
      if let parent, let dash = owner.name.lastIndex(of: "-") {
        let name = String(owner.name[..<dash])
        if controllers.contains(ObjectRef(kind: parent, namespace: w.metadata.namespace, name: name)) {
          return true
        }
      }
    }
    return false
  }

  /// Relates objects to each other; call once after the last object.
  public mutating func finish() {
    guard !finished else { return }
    finished = true
    let streamed = findings.count
    defer { sortFindings(streamed: streamed) }
    if let (ref, origin) = firstSecret {
      let count = totals.objects.secrets
      add(.secretInInput, ref, origin, nil,
        count == 1
          ? "a Secret is in the input: its data is never read or written by csi-migrate; leave secrets out of dumps"
          : "\(count) Secrets are in the input (this is the first): their data is never read or written by csi-migrate; leave secrets out of dumps")
    }
    var seenOwners: Set<ObjectRef> = []
    for w in inlineWorkloads {
      if coveredByController(w) { continue }
      // Pods of one controller that is not in the input: count the template once.
      if let owner = w.metadata.owners.first {
        let key = ObjectRef(kind: owner.kind, namespace: w.metadata.namespace, name: owner.name)
        if !seenOwners.insert(key).inserted { continue }
      }
      for v in w.volumes {
        switch v.source {
        case .azureDisk(let disk):
          totals.inlineVolumes.inTreeAzureDisk += 1
          if disk.isUnmanaged {
            add(.unmanagedDisk, w.ref, w.origin, v.position, storage: .disk, "inline volume \(v.name): " + unmanagedMessage(disk))
          } else {
            add(.inlineInTreeVolume, w.ref, w.origin, v.position, storage: .disk,
              "inline azureDisk volume \(v.name): \(Drivers.csiDisk) has no inline mode; it must become a PersistentVolume and claim")
          }
        case .azureFile:
          totals.inlineVolumes.inTreeAzureFile += 1
          add(.inlineInTreeVolume, w.ref, w.origin, v.position, storage: .file,
            "inline azureFile volume \(v.name): replace with a \(Drivers.csiFile) inline csi volume or a PersistentVolume and claim")
        default: break
        }
      }
    }
    for sts in statefulSets {
      var counted = false
      for t in sts.claimTemplates {
        let className = t.storageClassName ?? defaultClass
        guard let className, let cls = classes[className], cls.isInTree else { continue }
        if !counted {
          totals.objects.statefulSetsOnInTreeClasses += 1
          counted = true
        }
        let how = t.storageClassName == nil ? "the default StorageClass \(className)" : "StorageClass \(className)"
        add(.statefulSetInTreeClass, sts.ref, sts.origin, t.position, storage: StorageKind(cls),
          "volumeClaimTemplate \(t.name) uses \(how) (in-tree): new replicas get in-tree volumes; recreate the StatefulSet (--cascade=orphan) with a CSI class")
      }
    }
    statefulSets = []
    inlineWorkloads = []
    controllers = []
  }

  /// Puts the findings in order: those found while streaming are usually sorted already, so
  /// only the few added at the end are sorted and merged in (a full sort copies every finding).
  private mutating func sortFindings(streamed: Int) {
    let head = findings[..<streamed]
    guard zip(head, head.dropFirst()).allSatisfy({ !Finding.ordered($1, $0) }) else {
      findings.sort(by: Finding.ordered)
      return
    }
    guard streamed < findings.count else { return }
    // Merge from the back, in place: no second copy of a list that can be large.
    let tail = findings[streamed...].sorted(by: Finding.ordered)
    var i = streamed - 1
    var j = tail.count - 1
    var k = findings.count - 1
    while j >= 0 {
      if i >= 0 && Finding.ordered(tail[j], findings[i]) {
        findings[k] = findings[i]
        i -= 1
      } else {
        findings[k] = tail[j]
        j -= 1
      }
      k -= 1
    }
  }
}

extension VolumeSource {
  public var isInTreeAzure: Bool {
    switch self {
    case .azureDisk, .azureFile: true
    default: false
    }
  }
}

func unmanagedMessage(_ disk: AzureDiskSource) -> String {
  let what = disk.kind.map { "kind \($0)" } ?? "blob URI"
  return "unmanaged disk (\(what), \(disk.diskURI ?? "no diskURI")): no CSI driver serves it; convert it with az disk create --source <vhd-uri> first"
}
