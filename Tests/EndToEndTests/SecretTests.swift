import Foundation
import Testing
import TestSupport

/// DESIGN: secret data in the input never reaches any output. Every command, every format, every
/// input shape of the secrets corpus; stdout, stderr and every file a command writes.
@Suite struct SecretTests {
  static let values: [String] = {
    let text = (try? fixtureText("secrets/SECRET-VALUES.txt")) ?? ""
    return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
  }()

  static let inputs = ["cluster.yaml", "cluster.json", "cluster-multidoc.yaml", "cluster-stream.json"]

  static var commands: [[String]] {
    var all: [[String]] = []
    for format in ["table", "json", "yaml", "markdown"] { all.append(["scan", "-o", format]) }
    all.append(["translate"])
    for format in ["table", "json", "junit", "sarif", "markdown"] {
      all.append(["check", "--target-version", "1.27", "-o", format])
    }
    return all
  }

  func leaks(_ text: String) -> [String] { Self.values.filter { text.contains($0) } }

  @Test func theCorpusHasSecrets() throws {
    #expect(Self.values.count >= 10)
    let dump = try fixtureText("secrets/cluster.yaml")
    #expect(Self.values.contains { dump.contains($0) }, "the fixture must contain the values it lists")
  }

  @Test(arguments: commands)
  func noSecretInAnyOutput(command: [String]) throws {
    for input in Self.inputs {
      let result = try run(command + [fixture("secrets/\(input)").path])
      #expect([0, 3, 4].contains(result.status), "\(command) \(input): \(result.stderr)")
      #expect(leaks(result.stdout).isEmpty, "\(command) \(input) leaks on stdout")
      #expect(leaks(result.stderr).isEmpty, "\(command) \(input) leaks on stderr")
    }
  }

  @Test func noSecretInABaselineFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("baseline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("baseline.json").path
    let result = try run(["check", fixture("secrets/cluster.yaml").path, "--target-version", "1.27", "--write-baseline", file])
    #expect(result.status == 0)
    #expect(leaks(try String(contentsOfFile: file, encoding: .utf8)).isEmpty)
  }
}
