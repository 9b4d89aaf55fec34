import MigrationCore
import Testing
import TestSupport

/// The policy matrix: every rule, at the version just below each of its thresholds and at it,
/// judged on a real scan of a dump that triggers it (so the classifier's storage kind is used).
@Suite struct PolicyTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var rule: Rule
    var storage: StorageKind?
    /// nil: the rule does not depend on the version.
    var threshold: KubeVersion?
    var severity: Severity
    var testDescription: String {
      "\(rule.rawValue)/\(storage?.rawValue ?? "any") \(threshold.map { "at \($0)" } ?? "always") → \(severity.rawValue)"
    }
  }

  /// The thresholds of the README table, written out by hand (not derived from `Policy`).
  static let matrix: [Case] = [
    Case(rule: .deprecatedZoneLabel, storage: .disk, threshold: KubeVersion(1, 26), severity: .blocker),
    Case(rule: .deprecatedZoneLabel, storage: .file, threshold: KubeVersion(1, 28), severity: .blocker),
    Case(rule: .deprecatedZoneLabel, storage: nil, threshold: KubeVersion(1, 28), severity: .blocker),
    Case(rule: .inTreeVolume, storage: .disk, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .inTreeVolume, storage: .file, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .inTreeStorageClass, storage: .disk, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .inTreeStorageClass, storage: .file, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .inlineInTreeVolume, storage: .disk, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .inlineInTreeVolume, storage: .file, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .statefulSetInTreeClass, storage: .disk, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .statefulSetInTreeClass, storage: .file, threshold: KubeVersion(1, 26), severity: .migrate),
    Case(rule: .unmanagedDisk, storage: .disk, threshold: KubeVersion(1, 21), severity: .blocker),
    Case(rule: .unmanagedDiskStorageClass, storage: .disk, threshold: KubeVersion(1, 21), severity: .blocker),
    Case(rule: .fileSecretNamespaceUnknown, storage: .file, threshold: KubeVersion(1, 21), severity: .blocker),
    Case(rule: .storageClassTopologyConflict, storage: .disk, threshold: KubeVersion(1, 21), severity: .blocker),
    Case(rule: .deleteReclaimPolicy, storage: .disk, threshold: nil, severity: .warning),
    Case(rule: .cachingModeReadWrite, storage: .disk, threshold: nil, severity: .warning),
    Case(rule: .releasedOrFailedVolume, storage: .disk, threshold: nil, severity: .warning),
    Case(rule: .invalidField, storage: nil, threshold: nil, severity: .warning),
    Case(rule: .secretInInput, storage: nil, threshold: nil, severity: .info),
  ]

  @Test func matrixCoversEveryRuleAndEveryThreshold() {
    #expect(Set(Self.matrix.map(\.rule)) == Set(Rule.allCases))
    for rule in Rule.allCases {
      for (since, storage) in Policy.thresholds(for: rule) where !(since.minor == 27 || since.minor == 30) {
        // 1.27 and 1.30 are the upstream removals: same severity as AKS's 1.26, reason only.
        let covered = Self.matrix.contains { $0.rule == rule && $0.threshold == since && ($0.storage == storage || storage == nil) }
        #expect(covered, "\(rule.rawValue) threshold \(since) (\(storage?.rawValue ?? "any")) not in the matrix")
      }
    }
  }

  func findings(_ c: Case) throws -> [Finding] {
    let inventory = try scan(CheckSamples.dump(for: c.rule, storage: c.storage))
    let found = inventory.findings.filter { $0.rule == c.rule }
    #expect(!found.isEmpty, "the sample dump does not trigger \(c.rule.rawValue)")
    for f in found { #expect(f.storage == c.storage, "\(c.rule.rawValue) finding has storage \(String(describing: f.storage))") }
    return found
  }

  func verdict(_ c: Case, at target: KubeVersion) throws -> (Severity, Verdict) {
    let inventory = try scan(CheckSamples.dump(for: c.rule, storage: c.storage))
    let report = CheckReport(
      scan: ScanReport(inventories: [inventory]),
      options: CheckOptions(target: target, failOn: .warning, ignored: Set(Rule.allCases).subtracting([c.rule])))
    let severities = report.findings.map(\.severity)
    return (severities.max() ?? .info, report.verdict)
  }

  static func expectedVerdict(_ severity: Severity) -> Verdict {
    switch severity {
    case .blocker: .blocked
    case .migrate, .warning: .mustMigrate  // --fail-on warning in these tests
    case .info: .pass
    }
  }

  @Test(arguments: matrix) func justBelowAndAtThreshold(_ c: Case) throws {
    _ = try findings(c)
    if let threshold = c.threshold {
      let (below, belowVerdict) = try verdict(c, at: threshold.previous)
      #expect(below < c.severity, "\(c.rule.rawValue) at \(threshold.previous) is \(below.rawValue)")
      let (at, atVerdict) = try verdict(c, at: threshold)
      #expect(at == c.severity, "\(c.rule.rawValue) at \(threshold) is \(at.rawValue)")
      #expect(atVerdict == Self.expectedVerdict(c.severity))
      #expect(belowVerdict != atVerdict || c.severity == .info)
      // And it stays so at every later version.
      let (later, _) = try verdict(c, at: KubeVersion(1, 35))
      #expect(later == c.severity)
    } else {
      for minor in [18, 25, 26, 28, 35] {
        let (severity, v) = try verdict(c, at: KubeVersion(1, minor))
        #expect(severity == c.severity)
        #expect(v == Self.expectedVerdict(c.severity))
      }
    }
  }

  @Test func belowThresholdSaysWhenItBecomesSerious() throws {
    let inventory = try scan(CheckSamples.dump(for: .deprecatedZoneLabel, storage: .file))
    let report = CheckReport(scan: ScanReport(inventories: [inventory]), options: CheckOptions(target: KubeVersion(1, 27)))
    let f = try #require(report.findings.first { $0.finding.rule == .deprecatedZoneLabel })
    #expect(f.severity == .info)
    #expect(f.evaluation.upcoming?.since == KubeVersion(1, 28))
    #expect(f.policyNote(target: KubeVersion(1, 27))?.contains("becomes blocker at 1.28") == true)
    #expect(report.verdict == .pass)
  }

  @Test func upstreamRemovalsSharpenTheReasonNotTheThreshold() {
    let disk127 = Policy.evaluate(rule: .inTreeVolume, storage: .disk, target: KubeVersion(1, 27))
    #expect(disk127.severity == .migrate)
    #expect(disk127.since == KubeVersion(1, 26))
    #expect(disk127.stage?.since == KubeVersion(1, 27))
    #expect(disk127.stage?.why.contains("removed upstream in 1.27") == true)
    let file129 = Policy.evaluate(rule: .inTreeVolume, storage: .file, target: KubeVersion(1, 29))
    #expect(file129.stage?.since == KubeVersion(1, 26))
    let file130 = Policy.evaluate(rule: .inTreeVolume, storage: .file, target: KubeVersion(1, 30))
    #expect(file130.stage?.why.contains("removed upstream in 1.30") == true)
    #expect(file130.since == KubeVersion(1, 26))
  }

  @Test func everyStageCitesASource() {
    for rule in Rule.allCases {
      let stages = Policy.stages(for: rule)
      #expect(!stages.isEmpty)
      for stage in stages {
        #expect(!stage.source.isEmpty && !stage.why.isEmpty)
      }
    }
  }

  @Test(arguments: [
    ("1.26", KubeVersion(1, 26)), ("v1.26", KubeVersion(1, 26)), ("1.26.3", KubeVersion(1, 26)),
    ("V1.30.0", KubeVersion(1, 30)), ("1.9", KubeVersion(1, 9)),
  ])
  func parsesTargetVersions(_ text: String, _ expected: KubeVersion) {
    #expect(KubeVersion(parsing: text) == expected)
  }

  @Test(arguments: ["", "1", "v", "1.", ".26", "1.26.", "1.26.3.4", "2.0", "1.x", "latest", "1.26-rc1", " 1.26", "1.-1", "１.２６"])
  func rejectsGarbageVersions(_ text: String) {
    #expect(KubeVersion(parsing: text) == nil)
  }
}
