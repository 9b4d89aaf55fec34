import YAMLStream

/// What translating one in-tree thing found in the input gave: a CSI object ready to print
/// (keys in kubectl's order), or upstream's error, with what and where it concerns.
public struct TranslationOutcome: Sendable {
  /// `PersistentVolume pv-1`, `StorageClass managed`, `Deployment shop/web volume data`.
  public var subject: String
  /// The in-tree field (`azureDisk`, `azureFile`), or the object for StorageClasses.
  public var location: SourceLocation
  public var result: Result<YAMLValue, TranslationError>
  /// Something the reader should know although the translation succeeded.
  public var warning: String?

  public init(subject: String, location: SourceLocation, result: Result<YAMLValue, TranslationError>, warning: String? = nil) {
    self.subject = subject
    self.location = location
    self.result = result
    self.warning = warning
  }
}

extension Translator {
  /// Translates every in-tree Azure part of one object as read: a PV with `spec.azureDisk` or
  /// `spec.azureFile`, an in-tree StorageClass (as a new object: its provisioner becomes the CSI
  /// driver), or each inline `azureDisk`/`azureFile` volume of a pod or pod template (the PV
  /// Kubernetes builds in memory, with the object's namespace as the pod namespace). Anything else
  /// gives no outcome. Only objects that need it are converted to `YAMLValue`.
  public static func translate(_ tree: ObjectTree, _ object: KubeObject) -> [TranslationOutcome] {
    let root = tree.root
    switch object {
    case .persistentVolume(let pv):
      guard let spec = tree.value(root, "spec"), let key = inTreeKey(tree, spec) else { return [] }
      return [
        TranslationOutcome(
          subject: pv.ref.display, location: tree.location(key),
          result: translatePersistentVolume(tree.value(at: root)).map(KubectlStyle.normalized))
      ]
    case .storageClass(let sc):
      guard SCClass(provisioner: sc.provisioner).isInTree else { return [] }
      let value = tree.value(at: root)
      var warning: String?
      if sc.provisioner == Drivers.inTreeDisk {
        let keys = zoneParameterKeys(value)
        if keys.count > 1, let used = keys.last {
          warning =
            "parameters \(keys.joined(separator: " and ")) are all set: Kubernetes uses one of them at random; shown: \(used)"
        }
      }
      let at = tree.value(root, "allowedTopologies").map { keyIndex(tree, root, of: $0) } ?? root
      return [
        TranslationOutcome(
          subject: sc.ref.display, location: tree.location(at),
          result: translateStorageClass(value, asNewObject: true).map(KubectlStyle.normalized), warning: warning)
      ]
    case .workload(let workload):
      guard let podSpec = podSpec(tree, workload.kind), let volumes = tree.value(podSpec, "volumes"),
        tree.kind(volumes) == .sequence
      else { return [] }
      var outcomes: [TranslationOutcome] = []
      for volume in tree.children(volumes) where tree.kind(volume) == .mapping {
        guard let key = inTreeKey(tree, volume) else { continue }
        let name = tree.value(volume, "name").flatMap { tree.string($0) } ?? ""
        outcomes.append(
          TranslationOutcome(
            subject: "\(workload.ref.display) volume \(name)", location: tree.location(key),
            result: translateInlineVolume(tree.value(at: volume), podNamespace: workload.metadata.namespace)
              .map(KubectlStyle.normalized)))
      }
      return outcomes
    default:
      return []
    }
  }

  /// The key node of `azureDisk` or `azureFile` in mapping `i` when its value is a mapping
  /// (a null source is no source, as a nil Go pointer).
  static func inTreeKey(_ tree: ObjectTree, _ i: ObjectTree.Index) -> ObjectTree.Index? {
    for (k, v) in tree.pairs(i) where tree.kind(v) == .mapping {
      if tree.scalarIs(k, "azureDisk") || tree.scalarIs(k, "azureFile") { return k }
    }
    return nil
  }

  /// The key node whose value is `value` in mapping `parent`.
  static func keyIndex(_ tree: ObjectTree, _ parent: ObjectTree.Index, of value: ObjectTree.Index) -> ObjectTree.Index {
    for (k, v) in tree.pairs(parent) where v == value { return k }
    return value
  }

  static func podSpec(_ tree: ObjectTree, _ kind: Workload.Kind) -> ObjectTree.Index? {
    let root = tree.root
    let spec: ObjectTree.Index?
    switch kind {
    case .pod: spec = tree.value(root, "spec")
    case .cronJob: spec = tree.value(root, "spec", "jobTemplate", "spec", "template", "spec")
    default: spec = tree.value(root, "spec", "template", "spec")
    }
    guard let spec, tree.kind(spec) == .mapping else { return nil }
    return spec
  }
}
