import YAMLStream

/// How `kubectl get -o yaml` prints an object: kubectl marshals it to JSON, reads that back as
/// generic maps and writes it with go-yaml (yaml.v2, through sigs.k8s.io/yaml), which
/// - sorts every mapping's keys with its "natural" order (`keyList.Less` in sorter.go);
/// - writes a string plain unless plain text would read back as something else (a number, bool,
///   null, timestamp or base-60 float), and then double-quotes it.
/// Normalizing to this makes output independent of how the input was written: JSON keeps Go
/// struct order and quotes every string, YAML from kubectl is already in this form.
public enum KubectlStyle {
  /// `value` with the keys of every mapping, at every depth, in kubectl's order, and every
  /// single-line string that go-yaml prints plain marked plain. Sequences keep their order.
  public static func normalized(_ value: YAMLValue) -> YAMLValue {
    switch value {
    case .mapping(let pairs):
      // go-yaml uses sort.Sort (not stable); keys of one mapping are unique, so order is total.
      let keyed = pairs.map { (key: $0.0, scalars: Array($0.0.unicodeScalars), value: normalized($0.1)) }
      return .mapping(keyed.sorted { less($0.scalars, $1.scalars) }.map { ($0.key, $0.value) })
    case .sequence(let items):
      return .sequence(items.map(normalized))
    case .string(let text) where printsPlain(text):
      // The emitter still quotes it when plain style cannot hold it (`#x`, ` x`), as go-yaml's does.
      return .plain(text)
    default:
      return value
    }
  }

  /// True when go-yaml writes the string `text` as a plain scalar: one line, and resolving to
  /// a string (yaml.v2 `resolve`), and not a base-60 float.
  public static func printsPlain(_ text: String) -> Bool {
    if text.contains("\n") || text.contains("\r") { return false }
    return resolvesToString(text) && !isBase60Float(text)
  }

  /// yaml.v2's `resolve("", text)` gives `!!str`.
  static func resolvesToString(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard let first = bytes.first else { return false }  // "" is null
    let special: Set<String> = [
      "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
      "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
      "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
      "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    ]
    switch first {
    case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
      UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"):
      return !special.contains(text)
    case UInt8(ascii: "."):
      return !special.contains(text) && !isFloat(bytes)
    case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      if special.contains(text) { return false }
      if isTimestamp(bytes) { return false }
      let plain = bytes.filter { $0 != UInt8(ascii: "_") }
      return !isGoInteger(plain) && !isFloat(plain)
    default:
      return true
    }
  }

  /// `strconv.ParseInt(s, 0, 64)` or `ParseUint` syntax: sign, then 0x / 0o / 0b / 0 (octal) or decimal.
  static func isGoInteger(_ bytes: [UInt8]) -> Bool {
    var s = bytes[...]
    if let c = s.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { s = s.dropFirst() }
    guard !s.isEmpty else { return false }
    func all(_ digits: ArraySlice<UInt8>, _ valid: (UInt8) -> Bool) -> Bool { !digits.isEmpty && digits.allSatisfy(valid) }
    let isDecimal = { (c: UInt8) in c >= 0x30 && c <= 0x39 }
    if s.count >= 2, s.first == UInt8(ascii: "0") {
      let base = s[s.startIndex + 1] | 0x20
      let rest = s.dropFirst(2)
      switch base {
      case UInt8(ascii: "x"): return all(rest) { isDecimal($0) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) }
      case UInt8(ascii: "o"): return all(rest) { $0 >= 0x30 && $0 <= 0x37 }
      case UInt8(ascii: "b"): return all(rest) { $0 == 0x30 || $0 == 0x31 }
      default: return all(s.dropFirst()) { $0 >= 0x30 && $0 <= 0x37 }
      }
    }
    return all(s, isDecimal)
  }

  /// yaml.v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
  static func isFloat(_ bytes: [UInt8]) -> Bool {
    var i = 0
    let n = bytes.count
    func digits() -> Int {
      let start = i
      while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
      return i - start
    }
    if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
    if i < n, bytes[i] == UInt8(ascii: ".") {
      i += 1
      if digits() == 0 { return false }
    } else {
      if digits() == 0 { return false }
      if i < n, bytes[i] == UInt8(ascii: ".") {
        i += 1
        _ = digits()
      }
    }
    if i < n, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      if digits() == 0 { return false }
    }
    return i == n
  }

  /// yaml.v2's `parseTimestamp`: `2006-1-2`, `2006-1-2 15:4:5[.f]`, or `2006-1-2T15:4:5[.f](Z|±07:00)`.
  static func isTimestamp(_ bytes: [UInt8]) -> Bool {
    var i = 0
    let n = bytes.count
    func number(_ min: Int, _ max: Int) -> Bool {
      let start = i
      while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39, i - start < max { i += 1 }
      return i - start >= min
    }
    func expect(_ c: Character) -> Bool {
      guard i < n, bytes[i] == c.asciiValue else { return false }
      i += 1
      return true
    }
    guard number(4, 4), expect("-"), number(1, 2), expect("-"), number(1, 2) else { return false }
    if i == n { return true }
    let separator = bytes[i]
    guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else {
      return false
    }
    i += 1
    guard number(1, 2), expect(":"), number(1, 2), expect(":"), number(1, 2) else { return false }
    if i < n, bytes[i] == UInt8(ascii: ".") {
      i += 1
      guard number(1, 9) else { return false }
    }
    if separator == UInt8(ascii: " ") { return i == n }
    if i < n, bytes[i] == UInt8(ascii: "Z") { return i + 1 == n }
    guard i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") else { return false }
    i += 1
    return number(2, 2) && expect(":") && number(2, 2) && i == n
  }

  /// yaml.v2's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
  static func isBase60Float(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var i = 0
    let n = bytes.count
    let isDigit = { (c: UInt8) in c >= 0x30 && c <= 0x39 }
    if i < n, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard i < n, isDigit(bytes[i]) else { return false }
    i += 1
    while i < n, isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "_") { i += 1 }
    var groups = 0
    while i < n, bytes[i] == UInt8(ascii: ":") {
      i += 1
      // [0-5]?[0-9]
      if i + 1 < n, bytes[i] >= 0x30, bytes[i] <= 0x35, isDigit(bytes[i + 1]) {
        i += 2
      } else if i < n, isDigit(bytes[i]) {
        i += 1
      } else {
        return false
      }
      groups += 1
    }
    guard groups > 0 else { return false }
    if i < n, bytes[i] == UInt8(ascii: ".") {
      i += 1
      while i < n, isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "_") { i += 1 }
    }
    return i == n
  }

  /// yaml.v2's comparison of two string keys, rune by rune.
  public static func less(_ a: String, _ b: String) -> Bool {
    less(Array(a.unicodeScalars), Array(b.unicodeScalars))
  }

  static func less(_ ar: [Unicode.Scalar], _ br: [Unicode.Scalar]) -> Bool {
    var digits = false
    var i = 0
    while i < ar.count && i < br.count {
      if ar[i] == br[i] {
        digits = isDigit(ar[i])
        i += 1
        continue
      }
      let al = isLetter(ar[i])
      let bl = isLetter(br[i])
      if al && bl { return ar[i].value < br[i].value }
      if al || bl { return digits ? al : bl }
      var an: Int64 = 0
      var bn: Int64 = 0
      if ar[i] == "0" || br[i] == "0" {
        var j = i - 1
        while j >= 0 && isDigit(ar[j]) {
          if ar[j] != "0" {
            an = 1
            bn = 1
            break
          }
          j -= 1
        }
      }
      var ai = i
      while ai < ar.count && isDigit(ar[ai]) {
        an = an &* 10 &+ (Int64(ar[ai].value) &- 48)
        ai += 1
      }
      var bi = i
      while bi < br.count && isDigit(br[bi]) {
        bn = bn &* 10 &+ (Int64(br[bi].value) &- 48)
        bi += 1
      }
      if an != bn { return an < bn }
      if ai != bi { return ai < bi }
      return ar[i].value < br[i].value
    }
    return ar.count < br.count
  }

  /// Go's `unicode.IsLetter` (category L).
  private static func isLetter(_ s: Unicode.Scalar) -> Bool {
    if s.isASCII { return (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") }
    switch s.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
    default: return false
    }
  }

  /// Go's `unicode.IsDigit` (category Nd).
  private static func isDigit(_ s: Unicode.Scalar) -> Bool {
    if s.isASCII { return s >= "0" && s <= "9" }
    return s.properties.generalCategory == .decimalNumber
  }
}
