import YAMLStream

/// What happens to one in-tree PersistentVolume.
public enum VolumeAction: String, Sendable {
  /// Migrated by the default strategy.
  case migrate
  /// Cannot be migrated automatically; the runbook says why and what to do.
  case blocked
  /// Outside the namespaces selected with `-n`.
  case skipped
}

/// One in-tree PersistentVolume and the decision about it.
public struct PlannedVolume: Sendable {
  public var pv: PVRecord
  public var pvc: PVCRecord?
  public var action: VolumeAction
  /// Why it is blocked or skipped.
  public var reason: String?
  /// For blocked volumes: the way out.
  public var remedy: [String] = []
  /// The storageClassName of the new PV and claim ("" when the volume had none).
  public var targetClass: String = ""
  /// The CSI volumeHandle: the disk URI verbatim, or the Azure Files handle.
  public var handle: String = ""
  /// Disk only: the cachingMode written (nil: leave the driver default).
  public var cachingMode: String?
  /// What the CSI object changes compared with the in-tree one, for the reviewer.
  public var changes: [String] = []
  /// What the operator should check by hand.
  public var warnings: [String] = []
  /// Index in `Plan.groups` (migrating volumes only).
  public var group: Int?
  /// Whether its manifests were written while the input was read (`Planner.writeManifestsAhead`).
  public var manifestsWritten = false

  public var name: String { pv.name }
  public var isDisk: Bool { pv.isDisk }
  public var driver: String { isDisk ? Drivers.csiDisk : Drivers.csiFile }
  public var sourceKind: String { isDisk ? "azureDisk" : "azureFile" }

  /// Paths (relative to the plan directory) of the manifests that carry this volume.
  public var manifestPaths: [String] {
    guard action == .migrate else { return [] }
    var paths = [PlanPaths.persistentVolume(name)]
    if let pvc { paths.append(PlanPaths.claim(pvc.key)) }
    return paths
  }

  /// The backups of the volume and of its claim; a claim bound to another volume (this one is
  /// then blocked) is not this volume's to restore.
  public var backupPaths: [String] {
    var paths = [PlanPaths.backupPersistentVolume(name)]
    if let pvc, (pvc.volumeName ?? "").isEmpty || pvc.volumeName == name { paths.append(PlanPaths.backupClaim(pvc.key)) }
    return paths
  }
}

/// What happens to one in-tree StorageClass (or a class name in-tree volumes refer to).
public struct PlannedClass: Sendable {
  public enum Action: String, Sendable {
    /// A new CSI class is created from `manifests/storageclasses/`.
    case create
    /// An AKS built-in: AKS reconciles it, so volumes move to AKS's CSI built-in instead.
    case builtIn = "use-built-in"
    /// The replacement already exists in the input.
    case existing = "use-existing"
    /// No CSI replacement is possible.
    case blocked
  }
  public var name: String
  public var driver: String
  public var action: Action
  public var target: String?
  public var reason: String?
  /// Parameters dropped or rewritten on the way, for the reviewer.
  public var changes: [String] = []
  /// The new class (for `.create`).
  public var manifest: YAMLValue?
  public var inDump: Bool

  public var manifestPath: String? { action == .create ? target.map(PlanPaths.storageClass) : nil }
}

/// How a workload is stopped and started again.
public enum StopMethod: String, Sendable {
  /// Deployment, StatefulSet, ReplicaSet: scale to 0 and back to the recorded count.
  case scale
  /// DaemonSet: a nodeSelector no node matches, removed afterwards.
  case pauseDaemonSet = "pause-daemonset"
  /// CronJob, Job: `spec.suspend`.
  case suspend
  /// A bare Pod: the operator saves and deletes it, and creates it again afterwards.
  case deletePod = "delete-pod"
  /// Owned by a controller csi-migrate does not know: the operator stops it.
  case manual
}

/// A workload that uses claims of migrating volumes.
public struct PlannedWorkload: Sendable {
  public var kind: String
  public var namespace: String
  public var name: String
  public var stop: StopMethod
  /// Replica count in the dump (scaled workloads).
  public var replicas: Int?
  public var strategy: String?
  /// Whether the controller object itself is in the input (else inferred from pods).
  public var inDump: Bool
  /// Claims (names, in `namespace`) of in-tree volumes it uses.
  public var claims: [String]
  /// Pods seen in the dump.
  public var pods: [String]
  /// StatefulSet claim templates that name an in-tree class: recreated with the CSI class.
  public var templateChanges: [TemplateChange] = []
  public var notes: [String] = []

  public var ref: ObjectRef { ObjectRef(kind: kind, namespace: namespace, name: name) }
  public var kubectlKind: String { kind.lowercased() }
}

/// A StatefulSet claim template whose class changes.
public struct TemplateChange: Sendable {
  public var index: Int
  public var name: String
  public var from: String?
  public var to: String
}

/// Workloads and volumes that must be stopped and migrated together: every workload using any
/// of the claims, and every claim any of the workloads uses.
public struct MigrationGroup: Sendable {
  public var number: Int
  public var namespace: String
  public var workloads: [Int]
  public var volumes: [Int]
}

/// An inline in-tree volume in a pod template: not a PV, so migrated by editing the template.
public struct PlannedInlineVolume: Sendable {
  public var workload: ObjectRef
  public var volume: String
  public var sourceKind: String
  public var location: SourceLocation
  public var blocked: String?
  public var instructions: [String]
  /// The replacement volume entry for the pod template (file: an inline csi volume).
  public var replacement: YAMLValue?
}

/// The whole migration plan for one cluster.
public struct Plan: Sendable {
  public static let apiVersion = "csi-migrate/v1"
  public var inputs: [String]
  public var namespaces: [String]
  public var volumes: VolumeList
  public var classes: [PlannedClass]
  public var workloads: [PlannedWorkload]
  public var groups: [MigrationGroup]
  public var inline: [PlannedInlineVolume]
  /// CSI volume handles already in the cluster (Azure Files), which new handles must avoid.
  public var existingFileHandles: Int
  /// Version of csi-migrate that wrote the plan.
  public var toolVersion: String
  /// About how many volumes a batch of groups holds (`groupBatches`): renderers load one batch
  /// at a time.
  public var batchVolumes = 64

  public func count(_ action: VolumeAction) -> Int { volumes.count(action) }

  /// Classes the plan creates.
  public var createdClasses: [PlannedClass] { classes.filter { $0.action == .create } }

  /// Target classes the plan needs but does not create (AKS built-ins, existing classes).
  public var requiredClasses: [(name: String, driver: String)] {
    var seen: Set<String> = []
    var result: [(String, String)] = []
    let created = Set(createdClasses.compactMap(\.target))
    for (target, driver) in volumes.targetClasses where !created.contains(target) {
      if seen.insert(target).inserted { result.append((target, driver)) }
    }
    return result.sorted { $0.0 < $1.0 }
  }
}

/// Where each artefact lives inside the plan directory.
public enum PlanPaths {
  public static let runbook = "RUNBOOK.md"
  public static let planJSON = "plan.json"
  public static let script = "migrate.sh"

  public static func persistentVolume(_ name: String) -> String { "manifests/persistentvolumes/\(name).yaml" }
  public static func claim(_ key: ClaimKey) -> String {
    "manifests/persistentvolumeclaims/\(key.namespace).\(key.name).yaml"
  }
  public static func storageClass(_ name: String) -> String { "manifests/storageclasses/\(name).yaml" }
  public static func backupPersistentVolume(_ name: String) -> String { "backup/persistentvolumes/\(name).yaml" }
  public static func backupClaim(_ key: ClaimKey) -> String {
    "backup/persistentvolumeclaims/\(key.namespace).\(key.name).yaml"
  }
  public static func backupStorageClass(_ name: String) -> String { "backup/storageclasses/\(name).yaml" }
}
