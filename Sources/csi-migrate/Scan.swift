import ArgumentParser
import MigrationCore
import YAMLStream

extension ScanFormat: ExpressibleByArgument {}

struct Scan: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Count and explain every in-tree Azure volume, StorageClass and inline volume, and every pitfall.",
    discussion: """
      Example:
        kubectl get pv,pvc,sc,pods,deploy,sts -A -o yaml | csi-migrate scan
        csi-migrate scan prod.yaml staging.yaml -o json
      """)

  @OptionGroup var input: InputOptions

  @Option(name: .shortAndLong, help: "Output format: table, json, yaml or markdown.")
  var output: ScanFormat = .table

  @Flag(name: .customLong("no-color"), help: "Never colour the output (NO_COLOR is honoured too).")
  var noColor = false

  func run() throws {
    let report = try Self.inventory(input.expanded())
    let palette = Text.Palette(enabled: Output.colorEnabled(noColorFlag: noColor, terminal: Output.stdoutIsTerminal))
    try ScanRenderer(palette: palette).render(report, as: output) { Output.shared.write($0) }
  }

  /// Reads and classifies every input.
  static func inventory(_ paths: [String]) throws -> ScanReport {
    var inventories = paths.enumerated().map { Inventory(input: $0.offset, name: $0.element) }
    try Pipeline.read(paths, detail: .inventory) { index, _, _, object, findings in
      inventories[index].add(object, decodeFindings: findings)
    }
    for i in inventories.indices { inventories[i].finish() }
    return ScanReport(inventories: inventories)
  }
}
