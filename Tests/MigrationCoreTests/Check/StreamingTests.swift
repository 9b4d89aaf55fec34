import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Reports are written in pieces and judge findings as they go: the pieces must add up to the
/// report a sort of every judged finding would give.
@Suite struct StreamingTests {
  /// Two clusters with every standing: blockers, in-tree volumes, warnings, info, baselined.
  func fleet(pvs: Int = 12, baselineEvery: Int? = 3) throws -> CheckReport {
    var items = ""
    for n in 0..<pvs {
      switch n % 4 {
      case 0: items += CheckSamples.diskPV("pv-\(n)", policy: "Delete")
      case 1: items += CheckSamples.diskPV("pv-\(n)", kind: "Shared", uri: "https://acct.blob.core.windows.net/vhds/\(n).vhd")
      case 2: items += CheckSamples.filePV("pv-\(n)", extra: CheckSamples.zoneAffinity)
      default: items += CheckSamples.diskPV("pv-\(n)", extra: "  status:\n    phase: Released")
      }
    }
    let texts = [CheckSamples.list(items), CheckSamples.list(CheckSamples.diskPV("pv-a") + items)]
    let inventories = try texts.enumerated().map { n, text in
      try scan(path: try temporaryFile(text, name: "cluster-\(n).yaml"), input: n, name: "cluster-\(n).yaml")
    }
    let scanned = ScanReport(inventories: inventories)
    var options = CheckOptions(target: KubeVersion(1, 27))
    if let every = baselineEvery {
      let all = CheckReport(scan: scanned, options: options).currentBaseline.fingerprints.sorted()
      options.baseline = Baseline(all.enumerated().filter { $0.offset % every == 0 }.map(\.element))
    }
    return CheckReport(scan: scanned, options: options)
  }

  /// The order reports list findings in: not baselined first, then by severity, then by position.
  func listed(_ report: CheckReport) -> [CheckedFinding] {
    Array(report.findings).enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      if x.baselined != y.baselined { return !x.baselined }
      if x.severity != y.severity { return x.severity > y.severity }
      return a.offset < b.offset
    }.map(\.element)
  }

  @Test func tableListsFindingsInOrderAcrossClustersAndTheBaseline() throws {
    let report = try fleet()
    let expected = listed(report).map { c in
      "  [\(report.inputs[c.finding.input].name)] \(c.finding.object.display)  \(c.finding.rule.rawValue)"
    }
    #expect(Set(expected.map { $0.contains("[cluster-0") }).count == 2)
    #expect(listed(report).contains(where: \.baselined) && listed(report).contains { $0.severity == .info })
    let table = CheckRenderer(toolVersion: "test").render(report, as: .table)
    let lines = table.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  [cluster-") }
    #expect(lines == expected)
  }

  @Test func markdownListsFailingFindingsFirst() throws {
    let report = try fleet()
    let all = listed(report)
    let expected = (all.filter(\.failing) + all.filter { !$0.failing }).map { c in
      "`\(c.finding.rule.rawValue)` | \(c.finding.object.display) | `\(c.finding.location)`"
    }
    let markdown = CheckRenderer(toolVersion: "test").render(report, as: .markdown)
    let rows = markdown.split(separator: "\n").compactMap { line -> String? in
      let cells = line.split(separator: " | ", omittingEmptySubsequences: false)
      guard cells.count == 5, cells[1].hasPrefix("`") else { return nil }
      return cells[1...3].joined(separator: " | ")
    }
    #expect(rows == expected)
  }

  @Test func reportsAreWrittenInChunks() throws {
    let report = try fleet(pvs: 400, baselineEvery: nil)
    for format in CheckFormat.allCases {
      var chunks: [String] = []
      CheckRenderer(toolVersion: "test").render(report, as: format) { chunks.append($0) }
      #expect(chunks.count > 2, "\(format) written in \(chunks.count) piece(s)")
      // A piece is handed on at the first finding past 64 KiB.
      #expect(chunks.allSatisfy { $0.utf8.count < ChunkedText.chunkSize + 8192 }, "\(format)")
    }
  }

  @Test func jsonStreamWritesWhatTheWholeValueWould() {
    let value: YAMLValue = .mapping([
      ("a", .string("x\"y")),
      ("empty", .sequence([])),
      ("list", .sequence([.int(1), .mapping([]), .mapping([("k", .sequence([.bool(true), .null]))])])),
      ("last", .mapping([("n", .int(3))])),
    ])
    var streamed = ""
    JSONWriter.Stream.writing(to: { streamed += $0 }) { json in
      json.openMapping()
      json.add("a", .string("x\"y"))
      json.openList("empty")
      json.close()
      json.openList("list")
      json.append(.int(1))
      json.openMapping()
      json.close()
      json.openMapping()
      json.openList("k")
      json.append(.bool(true))
      json.append(.null)
      json.close()
      json.close()
      json.close()
      json.add("last", .mapping([("n", .int(3))]))
      json.close()
    }
    #expect(streamed == JSONWriter.render(value))
  }
}
