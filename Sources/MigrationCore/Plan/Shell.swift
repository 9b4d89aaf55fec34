/// Shell quoting for the commands the runbook and the script print.
public enum Shell {
  /// `text` as one shell word: bare when it only holds safe characters, else single-quoted.
  public static func quote(_ text: String) -> String {
    if !text.isEmpty && text.utf8.allSatisfy(isSafe) { return text }
    // Without a single quote inside, the loop below would copy every character as it is.
    if !text.utf8.contains(0x27) { return "'" + text + "'" }
    var out = "'"
    for c in text {
      if c == "'" { out += "'\\''" } else { out.append(c) }
    }
    return out + "'"
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

  /// Joins words into a command line, quoting each.
  public static func command(_ words: [String]) -> String {
    var out = ""
    for (n, word) in words.enumerated() {
      if n > 0 { out += " " }
      out += quote(word)
    }
    return out
  }

  static func trimmed(_ s: String) -> String {
    var scalars = Substring(s)
    while let f = scalars.first, f == " " || f == "\t" { scalars = scalars.dropFirst() }
    while let l = scalars.last, l == " " || l == "\t" { scalars = scalars.dropLast() }
    return String(scalars)
  }
}
