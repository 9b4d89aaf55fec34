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

  /// Renders in pieces: JSON findings are written one at a time (a report can hold hundreds of
  /// thousands of them); the other formats are written whole.
  public func render(_ report: CheckReport, as format: CheckFormat, to write: (String) -> Void) {
    guard format == .json, case .mapping(let pairs) = value(report, findings: false) else {
      write(render(report, as: format))
      return
    }
    JSONWriter.Stream.writing(to: write) { json in
      json.openMapping()
      for (key, value) in pairs { json.add(key, value) }
      json.openList("findings")
      // Each input's findings in place: `report.findings` would copy them all.
      for input in report.inputs {
        for finding in input.findings { json.append(findingValue(finding, report)) }
      }
      json.close()
      json.close()
    }
  }

  public func render(_ report: CheckReport, as format: CheckFormat) -> String {
    switch format {
    case .table: table(report)
    case .json: JSONWriter.render(value(report))
    case .junit: junit(report)
    case .sarif: JSONWriter.render(sarif(report))
    case .markdown: markdown(report)
    }
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

  /// Findings in the order reports list them: failing first, then by severity, then by position.
  static func listed(_ findings: [CheckedFinding]) -> [CheckedFinding] {
    findings.enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      if x.baselined != y.baselined { return !x.baselined }
      if x.severity != y.severity { return x.severity > y.severity }
      return a.offset < b.offset
    }.map(\.element)
  }

  // MARK: json

  /// The JSON contract: ScanReport's fields plus the target, verdicts and per-finding policy.
  public func value(_ report: CheckReport) -> YAMLValue { value(report, findings: true) }

  func value(_ report: CheckReport, findings withFindings: Bool) -> YAMLValue {
    var pairs: [(String, YAMLValue)] = [
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
          ("summary", summary(input.findings, ignored: input.ignored)),
        ])
      })),
      ("totals", report.scan.totals.value),
      ("summary", summary(report.findings, ignored: report.inputs.reduce(0) { $0 + $1.ignored })),
      ("baseline", .mapping([
        ("used", .bool(report.options.baseline != nil)),
        ("matched", .int(report.findings.filter(\.baselined).count)),
        ("unmatched", .int(report.unmatchedBaseline)),
      ])),
    ]
    if withFindings { pairs.append(("findings", .sequence(report.findings.map { findingValue($0, report) }))) }
    return .mapping(pairs)
  }

  func summary(_ findings: [CheckedFinding], ignored: Int) -> YAMLValue {
    var pairs: [(String, YAMLValue)] = Severity.allCases.reversed().map { severity in
      (severity.rawValue, .int(findings.filter { $0.severity == severity && !$0.baselined }.count))
    }
    pairs.append(("failing", .int(findings.filter(\.failing).count)))
    pairs.append(("baselined", .int(findings.filter(\.baselined).count)))
    pairs.append(("ignored", .int(ignored)))
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

  func table(_ report: CheckReport) -> String {
    let p = palette
    var out = p.bold("csi-migrate check: upgrade to Kubernetes \(report.target)") + p.dim(", failing on \(report.options.failOn.rawValue) and above") + "\n\n"
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

    let listed = Self.listed(report.findings)
    if listed.isEmpty { out += "\n" + p.green("No findings.") + "\n" }
    var groups: [(String, Severity?, [CheckedFinding])] = Severity.allCases.reversed().map { s in
      (s.rawValue.uppercased(), s, listed.filter { !$0.baselined && $0.severity == s })
    }
    groups.append(("BASELINED", nil, listed.filter(\.baselined)))
    for (title, severity, group) in groups where !group.isEmpty {
      let heading = "\(title) (\(group.count))"
      out += "\n" + (severity.map { p.severity($0, heading) } ?? p.dim(heading)) + "\n"
      for c in group {
        let input = report.inputs.count > 1 ? p.dim("[\(Self.display(report.inputs[c.finding.input].name))] ") : ""
        out += "  " + input + p.bold(c.finding.object.display) + "  " + p.dim(c.finding.rule.rawValue) + "\n"
        for line in Text.wrap(c.finding.message, width: 74) { out += "    " + line + "\n" }
        for line in Text.wrap(c.policyNote(target: report.target) ?? "", width: 74) { out += "    " + p.dim(line) + "\n" }
        out += "    " + p.dim("at \(c.finding.location)") + "\n"
      }
    }
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
    return out
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
    switch input.verdict {
    case .pass:
      return palette.green("PASS") + " \(name): ready for \(report.target)"
        + (input.findings.isEmpty ? "" : " (\(input.findings.count) finding\(input.findings.count == 1 ? "" : "s") below --fail-on \(report.options.failOn.rawValue) or baselined)")
    case .mustMigrate:
      return palette.severity(.migrate, "MUST MIGRATE") + " \(name): \(failing) finding\(failing == 1 ? "" : "s") must be fixed before \(report.target)"
    case .blocked:
      let blockers = input.findings.filter { $0.failing && $0.severity == .blocker }.count
      return palette.red("BLOCKED") + " \(name): \(blockers) blocker\(blockers == 1 ? "" : "s") (\(failing) failing finding\(failing == 1 ? "" : "s")) for \(report.target)"
    }
  }

  // MARK: markdown

  func markdown(_ report: CheckReport) -> String {
    let icon: String =
      switch report.verdict {
      case .pass: "✅"
      case .mustMigrate: "⚠️"
      case .blocked: "❌"
      }
    var out = "## \(icon) csi-migrate check: Kubernetes \(report.target): **\(Self.verdictText(report.verdict))**\n\n"
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
    let listed = Self.listed(report.findings)
    let failing = listed.filter(\.failing)
    let others = listed.filter { !$0.failing }
    if !failing.isEmpty {
      out += "\n### Fix before upgrading to \(report.target) (\(failing.count))\n\n"
      out += findingTable(failing, report)
    }
    if !others.isEmpty {
      out += "\n<details><summary>Other findings (\(others.count)): below the gate, not yet due, or baselined</summary>\n\n"
      out += findingTable(others, report)
      out += "\n</details>\n"
    }
    if listed.isEmpty { out += "\nNo findings.\n" }
    return out
  }

  func findingTable(_ findings: [CheckedFinding], _ report: CheckReport) -> String {
    var out = "| severity | rule | object | location | why |\n|---|---|---|---|---|\n"
    for c in findings {
      let severity = c.baselined ? "\(c.severity.rawValue) (baselined)" : c.severity.rawValue
      let why = c.finding.message + (c.policyNote(target: report.target).map { " — " + $0 } ?? "")
      out += "| \(severity) | `\(c.finding.rule.rawValue)` | \(Text.markdownCell(c.finding.object.display)) | `\(Text.markdownCell(c.finding.location.description))` | \(Text.markdownCell(why)) |\n"
    }
    return out
  }

  // MARK: junit

  /// JUnit XML: one testsuite per input, one testcase per finding (a failure when it fails the
  /// gate, skipped when baselined), and one passing testcase for a cluster that passes.
  func junit(_ report: CheckReport) -> String {
    var suites: [String] = []
    var totalTests = 0
    var totalFailures = 0
    for input in report.inputs {
      var cases = ""
      var tests = 0
      var failures = 0
      var skipped = 0
      let suite = Self.display(input.name)
      for c in Self.listed(input.findings) {
        tests += 1
        let f = c.finding
        let detail = "\(f.location): \(c.severity.rawValue): \(f.message)"
          + (c.policyNote(target: report.target).map { "\n" + $0 } ?? "")
          + (c.policySource.map { "\nsource: \($0)" } ?? "")
        cases += "    <testcase classname=\"\(XML.escape(f.rule.rawValue))\" name=\"\(XML.escape(f.object.display))\" time=\"0\">\n"
        if c.failing {
          failures += 1
          cases += "      <failure type=\"\(c.severity.rawValue)\" message=\"\(XML.escape("\(f.location): \(f.message)"))\">\(XML.escape(detail, attribute: false))</failure>\n"
        } else if c.baselined {
          skipped += 1
          cases += "      <skipped message=\"\(XML.escape("baselined: \(f.location): \(f.message)"))\"/>\n"
        } else {
          cases += "      <system-out>\(XML.escape(detail, attribute: false))</system-out>\n"
        }
        cases += "    </testcase>\n"
      }
      if input.verdict == .pass {
        tests += 1
        cases += "    <testcase classname=\"csi-migrate.check\" name=\"\(XML.escape("\(suite) passes for Kubernetes \(report.target)"))\" time=\"0\">\n"
        cases += "      <system-out>\(XML.escape(ScanRenderer.volumesLine(input.inventory.totals)))</system-out>\n"
        cases += "    </testcase>\n"
      }
      totalTests += tests
      totalFailures += failures
      var s = "  <testsuite name=\"\(XML.escape(suite))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"0\">\n"
      s += "    <properties>\n"
      s += "      <property name=\"targetVersion\" value=\"\(report.target)\"/>\n"
      s += "      <property name=\"failOn\" value=\"\(report.options.failOn.rawValue)\"/>\n"
      s += "      <property name=\"verdict\" value=\"\(input.verdict.rawValue)\"/>\n"
      s += "      <property name=\"exitCode\" value=\"\(input.verdict.exitCode)\"/>\n"
      s += "    </properties>\n"
      s += cases
      s += "    <system-out>\(XML.escape(ScanRenderer.volumesLine(input.inventory.totals)))</system-out>\n"
      s += "  </testsuite>\n"
      suites.append(s)
    }
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<testsuites name=\"\(XML.escape("csi-migrate check \(report.target)"))\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"0\" time=\"0\">\n"
    out += suites.joined()
    out += "</testsuites>\n"
    return out
  }

  // MARK: sarif

  static func level(_ severity: Severity) -> String {
    switch severity {
    case .blocker: "error"
    case .migrate, .warning: "warning"
    case .info: "note"
    }
  }

  /// SARIF 2.1.0 for GitHub code scanning: one run, every rule described, one result per finding.
  public func sarif(_ report: CheckReport) -> YAMLValue {
    let rules = Rule.allCases
    let descriptors: [YAMLValue] = rules.map { rule in
      let stages = Policy.stages(for: rule)
      let policy = stages.map { stage in
        let when = stage.since.map { "from \($0)" } ?? "at every version"
        let scope = stage.storage.map { " (\($0.rawValue) only)" } ?? ""
        return "\(stage.severity.rawValue) \(when)\(scope): \(stage.why) [\(stage.source)]"
      }.joined(separator: "\n")
      return .mapping([
        ("id", .string(rule.rawValue)),
        ("name", .string(Self.camelName(rule))),
        ("shortDescription", .mapping([("text", .string(rule.summary))])),
        ("fullDescription", .mapping([("text", .string(policy))])),
        ("defaultConfiguration", .mapping([("level", .string(Self.level(rule.severity)))])),
        ("properties", .mapping([("tags", .sequence([.string("kubernetes"), .string("azure"), .string("csi-migration")]))])),
      ])
    }
    let results: [YAMLValue] = report.findings.map { c in
      let f = c.finding
      var result: [(String, YAMLValue)] = [
        ("ruleId", .string(f.rule.rawValue)),
        ("ruleIndex", .int(rules.firstIndex(of: f.rule) ?? -1)),
        ("level", .string(Self.level(c.severity))),
        ("message", .mapping([("text", .string("\(f.object.display): \(f.message)" + (c.policyNote(target: report.target).map { " (\($0))" } ?? "")))])),
        ("locations", .sequence([
          .mapping([
            ("physicalLocation", .mapping([
              ("artifactLocation", .mapping([("uri", .string(Self.uri(f.location.file)))])),
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
    return .mapping([
      ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
      ("version", .string("2.1.0")),
      ("runs", .sequence([
        .mapping([
          ("tool", .mapping([
            ("driver", .mapping([
              ("name", .string("csi-migrate")),
              ("version", .string(toolVersion)),
              ("semanticVersion", .string(toolVersion)),
              ("rules", .sequence(descriptors)),
            ]))
          ])),
          ("invocations", .sequence([
            .mapping([
              ("executionSuccessful", .bool(true)),
              ("exitCode", .int(Int(report.exitCode))),
              ("exitCodeDescription", .string(Self.verdictText(report.verdict))),
            ])
          ])),
          ("columnKind", .string("unicodeCodePoints")),
          ("results", .sequence(results)),
          ("properties", .mapping([
            ("targetVersion", .string(report.target.description)),
            ("failOn", .string(report.options.failOn.rawValue)),
            ("verdict", .string(report.verdict.rawValue)),
          ])),
        ])
      ])),
    ])
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
