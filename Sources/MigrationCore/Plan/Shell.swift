/// Shell quoting for the commands the runbook and the script print.
public enum Shell {
  /// `text` as one shell word: bare when it only holds safe characters, else single-quoted.
  public static func quote(_ text: String) -> String {
    if isSafeWord(text) { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 2)
    appendQuoted(text, to: &out)
    return out
  }

  /// Appends `quote(text)` to `out`.
  static func quote(_ text: String, into out: inout String) {
    if isSafeWord(text) { out += text } else { appendQuoted(text, to: &out) }
  }

  /// The single-quoted form of `text` (which is not a safe word), appended to `out`.
  private static func appendQuoted(_ text: String, to out: inout String) {
    out += "'"
    // Without a single quote inside, the loop below would copy every character as it is.
    if !Text.containsByte(text, 0x27, or: 0x27) {
      out += text
    } else {
      // By scalar: a quote followed by a combining mark is one Character that is not "'",
      // yet the shell sees the quote byte and would end the word there.
      for scalar in text.unicodeScalars {
        if scalar == "'" { out += "'\\''" } else { out.unicodeScalars.append(scalar) }
      }
    }
    out += "'"
  }

  static func isSafe(_ s: Unicode.Scalar) -> Bool {
    switch s {
    case "a"..."z", "A"..."Z", "0"..."9": return true
    case "-", "_", ".", "/", ":", "=", "@", "%", "+", ",": return true
    default: return false
    }
  }

  /// `isSafe` on one byte of UTF-8 (every safe character is ASCII).
  static func isSafe(_ b: UInt8) -> Bool { b < 0x80 && isSafe(Unicode.Scalar(b)) }

  /// `isSafe` of the bytes 0..<64 and 64..<128, one bit each, for `allSafe`.
  private static let safeMasks: (UInt64, UInt64) = {
    var low: UInt64 = 0, high: UInt64 = 0
    for b in 0..<UInt8(64) where isSafe(b) { low |= 1 << UInt64(b) }
    for b in 64..<UInt8(128) where isSafe(b) { high |= 1 << UInt64(b - 64) }
    return (low, high)
  }()

  /// Whether every byte of `text` is safe (true when it is empty).
  static func allSafe(_ text: String) -> Bool {
    let (low, high) = safeMasks
    let result = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
      for b in bytes {
        let bit = UInt64(truncatingIfNeeded: b & 63)
        switch b >> 6 {
        case 0: if low & (1 << bit) == 0 { return false }
        case 1: if high & (1 << bit) == 0 { return false }
        default: return false
        }
      }
      return true
    }
    return result ?? text.utf8.allSatisfy(isSafe)
  }

  /// Whether `quote` leaves `text` bare.
  static func isSafeWord(_ text: String) -> Bool { !text.isEmpty && allSafe(text) }

  /// Joins words into a command line, quoting each.
  public static func command(_ words: [String]) -> String {
    var out = ""
    var count = words.count
    for word in words { count += word.utf8.count + 2 }
    out.reserveCapacity(count)
    for (n, word) in words.enumerated() {
      if n > 0 { out += " " }
      quote(word, into: &out)
    }
    return out
  }

  /// A command line written as a string literal: literal text is copied as it is (so it must
  /// only hold safe words, spaces and shell syntax), `\(word: x)` appends `quote(x)`, and
  /// `\(word: a, b, c)` appends `quote(a + b + c)` without joining them first. One buffer,
  /// sized for the usual names and paths, instead of a `[String]` and a string per word.
  struct Line: ExpressibleByStringInterpolation {
    var text: String

    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    struct StringInterpolation: StringInterpolationProtocol {
      var text = ""

      init(literalCapacity: Int, interpolationCount: Int) {
        text.reserveCapacity(literalCapacity + 64 * interpolationCount)
      }

      mutating func appendLiteral(_ literal: String) { text += literal }

      /// Text that is shell already (a quoted word, a command): appended as it is.
      mutating func appendInterpolation(_ shell: String) { text += shell }

      mutating func appendInterpolation(word: String) { Shell.quote(word, into: &text) }

      mutating func appendInterpolation(word prefix: String, _ middle: String, _ suffix: String = "") {
        if !(prefix.isEmpty && middle.isEmpty && suffix.isEmpty) && allSafe(prefix) && allSafe(middle) && allSafe(suffix) {
          text += prefix
          text += middle
          text += suffix
        } else {
          appendQuoted(prefix + middle + suffix, to: &text)
        }
      }
    }
  }

  /// The text of `line`.
  static func line(_ line: Line) -> String { line.text }

  static func trimmed(_ s: String) -> String {
    var scalars = Substring(s)
    while let f = scalars.first, f == " " || f == "\t" { scalars = scalars.dropFirst() }
    while let l = scalars.last, l == " " || l == "\t" { scalars = scalars.dropLast() }
    return String(scalars)
  }
}
