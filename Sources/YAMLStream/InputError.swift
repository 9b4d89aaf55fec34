/// Malformed, unreadable or missing input. Rendered as `path:line:column: error: message`.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
  public var location: SourceLocation
  public var message: String

  public init(_ message: String, at location: SourceLocation) {
    self.message = message
    self.location = location
  }

  public init(_ message: String, file: String, line: Int = 1, column: Int = 1) {
    self.init(message, at: SourceLocation(file: file, line: line, column: column))
  }

  public var description: String { "\(location): error: \(message)" }
}
