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
    let sink = Sink()
    let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
    defer { emitter.deallocate() }
    guard yaml_emitter_initialize(emitter) == 1 else { throw WriteError.emitter("cannot allocate an emitter") }
    defer { yaml_emitter_delete(emitter) }
    let context = Unmanaged.passRetained(sink)
    defer { context.release() }
    yaml_emitter_set_output(emitter, writeHandler, context.toOpaque())
    yaml_emitter_set_encoding(emitter, YAML_UTF8_ENCODING)
    yaml_emitter_set_unicode(emitter, 1)
    yaml_emitter_set_indent(emitter, 2)
    yaml_emitter_set_width(emitter, -1)
    yaml_emitter_set_break(emitter, YAML_LN_BREAK)

    var event = yaml_event_t()
    // The event is passed in (not captured) so that emitValue's own events never overlap an access.
    func emit(_ event: inout yaml_event_t) throws {
      // yaml_emitter_emit takes ownership of the event, even when it fails.
      guard yaml_emitter_emit(emitter, &event) == 1 else {
        let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown error"
        throw WriteError.emitter(problem)
      }
    }
    yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
    try emit(&event)
    for (n, document) in documents.enumerated() {
      yaml_document_start_event_initialize(&event, nil, nil, nil, n == 0 ? 1 : 0)
      try emit(&event)
      try emitValue(document, emit)
      yaml_document_end_event_initialize(&event, 1)
      try emit(&event)
    }
    yaml_stream_end_event_initialize(&event)
    try emit(&event)
    return sink.bytes
  }

  public func write(_ value: YAMLValue) throws -> [UInt8] { try write(documents: [value]) }

  private func emitValue(_ value: YAMLValue, _ emit: (inout yaml_event_t) throws -> Void) throws {
    var event = yaml_event_t()
    switch value {
    case .mapping(let pairs):
      yaml_mapping_start_event_initialize(&event, nil, nil, 1, pairs.isEmpty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
      try emit(&event)
      for (key, item) in pairs {
        scalar(key, quote: YAMLWriter.needsQuotes(key), &event)
        try emit(&event)
        try emitValue(item, emit)
      }
      yaml_mapping_end_event_initialize(&event)
      try emit(&event)
    case .sequence(let items):
      yaml_sequence_start_event_initialize(&event, nil, nil, 1, items.isEmpty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE)
      try emit(&event)
      for item in items { try emitValue(item, emit) }
      yaml_sequence_end_event_initialize(&event)
      try emit(&event)
    case .string(let text):
      scalar(text, quote: YAMLWriter.needsQuotes(text), &event)
      try emit(&event)
    case .plain(let text):
      scalar(text, quote: false, &event)
      try emit(&event)
    case .int(let i):
      scalar(String(i), quote: false, &event)
      try emit(&event)
    case .bool(let b):
      scalar(b ? "true" : "false", quote: false, &event)
      try emit(&event)
    case .null:
      scalar("null", quote: false, &event)
      try emit(&event)
    }
  }

  private func scalar(_ text: String, quote: Bool, _ event: inout yaml_event_t) {
    var text = text
    text.withUTF8 { utf8 in
      let style = quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE
      _ = yaml_scalar_event_initialize(
        &event, nil, nil, UnsafeMutablePointer(mutating: utf8.baseAddress), Int32(utf8.count), 1, 1, style)
    }
  }

  /// True when `text` written plain would be read back as something other than this string
  /// (null, a bool, a number, a timestamp) by YAML 1.1 or 1.2 readers, or is empty.
  public static func needsQuotes(_ text: String) -> Bool {
    if text.isEmpty { return true }
    let lower = text.lowercased()
    let special: Set<String> = [
      "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf", "+.inf", "=",
    ]
    if special.contains(lower) { return true }
    guard let first = text.utf8.first else { return true }
    // Numbers in any YAML 1.1 form: 1, -1, +1, 0x1F, 0o17, 017, 1_000, 1.5, 1e3, 1:30, 2006-01-02.
    let numberish = first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
      || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
    if numberish {
      let allowed = Set("0123456789abcdefABCDEFxXoO_.:+-eE TtZz".utf8)
      if text.utf8.allSatisfy({ allowed.contains($0) }) { return true }
    }
    return false
  }
}

private final class Sink {
  var bytes: [UInt8] = []
}

private let writeHandler: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32 = {
  context, buffer, size in
  guard let context else { return 0 }
  let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
  if let buffer, size > 0 { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size)) }
  return 1
}
