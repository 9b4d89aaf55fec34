import YAMLStream

/// The copies of the original objects kept in `backup/`, cleaned so that `kubectl apply -f`
/// recreates them: no status, no server-set metadata, no claimRef uid, no finalizers, no
/// last-applied-configuration; volumes with reclaim policy Retain. Secrets are never backed up
/// (nor read).
public enum Backup {
  static let serverMetadata: Set<String> = [
    "uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink", "finalizers",
    "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
  ]
  static let claimBindingAnnotations: Set<String> = [
    "pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
  ]

  /// A backup file's content: the object as read, with `clean`'s removals and replacements
  /// named by node, written straight from the tree (`PlanDirectory.backupYAML`).
  public struct Document: Sendable {
    public let tree: ObjectTree
    public let kind: String
    public let edits: YAMLWriter.TreeEdits

    /// What the document holds, as a value: `clean` of the object.
    public var value: YAMLValue { Backup.clean(tree.value(at: tree.root), kind: kind) }
  }

  /// Where the backup of `object` goes and what it holds, or nil when it needs none:
  /// in-tree PVs, every claim (the planner says later which ones to keep), in-tree classes.
  /// - Throws: `InputError` when a name the path is made of is not a Kubernetes name (checked
  ///   here, before any file is named after it: `../` would lead out of the plan directory).
  public static func file(for object: KubeObject, tree: ObjectTree) throws(InputError) -> (path: String, document: Document)? {
    guard let target = target(of: object) else { return nil }
    try Planner.checkNames(of: object)
    return (target.path, document(tree, kind: target.kind))
  }

  /// Whether `object` gets a backup file (`file(for:tree:)` is not nil), without building it.
  public static func wanted(_ object: KubeObject) -> Bool { target(of: object) != nil }

  /// Where the backup of `object` goes, and the kind it is cleaned as; nil when it gets none.
  static func target(of object: KubeObject) -> (path: String, kind: String)? {
    switch object {
    case .persistentVolume(let pv):
      guard PVClass(pv).isInTree else { return nil }
      return (PlanPaths.backupPersistentVolume(pv.metadata.name), "PersistentVolume")
    case .persistentVolumeClaim(let pvc):
      return (PlanPaths.backupClaim(ClaimKey(namespace: pvc.metadata.namespace, name: pvc.metadata.name)), "PersistentVolumeClaim")
    case .storageClass(let sc):
      guard SCClass(provisioner: sc.provisioner).isInTree else { return nil }
      return (PlanPaths.backupStorageClass(sc.metadata.name), "StorageClass")
    default:
      return nil
    }
  }

  /// The object without what the server sets or what would stop it from being created again.
  public static func clean(_ value: YAMLValue, kind: String) -> YAMLValue {
    var object = value
    object["status"] = nil
    if var metadata = object["metadata"], case .mapping(let pairs) = metadata {
      metadata = .mapping(pairs.filter { !serverMetadata.contains($0.0) })
      if case .mapping(let annotations)? = metadata["annotations"] {
        let kept = annotations.filter { key, _ in
          key != "kubectl.kubernetes.io/last-applied-configuration"
            && !(kind == "PersistentVolumeClaim" && claimBindingAnnotations.contains(key))
        }
        metadata["annotations"] = kept.isEmpty ? nil : .mapping(kept)
      }
      object["metadata"] = metadata
    }
    if kind == "PersistentVolume", var spec = object["spec"] {
      if var claimRef = spec["claimRef"] {
        claimRef["uid"] = nil
        claimRef["resourceVersion"] = nil
        spec["claimRef"] = claimRef
      }
      // A volume restored for rollback must never take its disk or share with it when its claim
      // goes: the original policy is recorded in the plan (RUNBOOK.md preflight, plan.json).
      if spec["persistentVolumeReclaimPolicy"] != nil { spec["persistentVolumeReclaimPolicy"] = .string("Retain") }
      object["spec"] = spec
    }
    return object
  }

  /// `clean` of the object at the tree's root, as edits of the tree: the same pairs go (the first
  /// pair of a key where `clean` sets it to nil, every matching pair where it filters) and the
  /// same value is replaced. Keys match as `clean` matches them: as `String`s.
  public static func document(_ tree: ObjectTree, kind: String) -> Document {
    var edits = YAMLWriter.TreeEdits()
    let root = tree.root
    if let status = firstKey(tree, root, "status") { edits.omit(pairWithKey: status) }
    if let metadataKey = firstKey(tree, root, "metadata"), tree.kind(metadataKey + 1) == .mapping {
      let metadata = metadataKey + 1
      var annotationsKey: ObjectTree.Index?
      for (key, _) in tree.pairs(metadata) {
        let name = keyText(tree, key)
        if serverMetadata.contains(name) {
          edits.omit(pairWithKey: key)
        } else if annotationsKey == nil && name == "annotations" {
          annotationsKey = key
        }
      }
      if let annotationsKey, tree.kind(annotationsKey + 1) == .mapping {
        var kept = 0
        var dropped: [ObjectTree.Index] = []
        for (key, _) in tree.pairs(annotationsKey + 1) {
          let name = keyText(tree, key)
          if name == "kubectl.kubernetes.io/last-applied-configuration"
            || (kind == "PersistentVolumeClaim" && claimBindingAnnotations.contains(name))
          {
            dropped.append(key)
          } else {
            kept += 1
          }
        }
        if kept == 0 {
          edits.omit(pairWithKey: annotationsKey)
        } else {
          for key in dropped { edits.omit(pairWithKey: key) }
        }
      }
    }
    if kind == "PersistentVolume", let specKey = firstKey(tree, root, "spec") {
      let spec = specKey + 1
      if let claimRefKey = firstKey(tree, spec, "claimRef") {
        let claimRef = claimRefKey + 1
        if let uid = firstKey(tree, claimRef, "uid") { edits.omit(pairWithKey: uid) }
        if let version = firstKey(tree, claimRef, "resourceVersion") { edits.omit(pairWithKey: version) }
      }
      if let policyKey = firstKey(tree, spec, "persistentVolumeReclaimPolicy") {
        edits.replace(policyKey + 1, with: .string("Retain"))
      }
    }
    return Document(tree: tree, kind: kind, edits: edits)
  }

  /// A key as `ObjectTree.value(at:)` reads it.
  static func keyText(_ tree: ObjectTree, _ key: ObjectTree.Index) -> String { tree.text(key) ?? "" }

  /// The key node of the first pair of mapping `i` whose key reads as `name` (nil when `i` is
  /// not a mapping): the pair `YAMLValue`'s subscript finds. A key's value is the node after it,
  /// keys being scalars here.
  static func firstKey(_ tree: ObjectTree, _ i: ObjectTree.Index, _ name: String) -> ObjectTree.Index? {
    guard tree.kind(i) == .mapping else { return nil }
    for (key, _) in tree.pairs(i) where tree.kind(key) == .scalar && keyText(tree, key) == name { return key }
    return nil
  }

  /// The backup paths a plan keeps (the others were written while reading and are removed).
  public static func kept(by plan: Plan) throws -> Set<String> {
    var paths: Set<String> = []
    try plan.volumes.forEach { paths.formUnion($1.backupPaths) }
    for c in plan.classes where c.inDump { paths.insert(PlanPaths.backupStorageClass(c.name)) }
    return paths
  }
}
