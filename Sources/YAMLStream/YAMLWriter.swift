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
    case .string(let text) where text.utf8.contains(0x0A) && text.contains("\n"):
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
    if text.isEmpty { return true }
    // Every special word has at most 5 characters, and a character that lower-cases to ASCII
    // takes at most 3 bytes: longer text cannot be one of them.
    if text.utf8.count <= 15 && specialWords.contains(text.lowercased()) { return true }
    guard let first = text.utf8.first else { return true }
    // Numbers in any YAML 1.1 form: 1, -1, +1, 0x1F, 0o17, 017, 1_000, 1.5, 1e3, 1:30, 2006-01-02.
    let numberish = first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
      || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
    if numberish {
      if text.utf8.allSatisfy({ numberBytes.contains($0) }) { return true }
    }
    return false
  }

  private static let specialWords: Set<String> = [
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf", "+.inf", "=",
  ]
  private static let numberBytes = Set("0123456789abcdefABCDEFxXoO_.:+-eE TtZz".utf8)
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
