import ArgumentParser
import MigrationCore
import YAMLStream

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension CheckFormat: ExpressibleByArgument {}

/// The severities `--fail-on` accepts.
enum FailOn: String, CaseIterable, ExpressibleByArgument {
  case blocker, migrate, warning
  var severity: Severity {
    switch self {
    case .blocker: .blocker
    case .migrate: .migrate
    case .warning: .warning
    }
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The pre-upgrade gate: fail while in-tree Azure volumes or blockers remain for a target Kubernetes version.",
    discussion: """
      Exit codes: 0 the cluster passes for the target version; 2 bad, missing or empty input;
      3 in-tree volumes (or, with --fail-on warning, warnings) must be fixed first; 4 blockers.
      Several inputs are several clusters: each gets a verdict, the worst exit code wins.

      Example:
        kubectl get pv,pvc,sc,pods,deploy,sts -A -o yaml | csi-migrate check --target-version 1.27
        csi-migrate check dump.yaml --target-version 1.27 -o sarif > csi-migrate.sarif
        csi-migrate check dump.yaml --target-version 1.27 --write-baseline csi-migrate-baseline.json
        csi-migrate check dump.yaml --target-version 1.27 --baseline csi-migrate-baseline.json
      """)

  @OptionGroup var input: InputOptions

  @Option(
    name: .customLong("target-version"),
    help: ArgumentHelp("The Kubernetes version the cluster is to be upgraded to: 1.27, v1.27 or 1.27.3.", valueName: "version"))
  var targetVersion: String

  @Option(name: .shortAndLong, help: "Output format: table, json, junit, sarif or markdown.")
  var output: CheckFormat = .table

  @Option(
    name: .customLong("fail-on"),
    help: "The lowest severity that fails the gate: blocker, migrate (default) or warning.")
  var failOn: FailOn = .migrate

  @Option(name: .customLong("ignore"), help: ArgumentHelp("Drop a rule's findings (repeatable).", valueName: "rule"))
  var ignore: [String] = []

  @Option(
    name: .customLong("baseline"),
    help: ArgumentHelp("Known findings (from --write-baseline) that do not fail the gate.", valueName: "file"))
  var baseline: String?

  @Option(
    name: .customLong("write-baseline"),
    help: ArgumentHelp("Record every current finding as known in this file, then report them as baselined.", valueName: "file"))
  var writeBaseline: String?

  @Flag(name: .customLong("no-color"), help: "Never colour the output (NO_COLOR is honoured too).")
  var noColor = false

  func validate() throws {
    guard KubeVersion(parsing: targetVersion) != nil else {
      throw ValidationError("--target-version \(targetVersion): expected a Kubernetes version such as 1.27, v1.27 or 1.27.3")
    }
    for rule in ignore where Rule(rawValue: rule) == nil {
      throw ValidationError(
        "--ignore \(rule): unknown rule; rules are \(Rule.allCases.map(\.rawValue).joined(separator: ", "))")
    }
  }

  func run() throws {
    guard let target = KubeVersion(parsing: targetVersion) else { throw ValidationError("bad --target-version") }
    var options = CheckOptions(
      target: target, failOn: failOn.severity, ignored: Set(ignore.compactMap(Rule.init(rawValue:))))
    if let baseline { options.baseline = try Self.readBaseline(baseline) }

    let scan = try Scan.inventory(input.expanded())
    try Self.requireClusterObjects(scan)

    var report = CheckReport(scan: scan, options: options)
    if let writeBaseline {
      let recorded = report.currentBaseline
      try Self.writeAtomically(to: writeBaseline) { recorded.writeJSON($0) }
      Output.shared.error("wrote \(writeBaseline): \(recorded.fingerprints.count) known finding(s)")
      options.baseline = recorded
      report = CheckReport(scan: scan, options: options)
    }

    let palette = Text.Palette(enabled: Output.colorEnabled(noColorFlag: noColor, terminal: Output.stdoutIsTerminal))
    let renderer = CheckRenderer(palette: palette, toolVersion: CSIMigrate.configuration.version)
    renderer.render(report, as: output) { Output.shared.write($0) }
    if report.exitCode != ExitStatus.ok { throw ExitCode(report.exitCode) }
  }

  /// Fails closed on a dump of something else: objects, but none the gate can judge.
  static func requireClusterObjects(_ scan: ScanReport) throws {
    for inventory in scan.inventories {
      let t = inventory.totals
      let storageClasses =
        t.storageClasses.inTreeAzureDisk + t.storageClasses.inTreeAzureFile + t.storageClasses.csiAzureDisk
        + t.storageClasses.csiAzureFile + t.storageClasses.other
      let relevant = t.persistentVolumes.total + storageClasses + t.objects.persistentVolumeClaims + t.objects.workloads
      if t.objects.total > 0 && relevant == 0 {
        let kinds = t.objects.skipped.keys.sorted().prefix(5).joined(separator: ", ")
        throw InputError(
          "no PersistentVolume, PersistentVolumeClaim, StorageClass or workload objects (found \(kinds.isEmpty ? "only Secrets" : kinds)): pipe `kubectl get pv,pvc,sc,pods,deploy,sts -A -o yaml` in",
          file: inventory.name)
      }
      if t.objects.total > 0 && t.persistentVolumes.total == 0 && storageClasses == 0 {
        Output.shared.error(
          "\(inventory.name): warning: no PersistentVolume or StorageClass objects: is `pv,sc` missing from the kubectl get?")
      }
    }
  }

  static func readBaseline(_ path: String) throws -> Baseline {
    let source = try InputSource(path: path)
    // A baseline is one object that grows with the findings it lists (about 250 bytes and 11
    // nodes each): the per-object limits meant for Kubernetes objects would refuse the baseline
    // of a large cluster, so they follow the file's size, up to 128 MiB (about 500,000 findings;
    // a baseline is input a pull request can change, so its cost stays bounded).
    let maxBaseline = 128 << 20
    var limits = ReaderLimits()
    var info = stat()
    if stat(path, &info) == 0, Int(info.st_size) > limits.maxBytesPerObject - (1 << 20) {
      guard Int(info.st_size) <= maxBaseline else {
        throw InputError("a baseline is at most \(maxBaseline >> 20) MiB; this one is \(Int(info.st_size) >> 20) MiB", file: path)
      }
      limits.maxBytesPerObject = Int(info.st_size) + (1 << 20)
      limits.maxNodesPerObject = max(limits.maxNodesPerObject, limits.maxBytesPerObject / 16)
    }
    let reader = try ObjectReader(source: source, limits: limits)
    guard let tree = try reader.next() else {
      throw InputError("empty baseline file", file: path)
    }
    do {
      return try Baseline(tree: tree)
    } catch {
      throw InputError("not a csi-migrate baseline: \(error.message)", at: tree.location(tree.root))
    }
  }

  /// Writes through a temporary file and a rename, so a reader never sees half a baseline. The
  /// content is handed out in pieces.
  static func writeAtomically(to path: String, _ content: ((String) -> Void) -> Void) throws {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else {
      throw InputError("cannot write: \(Files.errorText())", file: path)
    }
    // The first write error, as it was: later calls would overwrite errno.
    var failure: Int32 = 0
    content { piece in
      guard failure == 0 else { return }
      failure = Array(piece.utf8).withUnsafeBytes { Files.writeAll(fd, $0) }
    }
    let closed = close(fd) == 0
    guard failure == 0, closed, rename(temporary, path) == 0 else {
      let text = Files.errorText(failure != 0 ? failure : errno)
      unlink(temporary)
      throw InputError("cannot write: \(text)", file: path)
    }
  }
}
