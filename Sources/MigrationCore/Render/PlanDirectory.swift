import YAMLStream

/// Every file of the plan directory but `backup/` (written while the input is read): the
/// runbook, plan.json, migrate.sh and the manifests. Each file is handed out in pieces.
public enum PlanDirectory {
  /// Receives one file: its path inside the plan directory, whether it is executable, and a
  /// function that writes its content through the callback it is given.
  public typealias FileSink = (
    _ path: String, _ executable: Bool, _ content: ((String) throws -> Void) throws -> Void
  ) throws -> Void

  /// The three files rendered in stages: RUNBOOK.md, plan.json and migrate.sh.
  public static let streamed: [(path: String, executable: Bool)] = [
    (PlanPaths.runbook, false), (PlanPaths.planJSON, false), (PlanPaths.script, true),
  ]

  /// What one batch of groups adds to each streamed file (in `streamed` order), and the
  /// manifests of its volumes.
  /// The CSI PersistentVolume of a migrating volume and its claim (when it has one), as files
  /// of the plan directory.
  public static func manifests(of v: PlannedVolume) throws -> [(path: String, bytes: [UInt8])] {
    var manifests = [(PlanPaths.persistentVolume(v.name), try YAMLWriter().write(VolumeBuilder.persistentVolume(v)))]
    if let pvc = v.pvc, let claim = VolumeBuilder.claim(v) {
      manifests.append((PlanPaths.claim(pvc.key), try YAMLWriter().write(claim)))
    }
    return manifests
  }

  public struct Batch: Sendable {
    public var text: [[UInt8]]
    public var manifests: [(path: String, bytes: [UInt8])]
  }

  /// The plan's files in three stages, so that the groups, most of the work, can be rendered a
  /// batch at a time on several threads and written in order:
  /// 1. `head(i)` writes the beginning of streamed file `i` (and `classManifests` the classes);
  /// 2. `batch(k)` renders batch `k` of groups: its steps are built once and serve the three
  ///    files; any thread, any order;
  /// 3. `tail(i)` writes the end of streamed file `i`.
  /// Writing each file's head, then every batch's text for it in order, then its tail, makes the
  /// same bytes as one renderer would.
  public struct Stages: Sendable {
    public let plan: Plan
    public let batches: [Range<Int>]
    /// Preflight steps plan.json lists before the groups' steps.
    private let preflightSteps: Int

    public init(_ plan: Plan) {
      self.plan = plan
      batches = plan.groupBatches()
      preflightSteps = PlanJSONRenderer(plan: plan).preflightSteps
    }

    public func head(_ file: Int, _ write: ([UInt8]) throws -> Void) throws {
      switch file {
      case 0: try RunbookRenderer(plan: plan).head { try write(Array($0.utf8)) }
      case 1: try PlanJSONRenderer(plan: plan).head(write)
      default: try ScriptRenderer(plan: plan).head { try write(Array($0.utf8)) }
      }
    }

    public func batch(_ k: Int) throws -> Batch {
      let part = try plan.batch(groups: batches[k])
      let runbook = RunbookRenderer(plan: part), json = PlanJSONRenderer(plan: part), script = ScriptRenderer(plan: part)
      var text: [ByteText] = ["", "", ""]
      var first = k == 0 && preflightSteps == 0
      for g in part.groups.indices {
        let steps = part.steps(ofGroup: g)
        try runbook.group(g, steps) { text[0] += $0 }
        json.groupSteps(g, steps, first: &first, into: &text[1])
        text[2] += script.group(g, steps)
      }
      var manifests: [(path: String, bytes: [UInt8])] = []
      for v in try part.volumes.all() where v.action == .migrate && !v.manifestsWritten {
        manifests += try PlanDirectory.manifests(of: v)
      }
      return Batch(text: text.map(\.bytes), manifests: manifests)
    }

    public func tail(_ file: Int, _ write: ([UInt8]) throws -> Void) throws {
      switch file {
      case 0: try RunbookRenderer(plan: plan).tail { try write(Array($0.utf8)) }
      case 1: try PlanJSONRenderer(plan: plan).tail(empty: preflightSteps == 0 && plan.groups.isEmpty, write)
      default: try ScriptRenderer(plan: plan).tail { try write(Array($0.utf8)) }
      }
    }

    /// The manifests of the StorageClasses the plan creates.
    public func classManifests() throws -> [(path: String, bytes: [UInt8])] {
      try plan.createdClasses.compactMap { c in
        guard let path = c.manifestPath, let manifest = c.manifest else { return nil }
        return (path, try YAMLWriter().write(manifest))
      }
    }
  }

  /// Writes every file, one after the other, holding the batches' text until each file is
  /// written (for tests and small plans; `csi-migrate plan` writes in stages as it renders).
  public static func render(_ plan: Plan, into file: FileSink) throws {
    let stages = Stages(plan)
    let batches = try stages.batches.indices.map(stages.batch)
    for (i, streamed) in streamed.enumerated() {
      try file(streamed.path, streamed.executable) { write in
        var bytes: [UInt8] = []
        try stages.head(i) { bytes += $0 }
        for b in batches { bytes += b.text[i] }
        try stages.tail(i) { bytes += $0 }
        try write(String(decoding: bytes, as: UTF8.self))
      }
    }
    for (path, bytes) in try stages.classManifests() + batches.flatMap(\.manifests) {
      try file(path, false) { try $0(String(decoding: bytes, as: UTF8.self)) }
    }
  }

  /// A backup file's content.
  public static func backupYAML(_ value: YAMLValue) throws -> [UInt8] { try YAMLWriter().write(value) }

  /// A backup file's content, written from the object's tree: the bytes of
  /// `backupYAML(document.value)` without building the value.
  public static func backupYAML(_ document: Backup.Document) throws -> [UInt8] {
    try YAMLWriter().write(document.tree, at: document.tree.root, edits: document.edits)
  }
}
