/// A Kubernetes minor version such as 1.27: what `--target-version` names and what the policy
/// table's thresholds are. The patch level never changes a rule, so it is parsed and dropped.
public struct KubeVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var major: Int
  public var minor: Int

  public init(_ major: Int, _ minor: Int) {
    self.major = major
    self.minor = minor
  }

  /// Parses `1.26`, `v1.26` or `1.26.3`; anything else (a suffix, a missing minor, letters,
  /// a major other than 1) is nil.
  public init?(parsing text: String) {
    var s = Substring(text)
    if s.first == "v" || s.first == "V" { s = s.dropFirst() }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2 || parts.count == 3 else { return nil }
    var numbers: [Int] = []
    for part in parts {
      guard !part.isEmpty, part.count <= 4, part.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(part) else {
        return nil
      }
      numbers.append(n)
    }
    guard numbers[0] == 1 else { return nil }
    self.init(numbers[0], numbers[1])
  }

  public static func < (a: KubeVersion, b: KubeVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }

  public var description: String { "\(major).\(minor)" }

  /// The minor version before this one (1.26 → 1.25), for "just below the threshold".
  public var previous: KubeVersion { KubeVersion(major, max(minor - 1, 0)) }
}
