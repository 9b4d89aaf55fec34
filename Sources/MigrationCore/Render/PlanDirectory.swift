import YAMLStream

/// Every file of the plan directory but `backup/` (written while the input is read): the
/// runbook, plan.json, migrate.sh and the manifests. Each file is handed out in pieces.
public enum PlanDirectory {
  /// Receives one file: its path inside the plan directory, whether it is executable, and a
  /// function that writes its content through the callback it is given.
  public typealias FileSink = (
    _ path: String, _ executable: Bool, _ content: ((String) throws -> Void) throws -> Void
  ) throws -> Void

  /// Writes a share of the plan's files through a sink.
  public typealias Part = @Sendable (_ file: FileSink) throws -> Void

  /// The files of the plan in three shares of about the same work, which write different files
  /// and read only the plan: they may run at the same time, each with its own sink.
  public static func parts(_ plan: Plan) -> [Part] {
    [
      { file in try file(PlanPaths.runbook, false) { try RunbookRenderer(plan: plan).render($0) } },
      { file in try file(PlanPaths.planJSON, false) { try PlanJSONRenderer(plan: plan).render($0) } },
      { file in
        try file(PlanPaths.script, true) { try ScriptRenderer(plan: plan).render($0) }
        try manifests(plan, into: file)
      },
    ]
  }

  /// Writes every file, one after the other.
  public static func render(_ plan: Plan, into file: FileSink) throws {
    for part in parts(plan) { try part(file) }
  }

  static func manifests(_ plan: Plan, into file: FileSink) throws {
    for c in plan.createdClasses {
      guard let path = c.manifestPath, let manifest = c.manifest else { continue }
      let yaml = try YAMLWriter().write(manifest)
      try file(path, false) { try $0(String(decoding: yaml, as: UTF8.self)) }
    }
    try plan.volumes.forEach(where: { plan.volumes.action($0) == .migrate }) { _, v in
      let pv = try YAMLWriter().write(VolumeBuilder.persistentVolume(v))
      try file(PlanPaths.persistentVolume(v.name), false) { try $0(String(decoding: pv, as: UTF8.self)) }
      if let pvc = v.pvc, let claim = VolumeBuilder.claim(v) {
        let yaml = try YAMLWriter().write(claim)
        try file(PlanPaths.claim(pvc.key), false) { try $0(String(decoding: yaml, as: UTF8.self)) }
      }
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
