import YAMLStream

/// Output formats of `check`.
public enum CheckFormat: String, CaseIterable, Sendable {
  case table, json, junit, sarif, markdown
}

/// Renders a check report: the verdict per input, then every finding with its severity for the
/// target version and the policy line behind it.
public struct CheckRenderer {
  public var palette: Text.Palette
  /// The tool's version, for SARIF's `tool.driver.version`.
  public var toolVersion: String

  public init(palette: Text.Palette = Text.Palette(enabled: false), toolVersion: String) {
    self.palette = palette
    self.toolVersion = toolVersion
  }

  public static let kind = "CheckReport"

  /// Renders in pieces of about 64 KiB, judging each finding as it is written: a report can
  /// hold hundreds of thousands of them.
  public func render(_ report: CheckReport, as format: CheckFormat, to write: (String) -> Void) {
    switch format {
    case .table: ChunkedText.writing(to: write) { table(report, &$0) }
    case .json: json(report, write)
    case .junit: ChunkedText.writing(to: write) { junit(report, &$0) }
    case .sarif: sarif(report, write)
    case .markdown: ChunkedText.writing(to: write) { markdown(report, &$0) }
    }
  }

  /// The whole report as one string.
  public func render(_ report: CheckReport, as format: CheckFormat) -> String {
    var text = ""
    render(report, as: format) { text += $0 }
    return text
  }

  /// How a finding reads in one line per input; "-" (standard input) reads as "stdin".
  static func display(_ input: String) -> String { input == "-" ? "stdin" : input }

  static func verdictText(_ verdict: Verdict) -> String {
    switch verdict {
    case .pass: "pass"
    case .mustMigrate: "must migrate"
    case .blocked: "blocked"
    }
  }

  /// Calls `body` on `findings` in the order reports list them: not baselined before baselined,
  /// then by severity, highest first, then by position; `include` picks the groups by baseline
  /// and severity. Each group is one pass over the findings: none is held.
  static func forEachListed(
    _ findings: CheckedFindings, where include: (_ baselined: Bool, Severity) -> Bool = { _, _ in true },
    _ body: (CheckedFinding) -> Void
  ) {
    let tally = findings.tally
    for baselined in [false, true] {
      for severity in Severity.allCases.reversed()
      where tally.count(severity, baselined: baselined) > 0 && include(baselined, severity) {
        for c in findings.only(severity, baselined: baselined) { body(c) }
      }
    }
  }

  // MARK: json

  /// The JSON contract: ScanReport's fields plus the target, verdicts and per-finding policy,
  /// the findings written one at a time.
  func json(_ report: CheckReport, _ write: (String) -> Void) {
    JSONWriter.Stream.writing(to: write) { json in
      json.openMapping()
      for (key, value) in header(report) { json.add(key, value) }
      json.openList("findings")
      for c in report.findings { json.append(findingValue(c, report)) }
      json.close()
      json.close()
    }
  }

  /// Every field of the JSON report before its findings.
  func header(_ report: CheckReport) -> [(String, YAMLValue)] {
    [
      ("apiVersion", .string(ScanRenderer.apiVersion)),
      ("kind", .string(Self.kind)),
      ("targetVersion", .string(report.target.description)),
      ("failOn", .string(report.options.failOn.rawValue)),
      ("verdict", .string(report.verdict.rawValue)),
      ("exitCode", .int(Int(report.exitCode))),
      ("ignoredRules", .sequence(report.options.ignored.map(\.rawValue).sorted().map { .string($0) })),
      ("inputs", .sequence(report.inputs.map { input in
        .mapping([
          ("name", .string(input.name)),
          ("targetVersion", .string(report.target.description)),
          ("verdict", .string(input.verdict.rawValue)),
          ("exitCode", .int(Int(input.verdict.exitCode))),
          ("totals", input.inventory.totals.value),
          ("summary", summary(input.tally)),
        ])
      })),
      ("totals", report.scan.totals.value),
      ("summary", summary(report.tally)),
      ("baseline", .mapping([
        ("used", .bool(report.options.baseline != nil)),
        ("matched", .int(report.tally.baselined)),
        ("unmatched", .int(report.unmatchedBaseline)),
      ])),
    ]
  }

  func summary(_ tally: CheckTally) -> YAMLValue {
    var pairs: [(String, YAMLValue)] = Severity.allCases.reversed().map { severity in
      (severity.rawValue, .int(tally.count(severity)))
    }
    pairs.append(("failing", .int(tally.failing)))
    pairs.append(("baselined", .int(tally.baselined)))
    pairs.append(("ignored", .int(tally.ignored)))
    return .mapping(pairs)
  }

  func findingValue(_ c: CheckedFinding, _ report: CheckReport) -> YAMLValue {
    var v = c.finding.value
    v["severity"] = .string(c.severity.rawValue)
    v["scanSeverity"] = .string(c.finding.severity.rawValue)
    v["input"] = .string(report.inputs[c.finding.input].name)
    v["failing"] = .bool(c.failing)
    v["baselined"] = .bool(c.baselined)
    var policy: [(String, YAMLValue)] = []
    if let stage = c.evaluation.stage {
      policy.append(("since", c.evaluation.since.map { .string($0.description) } ?? .null))
      policy.append(("why", .string(stage.why)))
      policy.append(("source", .string(stage.source)))
    }
    if let next = c.evaluation.upcoming, let at = next.since {
      policy.append(("becomes", .mapping([
        ("severity", .string(next.severity.rawValue)), ("at", .string(at.description)),
        ("why", .string(next.why)), ("source", .string(next.source)),
      ])))
    }
    v["policy"] = .mapping(policy)
    return v
  }

  // MARK: table

  func table(_ report: CheckReport, _ out: inout ChunkedText) {
    let p = palette
    out += p.bold("csi-migrate check: upgrade to Kubernetes \(report.target)") + p.dim(", failing on \(report.options.failOn.rawValue) and above") + "\n\n"
    let nameWidth = min(max(report.inputs.map { Self.display($0.name).count }.max() ?? 5, 5), 28)
    let columns = ["VOLUMES", "IN-TREE", "BLOCK", "MIGRATE", "WARN", "BASELINED"]
    out += p.bold(Text.pad("INPUT", nameWidth) + columns.map { " " + Text.padLeft($0, 9) }.joined() + "  VERDICT") + "\n"
    for input in report.inputs {
      let name = Self.display(input.name)
      let shown = name.count > nameWidth ? "…" + name.suffix(nameWidth - 1) : name
      let t = input.inventory.totals
      let cells = [
        t.persistentVolumes.total, t.persistentVolumes.inTree + t.inlineVolumes.total,
        input.count(.blocker), input.count(.migrate), input.count(.warning), input.baselined,
      ]
      out += Text.pad(shown, nameWidth) + cells.map { " " + Text.padLeft(String($0), 9) }.joined() + "  "
        + verdictCell(input.verdict) + "\n"
    }
    out += p.dim("IN-TREE: in-tree PVs and inline volumes; BLOCK/MIGRATE/WARN: findings at that severity for \(report.target)") + "\n"
    out += "\n" + ScanRenderer.volumesLine(report.scan.totals) + "\n"

    if report.tally.total == 0 { out += "\n" + p.green("No findings.") + "\n" }
    func group(_ heading: String, _ count: Int, _ include: (Bool, Severity) -> Bool) {
      guard count > 0 else { return }
      out += "\n" + heading + "\n"
      Self.forEachListed(report.findings, where: include) { c in
        let input = report.inputs.count > 1 ? p.dim("[\(Self.display(report.inputs[c.finding.input].name))] ") : ""
        out += "  " + input + p.bold(c.finding.object.display) + "  " + p.dim(c.finding.rule.rawValue) + "\n"
        for line in Text.wrap(c.finding.message, width: 74) { out += "    " + line + "\n" }
        for line in Text.wrap(c.policyNote(target: report.target) ?? "", width: 74) { out += "    " + p.dim(line) + "\n" }
        out += "    " + p.dim("at \(c.finding.location)") + "\n"
        out.flushIfFull()
      }
    }
    for severity in Severity.allCases.reversed() {
      let count = report.tally.count(severity)
      group(p.severity(severity, "\(severity.rawValue.uppercased()) (\(count))"), count) { baselined, s in
        !baselined && s == severity
      }
    }
    group(p.dim("BASELINED (\(report.tally.baselined))"), report.tally.baselined) { baselined, _ in baselined }
    out += "\n"
    for input in report.inputs {
      out += verdictLine(input, report) + "\n"
    }
    if report.inputs.count > 1 {
      out += p.bold("fleet: \(Self.verdictText(report.verdict)) (exit \(report.exitCode))") + "\n"
    }
    if report.unmatchedBaseline > 0 {
      out += p.dim("\(report.unmatchedBaseline) baseline entr\(report.unmatchedBaseline == 1 ? "y matches" : "ies match") no finding any more") + "\n"
    }
  }

  func verdictCell(_ verdict: Verdict) -> String {
    let text = "\(Self.verdictText(verdict)) (exit \(verdict.exitCode))"
    switch verdict {
    case .pass: return palette.green(text)
    case .mustMigrate: return palette.severity(.migrate, text)
    case .blocked: return palette.red(text)
    }
  }

  func verdictLine(_ input: CheckedInput, _ report: CheckReport) -> String {
    let name = Self.display(input.name)
    let failing = input.failing
    let findings = input.tally.total
    switch input.verdict {
    case .pass:
      return palette.green("PASS") + " \(name): ready for \(report.target)"
        + (findings == 0 ? "" : " (\(findings) finding\(findings == 1 ? "" : "s") below --fail-on \(report.options.failOn.rawValue) or baselined)")
    case .mustMigrate:
      return palette.severity(.migrate, "MUST MIGRATE") + " \(name): \(failing) finding\(failing == 1 ? "" : "s") must be fixed before \(report.target)"
    case .blocked:
      let blockers = input.tally.failingBlockers
      return palette.red("BLOCKED") + " \(name): \(blockers) blocker\(blockers == 1 ? "" : "s") (\(failing) failing finding\(failing == 1 ? "" : "s")) for \(report.target)"
    }
  }

  // MARK: markdown

  func markdown(_ report: CheckReport, _ out: inout ChunkedText) {
    let icon: String =
      switch report.verdict {
      case .pass: "✅"
      case .mustMigrate: "⚠️"
      case .blocked: "❌"
      }
    out += "## \(icon) csi-migrate check: Kubernetes \(report.target): **\(Self.verdictText(report.verdict))**\n\n"
    out += ScanRenderer.volumesLine(report.scan.totals) + ". Failing on `\(report.options.failOn.rawValue)` and above.\n\n"
    out += "| input | volumes | in-tree | blockers | must migrate | warnings | baselined | verdict |\n"
    out += "|---|---:|---:|---:|---:|---:|---:|---|\n"
    for input in report.inputs {
      let t = input.inventory.totals
      let cells = [
        t.persistentVolumes.total, t.persistentVolumes.inTree + t.inlineVolumes.total, input.count(.blocker),
        input.count(.migrate), input.count(.warning), input.baselined,
      ]
      out += "| \(Text.markdownCell(Self.display(input.name))) | " + cells.map(String.init).joined(separator: " | ")
        + " | \(Self.verdictText(input.verdict)) (exit \(input.verdict.exitCode)) |\n"
    }
    let failing = report.tally.failing
    let others = report.tally.total - failing
    let fails = report.options.fails
    if failing > 0 {
      out += "\n### Fix before upgrading to \(report.target) (\(failing))\n\n"
      findingTable(report, &out) { baselined, severity in fails(severity, baselined) }
    }
    if others > 0 {
      out += "\n<details><summary>Other findings (\(others)): below the gate, not yet due, or baselined</summary>\n\n"
      findingTable(report, &out) { baselined, severity in !fails(severity, baselined) }
      out += "\n</details>\n"
    }
    if report.tally.total == 0 { out += "\nNo findings.\n" }
  }

  func findingTable(_ report: CheckReport, _ out: inout ChunkedText, where include: (Bool, Severity) -> Bool) {
    out += "| severity | rule | object | location | why |\n|---|---|---|---|---|\n"
    Self.forEachListed(report.findings, where: include) { c in
      let severity = c.baselined ? "\(c.severity.rawValue) (baselined)" : c.severity.rawValue
      let why = c.finding.message + (c.policyNote(target: report.target).map { " — " + $0 } ?? "")
      out += "| \(severity) | `\(c.finding.rule.rawValue)` | \(Text.markdownCell(c.finding.object.display)) | `\(Text.markdownCell(c.finding.location.description))` | \(Text.markdownCell(why)) |\n"
      out.flushIfFull()
    }
  }

  // MARK: junit

  /// JUnit XML: one testsuite per input, one testcase per finding (a failure when it fails the
  /// gate, skipped when baselined), and one passing testcase for a cluster that passes.
  func junit(_ report: CheckReport, _ out: inout ChunkedText) {
    let passing = report.inputs.filter { $0.verdict == .pass }.count
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<testsuites name=\"\(XML.escape("csi-migrate check \(report.target)"))\" tests=\"\(report.tally.total + passing)\" failures=\"\(report.tally.failing)\" errors=\"0\" time=\"0\">\n"
    for (n, input) in report.inputs.enumerated() {
      let suite = Self.display(input.name)
      // Baselined findings never fail: they are the skipped ones.
      let tests = input.tally.total + (input.verdict == .pass ? 1 : 0)
      out += "  <testsuite name=\"\(XML.escape(suite))\" tests=\"\(tests)\" failures=\"\(input.failing)\" errors=\"0\" skipped=\"\(input.baselined)\" time=\"0\">\n"
      out += "    <properties>\n"
      out += "      <property name=\"targetVersion\" value=\"\(report.target)\"/>\n"
      out += "      <property name=\"failOn\" value=\"\(report.options.failOn.rawValue)\"/>\n"
      out += "      <property name=\"verdict\" value=\"\(input.verdict.rawValue)\"/>\n"
      out += "      <property name=\"exitCode\" value=\"\(input.verdict.exitCode)\"/>\n"
      out += "    </properties>\n"
      Self.forEachListed(report.findings(of: n)) { c in
        let f = c.finding
        let detail = "\(f.location): \(c.severity.rawValue): \(f.message)"
          + (c.policyNote(target: report.target).map { "\n" + $0 } ?? "")
          + (c.policySource.map { "\nsource: \($0)" } ?? "")
        out += "    <testcase classname=\"\(XML.escape(f.rule.rawValue))\" name=\"\(XML.escape(f.object.display))\" time=\"0\">\n"
        if c.failing {
          out += "      <failure type=\"\(c.severity.rawValue)\" message=\"\(XML.escape("\(f.location): \(f.message)"))\">\(XML.escape(detail, attribute: false))</failure>\n"
        } else if c.baselined {
          out += "      <skipped message=\"\(XML.escape("baselined: \(f.location): \(f.message)"))\"/>\n"
        } else {
          out += "      <system-out>\(XML.escape(detail, attribute: false))</system-out>\n"
        }
        out += "    </testcase>\n"
        out.flushIfFull()
      }
      if input.verdict == .pass {
        out += "    <testcase classname=\"csi-migrate.check\" name=\"\(XML.escape("\(suite) passes for Kubernetes \(report.target)"))\" time=\"0\">\n"
        out += "      <system-out>\(XML.escape(ScanRenderer.volumesLine(input.inventory.totals)))</system-out>\n"
        out += "    </testcase>\n"
      }
      out += "    <system-out>\(XML.escape(ScanRenderer.volumesLine(input.inventory.totals)))</system-out>\n"
      out += "  </testsuite>\n"
    }
    out += "</testsuites>\n"
  }

  // MARK: sarif

  static func level(_ severity: Severity) -> String {
    switch severity {
    case .blocker: "error"
    case .migrate, .warning: "warning"
    case .info: "note"
    }
  }

  /// SARIF 2.1.0 for GitHub code scanning: one run, every rule described, one result per
  /// finding, written one at a time.
  func sarif(_ report: CheckReport, _ write: (String) -> Void) {
    JSONWriter.Stream.writing(to: write) { json in
      json.openMapping()
      json.add("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json"))
      json.add("version", .string("2.1.0"))
      json.openList("runs")
      json.openMapping()
      json.add("tool", .mapping([
        ("driver", .mapping([
          ("name", .string("csi-migrate")),
          ("version", .string(toolVersion)),
          ("semanticVersion", .string(toolVersion)),
          ("rules", .sequence(Rule.allCases.map(Self.descriptor))),
        ]))
      ]))
      json.add("invocations", .sequence([
        .mapping([
          ("executionSuccessful", .bool(true)),
          ("exitCode", .int(Int(report.exitCode))),
          ("exitCodeDescription", .string(Self.verdictText(report.verdict))),
        ])
      ]))
      json.add("columnKind", .string("unicodeCodePoints"))
      json.openList("results")
      for c in report.findings { json.append(Self.result(c, report)) }
      json.close()
      json.add("properties", .mapping([
        ("targetVersion", .string(report.target.description)),
        ("failOn", .string(report.options.failOn.rawValue)),
        ("verdict", .string(report.verdict.rawValue)),
      ]))
      json.close()
      json.close()
      json.close()
    }
  }

  /// A SARIF rule: its summary, and its policy stages as the full description.
  static func descriptor(_ rule: Rule) -> YAMLValue {
    let policy = Policy.stages(for: rule).map { stage in
      let when = stage.since.map { "from \($0)" } ?? "at every version"
      let scope = stage.storage.map { " (\($0.rawValue) only)" } ?? ""
      return "\(stage.severity.rawValue) \(when)\(scope): \(stage.why) [\(stage.source)]"
    }.joined(separator: "\n")
    return .mapping([
      ("id", .string(rule.rawValue)),
      ("name", .string(camelName(rule))),
      ("shortDescription", .mapping([("text", .string(rule.summary))])),
      ("fullDescription", .mapping([("text", .string(policy))])),
      ("defaultConfiguration", .mapping([("level", .string(level(rule.severity)))])),
      ("properties", .mapping([("tags", .sequence([.string("kubernetes"), .string("azure"), .string("csi-migration")]))])),
    ])
  }

  /// A SARIF result: one finding, where it is, and its fingerprint.
  static func result(_ c: CheckedFinding, _ report: CheckReport) -> YAMLValue {
    let f = c.finding
    var result: [(String, YAMLValue)] = [
      ("ruleId", .string(f.rule.rawValue)),
      ("ruleIndex", .int(Rule.allCases.firstIndex(of: f.rule) ?? -1)),
      ("level", .string(level(c.severity))),
      ("message", .mapping([("text", .string("\(f.object.display): \(f.message)" + (c.policyNote(target: report.target).map { " (\($0))" } ?? "")))])),
      ("locations", .sequence([
        .mapping([
          ("physicalLocation", .mapping([
            ("artifactLocation", .mapping([("uri", .string(uri(f.location.file)))])),
            ("region", .mapping([("startLine", .int(max(f.location.line, 1))), ("startColumn", .int(max(f.location.column, 1)))])),
          ])),
          ("logicalLocations", .sequence([
            .mapping([
              ("name", .string(f.object.name)),
              ("fullyQualifiedName", .string(f.object.display)),
              ("kind", .string("resource")),
            ])
          ])),
        ])
      ])),
      ("partialFingerprints", .mapping([("csiMigrateFinding/v1", .string(c.fingerprint.description))])),
    ]
    if c.baselined {
      result.append(("suppressions", .sequence([
        .mapping([("kind", .string("external")), ("justification", .string("listed in the csi-migrate baseline"))])
      ])))
    }
    result.append(("properties", .mapping([
      ("input", .string(report.inputs[f.input].name)),
      ("severity", .string(c.severity.rawValue)),
      ("failing", .bool(c.failing)),
      ("targetVersion", .string(report.target.description)),
    ])))
    return .mapping(result)
  }

  /// `in-tree-volume` → `InTreeVolume`, SARIF's readable rule name.
  static func camelName(_ rule: Rule) -> String {
    rule.rawValue.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }

  /// A file name as a URI reference: absolute paths become `file://` URIs, relative ones stay
  /// relative (GitHub resolves them against the checkout); standard input is `stdin`.
  static func uri(_ file: String) -> String {
    if file == "-" { return "stdin" }
    var out = file.hasPrefix("/") ? "file://" : ""
    for byte in file.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        out += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return out
  }
}

/// XML text escaping for attribute values and element content.
enum XML {
  /// Escapes `s`; line breaks and tabs become character references only in attribute values,
  /// where a parser would otherwise normalise them to spaces.
  static func escape(_ s: String, attribute: Bool = true) -> String {
    var out = ""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\n": out += attribute ? "&#10;" : "\n"
      case "\t": out += attribute ? "&#9;" : "\t"
      case "\r": out += "&#13;"
      default:
        // XML 1.0 forbids other control characters even as references.
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
