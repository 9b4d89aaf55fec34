import Foundation
import Testing
import TestSupport

/// The built binary, run as a user would.
@Suite struct ScanCommandTests {
  let root = packageRoot.path

  @Test(arguments: ["table", "json", "yaml", "markdown"])
  func demoScanMatchesGoldenFile(format: String) throws {
    let result = try run(["scan", "Fixtures/demo/cluster.yaml", "-o", format], in: root)
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty)
    let ext = ["table": "txt", "json": "json", "yaml": "yaml", "markdown": "md"][format] ?? format
    if let difference = try compareGolden(result.stdout, "scan/demo.\(ext)") { Issue.record("\(difference)") }
  }

  @Test func stdinIsReadWhenNoFileIsGivenAndNamedDash() throws {
    let dump = try Data(contentsOf: fixture("demo/cluster.yaml"))
    let result = try run(["scan", "-o", "json"], stdin: dump, in: root)
    #expect(result.status == 0)
    #expect(result.stdout.contains("\"name\": \"-\""))
    #expect(result.stdout.contains("\"file\": \"-\""))
    let dash = try run(["scan", "-", "-o", "json"], stdin: dump, in: root)
    #expect(dash.stdout == result.stdout)
  }

  @Test func severalInputsGiveARowEachAndATotal() throws {
    let result = try run(["scan", "Fixtures/demo/cluster.yaml", "Fixtures/demo/cluster-stream.json"], in: root)
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines[1].hasPrefix("cluster.yaml"))
    #expect(lines[2].hasPrefix("cluster-stream.json"))
    #expect(lines[3].hasPrefix("TOTAL") && lines[3].contains("10"))
    #expect(lines.allSatisfy { $0.count <= 80 })
  }

  @Test func aDirectoryReadsItsYAMLAndJSONFiles() throws {
    let result = try run(["scan", "Fixtures/demo", "-o", "json"], in: root)
    #expect(result.status == 0)
    for name in ["cluster-multidoc.yaml", "cluster-stream.json", "cluster.json", "cluster.yaml"] {
      #expect(result.stdout.contains("\"name\": \"Fixtures/demo/\(name)\""))
    }
  }

  @Test func coloursOnlyWhenAsked() throws {
    let plain = try run(["scan", "Fixtures/demo/cluster.yaml"], in: root)
    #expect(!plain.stdout.contains("\u{1B}["))
  }

  static let badInputs = [
    "alias-bomb.yaml", "binary.bin", "comments-only.yaml", "deep-nesting.yaml", "duplicate-key.yaml", "empty.yaml",
    "invalid-utf8.yaml", "list-scalar-item.yaml", "missing-kind.yaml", "not-kubernetes.yaml", "scalar-document.yaml",
    "tab-indented.yaml", "truncated.json", "truncated.yaml", "whitespace-only.yaml",
  ]

  @Test(arguments: badInputs)
  func badInputExitsTwoWithOneLocatedErrorAndNoOutput(file: String) throws {
    let path = "Fixtures/bad/\(file)"
    let result = try run(["scan", path, "-o", "json"], in: root)
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1)
    let pattern = try Regex("^\(path):[0-9]+:[0-9]+: error: .+$")
    #expect(lines.first.map { $0.wholeMatch(of: pattern) != nil } == true, "\(result.stderr)")
  }

  @Test func badInputPositionsAreTheDocumentedOnes() throws {
    // Each line of Fixtures/bad/README.md's table names a file and the line:column of its error.
    let expected: [String: String] = [
      "duplicate-key.yaml": "38:1", "invalid-utf8.yaml": "7:", "tab-indented.yaml": "4:1",
      "list-scalar-item.yaml": "40:3", "scalar-document.yaml": "1:1", "empty.yaml": "1:1",
    ]
    for (file, position) in expected {
      let result = try run(["scan", "Fixtures/bad/\(file)"], in: root)
      #expect(result.stderr.hasPrefix("Fixtures/bad/\(file):\(position)"), "\(result.stderr)")
    }
  }

  @Test func emptyStdinIsAnErrorNotAPass() throws {
    let result = try run(["scan"], stdin: Data(), in: root)
    #expect(result.status == 2)
    #expect(result.stderr == "-:1:1: error: empty input: no Kubernetes objects\n")
  }

  @Test func anEmptyListIsAValidDumpWithNothingInIt() throws {
    let result = try run(["scan"], stdin: Data("apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n".utf8), in: root)
    #expect(result.status == 0)
    #expect(result.stdout.contains("0 volumes scanned"))
  }

  @Test func usageErrorsExitTwo() throws {
    #expect(try run(["scan", "--bogus"], in: root).status == 2)
    #expect(try run(["scan", "-o", "xml", "Fixtures/demo/cluster.yaml"], in: root).status == 2)
    #expect(try run(["scan", "Fixtures/does-not-exist.yaml"], in: root).status == 2)
    #expect(try run(["frobnicate"], in: root).status == 2)
  }

  @Test func helpGoesToStdoutAndSucceeds() throws {
    let result = try run(["scan", "--help"], in: root)
    #expect(result.status == 0)
    #expect(result.stdout.contains("USAGE: csi-migrate scan"))
  }
}

/// Bad input leaves nothing behind on stdout, whatever the command and however far it got.
@Suite struct AllOrNothingTests {
  @Test(arguments: [["scan"], ["scan", "-o", "json"], ["translate"], ["check", "--target-version", "1.27"]])
  func aDumpCutShortPrintsOneErrorAndNoResults(command: [String]) throws {
    // Cut inside the items: block YAML still parses, but the List lost its `kind: List` trailer.
    let dump = try fixtureText("demo/cluster.yaml")
    let cut = String(dump.prefix(dump.count / 2))
    let path = try temporaryFile(cut, name: "cut.yaml")
    let result = try run(command + [path])
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    #expect(result.stderr.contains("looks truncated") || result.stderr.contains(": error: "))
  }

  @Test func aLargeResultIsStillWrittenWhole() throws {
    // More than the in-memory threshold: the spill file must come back in order.
    var text = "apiVersion: v1\nitems:\n"
    for i in 0..<3000 {
      text += """
        - apiVersion: v1
          kind: PersistentVolume
          metadata:
            name: pv-\(i)
          spec:
            azureDisk:
              diskName: d\(i)
              diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d\(i)
              kind: Managed
            persistentVolumeReclaimPolicy: Delete

        """
    }
    text += "kind: List\n"
    let path = try temporaryFile(text, name: "many.yaml")
    let result = try run(["scan", path, "-o", "json"])
    #expect(result.status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(result.stdout.utf8.count > 1 << 20)
    #expect((json["findings"] as? [Any])?.count == 6000)
  }
}

/// The bad-input corpus through every command and every output format: exit 2, one located error
/// line, nothing on stdout, and for `plan` no directory left behind.
@Suite struct BadInputEverywhereTests {
  static var commands: [[String]] {
    var all: [[String]] = []
    for format in ["table", "json", "yaml", "markdown"] { all.append(["scan", "-o", format]) }
    all.append(["translate"])
    for format in ["table", "json", "junit", "sarif", "markdown"] {
      all.append(["check", "--target-version", "1.27", "-o", format])
    }
    all.append(["plan", "--out", "PLAN"])
    return all
  }

  @Test(arguments: commands)
  func everyBadInputIsRefused(command: [String]) throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString)").path
    for file in ScanCommandTests.badInputs {
      let path = "Fixtures/bad/\(file)"
      let result = try run(command.map { $0 == "PLAN" ? out : $0 } + [path], in: packageRoot.path)
      #expect(result.status == 2, "\(command) \(file)")
      #expect(result.stdout.isEmpty, "\(command) \(file)")
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1 && lines[0].hasPrefix("\(path):"), "\(command) \(file): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(command) \(file) left a plan directory")
    }
  }
}
