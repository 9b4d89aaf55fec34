internal import CLibYAML

/// Writes `YAMLValue` documents through libyaml's emitter, in the style kubectl prints:
/// block style, 2-space indent, sequences at their key's indent, no line folding.
public struct YAMLWriter {
  public init() {}

  public enum WriteError: Error, CustomStringConvertible {
    case emitter(String)
    public var description: String {
      switch self { case .emitter(let problem): "yaml emitter: \(problem)" }
    }
  }

  /// Emits each value as one document of a stream (with `---` between documents).
  public func write(documents: [YAMLValue]) throws -> [UInt8] {
    let emitter = try Emitter()
    try emitter.emit { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
    for (n, document) in documents.enumerated() {
      try emitter.emit { yaml_document_start_event_initialize($0, nil, nil, nil, n == 0 ? 1 : 0) }
      try emitValue(document, emitter)
      try emitter.emit { yaml_document_end_event_initialize($0, 1) }
    }
    try emitter.emit { yaml_stream_end_event_initialize($0) }
    return emitter.sink.bytes
  }

  public func write(_ value: YAMLValue) throws -> [UInt8] { try write(documents: [value]) }

  /// Pairs left out and values replaced while writing an `ObjectTree`, named by node index.
  public struct TreeEdits: Sendable {
    /// Key nodes of mapping pairs left out, with their values.
    public private(set) var omittedKeys: [ObjectTree.Index] = []
    /// Value nodes of mapping pairs written as another value.
    public private(set) var replacedValues: [(node: ObjectTree.Index, value: YAMLValue)] = []

    public init() {}

    /// Leaves out the pair whose key is node `key`.
    public mutating func omit(pairWithKey key: ObjectTree.Index) { omittedKeys.append(key) }

    /// Writes `value` in place of node `node`, the value of a mapping pair.
    public mutating func replace(_ node: ObjectTree.Index, with value: YAMLValue) { replacedValues.append((node, value)) }
  }

  /// Writes the subtree at `root` as one document, straight from the tree's nodes and bytes,
  /// with `edits` made. The bytes are exactly those of `write(_:)` for `tree.value(at: root)`
  /// with the same pairs removed and values replaced (the tests hold both to that), without
  /// building the `YAMLValue`: a scalar goes from the tree's byte arena to the emitter.
  public func write(_ tree: ObjectTree, at root: ObjectTree.Index, edits: TreeEdits = TreeEdits()) throws -> [UInt8] {
    let emitter = try Emitter()
    try emitter.emit { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
    try emitter.emit { yaml_document_start_event_initialize($0, nil, nil, nil, 1) }
    try tree.nodes.withUnsafeBufferPointer { nodes in
      try tree.bytes.withUnsafeBufferPointer { bytes in
        let walker = TreeEmitter(
          nodes: nodes, bytes: bytes, emitter: emitter, omitted: edits.omittedKeys.sorted(),
          replaced: edits.replacedValues.sorted { $0.node < $1.node })
        try walker.emit(root)
      }
    }
    try emitter.emit { yaml_document_end_event_initialize($0, 1) }
    try emitter.emit { yaml_stream_end_event_initialize($0) }
    return emitter.sink.bytes
  }

  fileprivate func emitValue(_ value: YAMLValue, _ emitter: Emitter) throws {
    switch value {
    case .mapping(let pairs):
      let style = pairs.isEmpty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE
      try emitter.emit { yaml_mapping_start_event_initialize($0, nil, nil, 1, style) }
      for (key, item) in pairs {
        try emitter.scalar(key, quote: YAMLWriter.needsQuotes(key))
        try emitValue(item, emitter)
      }
      try emitter.emit { yaml_mapping_end_event_initialize($0) }
    case .sequence(let items):
      let style = items.isEmpty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE
      try emitter.emit { yaml_sequence_start_event_initialize($0, nil, nil, 1, style) }
      for item in items { try emitValue(item, emitter) }
      try emitter.emit { yaml_sequence_end_event_initialize($0) }
    case .string(let text) where YAMLWriter.hasLineFeed(text) && text.contains("\n"):
      // As kubectl (go-yaml) prints multi-line text: a literal block; libyaml falls back to
      // double quotes when a block cannot hold the text exactly (e.g. trailing spaces).
      try emitter.scalar(text, style: YAML_LITERAL_SCALAR_STYLE)
    case .string(let text): try emitter.scalar(text, quote: YAMLWriter.needsQuotes(text))
    case .plain(let text): try emitter.scalar(text, quote: false)
    case .int(let i): try emitter.scalar(String(i), quote: false)
    case .bool(let b): try emitter.scalar(b ? "true" : "false", quote: false)
    case .null: try emitter.scalar("null", quote: false)
    }
  }

  /// True when `text` written plain would be read back as something other than this string
  /// (null, a bool, a number, a timestamp) by YAML 1.1 or 1.2 readers, or is empty.
  public static func needsQuotes(_ text: String) -> Bool {
    if let answer = text.utf8.withContiguousStorageIfAvailable({ needsQuotes(utf8: $0) }) { return answer }
    return needsQuotesSlow(text)
  }

  /// `needsQuotes` of the text whose UTF-8 is `utf8`, without making a `String` for ASCII text.
  static func needsQuotes(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    if utf8.isEmpty { return true }
    // Every special word has at most 5 characters, and a character that lower-cases to ASCII
    // takes at most 3 bytes: longer text cannot be one of them. ASCII text lower-cases byte for
    // byte, so only 5 bytes or fewer can match; other short text is lower-cased as a String.
    if utf8.count <= 15 {
      if utf8.allSatisfy({ $0 < 0x80 }) {
        if utf8.count <= 5 && isSpecialWord(asciiLowercased: utf8) { return true }
      } else if specialWords.contains(String(decoding: utf8, as: UTF8.self).lowercased()) {
        return true
      }
    }
    return isNumberish(utf8)
  }

  /// The definition `needsQuotes(utf8:)` follows, kept for text without contiguous UTF-8.
  static func needsQuotesSlow(_ text: String) -> Bool {
    if text.isEmpty { return true }
    if text.utf8.count <= 15 && specialWords.contains(text.lowercased()) { return true }
    return isNumberish(text.utf8)
  }

  /// Numbers in any YAML 1.1 form: 1, -1, +1, 0x1F, 0o17, 017, 1_000, 1.5, 1e3, 1:30, 2006-01-02.
  private static func isNumberish<C: Collection<UInt8>>(_ utf8: C) -> Bool {
    guard let first = utf8.first else { return true }
    let numberish = first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
      || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
    return numberish && utf8.allSatisfy { numberByte($0) }
  }

  /// `numberBytes` as one bit per ASCII byte (all of them are ASCII), for `numberByte`.
  private static let numberMask: (UInt64, UInt64) = {
    var low: UInt64 = 0, high: UInt64 = 0
    for b in numberBytes where b < 0x80 {
      if b < 64 { low |= 1 << UInt64(b) } else { high |= 1 << UInt64(b - 64) }
    }
    return (low, high)
  }()

  @inline(__always)
  private static func numberByte(_ b: UInt8) -> Bool {
    let bit = UInt64(truncatingIfNeeded: b & 63)
    switch b >> 6 {
    case 0: return numberMask.0 & (1 << bit) != 0
    case 1: return numberMask.1 & (1 << bit) != 0
    default: return false
    }
  }

  /// Whether ASCII text of at most 5 bytes, lower-cased, is one of `specialWords`.
  private static func isSpecialWord(asciiLowercased utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    specialWordBytes.contains { word in
      word.count == utf8.count
        && zip(word, utf8).allSatisfy { w, b in w == (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
    }
  }

  /// `specialWords` as bytes.
  private static let specialWordBytes: [[UInt8]] = specialWords.map { Array($0.utf8) }

  /// Whether `text` holds a line feed, read from its UTF-8 storage when it has one.
  static func hasLineFeed(_ text: String) -> Bool {
    text.utf8.withContiguousStorageIfAvailable { $0.contains(0x0A) } ?? text.utf8.contains(0x0A)
  }

  private static let specialWords: Set<String> = [
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf", "+.inf", "=",
  ]
  /// The bytes a YAML 1.1 number may hold (`numberByte` reads them from a bit mask made of these).
  static let numberBytes = Set("0123456789abcdefABCDEFxXoO_.:+-eE TtZz".utf8)
  static func isNumberByte(_ b: UInt8) -> Bool { numberByte(b) }
}

/// Writes a multi-document stream one document at a time, so a caller can print each object
/// as soon as it is ready. The bytes of all `append` calls followed by `finish` are exactly
/// those `YAMLWriter().write(documents:)` gives for the same documents.
public final class YAMLDocumentStream {
  private let emitter: Emitter
  private var count = 0
  private var finished = false

  public init() throws {
    emitter = try Emitter()
    try emitter.emit { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
  }

  /// Emits one document and returns the bytes it produced.
  public func append(_ document: YAMLValue) throws -> [UInt8] {
    precondition(!finished, "document appended after finish()")
    let implicitStart: Int32 = count == 0 ? 1 : 0
    try emitter.emit { yaml_document_start_event_initialize($0, nil, nil, nil, implicitStart) }
    try YAMLWriter().emitValue(document, emitter)
    try emitter.emit { yaml_document_end_event_initialize($0, 1) }
    count += 1
    return try emitter.take()
  }

  /// Ends the stream and returns any bytes still held by the emitter.
  public func finish() throws -> [UInt8] {
    guard !finished else { return [] }
    finished = true
    try emitter.emit { yaml_stream_end_event_initialize($0) }
    return try emitter.take()
  }
}

/// Emits tree nodes as `YAMLWriter.emitValue` emits the `YAMLValue` that `ObjectTree.value(at:)`
/// makes of them: null scalars as `null`, plain scalars as written, other scalars as text
/// (quoted when needed, a literal block when multi-line), keys as text, empty collections in
/// flow style.
private struct TreeEmitter {
  let nodes: UnsafeBufferPointer<ObjectTree.Node>
  let bytes: UnsafeBufferPointer<UInt8>
  let emitter: Emitter
  /// Sorted key nodes of the pairs left out.
  let omitted: [ObjectTree.Index]
  /// Replacements sorted by node.
  let replaced: [(node: ObjectTree.Index, value: YAMLValue)]

  @inline(__always)
  func subtreeEnd(_ i: Int) -> Int { nodes[i].kind == .scalar ? i + 1 : Int(nodes[i].a) }

  func emit(_ i: Int) throws {
    let node = nodes[i]
    switch node.kind {
    case .scalar:
      try scalar(i)
    case .sequence:
      let end = Int(node.a)
      let style = i + 1 < end ? YAML_BLOCK_SEQUENCE_STYLE : YAML_FLOW_SEQUENCE_STYLE
      try emitter.emit { yaml_sequence_start_event_initialize($0, nil, nil, 1, style) }
      var child = i + 1
      while child < end {
        try emit(child)
        child = subtreeEnd(child)
      }
      try emitter.emit { yaml_sequence_end_event_initialize($0) }
    case .mapping:
      let end = Int(node.a)
      // As `ObjectTree.pairs`: a key without a value (never made by the reader) ends the pairs.
      var anyKept = false
      var key = i + 1
      while key < end {
        let value = subtreeEnd(key)
        guard value < end else { break }
        if !isOmitted(key) {
          anyKept = true
          break
        }
        key = subtreeEnd(value)
      }
      let style = anyKept ? YAML_BLOCK_MAPPING_STYLE : YAML_FLOW_MAPPING_STYLE
      try emitter.emit { yaml_mapping_start_event_initialize($0, nil, nil, 1, style) }
      key = i + 1
      while key < end {
        let value = subtreeEnd(key)
        guard value < end else { break }
        if !isOmitted(key) {
          try self.key(key)
          if let replacement = replacement(value) {
            try YAMLWriter().emitValue(replacement, emitter)
          } else {
            try emit(value)
          }
        }
        key = subtreeEnd(value)
      }
      try emitter.emit { yaml_mapping_end_event_initialize($0) }
    }
  }

  /// The scalar's bytes in the arena.
  @inline(__always)
  func text(_ node: ObjectTree.Node) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: bytes[Int(node.a)..<Int(node.a + node.b)])
  }

  /// A key as `value(at:)` reads it (the text of a scalar, "" for a collection), written as text.
  func key(_ i: Int) throws {
    let node = nodes[i]
    guard node.kind == .scalar else { return try emitter.scalar("", quote: YAMLWriter.needsQuotes("")) }
    let utf8 = text(node)
    try emitter.scalar(utf8, style: YAMLWriter.needsQuotes(utf8: utf8) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
  }

  func scalar(_ i: Int) throws {
    let node = nodes[i]
    let utf8 = text(node)
    if node.style == .plain {
      // `.null` or `.plain(text)`, both written as they are (ObjectTree.isNull's spellings).
      if utf8.isEmpty || utf8.elementsEqual("null".utf8) || utf8.elementsEqual("~".utf8)
        || utf8.elementsEqual("Null".utf8) || utf8.elementsEqual("NULL".utf8)
      {
        return try emitter.scalar("null", quote: false)
      }
      return try emitter.scalar(utf8, style: YAML_ANY_SCALAR_STYLE)
    }
    // `.string(text)`. Multi-line text takes the very path a `YAMLValue` takes.
    if utf8.contains(0x0A) {
      return try YAMLWriter().emitValue(.string(String(decoding: utf8, as: UTF8.self)), emitter)
    }
    try emitter.scalar(utf8, style: YAMLWriter.needsQuotes(utf8: utf8) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
  }

  func isOmitted(_ key: Int) -> Bool { Self.find(key, in: omitted, by: { $0 }) != nil }

  func replacement(_ node: Int) -> YAMLValue? { Self.find(node, in: replaced, by: \.node).map { replaced[$0].value } }

  /// The index of the element of `sorted` (ascending by `node`) whose node is `target`.
  static func find<E>(_ target: Int, in sorted: [E], by node: (E) -> Int) -> Int? {
    var low = 0
    var high = sorted.count
    while low < high {
      let mid = (low + high) / 2
      if node(sorted[mid]) < target { low = mid + 1 } else { high = mid }
    }
    return low < sorted.count && node(sorted[low]) == target ? low : nil
  }
}

private final class Sink {
  var bytes: [UInt8] = []
}

/// Owns one libyaml emitter writing into a `Sink`, set up for kubectl-like output.
private final class Emitter {
  let emitter: UnsafeMutablePointer<yaml_emitter_t>
  let sink = Sink()
  private let context: Unmanaged<Sink>

  init() throws {
    emitter = .allocate(capacity: 1)
    guard yaml_emitter_initialize(emitter) == 1 else {
      emitter.deallocate()
      throw YAMLWriter.WriteError.emitter("cannot allocate an emitter")
    }
    context = Unmanaged.passRetained(sink)
    yaml_emitter_set_output(emitter, writeHandler, context.toOpaque())
    yaml_emitter_set_encoding(emitter, YAML_UTF8_ENCODING)
    yaml_emitter_set_unicode(emitter, 1)
    yaml_emitter_set_indent(emitter, 2)
    yaml_emitter_set_width(emitter, -1)
    yaml_emitter_set_break(emitter, YAML_LN_BREAK)
  }

  deinit {
    yaml_emitter_delete(emitter)
    emitter.deallocate()
    context.release()
  }

  /// Initializes an event with `make` and emits it; libyaml owns (and frees) the event afterwards.
  func emit(_ make: (UnsafeMutablePointer<yaml_event_t>) -> Int32) throws {
    var event = yaml_event_t()
    guard make(&event) == 1 else { throw YAMLWriter.WriteError.emitter("cannot create an event") }
    guard yaml_emitter_emit(emitter, &event) == 1 else {
      let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown error"
      throw YAMLWriter.WriteError.emitter(problem)
    }
  }

  /// Flushes the emitter and hands over everything written so far.
  func take() throws -> [UInt8] {
    guard yaml_emitter_flush(emitter) == 1 else {
      let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown error"
      throw YAMLWriter.WriteError.emitter(problem)
    }
    defer { sink.bytes.removeAll(keepingCapacity: true) }
    return sink.bytes
  }

  func scalar(_ text: String, quote: Bool) throws {
    try scalar(text, style: quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
  }

  /// A scalar from bytes the caller holds (libyaml copies them into the event).
  func scalar(_ utf8: UnsafeBufferPointer<UInt8>, style: yaml_scalar_style_t) throws {
    // libyaml wants a non-null pointer even for empty text.
    guard let base = utf8.baseAddress else { return try scalar("", style: style) }
    try emit {
      yaml_scalar_event_initialize($0, nil, nil, UnsafeMutablePointer(mutating: base), Int32(utf8.count), 1, 1, style)
    }
  }

  func scalar(_ text: String, style: yaml_scalar_style_t) throws {
    var text = text
    try text.withUTF8 { utf8 in
      try emit {
        yaml_scalar_event_initialize(
          $0, nil, nil, UnsafeMutablePointer(mutating: utf8.baseAddress), Int32(utf8.count), 1, 1, style)
      }
    }
  }
}

private let writeHandler: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32 = {
  context, buffer, size in
  guard let context else { return 0 }
  let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
  if let buffer, size > 0 { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size)) }
  return 1
}
