/// What lists of every volume (the preflight's identity checks, snapshots and zones) take of
/// each: the spill holds these first in a volume's record, so they are read without the rest.
public struct VolumeSummary: Sendable, Equatable {
  public var name: String
  public var uid: String
  public var reclaimPolicy: String?
  public var handle: String
  public var action: VolumeAction

  public init(_ v: PlannedVolume) {
    name = v.name
    uid = v.pv.uid
    reclaimPolicy = v.pv.reclaimPolicy
    handle = v.handle
    action = v.action
  }
}

/// What the plan keeps in memory of each in-tree volume: enough to count, group and order them.
struct VolumeFacts: Sendable {
  var action: VolumeAction
  var isDisk: Bool
  /// Whether the dump gives its zone (node affinity).
  var hasZone: Bool
  /// Index in `Plan.groups`, -1 for none.
  var group: Int32 = -1
  /// Its manifests are written already.
  var manifestsWritten = false

  init(_ v: PlannedVolume) {
    action = v.action
    isDisk = v.isDisk
    hasZone = !v.pv.nodeAffinity.isEmpty
    group = Int32(v.group ?? -1)
    manifestsWritten = v.manifestsWritten
  }
}

/// The in-tree volumes of a plan, sorted by name. A plan of a whole cluster keeps only a few facts
/// of each volume in memory and reads the volumes themselves back from its spill, a batch at a
/// time (`forEach`, `load`); the part of a plan made for a few groups holds its volumes.
public struct VolumeList: Sendable {
  var facts: [VolumeFacts]
  let names: NameArena
  private let storage: Storage
  /// Blocked by a check across volumes after the volume was spilled: why, and the way out.
  private let overrides: [Int: PlanBlock]
  /// Storage class names the migrating volumes move to, with the driver of the first one, in
  /// volume order.
  public let targetClasses: [(String, String)]

  private enum Storage: Sendable {
    case memory([PlannedVolume])
    case spilled(any RecordSpill, [SpillRef])
  }

  /// Volumes held in memory.
  init(_ volumes: [PlannedVolume]) {
    facts = volumes.map(VolumeFacts.init)
    var names = NameArena()
    for v in volumes { names.append(v.name) }
    self.names = names
    storage = .memory(volumes)
    overrides = [:]
    targetClasses = Self.targets(volumes.lazy.filter { $0.action == .migrate }.map { ($0.targetClass, $0.driver) })
  }

  /// Volumes in a spill (`refs[i]` holds volume `i`, decided but not yet grouped).
  init(
    facts: [VolumeFacts], names: NameArena, spill: any RecordSpill, refs: [SpillRef], overrides: [Int: PlanBlock],
    targetClasses: [(String, String)]
  ) {
    self.facts = facts
    self.names = names
    storage = .spilled(spill, refs)
    self.overrides = overrides
    self.targetClasses = Self.targets(targetClasses)
  }

  static func targets(_ pairs: some Sequence<(String, String)>) -> [(String, String)] {
    var seen: Set<String> = []
    var result: [(String, String)] = []
    for (target, driver) in pairs where !target.isEmpty && seen.insert(target).inserted { result.append((target, driver)) }
    return result
  }

  public var count: Int { facts.count }
  public var indices: Range<Int> { facts.indices }
  public var isEmpty: Bool { facts.isEmpty }

  public func name(_ i: Int) -> String { names[i] }
  public func action(_ i: Int) -> VolumeAction { facts[i].action }
  public func isDisk(_ i: Int) -> Bool { facts[i].isDisk }
  public func hasZone(_ i: Int) -> Bool { facts[i].hasZone }
  /// Index in `Plan.groups` of a migrating volume.
  public func group(_ i: Int) -> Int? { facts[i].group < 0 ? nil : Int(facts[i].group) }

  public func count(_ action: VolumeAction) -> Int { facts.lazy.filter { $0.action == action }.count }
  /// Indices of the volumes with this action, in order.
  public func indices(_ action: VolumeAction) -> [Int] { facts.indices.filter { facts[$0].action == action } }

  /// Volume `i` of a plan that holds its volumes: a part made by `batch(groups:)`, whose
  /// renderers index volumes freely. A whole plan's volumes are read with `load` and `forEach`.
  public subscript(i: Int) -> PlannedVolume {
    guard case .memory(let volumes) = storage else {
      preconditionFailure("the volumes of a whole plan are read back with load(_:) or forEach")
    }
    return volumes[i]
  }

  /// Volume `i`, whole.
  public func load(_ i: Int) throws -> PlannedVolume {
    switch storage {
    case .memory(let volumes): return volumes[i]
    case .spilled(let spill, let refs):
      var reader = SpillReader(try spill.read(refs[i]))
      var v = try PlannedVolume(from: &reader)
      complete(&v, i)
      return v
    }
  }

  /// Volumes `indices`, whole, in that order.
  public func load(_ indices: some Sequence<Int>) throws -> [PlannedVolume] {
    try indices.map(load)
  }

  /// Every volume in order, read back a batch at a time.
  public func forEach(_ body: (Int, PlannedVolume) throws -> Void) throws {
    try forEach(where: { _ in true }, body)
  }

  /// The volumes whose facts pass `include`, in order, read back a batch at a time.
  public func forEach(where include: (Int) -> Bool, _ body: (Int, PlannedVolume) throws -> Void) throws {
    try forEach(in: indices, where: include, body)
  }

  /// The volumes of `range` whose facts pass `include`, in order, read back a batch at a time.
  public func forEach(in range: Range<Int>, where include: (Int) -> Bool = { _ in true }, _ body: (Int, PlannedVolume) throws -> Void) throws {
    switch storage {
    case .memory(let volumes):
      for i in range where include(i) { try body(i, volumes[i]) }
    case .spilled(let spill, let refs):
      try Self.forEach(in: spill, refs, range, where: include, body) { reader, k in
        var v = try PlannedVolume(from: &reader)
        complete(&v, k)
        return v
      }
    }
  }

  /// The summaries of the volumes whose facts pass `include`, in order: what lists of every
  /// volume need, without reading the rest of each record.
  public func forEachSummary(where include: (Int) -> Bool, _ body: (Int, VolumeSummary) throws -> Void) throws {
    try forEachSummary(in: indices, where: include, body)
  }

  /// The summaries of the volumes of `range` whose facts pass `include`, in order.
  public func forEachSummary(in range: Range<Int>, where include: (Int) -> Bool, _ body: (Int, VolumeSummary) throws -> Void) throws {
    switch storage {
    case .memory(let volumes):
      for i in range where include(i) { try body(i, VolumeSummary(volumes[i])) }
    case .spilled(let spill, let refs):
      try Self.forEach(in: spill, refs, range, where: include, body) { reader, k in
        var s = try VolumeSummary(from: &reader)
        s.action = facts[k].action
        return s
      }
    }
  }

  /// Records `refs[k]` of the spill whose `k` passes `include`, decoded, in order: one read for
  /// a run of neighbouring records (spilled in this order).
  private static func forEach<T>(
    in spill: any RecordSpill, _ refs: [SpillRef], _ range: Range<Int>, where include: (Int) -> Bool,
    _ body: (Int, T) throws -> Void, decode: (inout SpillReader, Int) throws -> T
  ) throws {
    var i = range.lowerBound
    while i < range.upperBound {
      var end = i
      while end < range.upperBound && end - i < 256 && refs[end].end - refs[i].offset < 1 << 20 { end += 1 }
      end = max(end, i + 1)
      if !(i..<end).contains(where: include) {
        i = end
        continue
      }
      let span = SpillRef(offset: refs[i].offset, count: Int32(refs[end - 1].end - refs[i].offset))
      let bytes = try spill.read(span)
      for k in i..<end where include(k) {
        var reader = SpillReader(bytes, at: refs[k].offset - span.offset)
        try body(k, try decode(&reader, k))
      }
      i = end
    }
  }

  /// Every volume, whole (tests and small plans).
  public func all() throws -> [PlannedVolume] {
    var result: [PlannedVolume] = []
    result.reserveCapacity(count)
    try forEach { result.append($1) }
    return result
  }

  /// Sets what the planner decided after the record was spilled (in place: a copy of a
  /// volume retains and releases each of its strings).
  private func complete(_ v: inout PlannedVolume, _ i: Int) {
    v.action = facts[i].action
    v.group = group(i)
    v.manifestsWritten = facts[i].manifestsWritten
    if let block = overrides[i] {
      v.reason = block.reason
      v.remedy = block.remedy
    }
  }
}

extension Plan {
  /// Runs of neighbouring groups of about `volumes` volumes together, which renderers take one
  /// at a time (`batch(groups:)`) so that only their volumes are in memory.
  public func groupBatches(volumes: Int? = nil) -> [Range<Int>] {
    let volumes = volumes ?? batchVolumes
    var result: [Range<Int>] = []
    var start = 0
    var size = 0
    for (g, group) in groups.enumerated() {
      size += group.volumes.count + 1
      if size >= volumes {
        result.append(start..<g + 1)
        start = g + 1
        size = 0
      }
    }
    if start < groups.count { result.append(start..<groups.count) }
    return result
  }

  /// Groups `range` as a plan of their own, with their volumes loaded: what rendering a group
  /// needs. Group numbers stay those of the whole plan; indices are local.
  public func batch(groups range: Range<Int>) throws -> Plan {
    var loaded: [PlannedVolume] = []
    var local: [MigrationGroup] = []
    for g in range {
      var group = groups[g]
      let volumesOfGroup = try volumes.load(group.volumes)
      group.volumes = Array(loaded.count..<loaded.count + volumesOfGroup.count)
      for var v in volumesOfGroup {
        v.group = local.count
        loaded.append(v)
      }
      local.append(group)
    }
    var part = self
    part.volumes = VolumeList(loaded)
    part.groups = local
    return part
  }
}

extension Plan {
  /// The plan with every volume in memory, indexed freely: for small plans and tests.
  public func withVolumesLoaded() throws -> Plan {
    var whole = self
    whole.volumes = VolumeList(try volumes.all())
    return whole
  }
}

/// Names in one byte buffer: a few bytes of overhead a name instead of a heap object each.
struct NameArena: Sendable {
  private var bytes: [UInt8] = []
  private var ends: [UInt32] = []

  var count: Int { ends.count }

  mutating func append(_ name: String) {
    var name = name
    name.withUTF8 { bytes.append(contentsOf: $0) }
    ends.append(UInt32(truncatingIfNeeded: bytes.count))
  }

  private func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i]) }

  subscript(i: Int) -> String {
    bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range(i)]), as: UTF8.self) }
  }

  /// Whether name `a` sorts before name `b`, as `String` sorts them.
  func less(_ a: Int, _ b: Int) -> Bool {
    bytes.withUnsafeBufferPointer { buffer in
      let x = buffer[range(a)], y = buffer[range(b)]
      // Byte order is String order for ASCII, which Kubernetes names are.
      if x.allSatisfy({ $0 < 0x80 }) && y.allSatisfy({ $0 < 0x80 }) { return x.lexicographicallyPrecedes(y) }
      return self[a] < self[b]
    }
  }

  /// The names `order` in that order.
  func reordered(_ order: [Int]) -> NameArena {
    var result = NameArena()
    result.bytes.reserveCapacity(bytes.count)
    result.ends.reserveCapacity(order.count)
    for i in order {
      result.bytes.append(contentsOf: bytes[range(i)])
      result.ends.append(UInt32(truncatingIfNeeded: result.bytes.count))
    }
    return result
  }
}
