import Foundation
import MigrationCore
import Testing

/// Names and handles from a dump end up in shell commands: whatever bytes they hold, the shell
/// must read each back as one word, unchanged.
@Suite struct ShellQuoteTests {
  static let words = [
    "pv-1", "", "a b", "it's", "'", "''", "a'\u{301}b", "'\u{301}", "$(touch /tmp/x)", "`id`", "a\"b", "a\\b",
    "line\nbreak", "ünïcode", "e\u{301}'x", "tab\there", "*", "~user", "-n", "#comment",
  ]

  @Test func theShellReadsEveryQuotedWordBackUnchanged() throws {
    let script = Self.words.map { "printf '%s\\0' " + Shell.quote($0) }.joined(separator: "\n")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    var read = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    #expect(read.last == "")
    read.removeLast()
    #expect(read == Self.words)
  }

  @Test func aQuoteWithACombiningMarkIsEscaped() {
    #expect(Shell.quote("a'\u{301}b") == "'a'\\''\u{301}b'")
    #expect(Shell.command(["kubectl", "get", "pv", "x'\u{301}; rm -rf /"]).hasSuffix("'x'\\''\u{301}; rm -rf /'"))
  }
}
