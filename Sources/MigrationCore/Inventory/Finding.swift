import YAMLStream

/// How much a finding matters; also the order `--fail-on` compares in.
public enum Severity: String, Sendable, Comparable, CaseIterable, Codable {
  case info, warning, migrate, blocker

  var rank: Int {
    switch self {
    case .info: 0
    case .warning: 1
    case .migrate: 2
    case .blocker: 3
    }
  }
  public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Every rule the classifier and translator apply. The identifiers are part of the JSON contract.
public enum Rule: String, Sendable, CaseIterable, Codable {
  case inTreeVolume = "in-tree-volume"
  case inTreeStorageClass = "in-tree-storage-class"
  case inlineInTreeVolume = "inline-in-tree-volume"
  case statefulSetInTreeClass = "statefulset-in-tree-class"
  case unmanagedDisk = "unmanaged-disk"
  case unmanagedDiskStorageClass = "unmanaged-disk-storage-class"
  case deprecatedZoneLabel = "deprecated-zone-label"
  case fileSecretNamespaceUnknown = "file-secret-namespace-unknown"
  case storageClassTopologyConflict = "storage-class-topology-conflict"
  case deleteReclaimPolicy = "delete-reclaim-policy"
  case cachingModeReadWrite = "caching-mode-readwrite"
  case releasedOrFailedVolume = "released-or-failed-volume"
  case invalidField = "invalid-field"
  case secretInInput = "secret-in-input"

  public var severity: Severity {
    switch self {
    case .unmanagedDisk, .unmanagedDiskStorageClass, .deprecatedZoneLabel, .fileSecretNamespaceUnknown,
      .storageClassTopologyConflict:
      .blocker
    case .inTreeVolume, .inTreeStorageClass, .inlineInTreeVolume, .statefulSetInTreeClass: .migrate
    case .deleteReclaimPolicy, .cachingModeReadWrite, .releasedOrFailedVolume, .invalidField: .warning
    case .secretInInput: .info
    }
  }

  /// One line on what the rule catches, for help texts and SARIF rule descriptions.
  public var summary: String {
    switch self {
    case .inTreeVolume: "PersistentVolume uses an in-tree Azure volume plugin"
    case .inTreeStorageClass: "StorageClass provisions through an in-tree Azure plugin"
    case .inlineInTreeVolume: "pod template has an inline in-tree Azure volume"
    case .statefulSetInTreeClass: "StatefulSet claim template names an in-tree StorageClass"
    case .unmanagedDisk: "unmanaged (blob VHD) Azure disk: no CSI driver serves it"
    case .unmanagedDiskStorageClass: "StorageClass provisions unmanaged (blob) disks, which the CSI driver cannot"
    case .deprecatedZoneLabel: "PersistentVolume nodeAffinity uses failure-domain.beta.kubernetes.io keys"
    case .fileSecretNamespaceUnknown: "azureFile PersistentVolume has no secretNamespace and no claimRef"
    case .storageClassTopologyConflict: "StorageClass sets both zone/zones and allowedTopologies"
    case .deleteReclaimPolicy: "in-tree PersistentVolume has reclaim policy Delete"
    case .cachingModeReadWrite: "azureDisk cachingMode ReadWrite"
    case .releasedOrFailedVolume: "PersistentVolume is Released or Failed"
    case .invalidField: "a field has the wrong type"
    case .secretInInput: "the input holds Secret objects"
    }
  }
}

/// Which Azure storage a finding concerns, when it concerns a volume or a class: version rules
/// differ for disks and files (AKS's 1.26 zone-label gate is about disk PVs; the in-tree plugins
/// were removed upstream in 1.27 for disks and 1.30 for files).
public enum StorageKind: String, Sendable, CaseIterable, Codable {
  /// azureDisk in-tree (managed or unmanaged) or disk.csi.azure.com.
  case disk
  /// azureFile in-tree or file.csi.azure.com.
  case file

  public init?(_ pv: PVClass) {
    switch pv {
    case .inTreeAzureDisk, .inTreeAzureDiskUnmanaged, .csiAzureDisk: self = .disk
    case .inTreeAzureFile, .csiAzureFile: self = .file
    case .other: return nil
    }
  }

  public init?(_ sc: SCClass) {
    switch sc {
    case .inTreeAzureDisk, .csiAzureDisk: self = .disk
    case .inTreeAzureFile, .csiAzureFile: self = .file
    case .other: return nil
    }
  }
}

/// One thing found about one object, with where it is and one line of why.
public struct Finding: Sendable, Equatable {
  public var rule: Rule
  public var severity: Severity
  public var object: ObjectRef
  public var location: SourceLocation
  public var message: String
  /// Index of the input (cluster) it came from.
  public var input: Int
  /// The Azure storage the finding concerns (nil: not an Azure volume, or not about a volume).
  public var storage: StorageKind?

  public init(
    _ rule: Rule, _ object: ObjectRef, at location: SourceLocation, input: Int, storage: StorageKind? = nil,
    _ message: String
  ) {
    self.rule = rule
    self.severity = rule.severity
    self.object = object
    self.location = location
    self.message = message
    self.input = input
    self.storage = storage
  }

  /// Findings in a stable order: input, file position, then rule.
  public static func ordered(_ a: Finding, _ b: Finding) -> Bool {
    if a.input != b.input { return a.input < b.input }
    if a.location.file != b.location.file { return a.location.file < b.location.file }
    if a.location.position != b.location.position { return a.location.position < b.location.position }
    return a.rule.rawValue < b.rule.rawValue
  }
}
