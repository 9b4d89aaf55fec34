/// UTF-8 text built as bytes: what the plan's streamed files are rendered into. Appending a
/// string costs what it costs a `String`; escaping one for JSON copies the runs between escapes
/// with one `memcpy` each, where a `String` would make every run and escape an append of its own.
public struct ByteText: Sendable, ExpressibleByStringLiteral {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  public init(stringLiteral value: String) { self += value }

  public var count: Int { bytes.count }
  public var isEmpty: Bool { bytes.isEmpty }

  public static func += (text: inout ByteText, s: String) {
    var s = s
    s.withUTF8 { text.bytes.append(contentsOf: $0) }
  }

  public static func += (text: inout ByteText, other: ByteText) { text.bytes.append(contentsOf: other.bytes) }

  public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

  /// `s` as a JSON string: in double quotes, with `"`, `\`, control characters, U+007F, U+2028
  /// and U+2029 escaped (the last two break JavaScript parsers that read JSON as code).
  public mutating func appendJSONQuoted(_ s: String) {
    var s = s
    s.withUTF8 { src in
      bytes.append(0x22)
      var run = 0
      var i = 0
      while true {
        // Bytes that cannot start an escape are copied in runs.
        i = JSONWriter.firstMayStartEscape(src, from: i)
        if i == src.count { break }
        let b = src[i]
        var next = i + 1
        let escape: StaticString?
        switch b {
        case 0x22: escape = "\\\""
        case 0x5C: escape = "\\\\"
        case 0x0A: escape = "\\n"
        case 0x0D: escape = "\\r"
        case 0x09: escape = "\\t"
        case 0xE2:
          // U+2028 and U+2029: E2 80 A8, E2 80 A9.
          if i + 2 < src.count, src[i + 1] == 0x80, src[i + 2] == 0xA8 || src[i + 2] == 0xA9 {
            escape = src[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"
            next = i + 3
          } else {
            escape = nil
          }
        default: escape = "\\u00"  // a control character or U+007F: two hex digits follow
        }
        guard let escape else {
          i = next
          continue
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: src[run..<i]))
        bytes.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
        if escape.utf8CodeUnitCount == 4 {
          let hex: StaticString = "0123456789abcdef"
          bytes.append(hex.utf8Start[Int(b >> 4)])
          bytes.append(hex.utf8Start[Int(b & 0xF)])
        }
        run = next
        i = next
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: src[run...]))
      bytes.append(0x22)
    }
  }

  /// Hands the bytes to `write` and empties the text once it holds a chunk (`ChunkedText.chunkSize`).
  public mutating func flushIfFull(_ write: ([UInt8]) throws -> Void) rethrows {
    guard bytes.count >= ChunkedText.chunkSize else { return }
    try write(bytes)
    removeAll()
  }
}
