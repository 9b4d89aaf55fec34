import Synchronization
import YAMLStream

/// Where the planner keeps the records it does not hold in memory: byte strings written once and
/// read back by position, from any thread. A dump of 100,000 volumes makes about 100 MB of
/// records; the planner keeps a few dozen bytes a volume in memory and reads the rest back
/// group by group while the plan is rendered.
///
/// The executable spills to an unlinked temporary file; `MemorySpill` serves tests and tools.
public protocol RecordSpill: AnyObject, Sendable {
  /// Stores `bytes` and returns where they are.
  func append(_ bytes: [UInt8]) throws -> SpillRef
  /// The bytes stored at `ref`.
  func read(_ ref: SpillRef) throws -> [UInt8]
}

/// The position of one record in a spill.
public struct SpillRef: Sendable, Hashable {
  public var offset: Int
  public var count: Int32
  public init(offset: Int, count: Int32) {
    self.offset = offset
    self.count = count
  }
  public var end: Int { offset + Int(count) }
}

/// A spill held in memory.
public final class MemorySpill: RecordSpill {
  private let storage = Mutex<[UInt8]>([])
  public init() {}

  public func append(_ bytes: [UInt8]) throws -> SpillRef {
    storage.withLock { all in
      let ref = SpillRef(offset: all.count, count: Int32(bytes.count))
      all.append(contentsOf: bytes)
      return ref
    }
  }

  public func read(_ ref: SpillRef) throws -> [UInt8] {
    try storage.withLock { all in
      guard ref.offset >= 0, ref.end <= all.count else { throw SpillError.truncated }
      return Array(all[ref.offset..<ref.end])
    }
  }
}

public enum SpillError: Error, CustomStringConvertible {
  case truncated
  case io(String)
  public var description: String {
    switch self {
    case .truncated: return "internal error: a spilled plan record is truncated"
    case .io(let why): return "cannot use the temporary record file: \(why)"
    }
  }
}

// MARK: - Encoding

/// Appends values as bytes: variable-length integers and length-prefixed UTF-8.
struct SpillWriter {
  var bytes: [UInt8] = []

  init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

  mutating func int(_ v: Int) {
    var u = UInt64(bitPattern: Int64(v)) << 1 ^ UInt64(bitPattern: Int64(v) >> 63)
    while u >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
      u >>= 7
    }
    bytes.append(UInt8(u))
  }

  mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }

  mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { utf8 in
      int(utf8.count)
      bytes.append(contentsOf: utf8)
    }
  }

  mutating func string(_ s: String?) {
    guard let s else { return bytes.append(0) }
    bytes.append(1)
    string(s)
  }

  mutating func strings(_ list: [String]) {
    int(list.count)
    for s in list { string(s) }
  }

  mutating func pairs(_ list: [(String, String)]) {
    int(list.count)
    for (k, v) in list {
      string(k)
      string(v)
    }
  }

  mutating func bool(_ b: Bool?) { bytes.append(b.map { $0 ? 2 : 1 } ?? 0) }

  mutating func position(_ p: SourcePosition) {
    int(p.line)
    int(p.column)
  }

  mutating func location(_ l: SourceLocation) {
    string(l.file)
    position(l.position)
  }
}

/// Reads what `SpillWriter` wrote, in the same order.
struct SpillReader {
  let bytes: [UInt8]
  var at: Int

  init(_ bytes: [UInt8], at start: Int = 0) {
    self.bytes = bytes
    at = start
  }

  mutating func byte() throws(SpillError) -> UInt8 {
    guard at < bytes.count else { throw .truncated }
    defer { at += 1 }
    return bytes[at]
  }

  mutating func int() throws(SpillError) -> Int {
    var u: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let b = try byte()
      u |= UInt64(b & 0x7f) << shift
      if b < 0x80 { break }
      shift += 7
      guard shift < 64 else { throw .truncated }
    }
    return Int(Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))))
  }

  mutating func bool() throws(SpillError) -> Bool { try byte() != 0 }

  mutating func string() throws(SpillError) -> String {
    let n = try int()
    guard n >= 0, at + n <= bytes.count else { throw .truncated }
    defer { at += n }
    return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[at..<at + n]), as: UTF8.self) }
  }

  mutating func optionalString() throws(SpillError) -> String? {
    try byte() == 0 ? nil : try string()
  }

  mutating func strings() throws(SpillError) -> [String] {
    let n = try int()
    var list: [String] = []
    list.reserveCapacity(n)
    for _ in 0..<n { list.append(try string()) }
    return list
  }

  mutating func pairs() throws(SpillError) -> [(String, String)] {
    let n = try int()
    var list: [(String, String)] = []
    list.reserveCapacity(n)
    for _ in 0..<n { list.append((try string(), try string())) }
    return list
  }

  mutating func optionalBool() throws(SpillError) -> Bool? {
    switch try byte() {
    case 0: return nil
    case 1: return false
    default: return true
    }
  }

  mutating func position() throws(SpillError) -> SourcePosition {
    SourcePosition(line: try int(), column: try int())
  }

  mutating func location() throws(SpillError) -> SourceLocation {
    SourceLocation(file: try string(), position: try position())
  }
}

// MARK: - Records

extension PVRecord {
  func encode(to w: inout SpillWriter) {
    w.string(name)
    w.string(uid)
    w.location(location)
    switch source {
    case .azureDisk(let d):
      w.int(0)
      w.string(d.diskName)
      w.string(d.diskURI)
      w.string(d.cachingMode)
      w.string(d.fsType)
      w.bool(d.readOnly)
      w.string(d.kind)
    case .azureFile(let f):
      w.int(1)
      w.string(f.secretName)
      w.string(f.shareName)
      w.string(f.secretNamespace)
      w.bool(f.readOnly)
    default:
      // The planner keeps records of in-tree Azure volumes only.
      w.int(2)
    }
    w.string(capacity)
    w.strings(accessModes)
    if let claimRef {
      w.bool(true)
      w.string(claimRef.namespace)
      w.string(claimRef.name)
      w.string(claimRef.uid)
    } else {
      w.bool(false)
    }
    w.string(reclaimPolicy)
    w.string(storageClassName)
    w.strings(mountOptions)
    w.string(volumeMode)
    w.int(nodeAffinity.count)
    for term in nodeAffinity {
      w.int(term.count)
      for r in term {
        w.string(r.key)
        w.string(r.op)
        w.strings(r.values)
        w.position(r.position)
      }
    }
    w.string(phase)
    w.pairs(labels)
    w.pairs(annotations)
    w.string(fileResourceGroup)
  }

  init(from r: inout SpillReader) throws(SpillError) {
    name = try r.string()
    uid = try r.string()
    location = try r.location()
    switch try r.int() {
    case 0:
      source = .azureDisk(AzureDiskSource(
        diskName: try r.optionalString(), diskURI: try r.optionalString(), cachingMode: try r.optionalString(),
        fsType: try r.optionalString(), readOnly: try r.optionalBool(), kind: try r.optionalString()))
    case 1:
      source = .azureFile(AzureFileSource(
        secretName: try r.optionalString(), shareName: try r.optionalString(), secretNamespace: try r.optionalString(),
        readOnly: try r.optionalBool()))
    default:
      source = .other("")
    }
    capacity = try r.optionalString()
    accessModes = try r.strings()
    if try r.bool() {
      claimRef = ClaimRef(namespace: try r.optionalString(), name: try r.optionalString(), uid: try r.optionalString())
    } else {
      claimRef = nil
    }
    reclaimPolicy = try r.optionalString()
    storageClassName = try r.optionalString()
    mountOptions = try r.strings()
    volumeMode = try r.optionalString()
    let terms = try r.int()
    var affinity: [[NodeSelectorRequirement]] = []
    for _ in 0..<terms {
      let n = try r.int()
      var term: [NodeSelectorRequirement] = []
      for _ in 0..<n {
        term.append(NodeSelectorRequirement(key: try r.string(), op: try r.string(), values: try r.strings(), position: try r.position()))
      }
      affinity.append(term)
    }
    nodeAffinity = affinity
    phase = try r.optionalString()
    labels = try r.pairs()
    annotations = try r.pairs()
    fileResourceGroup = try r.optionalString()
  }
}

extension PVCRecord {
  func encode(to w: inout SpillWriter) {
    w.string(key.namespace)
    w.string(key.name)
    w.string(uid)
    w.location(location)
    w.string(storageClassName)
    w.string(volumeName)
    w.strings(accessModes)
    w.string(volumeMode)
    w.string(requestedStorage)
    w.string(phase)
    w.pairs(labels)
    w.pairs(annotations)
  }

  init(from r: inout SpillReader) throws(SpillError) {
    key = ClaimKey(namespace: try r.string(), name: try r.string())
    uid = try r.string()
    location = try r.location()
    storageClassName = try r.optionalString()
    volumeName = try r.optionalString()
    accessModes = try r.strings()
    volumeMode = try r.optionalString()
    requestedStorage = try r.optionalString()
    phase = try r.optionalString()
    labels = try r.pairs()
    annotations = try r.pairs()
  }
}

extension PlannedVolume {
  /// The decided volume; `group` is not stored (the plan keeps it in memory).
  func encode(to w: inout SpillWriter) {
    // What `VolumeSummary` reads comes first: the handle and the reclaim policy, then the PV
    // record, which starts with the name and uid.
    w.string(handle)
    w.string(pv.reclaimPolicy)
    pv.encode(to: &w)
    if let pvc {
      w.bool(true)
      pvc.encode(to: &w)
    } else {
      w.bool(false)
    }
    w.string(action.rawValue)
    w.string(reason)
    w.strings(remedy)
    w.string(targetClass)
    w.string(cachingMode)
    w.strings(changes)
    w.strings(warnings)
  }

  init(from r: inout SpillReader) throws(SpillError) {
    handle = try r.string()
    _ = try r.optionalString()  // the reclaim policy, in the PV record too
    pv = try PVRecord(from: &r)
    pvc = try r.bool() ? try PVCRecord(from: &r) : nil
    action = VolumeAction(rawValue: try r.string()) ?? .blocked
    reason = try r.optionalString()
    remedy = try r.strings()
    targetClass = try r.string()
    cachingMode = try r.optionalString()
    changes = try r.strings()
    warnings = try r.strings()
    group = nil
  }
}

extension VolumeSummary {
  /// The beginning of a `PlannedVolume`'s record; `action` is left to the caller.
  init(from r: inout SpillReader) throws(SpillError) {
    handle = try r.string()
    reclaimPolicy = try r.optionalString()
    name = try r.string()
    uid = try r.string()
    action = .migrate
  }
}
