/// A YAML document to write: ordered mappings, typed scalars. Built by the core, emitted by
/// `YAMLWriter` through libyaml's emitter, or rendered as JSON.
public indirect enum YAMLValue: Sendable, Equatable {
  /// Text; quoted on output whenever a plain scalar would read back as something else.
  case string(String)
  /// A scalar copied from the input as written, plain (a number, bool, or untagged text).
  case plain(String)
  case int(Int)
  case bool(Bool)
  case null
  case mapping([(String, YAMLValue)])
  case sequence([YAMLValue])

  public static func == (a: YAMLValue, b: YAMLValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)), (.plain(let x), .plain(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.null, .null): return true
    case (.sequence(let x), .sequence(let y)): return x == y
    case (.mapping(let x), .mapping(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  /// The value under `key` of a mapping.
  public subscript(key: String) -> YAMLValue? {
    get {
      guard case .mapping(let pairs) = self else { return nil }
      return pairs.first { $0.0 == key }?.1
    }
    set {
      guard case .mapping(var pairs) = self else { return }
      if let i = pairs.firstIndex(where: { $0.0 == key }) {
        if let newValue { pairs[i].1 = newValue } else { pairs.remove(at: i) }
      } else if let newValue {
        pairs.append((key, newValue))
      }
      self = .mapping(pairs)
    }
  }

  /// Text of a scalar (nil for null and collections).
  public var scalarText: String? {
    switch self {
    case .string(let s), .plain(let s): return s
    case .int(let i): return String(i)
    case .bool(let b): return b ? "true" : "false"
    default: return nil
    }
  }
}

extension ObjectTree {
  /// The subtree at `i` as a `YAMLValue`, keeping key order and how each scalar was written.
  public func value(at i: Index) -> YAMLValue {
    switch nodes[i].kind {
    case .scalar:
      if isNull(i) { return .null }
      let t = text(i) ?? ""
      return nodes[i].style == .plain ? .plain(t) : .string(t)
    case .sequence:
      return .sequence(children(i).map { value(at: $0) })
    case .mapping:
      return .mapping(pairs(i).map { (text($0.key) ?? "", value(at: $0.value)) })
    }
  }
}
