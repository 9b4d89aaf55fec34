import Foundation
import Testing
import TestSupport

/// `csi-migrate check` as CI runs it: the built binary, its exit codes and its reports.
@Suite struct CheckCommandTests {
  static let emptyList = "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"

  static let csiOnly = CheckSamples.list(CheckSamples.csiPV(
    "pv-csi", driver: "disk.csi.azure.com", handle: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d"))
  static let inTree = CheckSamples.list(CheckSamples.diskPV("pv-intree"))
  static let unmanaged = CheckSamples.list(
    CheckSamples.diskPV("pv-blob", kind: "Dedicated", uri: "https://acct.blob.core.windows.net/vhds/b.vhd"))

  func file(_ text: String, _ name: String) throws -> String { try temporaryFile(text, name: name) }

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  // MARK: exit codes

  @Test func emptyClusterPassesAndSaysSo() throws {
    let r = try run(["check", try file(Self.emptyList, "empty.yaml"), "--target-version", "1.27"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("0 volumes scanned"))
    #expect(r.stdout.contains("PASS"))
  }

  @Test func csiOnlyClusterPasses() throws {
    let r = try run(["check", "--target-version", "v1.30.2", "-"], stdin: Data(Self.csiOnly.utf8))
    #expect(r.status == 0, "\(r.stderr)")
  }

  @Test func inTreeVolumesExit3AtTheirThresholdOnly() throws {
    let path = try file(Self.inTree, "intree.yaml")
    #expect(try run(["check", path, "--target-version", "1.25"]).status == 0)
    let r = try run(["check", path, "--target-version", "1.26"])
    #expect(r.status == 3)
    #expect(r.stdout.contains("MUST MIGRATE"))
    #expect(try run(["check", path, "--target-version", "1.26", "--fail-on", "blocker"]).status == 0)
  }

  @Test func blockersExit4() throws {
    let r = try run(["check", try file(Self.unmanaged, "blob.yaml"), "--target-version", "1.27"])
    #expect(r.status == 4)
    #expect(r.stdout.contains("BLOCKED"))
    #expect(r.stdout.contains("blob.yaml:"))
  }

  @Test(arguments: [
    ("empty stdin", [String](), ""),
    ("whitespace stdin", [String](), "  \n\n# only a comment\n"),
  ])
  func noInputIsExit2(_ label: String, _ extra: [String], _ stdin: String) throws {
    let r = try run(["check", "--target-version", "1.27"] + extra, stdin: Data(stdin.utf8))
    #expect(r.status == 2, "\(label): \(r.stderr)")
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.contains("error:"))
  }

  @Test func badInputsAreExit2() throws {
    let nodes = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n1\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"
    let cases: [(String, [String])] = [
      ("missing file", ["check", "/nonexistent/dump.yaml", "--target-version", "1.27"]),
      ("not Kubernetes", ["check", try file("name: x\nvalue: 3\n", "x.yaml"), "--target-version", "1.27"]),
      ("truncated", ["check", try file("{\"apiVersion\": \"v1\", \"items\": [", "t.json"), "--target-version", "1.27"]),
      ("a dump of something else", ["check", try file(nodes, "nodes.yaml"), "--target-version", "1.27"]),
      ("garbage version", ["check", try file(Self.inTree, "a.yaml"), "--target-version", "banana"]),
      ("version with suffix", ["check", try file(Self.inTree, "a.yaml"), "--target-version", "1.27-rc1"]),
      ("no version", ["check", try file(Self.inTree, "a.yaml")]),
      ("unknown rule", ["check", try file(Self.inTree, "a.yaml"), "--target-version", "1.27", "--ignore", "no-such-rule"]),
      ("bad --fail-on", ["check", try file(Self.inTree, "a.yaml"), "--target-version", "1.27", "--fail-on", "info"]),
      ("missing baseline", ["check", try file(Self.inTree, "a.yaml"), "--target-version", "1.27", "--baseline", "/nonexistent.json"]),
      ("not a baseline", ["check", try file(Self.inTree, "a.yaml"), "--target-version", "1.27", "--baseline", try file(Self.inTree, "b.yaml")]),
    ]
    for (label, arguments) in cases {
      let r = try run(arguments)
      #expect(r.status == 2, "\(label): exit \(r.status), stderr \(r.stderr)")
      #expect(r.stdout.isEmpty, "\(label) wrote to stdout")
    }
  }

  @Test func fleetWorstExitCodeWithAVerdictPerCluster() throws {
    let a = try file(Self.csiOnly, "a.yaml")
    let b = try file(Self.inTree, "b.yaml")
    let c = try file(Self.unmanaged, "c.yaml")
    #expect(try run(["check", a, b, "--target-version", "1.27"]).status == 3)
    let r = try run(["check", a, c, b, "--target-version", "1.27", "-o", "json"])
    #expect(r.status == 4)
    let report = try json(r.stdout)
    #expect(report["kind"] as? String == "CheckReport")
    #expect(report["apiVersion"] as? String == "csi-migrate/v1")
    #expect(report["targetVersion"] as? String == "1.27")
    #expect(report["exitCode"] as? Int == 4)
    let inputs = try #require(report["inputs"] as? [[String: Any]])
    #expect(inputs.map { $0["verdict"] as? String } == ["pass", "blocked", "must-migrate"])
    #expect(inputs.map { $0["exitCode"] as? Int } == [0, 4, 3])
    let findings = try #require(report["findings"] as? [[String: Any]])
    for f in findings {
      let source = try #require(f["source"] as? [String: Any])
      #expect((source["line"] as? Int ?? 0) >= 1 && (source["column"] as? Int ?? 0) >= 1)
      #expect(f["rule"] != nil && f["severity"] != nil && f["object"] != nil && f["message"] != nil)
    }
  }

  @Test func baselineAdoption() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csi-migrate-baseline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let dump = dir.appendingPathComponent("cluster.yaml").path
    let baseline = dir.appendingPathComponent("baseline.json").path
    try Self.inTree.write(toFile: dump, atomically: true, encoding: .utf8)

    let write = try run(["check", "cluster.yaml", "--target-version", "1.27", "--write-baseline", baseline], in: dir.path)
    #expect(write.status == 0)
    let first = try String(contentsOfFile: baseline, encoding: .utf8)
    _ = try run(["check", "cluster.yaml", "--target-version", "1.27", "--write-baseline", baseline], in: dir.path)
    #expect(try String(contentsOfFile: baseline, encoding: .utf8) == first, "baseline is not deterministic")

    let known = try run(["check", "cluster.yaml", "--target-version", "1.27", "--baseline", baseline], in: dir.path)
    #expect(known.status == 0)
    #expect(known.stdout.contains("BASELINED"))

    // A new in-tree volume (re-dumped: every line moved) fails again.
    let grown = CheckSamples.list(CheckSamples.filePV("pv-new") + CheckSamples.diskPV("pv-intree"))
    try grown.write(toFile: dump, atomically: true, encoding: .utf8)
    let r = try run(["check", "cluster.yaml", "--target-version", "1.27", "--baseline", baseline, "-o", "json"], in: dir.path)
    #expect(r.status == 3)
    let failing = try #require(try json(r.stdout)["findings"] as? [[String: Any]]).filter { $0["failing"] as? Bool == true }
    #expect(failing.compactMap { ($0["object"] as? [String: Any])?["name"] as? String } == ["pv-new"])
  }

  @Test func aBaselineLargerThanAnyKubernetesObjectIsRead() throws {
    // The baseline of a large cluster is one object of tens of MB: more bytes and nodes than the
    // reader allows a Kubernetes object.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csi-migrate-big-baseline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.inTree.write(to: dir.appendingPathComponent("cluster.yaml"), atomically: true, encoding: .utf8)
    let write = try run(["check", "cluster.yaml", "--target-version", "1.27", "--write-baseline", "known.json"], in: dir.path)
    #expect(write.status == 0)
    let known = try String(contentsOf: dir.appendingPathComponent("known.json"), encoding: .utf8)
    let head = try #require(known.range(of: "\"findings\": [\n"))
    var entries = ""
    for n in 0..<60_000 {
      entries += "    {\n      \"input\": \"cluster.yaml\",\n      \"rule\": \"in-tree-azure-disk\",\n"
      entries += "      \"object\": {\n        \"kind\": \"PersistentVolume\",\n        \"namespace\": \"\",\n        \"name\": \"pv-gone-\(n)\"\n      }\n    },\n"
    }
    let big = known[..<head.upperBound] + entries + known[head.upperBound...]
    #expect(big.utf8.count > 9 << 20)
    try big.write(to: dir.appendingPathComponent("big.json"), atomically: true, encoding: .utf8)
    let r = try run(["check", "cluster.yaml", "--target-version", "1.27", "--baseline", "big.json"], in: dir.path)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("BASELINED"))
  }

  @Test func aBaselineOfManyTinyNodesIsRefusedBeforeItCostsMuch() throws {
    // A large baseline is allowed one node per 16 bytes: plenty for real findings (about 23
    // bytes each), not for a file made of tiny nodes.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csi-migrate-tiny-baseline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.inTree.write(to: dir.appendingPathComponent("cluster.yaml"), atomically: true, encoding: .utf8)
    let hostile = "{\"apiVersion\": \"csi-migrate/v1\", \"kind\": \"Baseline\", \"findings\": ["
      + String(repeating: "1,", count: 5_000_000) + "1]}\n"
    try hostile.write(to: dir.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
    let r = try run(["check", "cluster.yaml", "--target-version", "1.27", "--baseline", "b.json"], in: dir.path)
    #expect(r.status == 2)
    #expect(r.stderr.contains("b.json:") && r.stderr.contains("error:"), "\(r.stderr)")
    #expect(r.stdout.isEmpty)
  }

  // MARK: golden files and schemas

  static let demo = "Fixtures/demo/cluster.yaml"
  static var hasDemo: Bool { FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(demo).path) }

  @Test(.enabled(if: hasDemo), arguments: [
    ("table", "cluster-1.27.txt"), ("json", "cluster-1.27.json"), ("junit", "cluster-1.27.xml"),
    ("sarif", "cluster-1.27.sarif"), ("markdown", "cluster-1.27.md"),
  ])
  func goldenReportsOfTheDemoDump(_ format: String, _ golden: String) throws {
    let r = try run(["check", Self.demo, "--target-version", "1.27", "-o", format], in: packageRoot.path)
    #expect(r.status == 4)
    if let difference = try compareGolden(r.stdout, "check/\(golden)") { Issue.record("\(difference)") }
  }

  @Test(.enabled(if: hasDemo)) func sameVerdictForEveryDumpForm() throws {
    var outputs: [String] = []
    for form in ["cluster.yaml", "cluster.json", "cluster-multidoc.yaml", "cluster-stream.json"] {
      let path = "Fixtures/demo/\(form)"
      guard FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(path).path) else { continue }
      let r = try run(["check", path, "--target-version", "1.28", "-o", "json"], in: packageRoot.path)
      #expect(r.status == 4)
      let report = try json(r.stdout)
      let summary = try #require(report["summary"] as? [String: Int])
      outputs.append(summary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
    }
    #expect(Set(outputs).count == 1, "\(outputs)")
  }

  static var validatorAvailable: Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import jsonschema, lxml"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }

  /// SARIF against the SARIF 2.1.0 schema and JUnit against the JUnit XSD, for every verdict,
  /// a fleet, stdin and a baseline (Scripts/validate-reports.py generates the reports itself).
  @Test(.enabled(if: validatorAvailable)) func reportsValidateAgainstTheirSchemas() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", packageRoot.appendingPathComponent("Scripts/validate-reports.py").path, "--binary", binaryPath]
    process.currentDirectoryURL = packageRoot
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains(" 0 invalid"))
  }
}
