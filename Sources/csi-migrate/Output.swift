#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Buffered standard output (results only) and unbuffered standard error (everything else).
final class Output: @unchecked Sendable {
  static let shared = Output()
  private var buffer: [UInt8] = []

  func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  func write(bytes: [UInt8]) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { flush() }
  }

  func flush() {
    guard !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return }
      var offset = 0
      while offset < raw.count {
        let n = Glibc.write(1, base + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          if errno == EPIPE { exit(0) }
          return
        }
        offset += n
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// One line on standard error.
  func error(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
      if let base = raw.baseAddress { _ = Glibc.write(2, base, raw.count) }
    }
  }

  static var stdoutIsTerminal: Bool { isatty(1) == 1 }
  static var stderrIsTerminal: Bool { isatty(2) == 1 }
  static var stdinIsTerminal: Bool { isatty(0) == 1 }

  /// Colours only on a terminal, never with NO_COLOR set (any value) or --no-color.
  static func colorEnabled(noColorFlag: Bool, terminal: Bool) -> Bool {
    if noColorFlag { return false }
    if let value = getenv("NO_COLOR"), value.pointee != 0 { return false }
    return terminal
  }
}
