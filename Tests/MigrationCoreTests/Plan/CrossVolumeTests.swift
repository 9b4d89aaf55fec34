import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Checks and grouping across volumes, which one volume alone cannot decide.
@Suite struct CrossVolumeTests {
  /// Volumes no pod uses are grouped by namespace, at most `unusedGroupSize` a group, in name order.
  @Test func volumesNoPodUsesComeInGroupsOfBoundedSize() throws {
    let names = (0..<250).map { String(format: "pv-%03d", $0) }
    let run = try PlanSupport.run(CheckSamples.list(names.reversed().map { CheckSamples.diskPV($0) }.joined()))
    let plan = run.plan
    #expect(plan.groups.map(\.volumes.count) == [100, 100, 50])
    #expect(plan.groups.flatMap(\.volumes).map(plan.volumes.name) == names)
    #expect(plan.groups.allSatisfy { $0.workloads.isEmpty && $0.namespace.isEmpty })
    let runbook = try #require(run.files[PlanPaths.runbook])
    #expect(runbook.contains("## Group 3: volumes no pod uses\n"))
  }

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

  /// Volumes are decided in runs on two threads (`Planner.decideRun` each); the checks across
  /// volumes see them all, in name order, wherever the runs split them.
  @Test func checksAcrossVolumesSpanTheRunsVolumesAreDecidedIn() throws {
    let names = (0..<300).map { String(format: "pv-%03d", $0) }
    let disk = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/"
    let pvs = names.reversed().map { name -> String in
      switch name {
      case "pv-000": return CheckSamples.diskPV(name, uri: disk + "shared")
      case "pv-299": return CheckSamples.diskPV(name, uri: disk.uppercased() + "SHARED")
      default: return CheckSamples.diskPV(name)
      }
    }
    let csi = CheckSamples.csiPV("csi-taken", driver: "disk.csi.azure.com", handle: disk + "pv-150")
    let run = try PlanSupport.run(CheckSamples.list(pvs.joined() + csi))
    let plan = run.plan
    #expect((0..<plan.volumes.count).map(plan.volumes.name) == names)
    let byName = Dictionary(uniqueKeysWithValues: run.volumes.map { ($0.name, $0) })
    for name in ["pv-000", "pv-299"] {
      #expect(byName[name]?.action == .blocked)
      #expect(byName[name]?.reason == "several in-tree PersistentVolumes (pv-000, pv-299) name the same disk")
    }
    #expect(byName["pv-150"]?.action == .blocked)
    #expect(byName["pv-150"]?.reason == "its disk is already used by CSI PersistentVolume csi-taken")
    #expect(run.volumes.filter { $0.action == .migrate }.count == 297)
    #expect(plan.groups.flatMap(\.volumes).count == 297)
  }
}
