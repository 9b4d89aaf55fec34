import YAMLStream

/// A claim's identity: namespace and name.
public struct ClaimKey: Hashable, Sendable, Comparable {
  public var namespace: String
  public var name: String
  public init(namespace: String, name: String) {
    self.namespace = namespace
    self.name = name
  }
  public static func < (a: ClaimKey, b: ClaimKey) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
  public var display: String { "\(namespace)/\(name)" }
}

/// The little the planner keeps of an in-tree PersistentVolume: enough to build its CSI twin,
/// its steps and its explanation, and nothing else (no YAML tree), so that a dump of 100,000
/// volumes stays small in memory.
public struct PVRecord: Sendable {
  public var name: String
  public var uid: String
  public var location: SourceLocation
  public var source: VolumeSource
  public var capacity: String?
  public var accessModes: [String]
  public var claimRef: ClaimRef?
  public var reclaimPolicy: String?
  public var storageClassName: String?
  public var mountOptions: [String]
  public var volumeMode: String?
  public var nodeAffinity: [[NodeSelectorRequirement]]
  public var phase: String?
  /// Labels worth carrying over (sorted by key; `failure-domain.*` already dropped).
  public var labels: [(String, String)]
  /// User annotations worth carrying over (sorted; bookkeeping annotations dropped).
  public var annotations: [(String, String)]
  /// `kubernetes.io/azure-file-resource-group`, read by the translation.
  public var fileResourceGroup: String?

  public init(_ pv: PersistentVolume, tree: ObjectTree) {
    name = pv.metadata.name
    uid = ObjectMeta.uid(tree)
    location = pv.origin.location()
    source = pv.source
    capacity = pv.capacity
    accessModes = pv.accessModes
    claimRef = pv.claimRef
    reclaimPolicy = pv.reclaimPolicy
    storageClassName = pv.storageClassName
    mountOptions = pv.mountOptions
    volumeMode = pv.volumeMode
    nodeAffinity = pv.nodeAffinity
    phase = pv.phase
    labels = ObjectMeta.labels(tree).filter { !$0.0.hasPrefix("failure-domain.") }
    annotations = ObjectMeta.userAnnotations(tree)
    fileResourceGroup = pv.metadata.annotations[Metadata.fileResourceGroup]
  }

  /// The claim this volume is bound (or pre-bound) to.
  public var claim: ClaimKey? {
    guard let ns = claimRef?.namespace, let name = claimRef?.name, !ns.isEmpty, !name.isEmpty else { return nil }
    return ClaimKey(namespace: ns, name: name)
  }

  public var isDisk: Bool {
    if case .azureDisk = source { return true }
    return false
  }
}

/// What the planner keeps of a PersistentVolumeClaim.
public struct PVCRecord: Sendable {
  public var key: ClaimKey
  public var uid: String
  public var location: SourceLocation
  public var storageClassName: String?
  public var volumeName: String?
  public var accessModes: [String]
  public var volumeMode: String?
  public var requestedStorage: String?
  public var phase: String?
  public var labels: [(String, String)]
  public var annotations: [(String, String)]

  public init(_ pvc: PersistentVolumeClaim, tree: ObjectTree) {
    key = ClaimKey(namespace: pvc.metadata.namespace, name: pvc.metadata.name)
    uid = ObjectMeta.uid(tree)
    location = pvc.origin.location()
    storageClassName = pvc.storageClassName
    volumeName = pvc.volumeName
    accessModes = pvc.accessModes
    volumeMode = pvc.volumeMode
    requestedStorage = pvc.requestedStorage
    phase = pvc.phase
    labels = ObjectMeta.labels(tree)
    annotations = ObjectMeta.userAnnotations(tree)
  }
}

/// What the planner keeps of a pod or controller: who it is, whom it belongs to, which claims
/// and inline Azure volumes it uses.
public struct WorkloadRecord: Sendable {
  public var kind: Workload.Kind
  public var namespace: String
  public var name: String
  public var location: SourceLocation
  public var owners: [OwnerRef]
  public var claims: [String]
  public var inline: [PodVolume]
  public var replicas: Int?
  public var strategy: String?
  public var phase: String?
  public var suspended: Bool?
  public var claimTemplates: [ClaimTemplate]

  public init(_ w: Workload) {
    kind = w.kind
    namespace = w.metadata.namespace
    name = w.metadata.name
    location = w.origin.location()
    owners = w.metadata.owners
    claims = w.volumes.compactMap {
      if case .claim(let c) = $0.source, !c.isEmpty { return c }
      return nil
    }
    inline = w.volumes.filter { $0.source.isInTreeAzure }
    replicas = w.replicas
    strategy = w.strategy
    phase = w.phase
    suspended = w.suspended
    claimTemplates = w.claimTemplates
  }

  public var ref: ObjectRef { ObjectRef(kind: kind.rawValue, namespace: namespace, name: name) }
}

/// Metadata the typed model does not keep (it decodes only what classification needs), read
/// from the object as it was read.
enum ObjectMeta {
  static let dropped: Set<String> = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "pv.kubernetes.io/migrated-to",
    "pv.kubernetes.io/provisioned-by",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/selected-node",
    "volume.beta.kubernetes.io/storage-class",
    "volumehelper.VolumeDynamicallyCreatedByKey",
    "kubernetes.io/createdby",
    "kubernetes.io/azure-file-resource-group",
  ]

  /// The user annotations of an object as read, without bookkeeping ones, sorted by key.
  static func userAnnotations(_ tree: ObjectTree) -> [(String, String)] {
    guard let map = tree.value(tree.root, "metadata", "annotations"), tree.kind(map) == .mapping else { return [] }
    var result: [(String, String)] = []
    for (k, v) in tree.pairs(map) {
      guard let key = tree.text(k), !dropped.contains(key), tree.kind(v) == .scalar, let value = tree.string(v) else {
        continue
      }
      result.append((key, value))
    }
    return result.sorted { $0.0 < $1.0 }
  }

  static func uid(_ tree: ObjectTree) -> String {
    tree.value(tree.root, "metadata", "uid").flatMap { tree.string($0) } ?? ""
  }

  /// Labels, sorted by key.
  static func labels(_ tree: ObjectTree) -> [(String, String)] {
    guard let map = tree.value(tree.root, "metadata", "labels"), tree.kind(map) == .mapping else { return [] }
    var result: [(String, String)] = []
    for (k, v) in tree.pairs(map) {
      guard let key = tree.text(k), tree.kind(v) == .scalar, let value = tree.string(v) else { continue }
      result.append((key, value))
    }
    return result.sorted { $0.0 < $1.0 }
  }
}

/// The last segment of a path or URI.
func lastPathComponent(_ uri: String) -> String {
  // What `uri.split(separator: "/").last` is, without splitting the whole path.
  let bytes = uri.utf8, slash = UInt8(ascii: "/")
  guard let last = bytes.lastIndex(where: { $0 != slash }) else { return uri }
  let start = bytes[..<last].lastIndex(of: slash).map(bytes.index(after:)) ?? bytes.startIndex
  return String(decoding: bytes[start...last], as: UTF8.self)
}
