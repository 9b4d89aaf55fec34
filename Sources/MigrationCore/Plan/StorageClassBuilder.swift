import YAMLStream

/// Decides the CSI replacement of an in-tree StorageClass and builds it: the translation of
/// csi-translation-lib (zone/zones → allowedTopologies on the CSI zone key, fault-domain numbers
/// → ""), with the provisioner set to the CSI driver and only parameters the driver accepts.
public enum StorageClassBuilder {
  /// Parameter keys (lower case) `disk.csi.azure.com` accepts (`ParseDiskParameters`); any other is an error there.
  static let diskParameters: Set<String> = [
    "skuname", "storageaccounttype", "location", "cachingmode", "resourcegroup", "subscriptionid",
    "diskiopsreadwrite", "diskmbpsreadwrite", "logicalsectorsize", "diskname", "diskencryptionsetid",
    "diskencryptiontype", "tags", "writeacceleratorenabled", "maxshares", "fstype", "kind", "perfprofile",
    "networkaccesspolicy", "publicnetworkaccess", "diskaccessid", "enablebursting", "useragent", "enableasyncattach",
    "zoned", "enableperformanceplus", "attachdiskinitialdelay", "tagvaluedelimiter",
  ]
  /// Labels of AKS's addon manager: a class carrying them may be reconciled (or pruned) by AKS.
  static let addonLabels: Set<String> = ["addonmanager.kubernetes.io/mode", "kubernetes.io/cluster-service"]

  static func plan(_ sc: StorageClass, existing: [String: StorageClass]) -> PlannedClass {
    let name = sc.metadata.name
    let isDisk = sc.provisioner == Drivers.inTreeDisk
    let driver = isDisk ? Drivers.csiDisk : Drivers.csiFile
    var planned = PlannedClass(name: name, driver: driver, action: .create, target: nil, inDump: true)
    if Planner.isAKSBuiltIn(sc), let target = Planner.builtInTargets[name] {
      planned.action = .builtIn
      planned.target = target
      planned.reason = "AKS built-in class: AKS reconciles it, so it is left alone; volumes move to AKS's CSI built-in \(target)"
      return planned
    }
    if isDisk {
      if let kind = sc.parameter("kind")?.lowercased(), kind == "shared" || kind == "dedicated" {
        planned.action = .blocked
        planned.reason = "kind \(kind) provisions unmanaged blob disks, which \(Drivers.csiDisk) cannot"
        return planned
      }
      if sc.parameter("storageaccount") != nil {
        planned.action = .blocked
        planned.reason = "parameter storageaccount only applies to unmanaged blob disks and \(Drivers.csiDisk) rejects it"
        return planned
      }
      if (sc.parameter("zone") != nil || sc.parameter("zones") != nil) && !sc.allowedTopologies.isEmpty {
        planned.action = .blocked
        planned.reason = "cannot simultaneously set allowed topologies and zone/zones parameters"
        return planned
      }
    }
    let target = "\(name)-csi"
    planned.target = target
    if let other = existing[target] {
      if other.provisioner == driver {
        planned.action = .existing
        planned.reason = "\(target) already exists with provisioner \(driver)"
      } else {
        planned.action = .blocked
        planned.reason = "the replacement's name \(target) is taken by a class with provisioner \(other.provisioner)"
      }
      return planned
    }
    let (manifest, changes) = build(sc, target: target, driver: driver)
    planned.manifest = manifest
    planned.changes = changes
    return planned
  }

  static func build(_ sc: StorageClass, target: String, driver: String) -> (YAMLValue, [String]) {
    var changes: [String] = ["provisioner \(sc.provisioner) → \(driver)"]
    var parameters: [(String, YAMLValue)] = []
    var topology: [[(key: String, values: [String])]] = []
    let isDisk = driver == Drivers.csiDisk
    for (key, value) in sc.parameters {
      let lower = key.lowercased()
      if isDisk && (lower == "zone" || lower == "zones") {
        var values: [String] = []
        let parts = lower == "zone" ? [value] : value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for part in parts {
          let trimmed = Shell.trimmed(part)
          let mapped = (!trimmed.isEmpty && trimmed.allSatisfy(\.isNumber)) ? "" : trimmed
          if !values.contains(mapped) { values.append(mapped) }
        }
        topology = [[(TopologyKeys.diskCSIZone, values)]]
        changes.append("parameter \(key): \(value) → allowedTopologies \(TopologyKeys.diskCSIZone) \(values.map { "\"\($0)\"" }.joined(separator: ", "))")
        continue
      }
      if isDisk && !diskParameters.contains(lower) && !lower.hasPrefix("csi.storage.k8s.io/")
        && !lower.hasPrefix("device-setting/")
      {
        changes.append("parameter \(key) dropped: \(driver) does not accept it")
        continue
      }
      parameters.append((key, .string(value)))
    }
    if topology.isEmpty && !sc.allowedTopologies.isEmpty {
      for term in sc.allowedTopologies {
        var out: [(key: String, values: [String])] = []
        for r in term {
          if isDisk && (r.key == TopologyKeys.betaZone || r.key == TopologyKeys.zone) {
            let values = r.values.map { (!$0.isEmpty && $0.allSatisfy(\.isNumber)) ? "" : $0 }
            out.append((TopologyKeys.diskCSIZone, values))
            changes.append("allowedTopologies \(r.key) → \(TopologyKeys.diskCSIZone)")
          } else if r.key == TopologyKeys.betaRegion {
            out.append((TopologyKeys.region, r.values))
            changes.append("allowedTopologies \(r.key) → \(TopologyKeys.region)")
          } else {
            out.append((r.key, r.values))
          }
        }
        topology.append(out)
      }
    }
    var metadata: [(String, YAMLValue)] = [("name", .string(target))]
    let labels = sc.metadata.labels.filter { !addonLabels.contains($0.key) }.sorted { $0.key < $1.key }
    if !labels.isEmpty { metadata.append(("labels", .mapping(labels.map { ($0.key, .string($0.value)) }))) }
    if sc.isDefault {
      changes.append("\(sc.metadata.name) is the default class; \(target) is not made the default (two defaults confuse the admission plugin): move the annotation by hand when the old class is retired")
    }
    var object: [(String, YAMLValue)] = [
      ("apiVersion", .string("storage.k8s.io/v1")), ("kind", .string("StorageClass")), ("metadata", .mapping(metadata)),
      ("provisioner", .string(driver)),
    ]
    if !parameters.isEmpty { object.append(("parameters", .mapping(parameters))) }
    if let policy = sc.reclaimPolicy { object.append(("reclaimPolicy", .string(policy))) }
    if let mode = sc.volumeBindingMode { object.append(("volumeBindingMode", .string(mode))) }
    if let expand = sc.allowVolumeExpansion { object.append(("allowVolumeExpansion", .bool(expand))) }
    if !sc.mountOptions.isEmpty { object.append(("mountOptions", .sequence(sc.mountOptions.map { .string($0) }))) }
    if !topology.isEmpty {
      object.append(("allowedTopologies", .sequence(topology.map { term in
        .mapping([("matchLabelExpressions", .sequence(term.map { r in
          .mapping([("key", .string(r.key)), ("values", .sequence(r.values.map { .string($0) }))])
        }))])
      })))
    }
    return (.mapping(object), changes)
  }
}

/// Instructions for inline in-tree volumes of pod templates.
enum InlineBuilder {
  static func plan(_ v: PodVolume, workload: ObjectRef, location: SourceLocation) -> PlannedInlineVolume {
    switch v.source {
    case .azureDisk(let disk):
      var p = PlannedInlineVolume(
        workload: workload, volume: v.name, sourceKind: "azureDisk", location: location, blocked: nil, instructions: [])
      if disk.isUnmanaged {
        p.blocked = "unmanaged (blob VHD) disk: no CSI driver serves it; convert it first with `az disk create --source \(disk.diskURI ?? "<vhd-uri>")`"
      }
      p.instructions = [
        "\(Drivers.csiDisk) has no inline mode: the disk must become a PersistentVolume and a claim.",
        "Stop \(workload.display) (scale to 0) and wait until the disk is detached (`kubectl get volumeattachment` shows no attachment for it).",
        "Create a static PersistentVolume with `csi.driver: \(Drivers.csiDisk)`, `volumeHandle: \(disk.diskURI ?? "<disk URI>")`\(disk.fsType.map { $0.isEmpty ? "" : ", `fsType: \($0)`" } ?? ""), `persistentVolumeReclaimPolicy: Retain`, the disk's zone in nodeAffinity, and a claim in namespace \(workload.namespace) with `volumeName` set to it.",
        "Replace the template's volume `\(v.name)` with the `persistentVolumeClaim` below, and start the workload.",
      ]
      p.replacement = .mapping([
        ("name", .string(v.name)),
        ("persistentVolumeClaim", .mapping([("claimName", .string("\(workload.name)-\(v.name)"))])),
      ])
      return p
    case .azureFile(let file):
      var p = PlannedInlineVolume(
        workload: workload, volume: v.name, sourceKind: "azureFile", location: location, blocked: nil, instructions: [])
      p.instructions = [
        "Replace the template's volume `\(v.name)` with the inline CSI volume below (\(Drivers.csiFile) supports inline volumes; the Secret must be in namespace \(workload.namespace)), then roll the workload out.",
        "Pods mount the share again with CSI defaults (`mfsymlinks`, `actimeo=30`, file and dir mode 0777); add `mountOptions` to `volumeAttributes` if the application needs others.",
      ]
      var attributes: [(String, YAMLValue)] = [("secretName", .string(file.secretName ?? ""))]
      attributes.append(("shareName", .string(file.shareName ?? "")))
      var csi: [(String, YAMLValue)] = [("driver", .string(Drivers.csiFile))]
      if let readOnly = file.readOnly { csi.append(("readOnly", .bool(readOnly))) }
      csi.append(("volumeAttributes", .mapping(attributes)))
      p.replacement = .mapping([("name", .string(v.name)), ("csi", .mapping(csi))])
      return p
    default:
      return PlannedInlineVolume(
        workload: workload, volume: v.name, sourceKind: "other", location: location, blocked: nil, instructions: [])
    }
  }
}
