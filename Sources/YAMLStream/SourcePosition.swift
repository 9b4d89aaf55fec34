/// A 1-based line and column (in characters) inside a named input.
public struct SourcePosition: Hashable, Sendable, Comparable {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
    (a.line, a.column) < (b.line, b.column)
  }
}

/// A position together with the input it belongs to (a file path, or `-` for stdin).
public struct SourceLocation: Hashable, Sendable {
  public var file: String
  public var position: SourcePosition

  public init(file: String, position: SourcePosition) {
    self.file = file
    self.position = position
  }

  public init(file: String, line: Int, column: Int) {
    self.init(file: file, position: SourcePosition(line: line, column: column))
  }

  public var line: Int { position.line }
  public var column: Int { position.column }
}

extension SourceLocation: CustomStringConvertible {
  /// `path:line:column`, the form editors and CI annotations jump to.
  public var description: String { "\(file):\(position.line):\(position.column)" }
}
