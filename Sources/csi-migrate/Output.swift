#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Standard output (results only) and standard error (everything else).
///
/// Results are all or nothing: they are held until the command succeeds (in memory up to 1 MiB,
/// then in an unlinked temporary file, so memory stays flat), and dropped if it fails on bad
/// input. A command that stops on line 90,000 of a dump never leaves 89,999 lines of output behind.
final class Output: @unchecked Sendable {
  static let shared = Output()
  private var buffer: [UInt8] = []
  private var spill: UnsafeMutablePointer<FILE>?
  private static let spillThreshold = 1 << 20
  /// Set once every input has been read: nothing can turn the result into bad input any more,
  /// so output goes straight to stdout from then on.
  private var committed = false

  func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= Self.spillThreshold { committed ? flush() : spillBuffer() }
  }

  func write(bytes: [UInt8]) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= Self.spillThreshold { committed ? flush() : spillBuffer() }
  }

  /// Every input has been read without error: release what was held and write directly from now on.
  func commit() {
    committed = true
    flush()
  }

  private func spillBuffer() {
    if spill == nil { spill = tmpfile() }
    guard let spill else { return }  // no temporary file: keep buffering in memory
    let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, spill) }
    guard written == buffer.count else { Self.fail("cannot write results to a temporary file") }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Results could not be kept: better no output and exit 1 than a silently truncated one.
  private static func fail(_ what: String) -> Never {
    let reason = Files.errorText()
    Output.shared.error("error: \(what): \(reason)")
    exit(1)
  }

  /// Writes everything held so far to standard output.
  func flush() {
    if let spill {
      guard fflush(spill) == 0, ferror(spill) == 0 else { Self.fail("cannot write results to a temporary file") }
      rewind(spill)
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, spill) }
        if n <= 0 { break }
        Self.writeAll(chunk, count: n)
      }
      guard ferror(spill) == 0 else { Self.fail("cannot read results back from a temporary file") }
      fclose(spill)
      self.spill = nil
    }
    Self.writeAll(buffer, count: buffer.count)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Drops everything held so far: the command failed.
  func discard() {
    if let spill { fclose(spill) }
    spill = nil
    buffer.removeAll()
  }

  private static func writeAll(_ bytes: [UInt8], count: Int) {
    let failure = bytes.withUnsafeBytes { Files.writeAll(1, UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    // A reader that went away (`| head`) has all it wanted.
    if failure == EPIPE { exit(0) }
  }

  /// One line on standard error.
  func error(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
      if let base = raw.baseAddress { _ = Glibc.write(2, base, raw.count) }
    }
  }

  static var stdoutIsTerminal: Bool { isatty(1) == 1 }
  static var stderrIsTerminal: Bool { isatty(2) == 1 }
  static var stdinIsTerminal: Bool { isatty(0) == 1 }

  /// Colours only on a terminal, never with NO_COLOR set (any value) or --no-color.
  static func colorEnabled(noColorFlag: Bool, terminal: Bool) -> Bool {
    if noColorFlag { return false }
    if let value = getenv("NO_COLOR"), value.pointee != 0 { return false }
    return terminal
  }
}
