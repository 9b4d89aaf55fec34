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

  static func pad(_ level: Int, _ out: inout String) {
    for _ in 0..<level { out += "  " }
  }

  /// True when `s` holds a byte JSON must escape (or the lead byte of U+2028/U+2029).
  @inline(__always)
  static func needsEscaping(_ s: String) -> Bool {
    var copy = s
    return copy.withUTF8 { bytes in
      for b in bytes where b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xE2 { return true }
      return false
    }
  }

  public static func quote(_ s: String, into out: inout String) {
    // Most strings need no escaping: append them whole.
    if !needsEscaping(s) {
      out += "\""
      out += s
      out += "\""
      return
    }
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}
