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

  /// Whether a finding of `severity` fails the gate: at or above `failOn`, above info, and not baselined.
  public func fails(_ severity: Severity, baselined: Bool) -> Bool {
    !baselined && severity >= failOn && severity > .info
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

/// How many findings were judged, by severity and standing.
public struct CheckTally: Sendable {
  /// By severity rank; baselined findings 4 places further.
  private var counts = [Int](repeating: 0, count: 8)
  public private(set) var failing = 0
  public private(set) var failingBlockers = 0
  /// Findings dropped by `--ignore`.
  public internal(set) var ignored = 0

  public init() {}

  mutating func add(_ c: CheckedFinding) {
    counts[c.severity.rank + (c.baselined ? 4 : 0)] += 1
    if c.failing {
      failing += 1
      if c.severity == .blocker { failingBlockers += 1 }
    }
  }

  public func count(_ severity: Severity, baselined: Bool = false) -> Int {
    counts[severity.rank + (baselined ? 4 : 0)]
  }
  public var baselined: Int { counts[4...].reduce(0, +) }
  /// Every finding judged (ignored ones excluded).
  public var total: Int { counts.reduce(0, +) }

  public static func + (a: CheckTally, b: CheckTally) -> CheckTally {
    var sum = a
    for i in sum.counts.indices { sum.counts[i] += b.counts[i] }
    sum.failing += b.failing
    sum.failingBlockers += b.failingBlockers
    sum.ignored += b.ignored
    return sum
  }
}

/// One input's verdict and finding counts; its findings stay in its inventory.
public struct CheckedInput: Sendable {
  public var inventory: Inventory
  public var tally: CheckTally
  public var verdict: Verdict

  public var name: String { inventory.name }

  /// Findings dropped by `--ignore`.
  public var ignored: Int { tally.ignored }
  public func count(_ severity: Severity, baselined: Bool = false) -> Int { tally.count(severity, baselined: baselined) }
  public var failing: Int { tally.failing }
  public var baselined: Int { tally.baselined }
}

/// The result of `check`: the scan inventory judged against a target version, per input.
///
/// Findings are not copied: the report keeps counts, and judges a finding again each time it is
/// read (`findings`), so that a report costs no more memory than the scan.
public struct CheckReport: Sendable {
  public let scan: ScanReport
  public let options: CheckOptions
  public let inputs: [CheckedInput]
  /// Baseline entries that matched no finding (fixed since, or a different input name).
  public let unmatchedBaseline: Int
  /// Every input's counts together.
  public let tally: CheckTally
  let judge: Judge

  public var target: KubeVersion { options.target }

  /// The worst verdict over all inputs; its exit code is the command's.
  public var verdict: Verdict { inputs.map(\.verdict).max() ?? .pass }
  public var exitCode: Int32 { verdict.exitCode }

  /// Every input's findings, judged as they are read.
  public var findings: CheckedFindings { CheckedFindings(report: self, inputs: inputs.indices) }

  /// One input's findings, judged as they are read.
  public func findings(of input: Int) -> CheckedFindings { CheckedFindings(report: self, inputs: input..<input + 1) }

  /// Judges every finding of `scan` (counting, keeping none); does not re-classify anything.
  public init(scan: ScanReport, options: CheckOptions) {
    self.scan = scan
    self.options = options
    judge = Judge(options)
    var matched: Set<Baseline.Fingerprint> = []
    var inputs: [CheckedInput] = []
    for inventory in scan.inventories {
      var tally = CheckTally()
      for finding in inventory.findings {
        guard let c = judge(finding, input: inventory.name) else {
          tally.ignored += 1
          continue
        }
        if c.baselined { matched.insert(c.fingerprint) }
        tally.add(c)
      }
      let verdict: Verdict = tally.failingBlockers > 0 ? .blocked : tally.failing > 0 ? .mustMigrate : .pass
      inputs.append(CheckedInput(inventory: inventory, tally: tally, verdict: verdict))
    }
    self.inputs = inputs
    tally = inputs.reduce(CheckTally()) { $0 + $1.tally }
    unmatchedBaseline = (options.baseline?.fingerprints.count ?? 0) - matched.count
  }

  /// Judges findings for the options, looking each rule's standing up in a table made once.
  struct Judge: Sendable {
    let options: CheckOptions
    /// By rule (ignored rules absent), then by storage: none, disk, file.
    let evaluations: [Rule: [Policy.Evaluation]]

    init(_ options: CheckOptions) {
      self.options = options
      var evaluations: [Rule: [Policy.Evaluation]] = [:]
      for rule in Rule.allCases where !options.ignored.contains(rule) {
        evaluations[rule] = [nil, StorageKind.disk, .file].map {
          Policy.evaluate(rule: rule, storage: $0, target: options.target)
        }
      }
      self.evaluations = evaluations
    }

    /// `finding` of input `input` judged; nil when its rule is ignored, or when it is not of
    /// `severity` (when given), which is known before anything that costs more.
    func callAsFunction(_ finding: Finding, input: String, severity: Severity? = nil) -> CheckedFinding? {
      guard let byStorage = evaluations[finding.rule] else { return nil }
      let evaluation = byStorage[finding.storage.map { $0 == .disk ? 1 : 2 } ?? 0]
      if let severity, evaluation.severity != severity { return nil }
      let fingerprint = Baseline.Fingerprint(finding, input: input)
      let baselined = options.baseline?.contains(fingerprint) ?? false
      return CheckedFinding(
        finding: finding, evaluation: evaluation, fingerprint: fingerprint, baselined: baselined,
        failing: options.fails(evaluation.severity, baselined: baselined))
    }
  }

  /// A baseline of every finding reported now (ignored rules excluded).
  public var currentBaseline: Baseline {
    Baseline(findings.lazy.map(\.fingerprint))
  }
}

/// Findings of one or more inputs judged one at a time, in scan order; ignored rules left out.
public struct CheckedFindings: Sequence {
  let report: CheckReport
  let inputs: Range<Int>
  /// Only findings of this severity.
  var severity: Severity?
  /// Only findings listed in the baseline (true) or not listed (false).
  var baselined: Bool?

  /// Their counts.
  public var tally: CheckTally { report.inputs[inputs].reduce(CheckTally()) { $0 + $1.tally } }

  /// Only the findings of `severity` that are, or are not, `baselined`.
  public func only(_ severity: Severity, baselined: Bool) -> CheckedFindings {
    var only = self
    only.severity = severity
    only.baselined = baselined
    return only
  }

  public struct Iterator: IteratorProtocol {
    let findings: CheckedFindings
    var input: Int
    var index = 0

    public mutating func next() -> CheckedFinding? {
      let report = findings.report
      while input < findings.inputs.upperBound {
        let inventory = report.inputs[input].inventory
        while index < inventory.findings.count {
          let finding = inventory.findings[index]
          index += 1
          guard let c = report.judge(finding, input: inventory.name, severity: findings.severity) else { continue }
          if let baselined = findings.baselined, c.baselined != baselined { continue }
          return c
        }
        input += 1
        index = 0
      }
      return nil
    }
  }

  public func makeIterator() -> Iterator { Iterator(findings: self, input: inputs.lowerBound) }
}
