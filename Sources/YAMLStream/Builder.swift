internal import CLibYAML

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A growable buffer of trivial values that the builder owns outright: appends need no
/// uniqueness or bounds checks. Memory is kept from one object to the next.
struct Buffer<Element: BitwiseCopyable>: ~Copyable {
  private(set) var base: UnsafeMutablePointer<Element>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int) {
    self.capacity = Swift.max(capacity, 16)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  @inline(__always)
  subscript(i: Int) -> Element {
    get { base[i] }
    nonmutating set { base[i] = newValue }
  }

  @inline(__always)
  mutating func append(_ element: Element) {
    if _slowPath(count == capacity) { grow(count + 1) }
    base[count] = element
    count += 1
  }

  @inline(__always)
  mutating func append(_ source: UnsafePointer<Element>, count n: Int) {
    if _slowPath(count + n > capacity) { grow(count + n) }
    (base + count).update(from: source, count: n)
    count += n
  }

  mutating func removeAll() { count = 0 }

  mutating func removeLast(_ n: Int) { count -= n }

  private mutating func grow(_ needed: Int) {
    var newCapacity = capacity * 2
    while newCapacity < needed { newCapacity *= 2 }
    let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
    newBase.update(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }

  /// A copy of the elements as an array.
  func array() -> [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }
}

/// Builds one `ObjectTree` from libyaml events without recursion: a stack of open containers,
/// duplicate-key detection by byte comparison, aliases expanded within a budget. The nodes and
/// bytes of the object being read live in buffers the builder owns; the finished object is copied
/// out once, so the cost is per object, not per scalar.
final class Builder {
  private struct Frame {
    var node: Int32
    var isMapping: Bool
    var keyStart: Int32
  }

  private struct Key {
    var node: Int32
    var length: Int32
    var first: UInt8
  }

  private let file: String
  private let limits: ReaderLimits
  private var nodes = Buffer<ObjectTree.Node>(capacity: 256)
  private var bytes = Buffer<UInt8>(capacity: 4096)
  private var stack = Buffer<Frame>(capacity: 64)
  private var keys = Buffer<Key>(capacity: 256)
  private var anchors: [String: Int32] = [:]
  private var largeMappings: [Int32: Set<UInt64>] = [:]
  private var aliasNodes = 0

  init(file: String, limits: ReaderLimits) {
    self.file = file
    self.limits = limits
  }

  /// The object read so far (the whole object once `add` has returned true).
  var tree: ObjectTree {
    var tree = ObjectTree(file: file)
    tree.nodes = nodes.array()
    tree.bytes = bytes.array()
    return tree
  }

  func reset() {
    nodes.removeAll()
    bytes.removeAll()
    stack.removeAll()
    keys.removeAll()
    if !anchors.isEmpty { anchors = [:] }
    if !largeMappings.isEmpty { largeMappings = [:] }
    aliasNodes = 0
  }

  private func location(_ position: SourcePosition) -> SourceLocation {
    SourceLocation(file: file, position: position)
  }

  private func nodePosition(_ i: Int) -> SourcePosition {
    SourcePosition(line: Int(nodes[i].line), column: Int(nodes[i].column))
  }

  private func text(_ i: Int) -> String {
    let n = nodes[i]
    return String(decoding: UnsafeBufferPointer(start: bytes.base + Int(n.a), count: Int(n.b)), as: UTF8.self)
  }

  /// True when the innermost open container is the root mapping and its last child is the key `key`.
  func expectsValue(forKey key: StaticString) -> Bool {
    guard stack.count == 1, stack[0].isMapping, nodes[Int(stack[0].node)].b % 2 == 1, keys.count > 0 else {
      return false
    }
    let n = nodes[Int(keys[keys.count - 1].node)]
    return key.withUTF8Buffer { k in
      guard Int(n.b) == k.count else { return false }
      guard let keyBytes = k.baseAddress, k.count > 0 else { return true }
      return memcmp(bytes.base + Int(n.a), keyBytes, k.count) == 0
    }
  }

  /// Stands in for a value that is read elsewhere (the items of a List), keeping pairs aligned.
  func addPlaceholderValue(_ position: SourcePosition) {
    appendNode(.scalar, .plain, a: Int32(bytes.count), b: 0, position)
  }

  @inline(__always)
  private func appendNode(
    _ kind: ObjectTree.Kind, _ style: ObjectTree.Style, a: Int32, b: Int32, _ position: SourcePosition
  ) {
    if stack.count > 0 { nodes[Int(stack[stack.count - 1].node)].b += 1 }
    nodes.append(
      ObjectTree.Node(
        kind: kind, style: style, a: a, b: b, line: Int32(clamping: position.line),
        column: Int32(clamping: position.column)))
  }

  private var atKey: Bool {
    guard stack.count > 0 else { return false }
    let top = stack[stack.count - 1]
    return top.isMapping && nodes[Int(top.node)].b % 2 == 0
  }

  /// Adds one event; returns true when it closed the object's root container.
  func add(_ event: inout yaml_event_t, _ position: SourcePosition) throws(InputError) -> Bool {
    switch event.type {
    case YAML_SCALAR_EVENT:
      let scalar = event.data.scalar
      let isKey = atKey
      let start = bytes.count
      guard start + scalar.length <= limits.maxBytesPerObject else {
        throw InputError("object larger than \(limits.maxBytesPerObject >> 20) MiB", at: location(position))
      }
      if let value = scalar.value, scalar.length > 0 { bytes.append(value, count: scalar.length) }
      let style: ObjectTree.Style
      switch scalar.style {
      case YAML_PLAIN_SCALAR_STYLE: style = scalar.tag == nil ? .plain : .quoted
      case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: style = .block
      default: style = .quoted
      }
      let index = Int32(nodes.count)
      try checkNodeBudget(position)
      appendNode(.scalar, style, a: Int32(start), b: Int32(scalar.length), position)
      if isKey { try addKey(index, position) }
      if let anchor = scalar.anchor { register(anchor, index) }
      return false

    case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
      if atKey { throw InputError("mapping keys must be scalars", at: location(position)) }
      guard stack.count < limits.maxDepth else {
        throw InputError("nesting deeper than \(limits.maxDepth) levels", at: location(position))
      }
      try checkNodeBudget(position)
      let isMapping = event.type == YAML_MAPPING_START_EVENT
      let index = Int32(nodes.count)
      appendNode(isMapping ? .mapping : .sequence, .plain, a: -1, b: 0, position)
      stack.append(Frame(node: index, isMapping: isMapping, keyStart: Int32(keys.count)))
      let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
      if let anchor { register(anchor, index) }
      return false

    case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
      guard stack.count > 0 else {
        throw InputError("unbalanced end of a collection", at: location(position))
      }
      let frame = stack[stack.count - 1]
      stack.removeLast(1)
      nodes[Int(frame.node)].a = Int32(nodes.count)
      if frame.isMapping {
        keys.removeLast(keys.count - Int(frame.keyStart))
        if !largeMappings.isEmpty { largeMappings[frame.node] = nil }
      }
      return stack.count == 0

    case YAML_ALIAS_EVENT:
      let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
      guard let source = anchors[name] else {
        throw InputError("alias *\(name) refers to no anchor in this object", at: location(position))
      }
      let isKey = atKey
      let src = Int(source)
      let node = nodes[src]
      guard node.kind == .scalar || node.a >= 0 else {
        throw InputError("alias *\(name) refers to a collection that contains it", at: location(position))
      }
      let end = node.kind == .scalar ? src + 1 : Int(node.a)
      let count = end - src
      aliasNodes += count
      guard aliasNodes <= limits.maxAliasNodes else {
        throw InputError(
          "aliases expand to more than \(limits.maxAliasNodes) nodes (an alias bomb?)", at: location(position))
      }
      try checkNodeBudget(position, adding: count)
      let destination = nodes.count
      if stack.count > 0 { nodes[Int(stack[stack.count - 1].node)].b += 1 }
      let offset = Int32(destination - src)
      for i in src..<end {
        var copy = nodes[i]
        if copy.kind != .scalar { copy.a += offset }
        nodes.append(copy)
      }
      if isKey {
        guard node.kind == .scalar else { throw InputError("mapping keys must be scalars", at: location(position)) }
        try addKey(Int32(destination), position)
      }
      return false

    default:
      throw InputError("unexpected YAML event \(event.type.rawValue) inside an object", at: location(position))
    }
  }

  @inline(__always)
  private func checkNodeBudget(_ position: SourcePosition, adding count: Int = 1) throws(InputError) {
    guard _fastPath(nodes.count + count <= limits.maxNodesPerObject) else {
      throw InputError("object has more than \(limits.maxNodesPerObject) nodes", at: location(position))
    }
  }

  private func register(_ anchor: UnsafeMutablePointer<UInt8>, _ node: Int32) {
    anchors[String(cString: anchor)] = node
  }

  /// Records a mapping key and rejects it if the mapping already has it.
  private func addKey(_ node: Int32, _ position: SourcePosition) throws(InputError) {
    let n = nodes[Int(node)]
    let first: UInt8 = n.b > 0 ? bytes[Int(n.a)] : 0
    let frame = stack[stack.count - 1]
    let frameStart = Int(frame.keyStart)
    let keyCount = keys.count - frameStart
    // Large mappings keep a set of key hashes so that checking stays linear overall.
    if keyCount >= 16 {
      let hash = self.hash(n)
      if largeMappings[frame.node] == nil {
        var set = Set<UInt64>()
        for i in frameStart..<keys.count { set.insert(self.hash(nodes[Int(keys[i].node)])) }
        largeMappings[frame.node] = set
      }
      if largeMappings[frame.node]?.insert(hash).inserted == true {
        keys.append(Key(node: node, length: n.b, first: first))
        return
      }
    }
    var i = frameStart
    while i < keys.count {
      let k = keys[i]
      if k.length == n.b && k.first == first && sameScalar(Int(k.node), Int(node)) {
        let firstPosition = nodePosition(Int(k.node))
        throw InputError(
          "duplicate key \"\(text(Int(node)))\" (first at line \(firstPosition.line)); are two objects pasted together without `---`?",
          at: location(position))
      }
      i += 1
    }
    keys.append(Key(node: node, length: n.b, first: first))
  }

  private func hash(_ n: ObjectTree.Node) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    var i = Int(n.a)
    let end = i + Int(n.b)
    while i < end {
      h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3
      i += 1
    }
    return h
  }

  private func sameScalar(_ x: Int, _ y: Int) -> Bool {
    let a = nodes[x]
    let b = nodes[y]
    guard a.b == b.b else { return false }
    return a.b == 0 || memcmp(bytes.base + Int(a.a), bytes.base + Int(b.a), Int(a.b)) == 0
  }
}
