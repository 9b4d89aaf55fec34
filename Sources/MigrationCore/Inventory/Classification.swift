/// What a PersistentVolume is, for counting and planning.
public enum PVClass: String, Sendable, CaseIterable {
  case inTreeAzureDisk, inTreeAzureDiskUnmanaged, inTreeAzureFile, csiAzureDisk, csiAzureFile, other

  public var isInTree: Bool { self == .inTreeAzureDisk || self == .inTreeAzureDiskUnmanaged || self == .inTreeAzureFile }

  public init(_ pv: PersistentVolume) {
    switch pv.source {
    case .azureDisk(let disk): self = disk.isUnmanaged ? .inTreeAzureDiskUnmanaged : .inTreeAzureDisk
    case .azureFile: self = .inTreeAzureFile
    case .csi(let csi):
      switch csi.driver {
      case Drivers.csiDisk: self = .csiAzureDisk
      case Drivers.csiFile: self = .csiAzureFile
      default: self = .other
      }
    case .claim, .other: self = .other
    }
  }
}

/// What a StorageClass provisions through.
public enum SCClass: String, Sendable, CaseIterable {
  case inTreeAzureDisk, inTreeAzureFile, csiAzureDisk, csiAzureFile, other

  public var isInTree: Bool { self == .inTreeAzureDisk || self == .inTreeAzureFile }

  public init(provisioner: String) {
    switch provisioner {
    case Drivers.inTreeDisk: self = .inTreeAzureDisk
    case Drivers.inTreeFile: self = .inTreeAzureFile
    case Drivers.csiDisk: self = .csiAzureDisk
    case Drivers.csiFile: self = .csiAzureFile
    default: self = .other
    }
  }
}

/// Counts for one input or for all of them; the field names are the JSON contract's.
public struct Totals: Sendable, Equatable {
  public struct PersistentVolumes: Sendable, Equatable {
    public var inTreeAzureDisk = 0
    public var inTreeAzureDiskUnmanaged = 0
    public var inTreeAzureFile = 0
    public var csiAzureDisk = 0
    public var csiAzureFile = 0
    public var other = 0
    /// In-tree PVs annotated `pv.kubernetes.io/migrated-to` (served through CSI migration today).
    public var servedByCSIMigration = 0
    public var total: Int { inTreeAzureDisk + inTreeAzureFile + csiAzureDisk + csiAzureFile + other }
    public var inTree: Int { inTreeAzureDisk + inTreeAzureFile }
  }
  public struct StorageClasses: Sendable, Equatable {
    public var inTreeAzureDisk = 0
    public var inTreeAzureFile = 0
    public var csiAzureDisk = 0
    public var csiAzureFile = 0
    public var other = 0
    public var inTree: Int { inTreeAzureDisk + inTreeAzureFile }
  }
  public struct InlineVolumes: Sendable, Equatable {
    public var inTreeAzureDisk = 0
    public var inTreeAzureFile = 0
    public var total: Int { inTreeAzureDisk + inTreeAzureFile }
  }
  public struct Objects: Sendable, Equatable {
    public var total = 0
    public var persistentVolumeClaims = 0
    public var workloads = 0
    public var secrets = 0
    public var statefulSetsOnInTreeClasses = 0
    /// Objects of kinds the tool does not use, by kind.
    public var skipped: [String: Int] = [:]
  }

  public var persistentVolumes = PersistentVolumes()
  public var storageClasses = StorageClasses()
  public var inlineVolumes = InlineVolumes()
  public var objects = Objects()
  public init() {}

  public mutating func add(_ pv: PVClass) {
    switch pv {
    case .inTreeAzureDisk: persistentVolumes.inTreeAzureDisk += 1
    case .inTreeAzureDiskUnmanaged:
      persistentVolumes.inTreeAzureDisk += 1
      persistentVolumes.inTreeAzureDiskUnmanaged += 1
    case .inTreeAzureFile: persistentVolumes.inTreeAzureFile += 1
    case .csiAzureDisk: persistentVolumes.csiAzureDisk += 1
    case .csiAzureFile: persistentVolumes.csiAzureFile += 1
    case .other: persistentVolumes.other += 1
    }
  }

  public mutating func add(_ sc: SCClass) {
    switch sc {
    case .inTreeAzureDisk: storageClasses.inTreeAzureDisk += 1
    case .inTreeAzureFile: storageClasses.inTreeAzureFile += 1
    case .csiAzureDisk: storageClasses.csiAzureDisk += 1
    case .csiAzureFile: storageClasses.csiAzureFile += 1
    case .other: storageClasses.other += 1
    }
  }

  public static func + (a: Totals, b: Totals) -> Totals {
    var t = a
    t.persistentVolumes.inTreeAzureDisk += b.persistentVolumes.inTreeAzureDisk
    t.persistentVolumes.inTreeAzureDiskUnmanaged += b.persistentVolumes.inTreeAzureDiskUnmanaged
    t.persistentVolumes.inTreeAzureFile += b.persistentVolumes.inTreeAzureFile
    t.persistentVolumes.csiAzureDisk += b.persistentVolumes.csiAzureDisk
    t.persistentVolumes.csiAzureFile += b.persistentVolumes.csiAzureFile
    t.persistentVolumes.other += b.persistentVolumes.other
    t.persistentVolumes.servedByCSIMigration += b.persistentVolumes.servedByCSIMigration
    t.storageClasses.inTreeAzureDisk += b.storageClasses.inTreeAzureDisk
    t.storageClasses.inTreeAzureFile += b.storageClasses.inTreeAzureFile
    t.storageClasses.csiAzureDisk += b.storageClasses.csiAzureDisk
    t.storageClasses.csiAzureFile += b.storageClasses.csiAzureFile
    t.storageClasses.other += b.storageClasses.other
    t.inlineVolumes.inTreeAzureDisk += b.inlineVolumes.inTreeAzureDisk
    t.inlineVolumes.inTreeAzureFile += b.inlineVolumes.inTreeAzureFile
    t.objects.total += b.objects.total
    t.objects.persistentVolumeClaims += b.objects.persistentVolumeClaims
    t.objects.workloads += b.objects.workloads
    t.objects.secrets += b.objects.secrets
    t.objects.statefulSetsOnInTreeClasses += b.objects.statefulSetsOnInTreeClasses
    t.objects.skipped.merge(b.objects.skipped, uniquingKeysWith: +)
    return t
  }
}
