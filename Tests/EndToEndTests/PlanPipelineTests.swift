import Foundation
import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// `csi-migrate plan` renders the groups in batches on two threads and writes them in order: its
/// files must be those of one renderer writing everything in turn.
@Suite struct PlanPipelineTests {
  /// 60 StatefulSets of 3 replicas with 2 claims each, and 40 volumes no pod uses: 400 in-tree
  /// volumes in 61 groups, several batches.
  static func dump() -> String {
    var items: [String] = []
    func volume(_ name: String, claim: String, namespace: String) {
      items.append("""
        - apiVersion: v1
          kind: PersistentVolume
          metadata:
            name: \(name)
            uid: uid-\(name)
          spec:
            accessModes:
            - ReadWriteOnce
            azureDisk:
              cachingMode: ReadWrite
              diskName: disk-\(name)
              diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/disk-\(name)
              fsType: ext4
              kind: Managed
            capacity:
              storage: 8Gi
            claimRef:
              kind: PersistentVolumeClaim
              name: \(claim)
              namespace: \(namespace)
              uid: uid-claim-\(claim)
            persistentVolumeReclaimPolicy: Delete
            storageClassName: managed-premium
          status:
            phase: Bound
        - apiVersion: v1
          kind: PersistentVolumeClaim
          metadata:
            name: \(claim)
            namespace: \(namespace)
            uid: uid-claim-\(claim)
          spec:
            accessModes:
            - ReadWriteOnce
            resources:
              requests:
                storage: 8Gi
            storageClassName: managed-premium
            volumeName: \(name)
          status:
            phase: Bound
        """)
    }
    for s in 0..<60 {
      for r in 0..<3 {
        volume("pv-db\(s)-data-\(r)", claim: "data-db\(s)-\(r)", namespace: "apps")
        volume("pv-db\(s)-wal-\(r)", claim: "wal-db\(s)-\(r)", namespace: "apps")
        items.append("""
          - apiVersion: v1
            kind: Pod
            metadata:
              name: db\(s)-\(r)
              namespace: apps
              ownerReferences:
              - apiVersion: apps/v1
                kind: StatefulSet
                name: db\(s)
            spec:
              containers:
              - image: db
                name: db
              volumes:
              - name: data
                persistentVolumeClaim:
                  claimName: data-db\(s)-\(r)
              - name: wal
                persistentVolumeClaim:
                  claimName: wal-db\(s)-\(r)
            status:
              phase: Running
          """)
      }
    }
    for n in 0..<40 { volume("pv-idle-\(n)", claim: "idle-\(n)", namespace: "spare") }
    return "apiVersion: v1\nkind: List\nitems:\n" + items.joined(separator: "\n") + "\n"
  }

  @Test func theBinaryWritesWhatOneRendererWrites() throws {
    let input = try temporaryFile(Self.dump(), name: "many-groups.yaml")
    var planner = Planner(options: PlanOptions(inputs: [input], toolVersion: try version()))
    let reader = try ObjectReader(source: try InputSource(path: input))
    while let tree = try reader.next() {
      var decoder = Decoder(tree: tree, input: 0)
      try planner.add(try decoder.decode(), tree: tree)
    }
    let plan = try planner.plan()
    #expect(plan.groups.count == 61 && plan.groupBatches().count > 4)
    var expected: [String: String] = [:]
    try PlanDirectory.render(plan) { path, _, content in
      var text = ""
      try content { text += $0 }
      expected[path] = text
    }

    let out = FileManager.default.temporaryDirectory.appendingPathComponent("csi-migrate-pipeline-\(UUID().uuidString)").path
    let result = try run(["plan", input, "--out", out])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("400 volume(s) to migrate in 61 group(s)"))
    for (path, text) in expected {
      let written = try? String(contentsOfFile: out + "/" + path, encoding: .utf8)
      #expect(written == text, "\(path) differs from one renderer's")
    }
    let manifests = try FileManager.default.contentsOfDirectory(atPath: out + "/manifests/persistentvolumes")
    #expect(manifests.count == 400)
  }

  func version() throws -> String {
    let result = try run(["--version"])
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
