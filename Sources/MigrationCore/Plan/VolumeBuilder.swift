import YAMLStream

/// Builds the CSI PersistentVolume and claim of the default strategy ("static, same names"):
/// the in-tree object translated the way csi-translation-lib does it, then made applicable as a
/// stored object (Retain, claimRef without uid, zone affinity on current keys, a legal
/// cachingMode, no provisioner-only attributes).
public enum VolumeBuilder {
  /// Largest disk (GiB) Azure lets use host caching.
  static let maxCachedDiskGiB = 4095
  static let uncachedSKUs: Set<String> = ["premiumv2_lrs", "ultrassd_lrs"]

  /// Fills in handle, cachingMode and the list of changes of a volume that will migrate.
  static func decide(_ v: inout PlannedVolume, sku: String?) {
    let pv = v.pv
    switch pv.source {
    case .azureDisk(let disk):
      v.handle = disk.diskURI ?? ""
      let original = disk.cachingMode
      var caching = original
      if let size = pv.capacity.flatMap(Quantity.bytes), size > Double(maxCachedDiskGiB) * 1_073_741_824 {
        caching = "None"
      } else if let sku, uncachedSKUs.contains(sku.lowercased()) {
        caching = "None"
      } else if original == "ReadWrite" {
        caching = "ReadOnly"
      } else if original == "" {
        caching = nil
      }
      v.cachingMode = caching
      if caching != original {
        switch (original, caching) {
        case ("ReadWrite", "ReadOnly"):
          v.changes.append("cachingMode ReadWrite → ReadOnly: host write caching risks losing writes and is deprecated by the CSI driver; takes effect when the disk is attached again")
        case (_, "None"):
          v.changes.append("cachingMode \(original ?? "unset") → None: Azure allows no host caching for disks over 4095 GiB, PremiumV2 and Ultra disks")
        default:
          v.changes.append("cachingMode \(original ?? "unset") → \(caching ?? "driver default (ReadOnly)")")
        }
      }
      if pv.volumeMode == "Block", let fs = disk.fsType, !fs.isEmpty {
        v.changes.append("fsType \(fs) dropped: the volume is a raw block device (volumeMode Block)")
      } else if disk.fsType == "" {
        v.changes.append("fsType \"\" left to the driver's default (ext4 on Linux), as today")
      }
      if pv.nodeAffinity.isEmpty {
        v.warnings.append("the dump does not say in which zone the disk is: check `az disk show --ids \(v.handle) --query zones`; if it is zonal, add nodeAffinity on topology.kubernetes.io/zone to the new PersistentVolume before applying it, or pods may land in another zone and fail to attach")
      }
    case .azureFile(let file):
      v.handle = fileHandle(pv, file)
      v.changes.append("volumeHandle \(v.handle) (Kubernetes' own translation: resource group#account#share#PV name#namespace, unique per PersistentVolume)")
    default:
      break
    }
    let affinity = nodeAffinity(pv.nodeAffinity)
    v.changes.append(contentsOf: affinity.changes)
    if pv.reclaimPolicy != "Retain" {
      v.changes.append("reclaim policy \(pv.reclaimPolicy ?? "unset") → Retain (patch the new PersistentVolume back to Delete after verification if the disk or share should be deleted with its claim)")
    }
    let className = pv.storageClassName ?? ""
    if className != v.targetClass {
      v.changes.append("storageClassName \(className.isEmpty ? "(none)" : className) → \(v.targetClass.isEmpty ? "(none)" : v.targetClass)")
    }
  }

  /// csi-translation-lib's Azure Files handle: `<rg>#<account>#<share>#<pv name>#<namespace>`.
  public static func fileHandle(_ pv: PVRecord, _ file: AzureFileSource) -> String {
    let rg = pv.fileResourceGroup ?? ""
    let account = accountName(fromSecret: file.secretName ?? "")
    let ns = file.secretNamespace ?? pv.claimRef?.namespace ?? ""
    return "\(rg)#\(account)#\(file.shareName ?? "")#\(pv.name)#\(ns)"
  }

  /// `azure-storage-account-(.+)-secret` (unanchored, greedy), else the whole secret name.
  public static func accountName(fromSecret name: String) -> String {
    let chars = Array(name.utf8)
    let prefix = Array("azure-storage-account-".utf8)
    let suffix = Array("-secret".utf8)
    var start = 0
    while start + prefix.count + 1 + suffix.count <= chars.count {
      if Array(chars[start..<start + prefix.count]) == prefix {
        let from = start + prefix.count
        // Greedy: the last "-secret" that leaves at least one character.
        var end = chars.count - suffix.count
        while end > from {
          if Array(chars[end..<end + suffix.count]) == suffix {
            return String(decoding: chars[from..<end], as: UTF8.self)
          }
          end -= 1
        }
      }
      start += 1
    }
    return name
  }

  /// Zone and region requirements re-expressed on current keys; other requirements verbatim.
  /// Zonal values go to `topology.kubernetes.io/zone`; Azure fault-domain numbers (non-zonal
  /// disks) become `topology.disk.csi.azure.com/zone In [""]`, the only way to say "no zone".
  /// `describingChanges: false` leaves `changes` empty (the manifest needs only the terms).
  static func nodeAffinity(_ terms: [[NodeSelectorRequirement]], describingChanges: Bool = true) -> (terms: [[(key: String, op: String, values: [String])]], changes: [String]) {
    var result: [[(key: String, op: String, values: [String])]] = []
    var changes: Set<String> = []
    for term in terms {
      var out: [(key: String, op: String, values: [String])] = []
      for r in term {
        switch r.key {
        case TopologyKeys.betaZone, TopologyKeys.zone, TopologyKeys.diskCSIZone:
          let numeric = r.values.filter { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
          if !numeric.isEmpty && numeric.count == r.values.count {
            out.append((TopologyKeys.diskCSIZone, r.op, [""]))
            if describingChanges { changes.insert("\(r.key) \(r.values.joined(separator: ",")) (Azure fault domains: a disk in no zone) → \(TopologyKeys.diskCSIZone) \"\" (nodes in no zone)") }
          } else {
            var values: [String] = []
            for value in r.values {
              let mapped = (!value.isEmpty && value.allSatisfy(\.isNumber)) ? "" : value
              if !values.contains(mapped) { values.append(mapped) }
            }
            let key = r.key == TopologyKeys.diskCSIZone ? r.key : TopologyKeys.zone
            out.append((key, r.op, values))
            if describingChanges && key != r.key { changes.insert("nodeAffinity \(r.key) → \(key)") }
          }
        case TopologyKeys.betaRegion:
          out.append((TopologyKeys.region, r.op, r.values))
          if describingChanges { changes.insert("nodeAffinity \(r.key) → \(TopologyKeys.region)") }
        default:
          out.append((r.key, r.op, r.values))
        }
      }
      result.append(out)
    }
    return (result, changes.sorted())
  }

  // MARK: Manifests

  /// The CSI PersistentVolume of a migrating volume.
  public static func persistentVolume(_ v: PlannedVolume) -> YAMLValue {
    let pv = v.pv
    var metadata: [(String, YAMLValue)] = [("name", .string(pv.name))]
    if !pv.labels.isEmpty { metadata.append(("labels", stringMap(pv.labels))) }
    var annotations = pv.annotations.filter { $0.0 != Metadata.provisionedBy }
    annotations.append((Metadata.provisionedBy, v.driver))
    metadata.append(("annotations", stringMap(annotations.sorted { $0.0 < $1.0 })))

    var spec: [(String, YAMLValue)] = []
    if !pv.accessModes.isEmpty { spec.append(("accessModes", .sequence(pv.accessModes.map { .string($0) }))) }
    if let capacity = pv.capacity { spec.append(("capacity", .mapping([("storage", .string(capacity))]))) }
    if let claim = pv.claim {
      spec.append(("claimRef", .mapping([("name", .string(claim.name)), ("namespace", .string(claim.namespace))])))
    }
    spec.append(("csi", csi(v)))
    if !pv.mountOptions.isEmpty { spec.append(("mountOptions", .sequence(pv.mountOptions.map { .string($0) }))) }
    let affinity = nodeAffinity(pv.nodeAffinity, describingChanges: false).terms
    if !affinity.isEmpty {
      let terms: [YAMLValue] = affinity.map { term in
        .mapping([
          ("matchExpressions", .sequence(term.map { r in
            var e: [(String, YAMLValue)] = [("key", .string(r.key)), ("operator", .string(r.op))]
            if !r.values.isEmpty || r.op == "In" || r.op == "NotIn" {
              e.append(("values", .sequence(r.values.map { .string($0) })))
            }
            return .mapping(e)
          }))
        ])
      }
      spec.append(("nodeAffinity", .mapping([("required", .mapping([("nodeSelectorTerms", .sequence(terms))]))])))
    }
    spec.append(("persistentVolumeReclaimPolicy", .string("Retain")))
    if !v.targetClass.isEmpty { spec.append(("storageClassName", .string(v.targetClass))) }
    if let mode = pv.volumeMode { spec.append(("volumeMode", .string(mode))) }
    return .mapping([
      ("apiVersion", .string("v1")), ("kind", .string("PersistentVolume")), ("metadata", .mapping(metadata)),
      ("spec", .mapping(spec)),
    ])
  }

  /// `spec.csi`: upstream's translation, with the attributes a stored object should carry.
  static func csi(_ v: PlannedVolume) -> YAMLValue {
    var csi: [(String, YAMLValue)] = [("driver", .string(v.driver))]
    switch v.pv.source {
    case .azureDisk(let disk):
      let block = v.pv.volumeMode == "Block"
      let fsType = block ? nil : disk.fsType.flatMap { $0.isEmpty ? nil : $0 }
      if let fsType { csi.append(("fsType", .string(fsType))) }
      if disk.readOnly == true { csi.append(("readOnly", .bool(true))) }  // omitempty, as Kubernetes stores it
      var attributes: [(String, YAMLValue)] = []
      if let caching = v.cachingMode { attributes.append(("cachingmode", .string(caching))) }
      if let fsType { attributes.append(("fstype", .string(fsType))) }
      attributes.append(("kind", .string("Managed")))
      csi.append(("volumeAttributes", .mapping(attributes)))
      csi.append(("volumeHandle", .string(v.handle)))
    case .azureFile(let file):
      let ns = file.secretNamespace ?? v.pv.claimRef?.namespace ?? ""
      csi.append(("nodeStageSecretRef", .mapping([("name", .string(file.secretName ?? "")), ("namespace", .string(ns))])))
      if file.readOnly == true { csi.append(("readOnly", .bool(true))) }
      var attributes: [(String, YAMLValue)] = []
      if let rg = v.pv.fileResourceGroup, !rg.isEmpty { attributes.append(("resourceGroup", .string(rg))) }
      attributes.append(("shareName", .string(file.shareName ?? "")))
      csi.append(("volumeAttributes", .mapping(attributes)))
      csi.append(("volumeHandle", .string(v.handle)))
    default:
      break
    }
    return .mapping(csi)
  }

  /// The claim with its original name, pre-bound with `volumeName` and an explicit class.
  public static func claim(_ v: PlannedVolume) -> YAMLValue? {
    guard let pvc = v.pvc else { return nil }
    var metadata: [(String, YAMLValue)] = [("name", .string(pvc.key.name)), ("namespace", .string(pvc.key.namespace))]
    if !pvc.labels.isEmpty { metadata.append(("labels", stringMap(pvc.labels))) }
    if !pvc.annotations.isEmpty { metadata.append(("annotations", stringMap(pvc.annotations))) }
    var spec: [(String, YAMLValue)] = []
    let modes = pvc.accessModes.isEmpty ? v.pv.accessModes : pvc.accessModes
    if !modes.isEmpty { spec.append(("accessModes", .sequence(modes.map { .string($0) }))) }
    if let storage = pvc.requestedStorage ?? v.pv.capacity {
      spec.append(("resources", .mapping([("requests", .mapping([("storage", .string(storage))]))])))
    }
    spec.append(("storageClassName", .string(v.targetClass)))
    if let mode = pvc.volumeMode ?? v.pv.volumeMode { spec.append(("volumeMode", .string(mode))) }
    spec.append(("volumeName", .string(v.pv.name)))
    return .mapping([
      ("apiVersion", .string("v1")), ("kind", .string("PersistentVolumeClaim")), ("metadata", .mapping(metadata)),
      ("spec", .mapping(spec)),
    ])
  }

  static func stringMap(_ pairs: [(String, String)]) -> YAMLValue {
    .mapping(pairs.map { ($0.0, .string($0.1)) })
  }
}

/// Kubernetes resource quantities, as far as sizes go.
public enum Quantity {
  /// Bytes of a quantity such as `128Gi`, `5T`, `1000000`; nil when unreadable.
  public static func bytes(_ text: String) -> Double? {
    let suffixes: [(String, Double)] = [
      ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
      ("Ei", 1_152_921_504_606_846_976), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]
    for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
      return Double(text.dropLast(suffix.count)).map { $0 * factor }
    }
    return Double(text)
  }
}
