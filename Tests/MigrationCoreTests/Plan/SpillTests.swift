import Foundation
import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// The planner keeps volumes and claims in its spill and renders a batch of groups at a time:
/// the plan must not depend on how the batches fall.
@Suite struct SpillTests {
  static func planner(paths: [String]) throws -> Planner {
    var planner = Planner(options: PlanOptions(inputs: paths))
    for path in paths {
      let reader = try ObjectReader(source: try InputSource(path: path))
      while let tree = try reader.next() {
        var decoder = Decoder(tree: tree, input: 0)
        try planner.add(try decoder.decode(), tree: tree)
      }
    }
    return planner
  }

  static func files(_ plan: Plan) throws -> [String: String] {
    var files: [String: String] = [:]
    try PlanDirectory.render(plan) { path, _, content in
      var text = ""
      try content { text += $0 }
      files[path] = text
    }
    return files
  }

  @Test func batchesOfOneGroupWriteTheSameFilesAsOneBatch() throws {
    var planner = try Self.planner(paths: [fixture("demo/cluster.yaml").path])
    var plan = try planner.plan()
    plan.batchVolumes = 1
    #expect(plan.groupBatches().count == plan.groups.count)
    let small = try Self.files(plan)
    plan.batchVolumes = 1 << 30
    #expect(plan.groupBatches().count == 1)
    let whole = try Self.files(plan)
    #expect(small.keys.sorted() == whole.keys.sorted())
    for (path, text) in whole { #expect(small[path] == text, "\(path) differs") }
    // The plan with its volumes in memory writes the same files too.
    #expect(try Self.files(try plan.withVolumesLoaded()) == whole)
  }

  /// 700 volumes: the spill is read back in several runs of records.
  @Test func volumesReadBackInRunsAreTheVolumesDecided() throws {
    var yaml = "apiVersion: v1\nkind: List\nitems:\n"
    for n in (0..<700).reversed() {
      yaml += """
        - apiVersion: v1
          kind: PersistentVolume
          metadata:
            name: pv-\(n)
            uid: uid-\(n)
          spec:
            accessModes:
            - ReadWriteOnce
            azureDisk:
              diskName: disk-\(n)
              diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/disk-\(n)
              kind: Managed
            capacity:
              storage: 10Gi
            persistentVolumeReclaimPolicy: \(n % 3 == 0 ? "Delete" : "Retain")

        """
    }
    var planner = try Self.planner(paths: [try temporaryFile(yaml)])
    let plan = try planner.plan()
    let all = try plan.volumes.all()
    #expect(all.map(\.name) == (0..<700).map { "pv-\($0)" }.sorted())
    #expect(all.allSatisfy { $0.action == .migrate && $0.handle.hasSuffix("/disks/disk-\($0.name.dropFirst(3))") })
    for i in [0, 255, 256, 257, 511, 699] {
      let v = try plan.volumes.load(i)
      #expect(v.name == plan.volumes.name(i) && v.name == all[i].name && v.pv.uid == all[i].pv.uid)
      #expect(v.group == plan.volumes.group(i))
    }
    var seen: [Int] = []
    try plan.volumes.forEach(where: { $0 % 7 == 3 }) { i, v in
      seen.append(i)
      #expect(v.name == all[i].name)
    }
    #expect(seen == Array(stride(from: 3, to: 700, by: 7)))
    #expect(plan.volumes.count(.migrate) == 700)
    seen = []
    try plan.volumes.forEachSummary(where: { $0 % 5 == 1 }) { i, s in
      seen.append(i)
      #expect(s.name == all[i].name && s.uid == all[i].pv.uid && s.handle == all[i].handle)
      #expect(s.reclaimPolicy == all[i].pv.reclaimPolicy && s.action == .migrate)
    }
    #expect(seen == Array(stride(from: 1, to: 700, by: 5)))
    // plan.json's volume entries and identity checks are rendered a run of volumes at a time
    // on two threads: every volume once, in order, the checks numbered without a gap.
    let json = try #require(try Self.files(plan)[PlanPaths.planJSON])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let volumes = try #require(object["volumes"] as? [[String: Any]])
    #expect(volumes.compactMap { $0["name"] as? String } == all.map(\.name))
    let checks = try #require(object["steps"] as? [[String: Any]]).filter { $0["action"] as? String == "check-volume" }
    #expect(checks.compactMap { $0["id"] as? String } == (1...700).map { "P.\($0)" })
    #expect(checks.compactMap { $0["volume"] as? String } == all.map(\.name))
  }

  /// The summaries read from the beginning of each record are the volumes' own fields, the
  /// action included (blocked volumes, volumes blocked by checks across volumes).
  @Test func summariesAreTheFieldsOfTheWholeVolumes() throws {
    var planner = try Self.planner(paths: [fixture("demo/cluster.yaml").path])
    let plan = try planner.plan()
    var summaries: [VolumeSummary] = []
    try plan.volumes.forEachSummary(where: { _ in true }) { summaries.append($1) }
    let whole = try plan.volumes.all()
    #expect(summaries == whole.map(VolumeSummary.init))
    #expect(Set(whole.map(\.action)) == [.migrate, .blocked])
  }
}
