import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Checks across volumes that one volume alone cannot make.
@Suite struct SharedClaimTests {
  static func disk(_ name: String, claim: String) -> String {
    """
    - apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: \(name)
      spec:
        accessModes:
        - ReadWriteOnce
        azureDisk:
          diskName: \(name)
          diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/\(name)
          kind: Managed
        capacity:
          storage: 1Gi
        claimRef:
          name: \(claim)
          namespace: apps
        persistentVolumeReclaimPolicy: Retain
      status:
        phase: Bound
    """
  }

  @Test func twoVolumesPreBoundToOneClaimAreBothBlocked() throws {
    let yaml = "apiVersion: v1\nkind: List\nitems:\n" + [
      Self.disk("pv-a", claim: "shared"), Self.disk("pv-b", claim: "shared"), Self.disk("pv-c", claim: "own"),
      """
      - apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: shared
          namespace: apps
        spec:
          accessModes:
          - ReadWriteOnce
          resources:
            requests:
              storage: 1Gi
        status:
          phase: Pending
      - apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: own
          namespace: apps
        spec:
          accessModes:
          - ReadWriteOnce
          resources:
            requests:
              storage: 1Gi
          volumeName: pv-c
        status:
          phase: Bound
      """,
    ].joined(separator: "\n") + "\n"
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
