import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// A backup written from the tree (`Backup.document`) is byte for byte the backup written from
/// `Backup.clean` of the object's value.
@Suite struct BackupDocumentTests {
  static let kinds = ["PersistentVolume", "PersistentVolumeClaim", "StorageClass"]

  func expectSame(_ tree: ObjectTree, _ kind: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let direct = try PlanDirectory.backupYAML(Backup.document(tree, kind: kind))
    let viaValue = try PlanDirectory.backupYAML(Backup.clean(tree.value(at: tree.root), kind: kind))
    #expect(
      String(decoding: direct, as: UTF8.self) == String(decoding: viaValue, as: UTF8.self), "\(kind)",
      sourceLocation: sourceLocation)
  }

  @Test func everyObjectOfTheDemoAndEdgeCaseFixtures() throws {
    var count = 0
    for path in ["demo/cluster.yaml", "demo/cluster.json", "translate/edge-cases.yaml"] {
      for tree in try readObjects(path: fixture(path).path) {
        for kind in Self.kinds { try expectSame(tree, kind) }
        count += 1
      }
    }
    #expect(count > 10)
  }

  @Test func cleaningCorners() throws {
    let text = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: all-annotations-go
        uid: u
        resourceVersion: "1"
        annotations:
          kubectl.kubernetes.io/last-applied-configuration: |
            {"a": 1}
          pv.kubernetes.io/bind-completed: "yes"
          pv.kubernetes.io/bound-by-controller: "yes"
      spec:
        claimRef:
          uid: x
          resourceVersion: "2"
        persistentVolumeReclaimPolicy: "Delete"
      status:
        phase: Bound
      ---
      metadata:
        uid: only-server-fields
        creationTimestamp: "2024-01-01T00:00:00Z"
        finalizers: [a]
      spec:
        claimRef: not-a-mapping
        persistentVolumeReclaimPolicy:
          nested: policy
      ---
      metadata:
        name: empty-annotations
        annotations: {}
      spec: not-a-mapping
      ---
      metadata:
        name: null-annotations
        annotations:
        labels: {a: b}
      spec:
        claimRef: {}
      ---
      metadata: not-a-mapping
      status: {}
      ---
      metadata:
        name: kept-annotations
        annotations:
          keep: me
          pv.kubernetes.io/bind-completed: "yes"
          "": empty key
        managedFields:
        - manager: kubectl
      spec:
        persistentVolumeReclaimPolicy: Recycle

      """
    let trees = try readObjects(text)
    #expect(trees.count == 6)
    for tree in trees {
      for kind in Self.kinds { try expectSame(tree, kind) }
    }
    // The first volume's backup, as kubectl would apply it.
    let pv = String(decoding: try PlanDirectory.backupYAML(Backup.document(trees[0], kind: "PersistentVolume")), as: UTF8.self)
    #expect(pv == """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: all-annotations-go
        annotations:
          pv.kubernetes.io/bind-completed: "yes"
          pv.kubernetes.io/bound-by-controller: "yes"
      spec:
        claimRef: {}
        persistentVolumeReclaimPolicy: Retain

      """)
  }
}
