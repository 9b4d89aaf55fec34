import MigrationCore
import Testing
import TestSupport

/// --fail-on, --ignore, the baseline and fleet verdicts, on the classifier's real findings.
@Suite struct GateTests {
  /// An in-tree disk (migrate from 1.26), a Delete policy (warning) and an unmanaged disk (blocker).
  let mixed = CheckSamples.list(
    CheckSamples.diskPV("pv-a", policy: "Delete")
      + CheckSamples.diskPV("pv-blob", kind: "Shared", uri: "https://acct.blob.core.windows.net/vhds/b.vhd"))
  let onlyInTree = CheckSamples.list(CheckSamples.diskPV("pv-a"))
  let onlyWarning = CheckSamples.list(CheckSamples.csiPV("pv-c", driver: "disk.csi.azure.com"))
    .replacingOccurrences(of: "persistentVolumeReclaimPolicy: Retain", with: "persistentVolumeReclaimPolicy: Retain\n  status:\n    phase: Released")

  func report(_ texts: [String], _ options: CheckOptions) throws -> CheckReport {
    let inventories = try texts.enumerated().map { n, text in
      try scan(path: try temporaryFile(text, name: "cluster-\(n).yaml"), input: n, name: "cluster-\(n).yaml")
    }
    return CheckReport(scan: ScanReport(inventories: inventories), options: options)
  }

  @Test func exitCodesFollowTheWorstFailingSeverity() throws {
    let v127 = KubeVersion(1, 27)
    #expect(try report([mixed], CheckOptions(target: v127)).exitCode == 4)
    #expect(try report([onlyInTree], CheckOptions(target: v127)).exitCode == 3)
    #expect(try report([onlyWarning], CheckOptions(target: v127)).exitCode == 0)
    #expect(try report([onlyInTree], CheckOptions(target: KubeVersion(1, 25))).exitCode == 0)
  }

  @Test func failOn() throws {
    let v127 = KubeVersion(1, 27)
    #expect(try report([onlyInTree], CheckOptions(target: v127, failOn: .blocker)).exitCode == 0)
    #expect(try report([mixed], CheckOptions(target: v127, failOn: .blocker)).exitCode == 4)
    #expect(try report([onlyWarning], CheckOptions(target: v127, failOn: .warning)).exitCode == 3)
    #expect(try report([onlyWarning], CheckOptions(target: v127, failOn: .migrate)).exitCode == 0)
    // Info never fails, whatever --fail-on says.
    let belowThreshold = try report([onlyInTree], CheckOptions(target: KubeVersion(1, 25), failOn: .warning))
    #expect(belowThreshold.exitCode == 0)
    #expect(belowThreshold.findings.allSatisfy { $0.severity == .info && !$0.failing })
  }

  @Test func ignoreDropsARule() throws {
    let v127 = KubeVersion(1, 27)
    let ignored = try report([mixed], CheckOptions(target: v127, ignored: [.unmanagedDisk]))
    #expect(ignored.exitCode == 3)
    #expect(ignored.inputs[0].ignored == 1)
    #expect(!ignored.findings.contains { $0.finding.rule == .unmanagedDisk })
    let all = try report([mixed], CheckOptions(target: v127, ignored: [.unmanagedDisk, .inTreeVolume]))
    #expect(all.exitCode == 0)
  }

  @Test func baselineSuppressesKnownFindingsOnly() throws {
    let v127 = KubeVersion(1, 27)
    let first = try report([onlyInTree], CheckOptions(target: v127))
    let baseline = first.currentBaseline
    #expect(!baseline.fingerprints.isEmpty)

    // A fresh dump of the same cluster, with the object at another line: still matched.
    let redump = CheckSamples.list(CheckSamples.csiPV("pv-new-csi", driver: "disk.csi.azure.com") + CheckSamples.diskPV("pv-a"))
    let second = try report([redump], CheckOptions(target: v127, baseline: baseline))
    #expect(second.exitCode == 0)
    #expect(second.findings.filter(\.baselined).count == baseline.fingerprints.count)
    #expect(second.unmatchedBaseline == 0)

    // A new in-tree volume is not in the baseline and fails the gate.
    let grown = CheckSamples.list(CheckSamples.diskPV("pv-a") + CheckSamples.diskPV("pv-b"))
    let third = try report([grown], CheckOptions(target: v127, baseline: baseline))
    #expect(third.exitCode == 3)
    #expect(third.findings.filter(\.failing).map(\.finding.object.name) == ["pv-b"])

    // Migrated since: the entry no longer matches and is counted.
    let migrated = CheckSamples.list(CheckSamples.csiPV("pv-a", driver: "disk.csi.azure.com"))
    let fourth = try report([migrated], CheckOptions(target: v127, baseline: baseline))
    #expect(fourth.exitCode == 0)
    #expect(fourth.unmatchedBaseline == baseline.fingerprints.count)
  }

  @Test func baselineFileIsDeterministicAndRoundTrips() throws {
    let r = try report([mixed, onlyInTree], CheckOptions(target: KubeVersion(1, 27)))
    let baseline = r.currentBaseline
    let json = baseline.json
    #expect(json == Baseline(Array(baseline.fingerprints).reversed()).json)
    #expect(!json.contains("\"line\"") && !json.contains("\"column\""))
    let trees = try readObjects(json, name: "baseline.json")
    #expect(trees.count == 1)
    let read = try Baseline(tree: trees[0])
    #expect(read == baseline)
    #expect(json.contains("\"kind\": \"Baseline\""))
    #expect(json.contains("\"apiVersion\": \"csi-migrate/v1\""))
  }

  @Test func malformedBaselinesAreRejected() throws {
    for text in ["{}", "{\"apiVersion\": \"csi-migrate/v1\", \"kind\": \"ScanReport\"}",
                 "{\"apiVersion\": \"csi-migrate/v1\", \"kind\": \"Baseline\", \"findings\": [{\"rule\": \"x\"}]}",
                 "{\"apiVersion\": \"csi-migrate/v1\", \"kind\": \"Baseline\", \"findings\": 3}"] {
      let tree = try #require(try readObjects(text, name: "b.json").first)
      #expect(throws: BaselineError.self) { try Baseline(tree: tree) }
    }
  }

  @Test func fleetGivesAVerdictPerClusterAndTheWorstOverall() throws {
    let r = try report([onlyWarning, mixed, onlyInTree], CheckOptions(target: KubeVersion(1, 27)))
    #expect(r.inputs.map(\.verdict) == [.pass, .blocked, .mustMigrate])
    #expect(r.exitCode == 4)
    // Baselines are per input name: the same object in another cluster is not suppressed.
    let b = try report([onlyInTree], CheckOptions(target: KubeVersion(1, 27))).currentBaseline
    let other = try report([onlyWarning, onlyInTree], CheckOptions(target: KubeVersion(1, 27), baseline: b))
    #expect(other.inputs[1].verdict == .mustMigrate)
  }

  @Test func emptyClusterPasses() throws {
    let r = try report([CheckSamples.list("")].map { $0.replacingOccurrences(of: "items:\n", with: "items: []\n") },
      CheckOptions(target: KubeVersion(1, 30)))
    #expect(r.exitCode == 0)
    let table = CheckRenderer(toolVersion: "test").render(r, as: .table)
    #expect(table.contains("0 volumes scanned"))
    #expect(table.contains("PASS"))
  }
}

