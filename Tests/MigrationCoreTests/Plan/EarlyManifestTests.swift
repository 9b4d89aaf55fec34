import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Manifests written while the input is read (`Planner.writeManifestsAhead`), once workloads
/// come after the volumes: with those `plan()` renders, they are the manifests of a plan made
/// without them, whatever comes after.
@Suite struct EarlyManifestTests {
  /// Adds each object of `yaml` to `planner`; after each workload, writes manifests ahead
  /// until there are none left to write (or only `limit` runs of them).
  static func read(_ path: String, into planner: inout Planner, early: inout [String: String], limit: Int = .max) throws {
    let reader = try ObjectReader(source: try InputSource(path: path))
    var runs = 0
    while let tree = try reader.next() {
      var decoder = Decoder(tree: tree, input: 0)
      let object = try decoder.decode()
      try planner.add(object, tree: tree)
      guard case .workload = object else { continue }
      while runs < limit, try planner.writeManifestsAhead({ path, bytes in early[path] = String(decoding: bytes, as: UTF8.self) }) {
        runs += 1
      }
    }
  }

  /// The files of `plan` (manifests among them) with the manifests written ahead, less those
  /// the plan does not want.
  /// (`rewrites`: whether the plan may write them again, as it does once they are void.)
  static func files(_ plan: Plan, _ planner: Planner, early: [String: String], rewrites: Bool = false) throws -> [String: String] {
    var files = early
    for path in planner.unwantedManifests { files[path] = nil }
    for (path, text) in try SpillTests.files(plan) {
      #expect(rewrites || files[path] == nil, "\(path) written twice")
      files[path] = text
    }
    return files
  }

  static func plain(_ path: String) throws -> [String: String] {
    var planner = Planner()
    var none: [String: String] = [:]
    try read(path, into: &planner, early: &none, limit: 0)
    return try SpillTests.files(try planner.plan())
  }

  static let disk = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/"

  /// 40 disks, their claims, and a pod of each tenth; `pv-07` and `pv-33` share a disk (both
  /// blocked by the check across volumes, after their manifests were written ahead).
  static func volumes() -> String {
    (0..<40).map { n -> String in
      let name = String(format: "pv-%02d", n)
      return CheckSamples.diskPV(name, extra: CheckSamples.claimRef("apps", "data-\(n)"), uri: disk + (n == 7 || n == 33 ? "shared" : name))
    }.joined()
      + (0..<40).map { CheckSamples.claim("data-\($0)", namespace: "apps", volumeName: String(format: "pv-%02d", $0)) }.joined()
  }

  static func pods(_ range: some Sequence<Int>) -> String {
    range.map { n in
      """
        - apiVersion: v1
          kind: Pod
          metadata:
            name: pod-\(n)
            namespace: apps
          spec:
            volumes:
            - name: data
              persistentVolumeClaim:
                claimName: data-\(n)

        """
    }.joined()
  }

  @Test func manifestsWrittenAheadAreThoseOfThePlan() throws {
    let yaml = try temporaryFile(CheckSamples.list(Self.volumes() + Self.pods(stride(from: 0, to: 40, by: 10))))
    var planner = Planner()
    var early: [String: String] = [:]
    try Self.read(yaml, into: &planner, early: &early)
    let plan = try planner.plan()
    #expect(early.count == 80, "every volume's PV and claim, before the plan")
    #expect(Set(planner.unwantedManifests) == [
      PlanPaths.persistentVolume("pv-07"), PlanPaths.persistentVolume("pv-33"),
      PlanPaths.claim(ClaimKey(namespace: "apps", name: "data-7")), PlanPaths.claim(ClaimKey(namespace: "apps", name: "data-33")),
    ])
    let files = try Self.files(plan, planner, early: early)
    #expect(files == (try Self.plain(yaml)))
    #expect(files[PlanPaths.persistentVolume("pv-07")] == nil && files[PlanPaths.persistentVolume("pv-08")] != nil)
  }

  /// A class read after the manifests began changes what volumes become (here the class
  /// their manifests name): those written stay only where the plan writes them again.
  @Test func aClassReadAfterwardsVoidsThem() throws {
    // Not in the input at first: AKS's built-in, replaced by managed-csi-premium; once read
    // (without AKS's labels), a class of the cluster's own, replaced by a new one.
    let volumes = (0..<10).map { n in
      CheckSamples.diskPV(String(format: "pv-%02d", n), extra: "    storageClassName: managed-premium")
    }.joined()
    let cls = CheckSamples.storageClass("managed-premium", provisioner: "kubernetes.io/azure-disk", parameters: "  parameters:\n    skuname: Premium_LRS")
    let yaml = try temporaryFile(CheckSamples.list(volumes + Self.pods(0..<1) + cls + Self.pods(1..<2)))
    var planner = Planner()
    var early: [String: String] = [:]
    try Self.read(yaml, into: &planner, early: &early)
    #expect(early.count == 10)
    let plan = try planner.plan()
    #expect(plan.volumes.count(.migrate) == 10)
    let files = try Self.files(plan, planner, early: early, rewrites: true)
    let plain = try Self.plain(yaml)
    #expect(files.keys.sorted() == plain.keys.sorted())
    for (path, text) in plain { #expect(files[path] == text, "\(path)") }
    let path = PlanPaths.persistentVolume("pv-00")
    #expect(early[path]?.contains("storageClassName: managed-csi-premium") == true)
    #expect(files[path] != early[path], "written again with the class the plan makes")
  }

  /// A volume read after them: the same.
  @Test func aVolumeReadAfterwardsVoidsThem() throws {
    let yaml = try temporaryFile(
      CheckSamples.list(Self.volumes() + Self.pods(0..<1) + CheckSamples.diskPV("pv-late", uri: Self.disk + "pv-05") + Self.pods(1..<2)))
    var planner = Planner()
    var early: [String: String] = [:]
    try Self.read(yaml, into: &planner, early: &early)
    #expect(early[PlanPaths.persistentVolume("pv-05")] != nil)
    let plan = try planner.plan()
    #expect(planner.unwantedManifests.contains(PlanPaths.persistentVolume("pv-05")), "pv-late shares its disk: blocked")
    #expect(try Self.files(plan, planner, early: early, rewrites: true) == (try Self.plain(yaml)))
  }

  /// A volume blocked for its disk (a CSI volume has it) can name the claim of a volume that
  /// migrates: its manifests go, and the claim's manifest is written again for the other.
  @Test func aClaimSharedWithABlockedVolumeIsWrittenAgain() throws {
    let yaml = try temporaryFile(CheckSamples.list(
      CheckSamples.diskPV("pv-a", extra: CheckSamples.claimRef("apps", "shared"))
        + CheckSamples.diskPV("pv-b", extra: CheckSamples.claimRef("apps", "shared"))
        + CheckSamples.csiPV("csi-taken", driver: "disk.csi.azure.com", handle: Self.disk + "pv-a")
        + CheckSamples.claim("shared", namespace: "apps") + Self.pods(0..<2)))
    var planner = Planner()
    var early: [String: String] = [:]
    try Self.read(yaml, into: &planner, early: &early)
    let plan = try planner.plan()
    let claim = PlanPaths.claim(ClaimKey(namespace: "apps", name: "shared"))
    #expect(early[claim] != nil && planner.unwantedManifests.contains(claim))
    #expect(plan.volumes.count(.migrate) == 1)
    let files = try Self.files(plan, planner, early: early, rewrites: true)
    #expect(files[claim]?.contains("volumeName: pv-b") == true)
    #expect(files == (try Self.plain(yaml)))
  }

  /// The demo cluster: every kind of volume the plan migrates, written ahead where it can be.
  @Test func theDemoClusterGivesTheSameFiles() throws {
    let path = fixture("demo/cluster.yaml").path
    var planner = Planner()
    var early: [String: String] = [:]
    try Self.read(path, into: &planner, early: &early)
    #expect(early.count > 5, "volumes, claims and classes come before the pods")
    let plan = try planner.plan()
    let files = try Self.files(plan, planner, early: early)
    let plain = try Self.plain(path)
    #expect(files.keys.sorted() == plain.keys.sorted())
    for (path, text) in plain { #expect(files[path] == text, "\(path)") }
  }
}
