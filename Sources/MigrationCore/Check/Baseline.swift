import YAMLStream

/// Known findings a team has accepted while it migrates them: `check --baseline F` does not fail
/// on them. A finding is identified by input name, rule and object, never by line numbers, so a
/// baseline survives a fresh dump of the same cluster.
public struct Baseline: Sendable, Equatable {
  public struct Fingerprint: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var input: String
    /// Kept as text so that a baseline written by a newer version with more rules still loads.
    public var rule: String
    public var object: ObjectRef

    public init(input: String, rule: String, object: ObjectRef) {
      self.input = input
      self.rule = rule
      self.object = object
    }

    public init(_ finding: Finding, input: String) {
      self.init(input: input, rule: finding.rule.rawValue, object: finding.object)
    }

    public static func < (a: Fingerprint, b: Fingerprint) -> Bool {
      (a.input, a.rule, a.object.kind, a.object.namespace, a.object.name)
        < (b.input, b.rule, b.object.kind, b.object.namespace, b.object.name)
    }

    /// `input|rule|kind|namespace|name`: the SARIF partial fingerprint.
    public var description: String { "\(input)|\(rule)|\(object.kind)|\(object.namespace)|\(object.name)" }
  }

  public static let kind = "Baseline"

  public var fingerprints: Set<Fingerprint>

  public init(_ fingerprints: some Sequence<Fingerprint> = []) {
    self.fingerprints = Set(fingerprints)
  }

  public func contains(_ fingerprint: Fingerprint) -> Bool { fingerprints.contains(fingerprint) }

  /// JSON text of the file: sorted, so the same findings always give the same bytes.
  public var json: String {
    var text = ""
    writeJSON { text += $0 }
    return text
  }

  /// The file's JSON text, handed out in pieces: a baseline of every finding of a large cluster
  /// is never one string.
  public func writeJSON(_ write: (String) -> Void) {
    JSONWriter.Stream.writing(to: write) { out in
      out.openMapping()
      out.add("apiVersion", .string(ScanRenderer.apiVersion))
      out.add("kind", .string(Self.kind))
      out.openList("findings")
      for f in fingerprints.sorted() {
        out.append(.mapping([
          ("input", .string(f.input)),
          ("rule", .string(f.rule)),
          ("object", .mapping([
            ("kind", .string(f.object.kind)), ("namespace", .string(f.object.namespace)),
            ("name", .string(f.object.name)),
          ])),
        ]))
      }
      out.close()
      out.close()
    }
  }

  /// Reads a baseline file's content (JSON or YAML, as read), straight from the node tree: a
  /// baseline of a large cluster lists hundreds of thousands of findings.
  public init(tree: ObjectTree) throws(BaselineError) {
    let root = tree.root
    guard tree.kind(root) == .mapping else { throw BaselineError("a baseline is a mapping with apiVersion, kind and findings") }
    func text(_ node: ObjectTree.Index?) -> String? { node.flatMap { tree.string($0) } }
    guard text(tree.value(root, "apiVersion")) == ScanRenderer.apiVersion else {
      throw BaselineError("apiVersion should be \(ScanRenderer.apiVersion)")
    }
    guard text(tree.value(root, "kind")) == Self.kind else { throw BaselineError("kind should be \(Self.kind)") }
    var fingerprints: [Fingerprint] = []
    if let findings = tree.value(root, "findings"), !tree.isNull(findings) {
      guard tree.kind(findings) == .sequence else { throw BaselineError("findings should be a list") }
      for (n, item) in tree.children(findings).enumerated() {
        // `value` is nil for anything but a mapping.
        guard let input = text(tree.value(item, "input")), let rule = text(tree.value(item, "rule")),
          let object = tree.value(item, "object"),
          let kind = text(tree.value(object, "kind")), let name = text(tree.value(object, "name"))
        else {
          throw BaselineError("findings[\(n)] needs input, rule and object.kind/name")
        }
        let namespace = text(tree.value(object, "namespace")) ?? ""
        fingerprints.append(
          Fingerprint(input: input, rule: rule, object: ObjectRef(kind: kind, namespace: namespace, name: name)))
      }
    }
    self.init(fingerprints)
  }
}

/// A baseline file that cannot be used.
public struct BaselineError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
