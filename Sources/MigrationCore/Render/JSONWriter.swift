import YAMLStream

/// Renders `YAMLValue`s as JSON (2-space indent, keys in the order given), appending to a string.
public enum JSONWriter {
  public static func render(_ value: YAMLValue, indent: Int = 0, into out: inout String) {
    switch value {
    case .string(let s): quote(s, into: &out)
    case .plain(let s):
      // A scalar copied from YAML: keep numbers and bools as JSON literals, the rest as strings.
      if s == "true" || s == "false" || Int(s) != nil { out += s } else { quote(s, into: &out) }
    case .int(let i): out += String(i)
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    case .sequence(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "[\n"
      for (n, item) in items.enumerated() {
        pad(indent + 1, &out)
        render(item, indent: indent + 1, into: &out)
        out += n == items.count - 1 ? "\n" : ",\n"
      }
      pad(indent, &out)
      out += "]"
    case .mapping(let pairs):
      if pairs.isEmpty {
        out += "{}"
        return
      }
      out += "{\n"
      for (n, (key, item)) in pairs.enumerated() {
        pad(indent + 1, &out)
        quote(key, into: &out)
        out += ": "
        render(item, indent: indent + 1, into: &out)
        out += n == pairs.count - 1 ? "\n" : ",\n"
      }
      pad(indent, &out)
      out += "}"
    }
  }

  public static func render(_ value: YAMLValue) -> String {
    var out = ""
    render(value, into: &out)
    out += "\n"
    return out
  }

  /// A JSON document written as it is produced, byte for byte as `render` writes the whole value,
  /// in chunks: for reports whose lists hold hundreds of thousands of entries.
  public struct Stream {
    public var out: ChunkedText
    /// The open containers, innermost last: the closing bracket, and whether it has no entry yet.
    private var open: [(closer: String, empty: Bool)] = []

    /// Runs `body` on a fresh stream, then hands `write` what is left.
    public static func writing(to write: (String) -> Void, _ body: (inout Stream) -> Void) {
      ChunkedText.writing(to: write) { out in
        var stream = Stream(out: out)
        body(&stream)
        out = stream.out
      }
    }

    private init(out: ChunkedText) { self.out = out }

    /// Opens a mapping: the document, or an entry of the innermost container (`key` in a mapping).
    public mutating func openMapping(_ key: String? = nil) { openContainer(key, "{", "}") }

    /// Opens a list: an entry of the innermost container (`key` in a mapping).
    public mutating func openList(_ key: String? = nil) { openContainer(key, "[", "]") }

    /// Closes the innermost container; the document ends with a line break.
    public mutating func close() {
      let (closer, empty) = open.removeLast()
      if !empty {
        out.text += "\n"
        JSONWriter.pad(open.count, &out.text)
      }
      out.text += closer
      if open.isEmpty { out.text += "\n" }
    }

    /// One entry of the innermost mapping.
    public mutating func add(_ key: String, _ value: YAMLValue) { add(key as String?, value) }

    /// One element of the innermost list.
    public mutating func append(_ value: YAMLValue) { add(nil, value) }

    private mutating func add(_ key: String?, _ value: YAMLValue) {
      entry(key)
      JSONWriter.render(value, indent: open.count, into: &out.text)
    }

    /// One entry of the innermost list that writes its own indentation, as `Finding.writeJSON` does.
    public mutating func addIndented(_ write: (inout String) -> Void) {
      separate()
      write(&out.text)
    }

    private mutating func openContainer(_ key: String?, _ opener: String, _ closer: String) {
      if !open.isEmpty { entry(key) }
      out.text += opener
      open.append((closer, true))
    }

    /// The separator, indentation and key of an entry.
    private mutating func entry(_ key: String?) {
      separate()
      JSONWriter.pad(open.count, &out.text)
      if let key {
        JSONWriter.quote(key, into: &out.text)
        out.text += ": "
      }
    }

    private mutating func separate() {
      out.flushIfFull()
      out.text += open[open.count - 1].empty ? "\n" : ",\n"
      open[open.count - 1].empty = false
    }
  }

  static func pad(_ level: Int, _ out: inout String) {
    for _ in 0..<level { out += "  " }
  }

  /// Whether byte `b` of UTF-8 text may start an escape: a control character, `"`, `\`, U+007F,
  /// or 0xE2, which starts U+2028 and U+2029.
  @inline(__always)
  static func mayStartEscape(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xE2 }

  /// The index of the first byte of `bytes` from `start` on that may start an escape, or
  /// `bytes.count`. Eight bytes are tested at a time (a word with none such is skipped whole;
  /// one that may hold one is then read byte by byte).
  @inline(__always)
  static func firstMayStartEscape(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    guard let base = bytes.baseAddress else { return bytes.count }
    var i = start
    while true {
      while i + 8 <= bytes.count && !mayHoldEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { i += 8 }
      // The next eight bytes (or fewer, at the end) may hold one.
      let end = min(i + 8, bytes.count)
      while i < end {
        if mayStartEscape(base[i]) { return i }
        i += 1
      }
      if i == bytes.count { return i }
    }
  }

  /// Whether one of the eight bytes of `w` may start an escape. Never false when one does; may
  /// be true when none does (a borrow from a lower byte that matched).
  @inline(__always)
  static func mayHoldEscape(_ w: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
    // The high bit of each byte that is zero (exact for the lowest such byte).
    func zeros(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
    let controls = (w &- 0x20 &* ones) & ~w & highs
    return (controls | zeros(w ^ (0x22 &* ones)) | zeros(w ^ (0x5C &* ones)) | zeros(w ^ (0x7F &* ones))
      | zeros(w ^ (0xE2 &* ones))) != 0
  }

  /// Whether `s` holds a byte that `quote` escapes (or may: 0xE2 starts U+2028 and U+2029).
  static func needsEscape(_ s: String) -> Bool {
    if let found = s.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
      firstMayStartEscape(bytes, from: 0) < bytes.count
    }) {
      return found
    }
    return s.utf8.contains(where: mayStartEscape)
  }

  public static func quote(_ s: String, into out: inout String) {
    // Most strings need no escaping: append them whole.
    if !needsEscape(s) {
      out += "\""
      out += s
      out += "\""
      return
    }
    var text = ByteText()
    text.appendJSONQuoted(s)
    out += String(decoding: text.bytes, as: UTF8.self)
  }

  public static func quote(_ s: String, into out: inout ByteText) { out.appendJSONQuoted(s) }
}
