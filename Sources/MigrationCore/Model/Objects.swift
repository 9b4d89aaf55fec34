import YAMLStream

/// Where an object and its interesting fields were read.
public struct Origin: Sendable {
  public var file: String
  public var object: SourcePosition
  /// Index of the input (cluster) it came from, in command-line order.
  public var input: Int
  public init(file: String, object: SourcePosition, input: Int) {
    self.file = file
    self.object = object
    self.input = input
  }
  public func location(_ position: SourcePosition? = nil) -> SourceLocation {
    SourceLocation(file: file, position: position ?? object)
  }
}

public struct ClaimRef: Sendable, Equatable {
  public var namespace: String?
  public var name: String?
  public var uid: String?
  public init(namespace: String? = nil, name: String? = nil, uid: String? = nil) {
    self.namespace = namespace
    self.name = name
    self.uid = uid
  }
}

public struct PersistentVolume: Sendable {
  public var metadata: Metadata
  public var origin: Origin
  public var source: VolumeSource
  public var sourcePosition: SourcePosition
  public var capacity: String?
  public var accessModes: [String] = []
  public var claimRef: ClaimRef?
  public var reclaimPolicy: String?
  public var reclaimPolicyPosition: SourcePosition?
  public var storageClassName: String?
  public var mountOptions: [String] = []
  public var volumeMode: String?
  /// `spec.nodeAffinity.required.nodeSelectorTerms`: terms are ORed, requirements inside a term ANDed.
  public var nodeAffinity: [[NodeSelectorRequirement]] = []
  public var phase: String?
  public var phasePosition: SourcePosition?

  public init(metadata: Metadata, origin: Origin, source: VolumeSource, sourcePosition: SourcePosition) {
    self.metadata = metadata
    self.origin = origin
    self.source = source
    self.sourcePosition = sourcePosition
  }

  public var ref: ObjectRef { ObjectRef(kind: "PersistentVolume", name: metadata.name) }
}

public struct PersistentVolumeClaim: Sendable {
  public var metadata: Metadata
  public var origin: Origin
  public var storageClassName: String?
  public var volumeName: String?
  public var accessModes: [String] = []
  public var volumeMode: String?
  public var requestedStorage: String?
  public var phase: String?

  public init(metadata: Metadata, origin: Origin) {
    self.metadata = metadata
    self.origin = origin
  }

  public var ref: ObjectRef { ObjectRef(kind: "PersistentVolumeClaim", namespace: metadata.namespace, name: metadata.name) }
}

public struct StorageClass: Sendable {
  public var metadata: Metadata
  public var origin: Origin
  public var provisioner: String
  /// Parameters in input order (the translation keeps every key's spelling).
  public var parameters: [(key: String, value: String)] = []
  public var reclaimPolicy: String?
  public var volumeBindingMode: String?
  public var allowVolumeExpansion: Bool?
  public var mountOptions: [String] = []
  public var allowedTopologies: [[NodeSelectorRequirement]] = []

  public init(metadata: Metadata, origin: Origin, provisioner: String) {
    self.metadata = metadata
    self.origin = origin
    self.provisioner = provisioner
  }

  public var ref: ObjectRef { ObjectRef(kind: "StorageClass", name: metadata.name) }

  public var isDefault: Bool {
    metadata.annotations[Metadata.defaultClass] == "true" || metadata.annotations[Metadata.betaDefaultClass] == "true"
  }

  public func parameter(_ name: String) -> String? {
    parameters.first { $0.key.lowercased() == name }?.value
  }
}

/// A volume of a pod template.
public struct PodVolume: Sendable {
  public var name: String
  public var source: VolumeSource
  public var position: SourcePosition
  public init(name: String, source: VolumeSource, position: SourcePosition) {
    self.name = name
    self.source = source
    self.position = position
  }
}

/// A claim template of a StatefulSet.
public struct ClaimTemplate: Sendable {
  public var name: String
  public var storageClassName: String?
  public var accessModes: [String]
  public var storage: String?
  public var position: SourcePosition
  public init(name: String, storageClassName: String?, accessModes: [String], storage: String?, position: SourcePosition) {
    self.name = name
    self.storageClassName = storageClassName
    self.accessModes = accessModes
    self.storage = storage
    self.position = position
  }
}

/// Anything that runs pods: Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
/// ReplicationController.
public struct Workload: Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    case pod = "Pod", deployment = "Deployment", replicaSet = "ReplicaSet", statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet", job = "Job", cronJob = "CronJob", replicationController = "ReplicationController"
  }
  public var kind: Kind
  public var metadata: Metadata
  public var origin: Origin
  public var volumes: [PodVolume] = []
  public var claimTemplates: [ClaimTemplate] = []
  public var replicas: Int?
  /// Deployment `spec.strategy.type` or StatefulSet `spec.updateStrategy.type`.
  public var strategy: String?
  /// Pods: `spec.nodeName` and `status.phase`.
  public var nodeName: String?
  public var phase: String?
  /// CronJob `spec.suspend`.
  public var suspended: Bool?

  public init(kind: Kind, metadata: Metadata, origin: Origin) {
    self.kind = kind
    self.metadata = metadata
    self.origin = origin
  }

  public var ref: ObjectRef { ObjectRef(kind: kind.rawValue, namespace: metadata.namespace, name: metadata.name) }
}
