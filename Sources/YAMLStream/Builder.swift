internal import CLibYAML

/// Builds one `ObjectTree` from libyaml events without recursion: a stack of open containers,
/// duplicate-key detection by byte comparison, aliases expanded within a budget.
struct Builder {
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

  private(set) var tree: ObjectTree
  private let limits: ReaderLimits
  private var stack: [Frame] = []
  private var keys: [Key] = []
  private var anchors: [String: Int32] = [:]
  private var largeMappings: [Int32: Set<UInt64>] = [:]
  private var aliasNodes = 0
  private var lineShift: Int32 = 0

  init(file: String, limits: ReaderLimits) {
    tree = ObjectTree(file: file)
    self.limits = limits
  }

  mutating func reset(lineShift: Int32) {
    let nodeCapacity = tree.nodes.count
    let byteCapacity = tree.bytes.count
    tree = ObjectTree(file: tree.file)
    tree.nodes.reserveCapacity(Swift.max(nodeCapacity, 64))
    tree.bytes.reserveCapacity(Swift.max(byteCapacity, 1024))
    stack.removeAll(keepingCapacity: true)
    keys.removeAll(keepingCapacity: true)
    if !anchors.isEmpty { anchors = [:] }
    if !largeMappings.isEmpty { largeMappings = [:] }
    aliasNodes = 0
    self.lineShift = lineShift
  }

  private func location(_ position: SourcePosition) -> SourceLocation {
    SourceLocation(file: tree.file, position: position)
  }

  /// True when the innermost open container is the root mapping and its last child is the key `key`.
  func expectsValue(forKey key: StaticString) -> Bool {
    guard stack.count == 1, let top = stack.last, top.isMapping, tree.nodes[Int(top.node)].b % 2 == 1 else {
      return false
    }
    let lastKey = keys[keys.count - 1].node
    return tree.scalarIs(Int(lastKey), key)
  }

  /// Stands in for a value that is read elsewhere (the items of a List), keeping pairs aligned.
  mutating func addPlaceholderValue(_ position: SourcePosition) {
    appendNode(.scalar, .plain, a: Int32(tree.bytes.count), b: 0, position)
  }

  @inline(__always)
  private mutating func appendNode(
    _ kind: ObjectTree.Kind, _ style: ObjectTree.Style, a: Int32, b: Int32, _ position: SourcePosition
  ) {
    if let top = stack.last { tree.nodes[Int(top.node)].b += 1 }
    tree.nodes.append(
      ObjectTree.Node(kind: kind, style: style, a: a, b: b, line: Int32(truncatingIfNeeded: position.line),
        column: Int32(truncatingIfNeeded: position.column)))
  }

  private var atKey: Bool {
    guard let top = stack.last else { return false }
    return top.isMapping && tree.nodes[Int(top.node)].b % 2 == 0
  }

  /// Adds one event; returns true when it closed the object's root container.
  mutating func add(_ event: inout yaml_event_t, _ position: SourcePosition) throws(InputError) -> Bool {
    switch event.type {
    case YAML_SCALAR_EVENT:
      let scalar = event.data.scalar
      let isKey = atKey
      let start = tree.bytes.count
      guard start + scalar.length <= limits.maxBytesPerObject else {
        throw InputError("object larger than \(limits.maxBytesPerObject >> 20) MiB", at: location(position))
      }
      if let value = scalar.value, scalar.length > 0 {
        tree.bytes.append(contentsOf: UnsafeBufferPointer(start: value, count: scalar.length))
      }
      let style: ObjectTree.Style
      switch scalar.style {
      case YAML_PLAIN_SCALAR_STYLE: style = scalar.tag == nil ? .plain : .quoted
      case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: style = .block
      default: style = .quoted
      }
      let index = Int32(tree.nodes.count)
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
      let index = Int32(tree.nodes.count)
      appendNode(isMapping ? .mapping : .sequence, .plain, a: -1, b: 0, position)
      stack.append(Frame(node: index, isMapping: isMapping, keyStart: Int32(keys.count)))
      let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
      if let anchor { register(anchor, index) }
      return false

    case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
      guard let frame = stack.popLast() else {
        throw InputError("unbalanced end of a collection", at: location(position))
      }
      tree.nodes[Int(frame.node)].a = Int32(tree.nodes.count)
      if frame.isMapping {
        keys.removeSubrange(Int(frame.keyStart)...)
        if !largeMappings.isEmpty { largeMappings[frame.node] = nil }
      }
      return stack.isEmpty

    case YAML_ALIAS_EVENT:
      let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
      guard let source = anchors[name] else {
        throw InputError("alias *\(name) refers to no anchor in this object", at: location(position))
      }
      let isKey = atKey
      let src = Int(source)
      let node = tree.nodes[src]
      guard node.kind == .scalar || node.a >= 0 else {
        throw InputError("alias *\(name) refers to a collection that contains it", at: location(position))
      }
      let end = tree.subtreeEnd(src)
      let count = end - src
      aliasNodes += count
      guard aliasNodes <= limits.maxAliasNodes else {
        throw InputError(
          "aliases expand to more than \(limits.maxAliasNodes) nodes (an alias bomb?)", at: location(position))
      }
      try checkNodeBudget(position, adding: count)
      let destination = tree.nodes.count
      if let top = stack.last { tree.nodes[Int(top.node)].b += 1 }
      let offset = Int32(destination - src)
      tree.nodes.reserveCapacity(destination + count)
      for i in src..<end {
        var copy = tree.nodes[i]
        if copy.kind != .scalar { copy.a += offset }
        tree.nodes.append(copy)
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
    guard _fastPath(tree.nodes.count + count <= limits.maxNodesPerObject) else {
      throw InputError("object has more than \(limits.maxNodesPerObject) nodes", at: location(position))
    }
  }

  private mutating func register(_ anchor: UnsafeMutablePointer<UInt8>, _ node: Int32) {
    anchors[String(cString: anchor)] = node
  }

  /// Records a mapping key and rejects it if the mapping already has it.
  private mutating func addKey(_ node: Int32, _ position: SourcePosition) throws(InputError) {
    let n = tree.nodes[Int(node)]
    let first: UInt8 = n.b > 0 ? tree.bytes[Int(n.a)] : 0
    let frame = stack[stack.count - 1]
    let frameStart = Int(frame.keyStart)
    let keyCount = keys.count - frameStart
    // Large mappings keep a set of key hashes so that checking stays linear overall.
    if keyCount >= 16 {
      let hash = self.hash(n)
      if largeMappings[frame.node] == nil {
        largeMappings[frame.node] = Set(keys[frameStart...].map { self.hash(tree.nodes[Int($0.node)]) })
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
        let firstPosition = tree.position(Int(k.node))
        let key = tree.text(Int(node)) ?? ""
        throw InputError(
          "duplicate key \"\(key)\" (first at line \(firstPosition.line)); are two objects pasted together without `---`?",
          at: location(position))
      }
      i += 1
    }
    keys.append(Key(node: node, length: n.b, first: first))
  }

  private func hash(_ n: ObjectTree.Node) -> UInt64 {
    tree.bytes.withUnsafeBufferPointer { buf -> UInt64 in
      var h: UInt64 = 0xcbf2_9ce4_8422_2325
      var i = Int(n.a)
      let end = i + Int(n.b)
      while i < end {
        h = (h ^ UInt64(buf[i])) &* 0x100_0000_01b3
        i += 1
      }
      return h
    }
  }

  private func sameScalar(_ x: Int, _ y: Int) -> Bool {
    let a = tree.nodes[x]
    let b = tree.nodes[y]
    guard a.b == b.b else { return false }
    return tree.bytes.withUnsafeBufferPointer { buf in
      var i = 0
      while i < Int(a.b) {
        if buf[Int(a.a) + i] != buf[Int(b.a) + i] { return false }
        i += 1
      }
      return true
    }
  }
}
