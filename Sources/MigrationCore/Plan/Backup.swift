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

  /// Where the backup of `object` goes and what it holds, or nil when it needs none:
  /// in-tree PVs, every claim (the planner says later which ones to keep), in-tree classes.
  public static func file(for object: KubeObject, tree: ObjectTree) -> (path: String, value: YAMLValue)? {
    switch object {
    case .persistentVolume(let pv):
      guard PVClass(pv).isInTree else { return nil }
      return (PlanPaths.backupPersistentVolume(pv.metadata.name), clean(tree.value(at: tree.root), kind: "PersistentVolume"))
    case .persistentVolumeClaim(let pvc):
      let key = ClaimKey(namespace: pvc.metadata.namespace, name: pvc.metadata.name)
      return (PlanPaths.backupClaim(key), clean(tree.value(at: tree.root), kind: "PersistentVolumeClaim"))
    case .storageClass(let sc):
      guard SCClass(provisioner: sc.provisioner).isInTree else { return nil }
      return (PlanPaths.backupStorageClass(sc.metadata.name), clean(tree.value(at: tree.root), kind: "StorageClass"))
    default:
      return nil
    }
  }

  /// Whether `object` gets a backup file (`file(for:tree:)` is not nil), without building it.
  public static func wanted(_ object: KubeObject) -> Bool {
    switch object {
    case .persistentVolume(let pv): return PVClass(pv).isInTree
    case .persistentVolumeClaim: return true
    case .storageClass(let sc): return SCClass(provisioner: sc.provisioner).isInTree
    default: return false
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

  /// The backup paths a plan keeps (the others were written while reading and are removed).
  public static func kept(by plan: Plan) throws -> Set<String> {
    var paths: Set<String> = []
    try plan.volumes.forEach { paths.formUnion($1.backupPaths) }
    for c in plan.classes where c.inDump { paths.insert(PlanPaths.backupStorageClass(c.name)) }
    return paths
  }
}
