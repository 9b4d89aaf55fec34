import YAMLStream

/// `azureDisk` as a PV or pod volume carries it. Optional fields keep "absent" apart from "empty":
/// the translation treats `fsType: ""` differently from no fsType.
public struct AzureDiskSource: Sendable, Equatable {
  public var diskName: String?
  public var diskURI: String?
  public var cachingMode: String?
  public var fsType: String?
  public var readOnly: Bool?
  public var kind: String?

  public init(
    diskName: String? = nil, diskURI: String? = nil, cachingMode: String? = nil, fsType: String? = nil,
    readOnly: Bool? = nil, kind: String? = nil
  ) {
    self.diskName = diskName
    self.diskURI = diskURI
    self.cachingMode = cachingMode
    self.fsType = fsType
    self.readOnly = readOnly
    self.kind = kind
  }

  /// A blob (VHD) disk: kind other than Managed, or an `http(s)://` URI. No CSI driver serves these.
  public var isUnmanaged: Bool {
    if let kind, kind.lowercased() != "managed" { return true }
    if let uri = diskURI?.lowercased(), uri.hasPrefix("http://") || uri.hasPrefix("https://") { return true }
    return false
  }
}

/// `azureFile` as a PV (with `secretNamespace`) or pod volume (without) carries it.
public struct AzureFileSource: Sendable, Equatable {
  public var secretName: String?
  public var shareName: String?
  public var secretNamespace: String?
  public var readOnly: Bool?

  public init(secretName: String? = nil, shareName: String? = nil, secretNamespace: String? = nil, readOnly: Bool? = nil) {
    self.secretName = secretName
    self.shareName = shareName
    self.secretNamespace = secretNamespace
    self.readOnly = readOnly
  }
}

/// `spec.csi` of a PV.
public struct CSISource: Sendable, Equatable {
  public var driver: String
  public var volumeHandle: String
  public var fsType: String?
  public var readOnly: Bool?
  public var volumeAttributes: [String: String]
  public var nodeStageSecretRef: SecretRef?

  public init(
    driver: String, volumeHandle: String, fsType: String? = nil, readOnly: Bool? = nil,
    volumeAttributes: [String: String] = [:], nodeStageSecretRef: SecretRef? = nil
  ) {
    self.driver = driver
    self.volumeHandle = volumeHandle
    self.fsType = fsType
    self.readOnly = readOnly
    self.volumeAttributes = volumeAttributes
    self.nodeStageSecretRef = nodeStageSecretRef
  }
}

public struct SecretRef: Sendable, Equatable {
  public var name: String
  public var namespace: String
  public init(name: String, namespace: String) {
    self.name = name
    self.namespace = namespace
  }
}

/// The volume source of a PV or pod volume, as far as the tool cares.
public enum VolumeSource: Sendable, Equatable {
  case azureDisk(AzureDiskSource)
  case azureFile(AzureFileSource)
  case csi(CSISource)
  /// A pod volume backed by a claim.
  case claim(String)
  /// Anything else, by its field name (`hostPath`, `nfs`, `local`, ...), or "" when none was found.
  case other(String)
}

/// One `matchExpressions` entry of a node selector term.
public struct NodeSelectorRequirement: Sendable, Equatable {
  public var key: String
  public var op: String
  public var values: [String]
  public var position: SourcePosition
  public init(key: String, op: String, values: [String], position: SourcePosition) {
    self.key = key
    self.op = op
    self.values = values
    self.position = position
  }
}

public enum TopologyKeys {
  public static let betaZone = "failure-domain.beta.kubernetes.io/zone"
  public static let betaRegion = "failure-domain.beta.kubernetes.io/region"
  public static let zone = "topology.kubernetes.io/zone"
  public static let region = "topology.kubernetes.io/region"
  public static let diskCSIZone = "topology.disk.csi.azure.com/zone"
  public static let deprecated: Set<String> = [betaZone, betaRegion]
}

public enum Drivers {
  public static let inTreeDisk = "kubernetes.io/azure-disk"
  public static let inTreeFile = "kubernetes.io/azure-file"
  public static let csiDisk = "disk.csi.azure.com"
  public static let csiFile = "file.csi.azure.com"

  /// csi-translation-lib's name mapping.
  public static func csiName(forInTree name: String) -> String? {
    switch name {
    case inTreeDisk: csiDisk
    case inTreeFile: csiFile
    default: nil
    }
  }
}
