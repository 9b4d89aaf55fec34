import YAMLStream

/// plan.json: the plan, machine-readable (`apiVersion: csi-migrate/v1`, `kind: MigrationPlan`).
/// The schema only grows. Written in pieces: one volume or step at a time.
public struct PlanJSONRenderer: Sendable {
  public let plan: Plan
  public init(plan: Plan) { self.plan = plan }

  /// How many steps `head` writes: the class steps, then one check per migrating volume.
  public var preflightSteps: Int { plan.classSteps().count + plan.volumes.count(.migrate) }

  /// Everything before the steps of the groups: the plan's fields, volumes, workloads, groups,
  /// inline volumes and the `preflightSteps` (`steps` left open).
  public func head(_ write: ([UInt8]) throws -> Void) throws {
    var head = "{\n"
    let fields: [(String, YAMLValue)] = [
      ("apiVersion", .string(Plan.apiVersion)),
      ("kind", .string("MigrationPlan")),
      ("generatedBy", .string("csi-migrate \(plan.toolVersion)")),
      ("strategy", .string("static-same-names")),
      ("inputs", .sequence(plan.inputs.map { .string($0) })),
      ("namespaces", .sequence(plan.namespaces.map { .string($0) })),
      ("summary", .mapping([
        ("volumes", .int(plan.volumes.count)),
        ("migrate", .int(plan.count(.migrate))),
        ("blocked", .int(plan.count(.blocked))),
        ("skipped", .int(plan.count(.skipped))),
        ("groups", .int(plan.groups.count)),
        ("storageClassesCreated", .int(plan.createdClasses.count)),
        ("inlineVolumes", .int(plan.inline.count)),
        ("existingCSIFileHandles", .int(plan.existingFileHandles)),
      ])),
      ("storageClasses", .sequence(plan.classes.map(classValue))),
    ]
    for (key, value) in fields {
      head += "  "
      JSONWriter.quote(key, into: &head)
      head += ": "
      JSONWriter.render(value, indent: 1, into: &head)
      head += ",\n"
    }
    try write(Array(head.utf8))
    try volumeEntries(write)
    try array("workloads", plan.workloads.lazy.map(workloadValue), write)
    try array("groups", plan.groups.lazy.map(groupValue), write)
    try array("inlineVolumes", plan.inline.lazy.map(inlineValue), write)
    // Steps are most of the file: written straight, as `JSONWriter` would write `stepValue`.
    var steps = ArrayOut("steps")
    // The preflight: the class steps, then one check per migrating volume.
    var n = 0
    for s in plan.classSteps() {
      n += 1
      try steps.item(write) { step("P.\(n)", s, plan, into: &$0) }
    }
    try write(steps.out.bytes)
    try checkSteps(after: n, write)
  }

  /// The `volumes` array, the longest part of the beginning (every volume, whole).
  func volumeEntries(_ write: ([UInt8]) throws -> Void) throws {
    var volumes = ArrayOut("volumes")
    try write(volumes.out.bytes)
    volumes.out.removeAll()
    try inRuns(write) { [self] _, run, text in
      try plan.volumes.forEach(in: run) { i, v in
        text += i == 0 ? "\n    " : ",\n    "
        volume(v, into: &text)
      }
    }
    volumes.first = plan.volumes.isEmpty
    try volumes.close(write)
  }

  /// The preflight's identity check of each migrating volume, numbered after the `classSteps`
  /// class steps (the steps array is open).
  func checkSteps(after classSteps: Int, _ write: ([UInt8]) throws -> Void) throws {
    let volumes = plan.volumes
    // The number of the first check of each run.
    var n = classSteps
    let firsts = Parallel.runs(volumes.count, size: Self.entriesRun).map { run in
      defer { n += run.lazy.filter { volumes.action($0) == .migrate }.count }
      return n + 1
    }
    try inRuns(write) { [self] r, run, text in
      var n = firsts[r]
      try volumes.forEachSummary(in: run, where: { volumes.action($0) == .migrate }) { i, v in
        guard let s = plan.checkStep(i, v) else { return }
        text += n == 1 ? "\n    " : ",\n    "
        step("P.\(n)", s, plan, into: &text)
        n += 1
      }
    }
  }

  /// Volumes whose entries one thread renders at a time.
  static let entriesRun = 512

  /// Renders the volumes a run of `entriesRun` at a time on two threads (`render` gets the run's
  /// number and range), and hands each run's text to `write` in order (from the thread whose turn
  /// it is, one at a time, before it returns).
  func inRuns(
    _ write: ([UInt8]) throws -> Void, _ render: @escaping @Sendable (Int, Range<Int>, inout ByteText) throws -> Void
  ) throws {
    let runs = Parallel.runs(plan.volumes.count, size: Self.entriesRun)
    try withoutActuallyEscaping(write) { write in
      let sink = Shared(write)
      try Parallel.ordered(count: runs.count, workers: 2) { _, r in
        var text = ByteText()
        try render(r, runs[r], &text)
        return text.bytes
      } consume: { bytes in
        try sink.value(bytes)
      }
    }
  }

  /// The steps of group `g` of a plan part (`Plan.batch(groups:)`), each after a separator:
  /// `first` says whether the steps array has no item yet, and is cleared.
  func groupSteps(_ g: Int, _ steps: [Step], first: inout Bool, into out: inout ByteText) {
    for (k, s) in steps.enumerated() {
      out += first ? "\n    " : ",\n    "
      first = false
      step("\(plan.groups[g].number).\(k + 1)", s, plan, into: &out)
    }
  }

  /// Closes the steps array (`empty`: it has no item) and the document.
  public func tail(empty: Bool, _ write: ([UInt8]) throws -> Void) throws {
    try write(Array((empty ? "]\n}\n" : "\n  ]\n}\n").utf8))
  }

  func array<S: Sequence>(_ key: String, _ items: S, _ write: ([UInt8]) throws -> Void) throws where S.Element == YAMLValue {
    var array = ArrayOut(key)
    var text = ""
    for value in items {
      try array.item(write) {
        JSONWriter.render(value, indent: 2, into: &text)
        $0 += text
        text.removeAll(keepingCapacity: true)
      }
    }
    try array.close(write)
  }

  /// An array of the top-level object, written in pieces; each item is appended as `JSONWriter`
  /// does at indent 2. Closing it ends the entry with a comma: `steps`, the last, is closed by
  /// `tail`.
  struct ArrayOut {
    var out: ByteText = "  "
    var first = true

    init(_ key: String) {
      out.appendJSONQuoted(key)
      out += ": ["
    }

    mutating func item(_ write: ([UInt8]) throws -> Void, _ render: (inout ByteText) -> Void) throws {
      out += first ? "\n    " : ",\n    "
      first = false
      render(&out)
      try out.flushIfFull(write)
    }

    mutating func close(_ write: ([UInt8]) throws -> Void) throws {
      out += first ? "]" : "\n  ]"
      out += ",\n"
      try write(out.bytes)
    }
  }

  func strings(_ s: [String]) -> YAMLValue { .sequence(s.map { .string($0) }) }

  func classValue(_ c: PlannedClass) -> YAMLValue {
    var m: [(String, YAMLValue)] = [
      ("name", .string(c.name)), ("driver", .string(c.driver)), ("action", .string(c.action.rawValue)),
      ("target", c.target.map { .string($0) } ?? .null), ("inInput", .bool(c.inDump)),
    ]
    if let reason = c.reason { m.append(("reason", .string(reason))) }
    if let path = c.manifestPath { m.append(("manifest", .string(path))) }
    if !c.changes.isEmpty { m.append(("changes", strings(c.changes))) }
    return .mapping(m)
  }

  /// `JSONWriter.render(volumeValue(v), indent: 2, into: &out)`, without building the value:
  /// one entry per in-tree volume.
  func volume(_ v: PlannedVolume, into out: inout ByteText) {
    let pad = "\n      "
    func key(_ k: String) {
      out += "," + pad + "\""
      out += k
      out += "\": "
    }
    func pair(_ a: String, _ x: String, _ b: String, _ y: String) {
      out += "{\n        \"" + a + "\": "
      JSONWriter.quote(x, into: &out)
      out += ",\n        \"" + b + "\": "
      JSONWriter.quote(y, into: &out)
      out += "\n      }"
    }
    out += "{" + pad + "\"name\": "
    JSONWriter.quote(v.name, into: &out)
    key("uid")
    JSONWriter.quote(v.pv.uid, into: &out)
    key("source")
    JSONWriter.quote(v.sourceKind, into: &out)
    key("action")
    JSONWriter.quote(v.action.rawValue, into: &out)
    if let reason = v.reason {
      key("reason")
      JSONWriter.quote(reason, into: &out)
    }
    if !v.remedy.isEmpty {
      key("remedy")
      strings(v.remedy, into: &out)
    }
    key("claim")
    if let claim = v.pv.claim { pair("namespace", claim.namespace, "name", claim.name) } else { out += "null" }
    key("location")
    JSONWriter.quote(v.pv.location.description, into: &out)
    if v.action == .migrate {
      key("group")
      out += v.group.map { String(plan.groups[$0].number) } ?? "null"
      key("workloads")
      strings(v.group.map { plan.groups[$0].workloads.map { plan.workloads[$0].ref.display } } ?? [], into: &out)
      key("driver")
      JSONWriter.quote(v.driver, into: &out)
      key("volumeHandle")
      JSONWriter.quote(v.handle, into: &out)
      key("storageClassName")
      pair("from", v.pv.storageClassName ?? "", "to", v.targetClass)
      if let caching = v.cachingMode {
        key("cachingMode")
        JSONWriter.quote(caching, into: &out)
      }
      key("changes")
      strings(v.changes, into: &out)
      key("warnings")
      strings(v.warnings, into: &out)
    }
    key("manifests")
    strings(v.manifestPaths, into: &out)
    key("backups")
    strings(v.backupPaths, into: &out)
    out += "\n    }"
  }

  /// The volume entry as a value: what `volume(_:into:)` writes (a test holds them together).
  func volumeValue(_ v: PlannedVolume) -> YAMLValue {
    var m: [(String, YAMLValue)] = [
      ("name", .string(v.name)), ("uid", .string(v.pv.uid)), ("source", .string(v.sourceKind)),
      ("action", .string(v.action.rawValue)),
    ]
    if let reason = v.reason { m.append(("reason", .string(reason))) }
    if !v.remedy.isEmpty { m.append(("remedy", strings(v.remedy))) }
    m.append(("claim", v.pv.claim.map { .mapping([("namespace", .string($0.namespace)), ("name", .string($0.name))]) } ?? .null))
    m.append(("location", .string(v.pv.location.description)))
    if v.action == .migrate {
      m.append(("group", v.group.map { .int(plan.groups[$0].number) } ?? .null))
      let workloads = v.group.map { plan.groups[$0].workloads.map { plan.workloads[$0].ref.display } } ?? []
      m.append(("workloads", strings(workloads)))
      m.append(("driver", .string(v.driver)))
      m.append(("volumeHandle", .string(v.handle)))
      m.append(("storageClassName", .mapping([("from", .string(v.pv.storageClassName ?? "")), ("to", .string(v.targetClass))])))
      if let caching = v.cachingMode { m.append(("cachingMode", .string(caching))) }
      m.append(("changes", strings(v.changes)))
      m.append(("warnings", strings(v.warnings)))
    }
    m.append(("manifests", strings(v.manifestPaths)))
    m.append(("backups", strings(v.backupPaths)))
    return .mapping(m)
  }

  func workloadValue(_ w: PlannedWorkload) -> YAMLValue {
    var m: [(String, YAMLValue)] = [
      ("kind", .string(w.kind)), ("namespace", .string(w.namespace)), ("name", .string(w.name)),
      ("inInput", .bool(w.inDump)), ("stop", .string(w.stop.rawValue)),
      ("replicas", w.replicas.map { .int($0) } ?? .null), ("claims", strings(w.claims)), ("pods", strings(w.pods)),
    ]
    if let strategy = w.strategy { m.append(("strategy", .string(strategy))) }
    if !w.templateChanges.isEmpty {
      m.append(("claimTemplates", .sequence(w.templateChanges.map {
        .mapping([("index", .int($0.index)), ("name", .string($0.name)), ("from", $0.from.map { .string($0) } ?? .null), ("to", .string($0.to))])
      })))
    }
    m.append(("notes", strings(w.notes)))
    return .mapping(m)
  }

  func groupValue(_ g: MigrationGroup) -> YAMLValue {
    .mapping([
      ("number", .int(g.number)), ("namespace", .string(g.namespace)),
      ("workloads", strings(g.workloads.map { plan.workloads[$0].ref.display })),
      ("volumes", strings(g.volumes.map(plan.volumes.name))),
    ])
  }

  func inlineValue(_ v: PlannedInlineVolume) -> YAMLValue {
    var m: [(String, YAMLValue)] = [
      ("workload", .mapping([("kind", .string(v.workload.kind)), ("namespace", .string(v.workload.namespace)), ("name", .string(v.workload.name))])),
      ("volume", .string(v.volume)), ("source", .string(v.sourceKind)),
      ("action", .string(v.blocked == nil ? "manual" : "blocked")),
      ("location", .string(v.location.description)),
    ]
    if let blocked = v.blocked { m.append(("reason", .string(blocked))) }
    m.append(("instructions", strings(v.instructions)))
    if let replacement = v.replacement { m.append(("replacement", replacement)) }
    return .mapping(m)
  }

  /// `JSONWriter.render(stepValue(id, s), indent: 2, into: &out)`, without building the value.
  func step(_ id: String, _ s: Step, _ plan: Plan, into out: inout ByteText) {
    let pad = "\n      "
    out += "{" + pad + "\"id\": "
    JSONWriter.quote(id, into: &out)
    out += "," + pad + "\"group\": " + String(s.group) + "," + pad + "\"action\": "
    JSONWriter.quote(s.action.rawValue, into: &out)
    if let i = s.volume {
      out += "," + pad + "\"volume\": "
      JSONWriter.quote(plan.volumes.name(i), into: &out)
    }
    if let i = s.workload {
      out += "," + pad + "\"workload\": "
      JSONWriter.quote(plan.workloads[i].ref.display, into: &out)
    }
    if let i = s.storageClass {
      out += "," + pad + "\"storageClass\": "
      JSONWriter.quote(plan.classes[i].target ?? plan.classes[i].name, into: &out)
    }
    out += "," + pad + "\"title\": "
    JSONWriter.quote(s.title, into: &out)
    out += "," + pad + "\"commands\": "
    strings(s.commands, into: &out)
    out += "," + pad + "\"expect\": "
    JSONWriter.quote(s.expect, into: &out)
    out += "," + pad + "\"rollback\": "
    strings(s.rollback, into: &out)
    out += "\n    }"
  }

  /// `JSONWriter.render(strings(s), indent: 3, into: &out)`.
  func strings(_ s: [String], into out: inout ByteText) {
    if s.isEmpty {
      out += "[]"
      return
    }
    out += "["
    for (n, text) in s.enumerated() {
      out += n == 0 ? "\n        " : ",\n        "
      JSONWriter.quote(text, into: &out)
    }
    out += "\n      ]"
  }

  /// The step entry as a value: what `step(_:_:_:into:)` writes (a test holds them together).
  func stepValue(_ id: String, _ s: Step) -> YAMLValue {
    var m: [(String, YAMLValue)] = [("id", .string(id)), ("group", .int(s.group)), ("action", .string(s.action.rawValue))]
    if let i = s.volume { m.append(("volume", .string(plan.volumes.name(i)))) }
    if let i = s.workload { m.append(("workload", .string(plan.workloads[i].ref.display))) }
    if let i = s.storageClass { m.append(("storageClass", .string(plan.classes[i].target ?? plan.classes[i].name))) }
    m.append(("title", .string(s.title)))
    m.append(("commands", strings(s.commands)))
    m.append(("expect", .string(s.expect)))
    m.append(("rollback", strings(s.rollback)))
    return .mapping(m)
  }
}
