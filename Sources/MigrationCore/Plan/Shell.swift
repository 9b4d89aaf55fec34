/// Shell quoting for the commands the runbook and the script print.
public enum Shell {
  /// `text` as one shell word: bare when it only holds safe characters, else single-quoted.
  public static func quote(_ text: String) -> String {
    if !text.isEmpty && text.unicodeScalars.allSatisfy(isSafe) { return text }
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

  /// Joins words into a command line, quoting each.
  public static func command(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }

  static func trimmed(_ s: String) -> String {
    var scalars = Substring(s)
    while let f = scalars.first, f == " " || f == "\t" { scalars = scalars.dropFirst() }
    while let l = scalars.last, l == " " || l == "\t" { scalars = scalars.dropLast() }
    return String(scalars)
  }
}
