import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Checks across volumes that one volume alone cannot make.
@Suite struct SharedClaimTests {
  @Test func twoVolumesPreBoundToOneClaimAreBothBlocked() throws {
    let yaml = CheckSamples.list(
      CheckSamples.diskPV("pv-a", extra: CheckSamples.claimRef("apps", "shared"))
        + CheckSamples.diskPV("pv-b", extra: CheckSamples.claimRef("apps", "shared"))
        + CheckSamples.diskPV("pv-c", extra: CheckSamples.claimRef("apps", "own"))
        + CheckSamples.claim("shared", namespace: "apps") + CheckSamples.claim("own", namespace: "apps", volumeName: "pv-c"))
    let run = try PlanSupport.run(yaml)
    let byName = Dictionary(uniqueKeysWithValues: run.volumes.map { ($0.name, $0) })
    for name in ["pv-a", "pv-b"] {
      #expect(byName[name]?.action == .blocked)
      #expect(byName[name]?.reason?.contains("(pv-a, pv-b) are bound to claim apps/shared") == true)
    }
    #expect(byName["pv-c"]?.action == .migrate)
    #expect(run.files[PlanPaths.claim(ClaimKey(namespace: "apps", name: "shared"))] == nil, "no manifest for the shared claim")
    #expect(run.files[PlanPaths.claim(ClaimKey(namespace: "apps", name: "own"))] != nil)
  }
}
