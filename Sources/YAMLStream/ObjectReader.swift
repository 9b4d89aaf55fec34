internal import CLibYAML

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Limits that keep any byte string from exhausting memory or time.
public struct ReaderLimits: Sendable {
  /// Deepest nesting of mappings and sequences inside one object.
  public var maxDepth = 256
  /// Nodes one object may hold, aliases expanded. etcd stores objects of at most ~1.5 MiB.
  public var maxNodesPerObject = 500_000
  /// Nodes that alias expansion may add to one object (an alias bomb stops here).
  public var maxAliasNodes = 100_000
  /// Bytes one object may take, in the input and in its scalars.
  public var maxBytesPerObject = 8 << 20

  public init() {}
}

/// Pulls libyaml events and yields one Kubernetes object at a time: each item of a `kind: List`
/// (or any top-level mapping with an `items` sequence), each document of a multi-document stream,
/// each value of a JSON stream, each item of a top-level sequence. Only the object being read is
/// in memory, whatever the size of the input.
public final class ObjectReader {
  public let source: InputSource
  public let limits: ReaderLimits
  /// Documents that held something other than null (a List with no items counts: it is a valid dump).
  public private(set) var documentsWithContent = 0
  /// Objects yielded so far.
  public private(set) var objectsRead = 0

  private let parser: UnsafeMutablePointer<yaml_parser_t>
  private var sourceContext: Unmanaged<InputSource>

  private enum Phase { case stream, documentRoot, rootMapping, listItems, rootSequence, documentEnd, done }
  private var phase = Phase.stream
  private var listMode = false
  private var lineShift = 0
  /// Output line (0-based) whose columns are shifted by JSON framing, and by how much.
  private var shiftedLine = -1
  private var columnShift = 0
  private let root: Builder
  private let item: Builder

  public init(source: InputSource, limits: ReaderLimits = ReaderLimits()) throws(InputError) {
    self.source = source
    self.limits = limits
    self.root = Builder(file: source.name, limits: limits)
    self.item = Builder(file: source.name, limits: limits)
    parser = .allocate(capacity: 1)
    parser.initialize(to: yaml_parser_t())
    sourceContext = Unmanaged.passRetained(source)
    source.maxObjectBytes = limits.maxBytesPerObject + (1 << 20)
    // On failure deinit runs (every property is set): deleting a zeroed parser is safe.
    guard yaml_parser_initialize(parser) == 1 else {
      throw InputError("out of memory: cannot create a YAML parser", file: source.name)
    }
    yaml_parser_set_input(parser, readHandler, sourceContext.toOpaque())
  }

  deinit {
    yaml_parser_delete(parser)
    parser.deallocate()
    sourceContext.release()
  }

  /// The next object, or nil at the end of the input.
  public func next() throws(InputError) -> ObjectTree? {
    var event = yaml_event_t()
    while true {
      if phase == .done { return nil }
      guard yaml_parser_parse(parser, &event) == 1 else { throw parserError() }
      defer { yaml_event_delete(&event) }
      let type = event.type
      let position = self.position(event.start_mark)

      switch phase {
      case .done:
        return nil

      case .stream:
        switch type {
        case YAML_STREAM_START_EVENT: continue
        case YAML_DOCUMENT_START_EVENT:
          phase = .documentRoot
        case YAML_STREAM_END_EVENT: phase = .done; return nil
        default: throw unexpected(event, position)
        }

      case .documentRoot:
        // Lines inserted by JSON framing lie between documents: one shift holds for the whole document.
        let line = Int(event.start_mark.line)
        source.forget(before: line)
        lineShift = line - source.originalLine(line)
        columnShift = source.columnShift(line)
        shiftedLine = columnShift == 0 ? -1 : line
        source.objectStart = source.bytesRead
        let position = self.position(event.start_mark)
        switch type {
        case YAML_MAPPING_START_EVENT:
          documentsWithContent += 1
          listMode = false
          root.reset()
          _ = try root.add(&event, position)
          phase = .rootMapping
        case YAML_SEQUENCE_START_EVENT:
          documentsWithContent += 1
          phase = .rootSequence
        case YAML_SCALAR_EVENT:
          let length = event.data.scalar.length
          let plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE
          if plain && (length == 0 || isNullText(event)) {
            phase = .documentEnd  // an empty document, e.g. after a trailing `---`
          } else {
            throw InputError("expected a Kubernetes object (a mapping), found a scalar", at: location(position))
          }
        case YAML_ALIAS_EVENT:
          throw InputError("expected a Kubernetes object (a mapping), found an alias", at: location(position))
        default: throw unexpected(event, position)
        }

      case .rootMapping:
        if !listMode && type == YAML_SEQUENCE_START_EVENT && root.expectsValue(forKey: "items") {
          listMode = true
          root.addPlaceholderValue(position)
          phase = .listItems
          continue
        }
        if try root.add(&event, position) {
          phase = .documentEnd
          if !listMode {
            objectsRead += 1
            return root.tree
          }
          // kubectl prints `kind: List` after the items. Block YAML cut short still parses (open
          // collections close at the end of the stream), so a List without its kind was truncated.
          let tree = root.tree
          let kind = tree.value(tree.root, "kind").flatMap { tree.string($0) }
          guard let kind, kind.hasSuffix("List") else {
            throw InputError(
              "the list ends without `kind: List` after its items: the input looks truncated", at: location(position))
          }
        }

      case .listItems, .rootSequence:
        switch type {
        case YAML_SEQUENCE_END_EVENT:
          phase = phase == .listItems ? .rootMapping : .documentEnd
        case YAML_MAPPING_START_EVENT:
          item.reset()
          source.objectStart = source.bytesRead
          _ = try item.add(&event, position)
          try readRestOfItem()
          objectsRead += 1
          return item.tree
        default:
          throw InputError(
            "item \(objectsRead + 1) of the list is not a Kubernetes object (a mapping)", at: location(position))
        }

      case .documentEnd:
        guard type == YAML_DOCUMENT_END_EVENT else { throw unexpected(event, position) }
        phase = .stream
      }
    }
  }

  /// Reads events into `item` until the mapping it started is complete.
  private func readRestOfItem() throws(InputError) {
    var event = yaml_event_t()
    while true {
      guard yaml_parser_parse(parser, &event) == 1 else { throw parserError() }
      defer { yaml_event_delete(&event) }
      if try item.add(&event, position(event.start_mark)) { return }
    }
  }

  @inline(__always)
  private func position(_ mark: yaml_mark_t) -> SourcePosition {
    let line = Int(mark.line)
    return SourcePosition(
      line: line + 1 - lineShift, column: Int(mark.column) + 1 + (line == shiftedLine ? columnShift : 0))
  }

  private func location(_ position: SourcePosition) -> SourceLocation {
    SourceLocation(file: source.name, position: position)
  }

  private func unexpected(_ event: yaml_event_t, _ position: SourcePosition) -> InputError {
    InputError("unexpected YAML event \(event.type.rawValue) in this state", at: location(position))
  }

  /// Turns libyaml's error state into a located error. Reader errors (bad encoding, control
  /// characters) carry only a byte offset; their line and column are found by walking from the
  /// scanner's position over the characters libyaml had decoded but not yet scanned.
  private func parserError() -> InputError {
    let p = parser.pointee
    if source.objectTooLarge {
      return InputError(
        "object larger than \(limits.maxBytesPerObject >> 20) MiB (Kubernetes objects are at most ~1.5 MiB)",
        at: location(fromMark: p.mark))
    }
    if source.readError != 0 {
      let reason = String(cString: strerror(source.readError)).lowercased()
      return InputError("read error: \(reason)", at: location(fromMark: p.mark))
    }
    let problem = p.problem.map { String(cString: $0) } ?? "unknown error"
    switch p.error {
    case YAML_MEMORY_ERROR:
      return InputError("out of memory while parsing", at: location(fromMark: p.mark))
    case YAML_READER_ERROR:
      var line = Int(p.mark.line)
      var column = Int(p.mark.column)
      if var cursor = p.buffer.pointer, let last = p.buffer.last {
        while cursor < last {
          let byte = cursor.pointee
          if byte == 0x0A {
            line += 1
            column = 0
          } else if byte & 0xC0 != 0x80 {
            column += 1
          }
          cursor += 1
        }
      }
      var message = problem
      if p.problem_value != -1 {
        let hex = String(p.problem_value, radix: 16, uppercase: true)
        message += " (byte 0x\(hex.count < 2 ? "0" + hex : hex) at offset \(p.problem_offset - source.insertedBytes))"
      }
      let original = source.originalLine(line)
      return InputError(message, file: source.name, line: original + 1, column: column + 1 + source.columnShift(line))
    default:
      var message = problem
      if let context = p.context {
        let at = SourcePosition(
          line: source.originalLine(Int(p.context_mark.line)) + 1, column: Int(p.context_mark.column) + 1)
        message += " \(String(cString: context)) that started at \(at.line):\(at.column)"
      }
      return InputError(message, at: location(fromMark: p.problem_mark, clampAtEnd: true))
    }
  }

  private func location(fromMark mark: yaml_mark_t, clampAtEnd: Bool = false) -> SourceLocation {
    var line = Int(mark.line)
    var column = Int(mark.column)
    if clampAtEnd && column == 0 && line > 0, let length = lastLineLength(at: mark) {
      // The end of a file that ends with a line break is on a line that does not exist: point
      // after the last character instead.
      line -= 1
      column = length
    }
    return SourceLocation(
      file: source.name, line: source.originalLine(line) + 1, column: column + 1 + source.columnShift(line))
  }

  /// When `mark` is the end of an input that ends with a line break, the length in characters
  /// of its last line; nil otherwise.
  private func lastLineLength(at mark: yaml_mark_t) -> Int? {
    let p = parser.pointee
    guard p.eof != 0, p.unread <= 1 else { return nil }
    return source.lastLineLength
  }
}

private func isNullText(_ event: yaml_event_t) -> Bool {
  guard let value = event.data.scalar.value else { return true }
  let text = String(decoding: UnsafeBufferPointer(start: value, count: event.data.scalar.length), as: UTF8.self)
  return text == "null" || text == "~" || text == "Null" || text == "NULL"
}

private let readHandler:
  @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>?) -> Int32 = {
    context, buffer, size, sizeRead in
    guard let context, let buffer, let sizeRead else { return 0 }
    let source = Unmanaged<InputSource>.fromOpaque(context).takeUnretainedValue()
    var written = 0
    let ok = source.fill(buffer, size, &written)
    sizeRead.pointee = written
    return ok ? 1 : 0
  }
