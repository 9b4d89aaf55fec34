import YAMLStream

/// Which Kubernetes object something concerns: kind, namespace ("" for cluster-scoped) and name.
public struct ObjectRef: Hashable, Sendable, Comparable {
  public var kind: String
  public var namespace: String
  public var name: String

  public init(kind: String, namespace: String = "", name: String) {
    self.kind = kind
    self.namespace = namespace
    self.name = name
  }

  public static func < (a: ObjectRef, b: ObjectRef) -> Bool {
    (a.kind, a.namespace, a.name) < (b.kind, b.namespace, b.name)
  }

  /// `kind/name` or `kind namespace/name`, the way people say it.
  public var display: String {
    namespace.isEmpty ? "\(kind) \(name)" : "\(kind) \(namespace)/\(name)"
  }
}

/// An owner reference as a pod or ReplicaSet carries it.
public struct OwnerRef: Hashable, Sendable {
  public var kind: String
  public var name: String
  public init(kind: String, name: String) {
    self.kind = kind
    self.name = name
  }
}

/// The parts of `metadata` the tool reads.
public struct Metadata: Sendable {
  public var name: String = ""
  public var namespace: String = ""
  public var labels: [String: String] = [:]
  /// Labels are read for workloads only (pod-template-hash and friends).
  /// Only the annotations the tool uses (see `Decoder.isKeptAnnotation`); never the
  /// last-applied-configuration, which repeats the whole object.
  public var annotations: [String: String] = [:]
  public var owners: [OwnerRef] = []
  public init() {}

  public static let migratedTo = "pv.kubernetes.io/migrated-to"
  public static let provisionedBy = "pv.kubernetes.io/provisioned-by"
  public static let fileResourceGroup = "kubernetes.io/azure-file-resource-group"
  public static let defaultClass = "storageclass.kubernetes.io/is-default-class"
  public static let betaDefaultClass = "storageclass.beta.kubernetes.io/is-default-class"
  public static let storageProvisioner = "volume.kubernetes.io/storage-provisioner"
  public static let betaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner"
  public static let betaStorageClass = "volume.beta.kubernetes.io/storage-class"
}
