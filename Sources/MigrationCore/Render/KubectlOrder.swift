import YAMLStream

/// The key order `kubectl get -o yaml` prints: kubectl marshals an object to JSON, reads it back
/// as generic maps and writes it with go-yaml, which sorts every mapping's keys with its own
/// "natural" order (`keyList.Less` in yaml.v2's sorter.go, the version sigs.k8s.io/yaml uses).
/// Sorting keys this way makes output independent of how the input was written (JSON keeps
/// Go struct order, YAML from kubectl is already sorted).
public enum KubectlOrder {
  /// `value` with the keys of every mapping, at every depth, in kubectl's order. Sequences
  /// keep their order (it is meaningful).
  public static func sorted(_ value: YAMLValue) -> YAMLValue {
    switch value {
    case .mapping(let pairs):
      // go-yaml uses sort.Sort (not stable); keys of one mapping are unique, so order is total.
      let keyed = pairs.map { (key: $0.0, scalars: Array($0.0.unicodeScalars), value: sorted($0.1)) }
      return .mapping(keyed.sorted { less($0.scalars, $1.scalars) }.map { ($0.key, $0.value) })
    case .sequence(let items):
      return .sequence(items.map(sorted))
    default:
      return value
    }
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
