/// The names Kubernetes accepts for objects (DNS-1123), checked byte by byte. A plan names files
/// and `migrate.sh` names state files after objects, so a name from a crafted dump such as
/// `../../x` must never get that far: the API server itself would have refused it.
public enum KubeName {
  /// A DNS-1123 subdomain: at most 253 of `a-z 0-9 - .`, each dot-separated part starting and
  /// ending with a letter or digit (names of PVs, claims, classes, pods and controllers).
  public static func isSubdomain(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard !bytes.isEmpty, bytes.count <= 253 else { return false }
    var start = 0
    for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: ".") {
      guard isLabel(bytes[start..<i], max: 63) else { return false }
      start = i + 1
    }
    return true
  }

  /// A DNS-1123 label: at most 63 of `a-z 0-9 -`, starting and ending with a letter or digit
  /// (namespaces).
  public static func isLabel(_ name: String) -> Bool { isLabel(Array(name.utf8)[...], max: 63) }

  static func isLabel(_ bytes: ArraySlice<UInt8>, max: Int) -> Bool {
    guard let first = bytes.first, let last = bytes.last, bytes.count <= max else { return false }
    func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
    return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
  }
}
