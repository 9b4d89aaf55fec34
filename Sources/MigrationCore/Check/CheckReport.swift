/// What `check` decides for one input (one cluster), and the exit code it maps to.
public enum Verdict: String, Sendable, Comparable, CaseIterable {
  case pass
  case mustMigrate = "must-migrate"
  case blocked

  /// The exit codes of DESIGN.md.
  public var exitCode: Int32 {
    switch self {
    case .pass: 0
    case .mustMigrate: 3
    case .blocked: 4
    }
  }

  public static func < (a: Verdict, b: Verdict) -> Bool { a.exitCode < b.exitCode }
}

/// The knobs of the gate.
public struct CheckOptions: Sendable {
  public var target: KubeVersion
  /// The lowest severity that fails the gate: `.blocker`, `.migrate` (default) or `.warning`.
  public var failOn: Severity
  /// Rules whose findings are dropped before the verdict.
  public var ignored: Set<Rule>
  public var baseline: Baseline?

  public init(target: KubeVersion, failOn: Severity = .migrate, ignored: Set<Rule> = [], baseline: Baseline? = nil) {
    self.target = target
    self.failOn = failOn
    self.ignored = ignored
    self.baseline = baseline
  }
}

/// A scan finding judged against the target version.
public struct CheckedFinding: Sendable {
  public var finding: Finding
  public var evaluation: Policy.Evaluation
  public var fingerprint: Baseline.Fingerprint
  /// Listed in the baseline: reported, never failing.
  public var baselined: Bool
  /// Fails the gate: severity at or above `--fail-on` and not baselined.
  public var failing: Bool

  public var severity: Severity { evaluation.severity }

  /// Why the finding has its severity for the target, in one line; nil for a rule that does
  /// not depend on the version (its message says it all).
  public func policyNote(target: KubeVersion) -> String? {
    var note: String
    if let stage = evaluation.stage {
      if stage.since == nil && evaluation.upcoming == nil { return nil }
      let since = evaluation.since.map { " (since \($0))" } ?? ""
      note = "\(stage.severity.rawValue) for \(target)\(since): \(stage.why)"
      if let next = evaluation.upcoming, let at = next.since {
        note += "; becomes \(next.severity.rawValue) at \(at)"
      }
    } else if let next = evaluation.upcoming, let at = next.since {
      note = "not due for \(target): becomes \(next.severity.rawValue) at \(at): \(next.why)"
    } else {
      note = "info for \(target)"
    }
    return note
  }

  /// The source of the deciding (or upcoming) stage.
  public var policySource: String? { (evaluation.stage ?? evaluation.upcoming)?.source }
}

/// One input's findings and verdict.
public struct CheckedInput: Sendable {
  public var inventory: Inventory
  public var findings: [CheckedFinding]
  /// Findings dropped by `--ignore`.
  public var ignored: Int
  public var verdict: Verdict

  public var name: String { inventory.name }

  public func count(_ severity: Severity, baselined: Bool = false) -> Int {
    findings.lazy.filter { $0.severity == severity && $0.baselined == baselined }.count
  }
  public var failing: Int { findings.lazy.filter(\.failing).count }
  public var baselined: Int { findings.lazy.filter(\.baselined).count }
}

/// The result of `check`: the scan inventory judged against a target version, per input.
public struct CheckReport: Sendable {
  public var scan: ScanReport
  public var options: CheckOptions
  public var inputs: [CheckedInput]
  /// Baseline entries that matched no finding (fixed since, or a different input name).
  public var unmatchedBaseline: Int

  public var target: KubeVersion { options.target }

  /// The worst verdict over all inputs; its exit code is the command's.
  public var verdict: Verdict { inputs.map(\.verdict).max() ?? .pass }
  public var exitCode: Int32 { verdict.exitCode }

  public var findings: [CheckedFinding] { inputs.flatMap(\.findings) }

  /// Judges every finding of `scan`; does not re-classify anything.
  public init(scan: ScanReport, options: CheckOptions) {
    self.scan = scan
    self.options = options
    var matched: Set<Baseline.Fingerprint> = []
    inputs = scan.inventories.map { inventory in
      var checked: [CheckedFinding] = []
      var ignored = 0
      for finding in inventory.findings {
        if options.ignored.contains(finding.rule) {
          ignored += 1
          continue
        }
        let evaluation = Policy.evaluate(finding, target: options.target)
        let fingerprint = Baseline.Fingerprint(finding, input: inventory.name)
        let baselined = options.baseline?.contains(fingerprint) ?? false
        if baselined { matched.insert(fingerprint) }
        let failing = !baselined && evaluation.severity >= options.failOn && evaluation.severity > .info
        checked.append(
          CheckedFinding(
            finding: finding, evaluation: evaluation, fingerprint: fingerprint, baselined: baselined, failing: failing))
      }
      let failing = checked.filter(\.failing)
      let verdict: Verdict =
        failing.contains { $0.severity == .blocker } ? .blocked : failing.isEmpty ? .pass : .mustMigrate
      return CheckedInput(inventory: inventory, findings: checked, ignored: ignored, verdict: verdict)
    }
    unmatchedBaseline = (options.baseline?.fingerprints.count ?? 0) - matched.count
  }

  /// A baseline of every finding reported now (ignored rules excluded).
  public var currentBaseline: Baseline {
    Baseline(findings.map(\.fingerprint))
  }
}
