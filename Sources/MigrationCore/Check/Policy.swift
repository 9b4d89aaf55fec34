/// The upgrade gate's policy: for every rule, from which Kubernetes version it bites, how hard,
/// and where that fact comes from. `check --target-version X.Y` looks each finding up here.
///
/// A rule has one or more stages. A stage applies to a finding when its `storage` is nil or equal
/// to the finding's, and it is active for a target at or after `since` (nil: every version). The
/// finding takes the highest severity of its active stages (ties: the latest stage, whose reason
/// is the most specific); with no active stage it is `info`, reported as "becomes X at 1.NN".
public enum Policy {
  public struct Stage: Sendable, Equatable {
    /// First version at which the stage applies; nil for every version.
    public var since: KubeVersion?
    /// Only findings about this storage (nil: any).
    public var storage: StorageKind?
    public var severity: Severity
    /// What happens from `since` on, in one line.
    public var why: String
    /// Where the fact comes from (reference sections and upstream sources).
    public var source: String

    public init(since: KubeVersion?, storage: StorageKind? = nil, _ severity: Severity, _ why: String, source: String) {
      self.since = since
      self.storage = storage
      self.severity = severity
      self.why = why
      self.source = source
    }

    func applies(to storage: StorageKind?) -> Bool { self.storage == nil || self.storage == storage }
  }

  /// How one finding stands against one target version.
  public struct Evaluation: Sendable, Equatable {
    /// The severity for this target (`info` when no stage is active yet).
    public var severity: Severity
    /// The stage that decided it (the latest active stage of the highest severity, whose reason
    /// is the most specific); nil when none is active yet.
    public var stage: Stage?
    /// Since when the finding has `severity`: the earliest active stage of that severity
    /// (nil: at every version, or not yet active).
    public var since: KubeVersion?
    /// The next stage that would raise the severity, if any.
    public var upcoming: Stage?
  }

  static let v121 = KubeVersion(1, 21)
  static let v126 = KubeVersion(1, 26)
  static let v127 = KubeVersion(1, 27)
  static let v128 = KubeVersion(1, 28)
  static let v130 = KubeVersion(1, 30)

  static let aksUnsupported = "AKS no longer supports in-tree Azure volume types from 1.26"
  static let aksUnsupportedSource =
    "translation.md §9 (AKS statements); migration.md §0.2; learn.microsoft.com aks/csi-storage-drivers"
  static let diskRemoved = "the in-tree azureDisk plugin is removed upstream in 1.27 (translation to disk.csi.azure.com only)"
  static let diskRemovedSource = "translation.md §9 (PR kubernetes#116301); migration.md §0.1"
  static let fileRemoved = "the in-tree azureFile plugin is removed upstream in 1.30 (translation to file.csi.azure.com only)"
  static let fileRemovedSource = "translation.md §9 (PR kubernetes#122576); migration.md §0.1"
  static let translationOn = "CSI migration is on from AKS 1.21 (upstream by default: disk 1.23, file 1.24)"
  static let translationOnSource = "translation.md §9 (AKS statements, CSIMigrationAzureDisk/File rows); migration.md §0.1"

  /// The in-tree stages shared by PVs, classes, inline volumes and StatefulSet templates:
  /// AKS's 1.26 support cut-off comes first for both plugins, so it sets the threshold; the
  /// upstream removals (disk 1.27, file 1.30) keep the same severity and only sharpen the reason.
  static func inTreeStages(_ what: String, source extra: String) -> [Stage] {
    [
      Stage(since: v126, .migrate, "\(what); \(aksUnsupported)", source: aksUnsupportedSource + "; " + extra),
      Stage(since: v127, storage: .disk, .migrate, "\(what); \(diskRemoved)", source: diskRemovedSource + "; " + extra),
      Stage(since: v130, storage: .file, .migrate, "\(what); \(fileRemoved)", source: fileRemovedSource + "; " + extra),
    ]
  }

  /// The table, in `Rule.allCases` order.
  public static func stages(for rule: Rule) -> [Stage] {
    switch rule {
    case .deprecatedZoneLabel:
      [
        Stage(
          since: v126, storage: .disk, .blocker,
          "AKS refuses to upgrade to 1.26.0+ while a disk PV's nodeAffinity uses failure-domain.beta.kubernetes.io keys; nodeAffinity is immutable, so the PV must be recreated",
          source: "migration.md §0.3 and §5 #2, #3 (AKS CHANGELOG 2023-05-28; Azure/AKS#3563, #3668)"),
        Stage(
          since: v128, .blocker,
          "nodes lose the failure-domain.beta.kubernetes.io labels in 1.28: pods of any PV that requires them become unschedulable",
          source: "migration.md §0.3 and §5 #2 (AKS CHANGELOG 2023-06-25); translation.md §9 (AKS statements)"),
      ]
    case .inTreeVolume:
      inTreeStages("in-tree PersistentVolume", source: "migration.md §2")
    case .inTreeStorageClass:
      inTreeStages("in-tree StorageClass provisions new in-tree volumes", source: "migration.md §5 #19")
    case .inlineInTreeVolume:
      inTreeStages("inline in-tree volume in a pod template (not a PV: volume scripts miss it)", source: "migration.md §5 #20")
    case .statefulSetInTreeClass:
      inTreeStages("StatefulSet claim template creates new in-tree volumes", source: "migration.md §5 #12")
    case .unmanagedDisk:
      [
        Stage(
          since: v121, .blocker,
          "no CSI driver serves unmanaged (blob) disks at any version and \(translationOn): attach fails; convert to a managed disk first",
          source: "migration.md §5 #6 (kubernetes#103439, #81633); " + translationOnSource)
      ]
    case .unmanagedDiskStorageClass:
      [
        Stage(
          since: v121, .blocker,
          "disk.csi.azure.com rejects unmanaged (blob) disk classes and \(translationOn): provisioning fails",
          source: "migration.md §5 #6; translation.md §3.4; " + translationOnSource)
      ]
    case .fileSecretNamespaceUnknown:
      [
        Stage(
          since: v121, .blocker,
          "translation fails without a secret namespace and \(translationOn): mounts fail, and it cannot be migrated automatically",
          source: "translation.md §4.2; migration.md §5 #10; " + translationOnSource)
      ]
    case .storageClassTopologyConflict:
      [
        Stage(
          since: v121, .blocker,
          "translation fails for zone/zones with allowedTopologies and \(translationOn): provisioning fails",
          source: "translation.md §3.4; " + translationOnSource)
      ]
    case .deleteReclaimPolicy:
      [
        Stage(
          since: nil, .warning,
          "deleting the claim or volume during a migration deletes the disk or share; patch to Retain first",
          source: "migration.md §0.5 and §5 #1")
      ]
    case .cachingModeReadWrite:
      [
        Stage(
          since: nil, .warning, "cachingMode ReadWrite is deprecated and risky under the CSI driver",
          source: "migration.md §5 #7")
      ]
    case .releasedOrFailedVolume:
      [
        Stage(
          since: nil, .warning, "a Released or Failed volume needs a decision before it is migrated",
          source: "migration.md §2.4 (our analysis)")
      ]
    case .invalidField:
      [
        Stage(
          since: nil, .warning, "a field of the wrong type was ignored: the verdict may miss something about this object",
          source: "DESIGN.md (decoder)")
      ]
    case .secretInInput:
      [Stage(since: nil, .info, "Secret objects are never read; they need not be in the dump", source: "DESIGN.md (safety invariants)")]
    }
  }

  /// How a finding of `rule` about `storage` stands for `target`.
  public static func evaluate(rule: Rule, storage: StorageKind?, target: KubeVersion) -> Evaluation {
    let applicable = stages(for: rule).filter { $0.applies(to: storage) }
    var decided: Stage?
    for stage in applicable where stage.since.map({ $0 <= target }) ?? true {
      guard let current = decided else {
        decided = stage
        continue
      }
      if stage.severity > current.severity
        || (stage.severity == current.severity && (stage.since ?? KubeVersion(0, 0)) >= (current.since ?? KubeVersion(0, 0)))
      {
        decided = stage
      }
    }
    let severity = decided?.severity ?? .info
    let since = applicable.filter { stage in
      decided != nil && stage.severity == severity && (stage.since.map { $0 <= target } ?? true)
    }.compactMap(\.since).min()
    let upcoming = applicable
      .filter { stage in stage.severity > severity && (stage.since.map { $0 > target } ?? false) }
      .min { ($0.since ?? KubeVersion(0, 0)) < ($1.since ?? KubeVersion(0, 0)) }
    return Evaluation(severity: severity, stage: decided, since: since, upcoming: upcoming)
  }

  /// The thresholds a rule has, for tests and the README table: each stage's version and storage.
  public static func thresholds(for rule: Rule) -> [(since: KubeVersion, storage: StorageKind?)] {
    stages(for: rule).compactMap { stage in stage.since.map { ($0, stage.storage) } }
  }
}
