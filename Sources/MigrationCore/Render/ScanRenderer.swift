import YAMLStream

/// Output formats of `scan`.
public enum ScanFormat: String, CaseIterable, Sendable {
  case table, json, yaml, markdown
}

/// Renders a scan report. Output goes to `write` in pieces, so a report with many findings is
/// never held as one string.
public struct ScanRenderer {
  public var palette: Text.Palette
  public init(palette: Text.Palette = Text.Palette(enabled: false)) { self.palette = palette }

  public static let apiVersion = "csi-migrate/v1"

  public func render(_ report: ScanReport, as format: ScanFormat, kind: String = "ScanReport", to write: (String) -> Void) throws {
    switch format {
    case .table: table(report, write)
    case .json: json(report, kind: kind, write)
    case .yaml: write(String(decoding: try YAMLWriter().write(value(report, kind: kind)), as: UTF8.self))
    case .markdown: markdown(report, write)
    }
  }

  func header(_ report: ScanReport, kind: String) -> [(String, YAMLValue)] {
    [
      ("apiVersion", .string(Self.apiVersion)),
      ("kind", .string(kind)),
      ("inputs", .sequence(report.inventories.map {
        .mapping([("name", .string($0.name)), ("totals", $0.totals.value)])
      })),
      ("totals", report.totals.value),
      ("summary", .mapping(Severity.allCases.reversed().map { ($0.rawValue, .int(report.count($0))) })),
    ]
  }

  public func value(_ report: ScanReport, kind: String) -> YAMLValue {
    .mapping(header(report, kind: kind) + [("findings", .sequence(report.findings.map(\.value)))])
  }

  /// JSON with the findings streamed one by one.
  func json(_ report: ScanReport, kind: String, _ write: (String) -> Void) {
    JSONWriter.Stream.writing(to: write) { json in
      json.openMapping()
      for (key, value) in header(report, kind: kind) { json.add(key, value) }
      json.openList("findings")
      for inventory in report.inventories {
        for finding in inventory.findings { json.addIndented(finding.writeJSON) }
      }
      json.close()
      json.close()
    }
  }

  // MARK: table

  func table(_ report: ScanReport, _ write: (String) -> Void) {
    let p = palette
    let fleet = report.inventories.count > 1
    let names = Self.shortNames(report.inventories.map(\.name))
    var rows: [(String, Totals, [Severity: Int])] = zip(report.inventories, names).map { inv, name in
      var counts: [Severity: Int] = [:]
      for f in inv.findings { counts[f.severity, default: 0] += 1 }
      return (name, inv.totals, counts)
    }
    if fleet {
      var counts: [Severity: Int] = [:]
      for s in Severity.allCases { counts[s] = report.count(s) }
      rows.append(("TOTAL", report.totals, counts))
    }
    let nameWidth = min(max(rows.map(\.0.count).max() ?? 5, 5), 22)
    let columns = ["DISK", "BLOB", "FILE", "CSI", "OTHER", "SC", "INLINE", "BLOCK", "WARN"]
    let widths = columns.map { max($0.count, 5) }
    var out = p.bold(Text.pad("INPUT", nameWidth) + zip(columns, widths).map { " " + Text.padLeft($0, $1) }.joined()) + "\n"
    for (name, t, counts) in rows {
      let shown = name.count > nameWidth ? "…" + name.suffix(nameWidth - 1) : name
      let cells = [
        t.persistentVolumes.inTreeAzureDisk, t.persistentVolumes.inTreeAzureDiskUnmanaged,
        t.persistentVolumes.inTreeAzureFile, t.persistentVolumes.csiAzureDisk + t.persistentVolumes.csiAzureFile,
        t.persistentVolumes.other, t.storageClasses.inTree, t.inlineVolumes.total,
        counts[.blocker] ?? 0, counts[.warning] ?? 0,
      ]
      out += Text.pad(shown, nameWidth) + zip(cells, widths).map { " " + Text.padLeft(String($0), $1) }.joined() + "\n"
    }
    out += p.dim("DISK, FILE: in-tree azureDisk, azureFile PVs (BLOB: unmanaged, among DISK)") + "\n"
    out += p.dim("CSI: CSI PVs  SC: in-tree StorageClasses  INLINE: in-tree pod volumes") + "\n"

    let t = report.totals
    out += "\n" + Self.volumesLine(t) + "\n"
    if t.objects.statefulSetsOnInTreeClasses > 0 {
      out += "\(t.objects.statefulSetsOnInTreeClasses) StatefulSet(s) create new volumes through in-tree classes\n"
    }
    let skipped = t.objects.skipped.values.reduce(0, +)
    if skipped > 0 { out += p.dim("\(skipped) object(s) of other kinds skipped") + "\n" }
    write(out)

    var counts: [Severity: Int] = [:]
    for inventory in report.inventories {
      for f in inventory.findings { counts[f.severity, default: 0] += 1 }
    }
    guard !counts.isEmpty else {
      write("\n" + p.green("No findings.") + "\n")
      return
    }
    // Most messages repeat word for word (one per rule and case): wrap each text once.
    var wrapped: [String: String] = [:]
    ChunkedText.writing(to: write) { text in
      for severity in Severity.allCases.reversed() {
        guard let count = counts[severity] else { continue }
        text += "\n" + p.severity(severity, "\(severity.rawValue.uppercased()) (\(count))") + "\n"
        for inventory in report.inventories {
          for f in inventory.findings where f.severity == severity {
            text += "  " + p.bold(f.object.display) + "\n"
            let key = f.rule.rawValue + ": " + f.message
            if let lines = wrapped[key] {
              text += lines
            } else {
              var lines = ""
              for (n, line) in Text.wrap(key, width: 76).enumerated() {
                lines += "    " + (n == 0 ? p.dim(f.rule.rawValue + ":") + line.dropFirst(f.rule.rawValue.count + 1) : line) + "\n"
              }
              if wrapped.count < 10_000 { wrapped[key] = lines }
              text += lines
            }
            text += "    " + p.dim("at \(f.location)") + "\n"
            text.flushIfFull()
          }
        }
      }
    }
  }

  /// `N volumes scanned: ...`, the line every table ends its counts with.
  public static func volumesLine(_ t: Totals) -> String {
    let volumes = t.persistentVolumes.total
    let inTree = t.persistentVolumes.inTree
    return "\(volumes) volume\(volumes == 1 ? "" : "s") scanned: \(inTree) in-tree (\(t.persistentVolumes.inTreeAzureDisk) azureDisk, \(t.persistentVolumes.inTreeAzureFile) azureFile), \(t.persistentVolumes.csiAzureDisk + t.persistentVolumes.csiAzureFile) CSI, \(t.persistentVolumes.other) other"
  }

  /// File names without their directories when that keeps them apart, else the paths.
  static func shortNames(_ paths: [String]) -> [String] {
    // Standard input reads as "stdin", as in `check`'s reports.
    let base = paths.map { $0 == "-" ? "stdin" : String($0.split(separator: "/").last ?? Substring($0)) }
    return Set(base).count == base.count ? base : paths.map { $0 == "-" ? "stdin" : $0 }
  }

  // MARK: markdown

  func markdown(_ report: ScanReport, _ write: (String) -> Void) {
    var out = "## csi-migrate scan\n\n"
    out += "| input | in-tree disk PVs | unmanaged | in-tree file PVs | CSI PVs | other PVs | in-tree classes | inline | blockers | warnings |\n"
    out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    var rows = report.inventories.map { ($0.name, $0.totals, $0.findings) }
    if report.inventories.count > 1 { rows.append(("**total**", report.totals, report.findings)) }
    for (name, t, findings) in rows {
      let blockers = findings.filter { $0.severity == .blocker }.count
      let warnings = findings.filter { $0.severity == .warning }.count
      let cells = [
        t.persistentVolumes.inTreeAzureDisk, t.persistentVolumes.inTreeAzureDiskUnmanaged,
        t.persistentVolumes.inTreeAzureFile, t.persistentVolumes.csiAzureDisk + t.persistentVolumes.csiAzureFile,
        t.persistentVolumes.other, t.storageClasses.inTree, t.inlineVolumes.total, blockers, warnings,
      ]
      out += "| \(Text.markdownCell(name)) | " + cells.map(String.init).joined(separator: " | ") + " |\n"
    }
    let findings = report.findings
    if findings.isEmpty {
      write(out + "\nNo findings.\n")
      return
    }
    out += "\n| severity | rule | object | location | why |\n|---|---|---|---|---|\n"
    for f in Severity.allCases.reversed().flatMap({ s in findings.filter { $0.severity == s } }) {
      out += "| \(f.severity.rawValue) | `\(f.rule.rawValue)` | \(Text.markdownCell(f.object.display)) | `\(f.location)` | \(Text.markdownCell(f.message)) |\n"
    }
    write(out)
  }
}
