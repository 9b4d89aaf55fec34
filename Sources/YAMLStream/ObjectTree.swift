#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One Kubernetes object as read from the input: a flat, pre-order array of nodes plus one byte
/// arena holding every scalar. Built once per object (two allocations), so reading a dump costs
/// per object, not per scalar. Keys are compared as bytes, never turned into `String`s.
public struct ObjectTree: Sendable {
  public enum Kind: UInt8, Sendable, BitwiseCopyable { case scalar, mapping, sequence }

  /// How a scalar was written; a plain scalar may be a number, bool or null, a quoted one is text.
  public enum Style: UInt8, Sendable, BitwiseCopyable { case plain, quoted, block }

  public struct Node: Sendable, BitwiseCopyable {
    public var kind: Kind
    public var style: Style
    /// Scalars: first byte in `bytes`. Containers: index one past the last descendant.
    var a: Int32
    /// Scalars: byte count. Containers: number of children (keys and values both count).
    var b: Int32
    var line: Int32
    var column: Int32
  }

  public typealias Index = Int

  public internal(set) var nodes: [Node] = []
  public internal(set) var bytes: [UInt8] = []
  /// The input this object came from (file path or `-`).
  public internal(set) var file: String

  /// The root is always node 0 (a mapping for Kubernetes objects).
  public var root: Index { 0 }

  init(file: String) { self.file = file }

  public func kind(_ i: Index) -> Kind { nodes[i].kind }
  public func style(_ i: Index) -> Style { nodes[i].style }

  public func position(_ i: Index) -> SourcePosition {
    SourcePosition(line: Int(nodes[i].line), column: Int(nodes[i].column))
  }

  public func location(_ i: Index) -> SourceLocation {
    SourceLocation(file: file, position: position(i))
  }

  /// One past the last node of the subtree rooted at `i`.
  @inline(__always)
  public func subtreeEnd(_ i: Index) -> Index {
    nodes[i].kind == .scalar ? i + 1 : Int(nodes[i].a)
  }

  public func childCount(_ i: Index) -> Int { nodes[i].kind == .scalar ? 0 : Int(nodes[i].b) }

  /// Children of a container in order (for a mapping: key, value, key, value, ...).
  public func children(_ i: Index) -> Children { Children(tree: self, parent: i) }

  public struct Children: Sequence {
    let tree: ObjectTree
    let parent: Index
    public struct Iterator: IteratorProtocol {
      let tree: ObjectTree
      var cursor: Index
      let end: Index
      public mutating func next() -> Index? {
        guard cursor < end else { return nil }
        let current = cursor
        cursor = tree.subtreeEnd(current)
        return current
      }
    }
    public func makeIterator() -> Iterator {
      let node = tree.nodes[parent]
      if node.kind == .scalar { return Iterator(tree: tree, cursor: 0, end: 0) }
      return Iterator(tree: tree, cursor: parent + 1, end: Int(node.a))
    }
  }

  /// Key/value pairs of a mapping (empty for anything else).
  public func pairs(_ i: Index) -> Pairs { Pairs(children: children(i), isMapping: nodes[i].kind == .mapping) }

  public struct Pairs: Sequence {
    let children: Children
    let isMapping: Bool
    public struct Iterator: IteratorProtocol {
      var inner: Children.Iterator
      let isMapping: Bool
      public mutating func next() -> (key: Index, value: Index)? {
        guard isMapping, let k = inner.next(), let v = inner.next() else { return nil }
        return (k, v)
      }
    }
    public func makeIterator() -> Iterator { Iterator(inner: children.makeIterator(), isMapping: isMapping) }
  }

  /// The value for `key` in mapping `i`, comparing bytes. Nil when `i` is not a mapping or lacks it.
  public func value(_ i: Index, _ key: StaticString) -> Index? {
    guard nodes[i].kind == .mapping else { return nil }
    return key.withUTF8Buffer { k in
      var child = i + 1
      let end = Int(nodes[i].a)
      while child < end {
        let valueIndex = subtreeEnd(child)
        if scalarEquals(child, k) { return valueIndex }
        child = valueIndex < end ? subtreeEnd(valueIndex) : end
      }
      return nil
    }
  }

  /// Follows a path of keys through nested mappings.
  public func value(_ i: Index, _ path: StaticString...) -> Index? {
    var current = i
    for key in path {
      guard let next = value(current, key) else { return nil }
      current = next
    }
    return current
  }

  @inline(__always)
  func scalarEquals(_ i: Index, _ k: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = nodes[i]
    guard n.kind == .scalar, Int(n.b) == k.count else { return false }
    guard let key = k.baseAddress, k.count > 0 else { return true }
    return bytes.withUnsafeBufferPointer { buf in
      guard let base = buf.baseAddress else { return false }
      return memcmp(base + Int(n.a), key, k.count) == 0
    }
  }

  /// True when scalar `i` is exactly `text`.
  public func scalarIs(_ i: Index, _ text: StaticString) -> Bool {
    text.withUTF8Buffer { scalarEquals(i, $0) }
  }

  /// The raw text of a scalar (nil for containers).
  public func text(_ i: Index) -> String? {
    let n = nodes[i]
    guard n.kind == .scalar else { return nil }
    return bytes.withUnsafeBufferPointer { buf in
      String(decoding: UnsafeBufferPointer(rebasing: buf[Int(n.a)..<Int(n.a + n.b)]), as: UTF8.self)
    }
  }

  /// True for a YAML null: a plain `null`, `~`, `Null`, `NULL` or an empty plain scalar.
  public func isNull(_ i: Index) -> Bool {
    let n = nodes[i]
    guard n.kind == .scalar, n.style == .plain else { return false }
    if n.b == 0 { return true }
    return scalarIs(i, "null") || scalarIs(i, "~") || scalarIs(i, "Null") || scalarIs(i, "NULL")
  }

  /// The scalar as a string: any scalar that is not null. Numbers and bools keep their spelling.
  public func string(_ i: Index) -> String? {
    guard nodes[i].kind == .scalar, !isNull(i) else { return nil }
    return text(i)
  }

  /// A boolean written as YAML 1.1/JSON does (`true`, `false`, `True`, `FALSE`, ...). Quoted text is not a bool.
  public func bool(_ i: Index) -> Bool? {
    let n = nodes[i]
    guard n.kind == .scalar, n.style == .plain else { return nil }
    if scalarIs(i, "true") || scalarIs(i, "True") || scalarIs(i, "TRUE") { return true }
    if scalarIs(i, "false") || scalarIs(i, "False") || scalarIs(i, "FALSE") { return false }
    return nil
  }

  /// A plain decimal integer.
  public func int(_ i: Index) -> Int? {
    let n = nodes[i]
    guard n.kind == .scalar, n.style == .plain, let t = text(i) else { return nil }
    return Int(t)
  }
}
