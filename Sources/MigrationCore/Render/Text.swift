/// Small text helpers shared by the table and Markdown renderers.
public enum Text {
  /// Whether the UTF-8 of `s` holds byte `a` or byte `b`: a loop over its bytes, which the
  /// renderers run on every line they write (`contains(where:)` on the UTF-8 view costs more
  /// than the line).
  @inline(__always)
  static func containsByte(_ s: String, _ a: UInt8, or b: UInt8) -> Bool {
    if let found = s.utf8.withContiguousStorageIfAvailable({ bytes in
      for x in bytes where x == a || x == b { return true }
      return false
    }) {
      return found
    }
    return s.utf8.contains { $0 == a || $0 == b }
  }

  /// Left-aligns `s` in `width` characters (never truncates).
  public static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
  }

  /// Right-aligns `s` in `width` characters.
  public static func padLeft(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
  }

  /// Wraps `s` at spaces so that no line is longer than `width` (a longer word stays whole).
  public static func wrap(_ s: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in s.split(separator: " ", omittingEmptySubsequences: true) {
      if line.isEmpty {
        line = String(word)
      } else if line.count + 1 + word.count <= width {
        line += " " + word
      } else {
        lines.append(line)
        line = String(word)
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }

  /// `s` in double quotes for an error message, with control characters escaped and at most 80
  /// characters shown.
  public static func quotedForMessage(_ s: String) -> String {
    var out = "\""
    for (n, scalar) in s.unicodeScalars.enumerated() {
      if n == 80 {
        out += "..."
        break
      }
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Escapes `|` and line breaks for a Markdown table cell.
  public static func markdownCell(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "|": out += "\\|"
      case "\n", "\r\n", "\r": out += " "
      default: out.append(c)
      }
    }
    return out
  }

  /// ANSI colours, used only when the caller says the terminal wants them.
  public struct Palette: Sendable {
    public var enabled: Bool
    public init(enabled: Bool) { self.enabled = enabled }
    func paint(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func severity(_ severity: Severity, _ s: String) -> String {
      switch severity {
      case .blocker: paint(s, "1;31")
      case .migrate: paint(s, "33")
      case .warning: paint(s, "35")
      case .info: paint(s, "2")
      }
    }
    public func bold(_ s: String) -> String { paint(s, "1") }
    public func dim(_ s: String) -> String { paint(s, "2") }
    public func green(_ s: String) -> String { paint(s, "32") }
    public func red(_ s: String) -> String { paint(s, "1;31") }
  }
}
