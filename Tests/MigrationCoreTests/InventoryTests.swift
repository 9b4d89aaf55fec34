import Foundation
import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Counting and findings on the demo dump and on small, targeted inputs.
@Suite struct InventoryTests {
  func rules(_ inventory: Inventory) -> [String: Int] {
    inventory.findings.reduce(into: [:]) { $0[$1.rule.rawValue, default: 0] += 1 }
  }

  @Test func demoDumpCountsMatchAHandReading() throws {
    let inventory = try scan(path: fixture("demo/cluster.yaml").path)
    let pv = inventory.totals.persistentVolumes
    #expect(pv.inTreeAzureDisk == 5)
    #expect(pv.inTreeAzureDiskUnmanaged == 1)
    #expect(pv.inTreeAzureFile == 3)
    #expect(pv.csiAzureDisk == 1)
    #expect(pv.csiAzureFile == 1)
    #expect(pv.other == 1)
    #expect(pv.servedByCSIMigration == 3)
    let sc = inventory.totals.storageClasses
    #expect((sc.inTreeAzureDisk, sc.inTreeAzureFile, sc.csiAzureDisk, sc.csiAzureFile, sc.other) == (4, 1, 1, 1, 1))
    #expect(inventory.totals.inlineVolumes.inTreeAzureDisk == 1 && inventory.totals.inlineVolumes.inTreeAzureFile == 1)
    #expect(inventory.totals.objects.statefulSetsOnInTreeClasses == 1)
    #expect(inventory.totals.objects.persistentVolumeClaims == 7)
    #expect(inventory.totals.objects.total == 43)
    #expect(rules(inventory) == [
      "unmanaged-disk": 1, "file-secret-namespace-unknown": 1, "deprecated-zone-label": 2,
      "unmanaged-disk-storage-class": 1, "in-tree-volume": 6, "in-tree-storage-class": 5,
      "inline-in-tree-volume": 2, "statefulset-in-tree-class": 1, "caching-mode-readwrite": 1,
      "delete-reclaim-policy": 3, "released-or-failed-volume": 2,
    ])
  }

  @Test(arguments: ["demo/cluster.json", "demo/cluster-multidoc.yaml", "demo/cluster-stream.json"])
  func everyFormOfTheDemoGivesTheSameResult(form: String) throws {
    let yaml = try scan(path: fixture("demo/cluster.yaml").path)
    let other = try scan(path: fixture(form).path)
    #expect(other.totals == yaml.totals)
    func key(_ f: Finding) -> String { "\(f.rule.rawValue) \(f.object.display) \(f.message)" }
    #expect(other.findings.map(key).sorted() == yaml.findings.map(key).sorted())
  }

  @Test(arguments: ["demo/cluster.yaml", "secrets/cluster.yaml"])
  func classificationIsTheSameWhateverTheDecodingDetail(path: String) throws {
    let lean = try scan(path: fixture(path).path, detail: .inventory)
    let full = try scan(path: fixture(path).path, detail: .full)
    #expect(lean.totals == full.totals)
    #expect(lean.findings == full.findings)
  }

  @Test func findingsPointAtTheFieldTheyConcern() throws {
    let inventory = try scan(path: fixture("demo/cluster.yaml").path)
    let lines = try fixtureText("demo/cluster.yaml").split(separator: "\n", omittingEmptySubsequences: false)
    for finding in inventory.findings {
      let line = String(lines[finding.location.line - 1])
      let column = line.index(line.startIndex, offsetBy: finding.location.column - 1)
      let text = line[column...]
      switch finding.rule {
      case .deprecatedZoneLabel: #expect(text.hasPrefix("failure-domain.beta.kubernetes.io/"))
      case .deleteReclaimPolicy: #expect(text.hasPrefix("Delete"))
      case .inTreeVolume, .unmanagedDisk, .fileSecretNamespaceUnknown, .cachingModeReadWrite:
        #expect(text.hasPrefix("azureDisk:") || text.hasPrefix("azureFile:"), "\(finding)")
      case .releasedOrFailedVolume: #expect(text.hasPrefix("Released") || text.hasPrefix("Failed"))
      default: break
      }
    }
  }

  static let pv = """
    apiVersion: v1
    kind: PersistentVolume
    metadata:
      annotations:
        kubectl.kubernetes.io/last-applied-configuration: |
          {"apiVersion":"v1","kind":"PersistentVolume","spec":{"azureDisk":{"diskURI":"/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d"}}}
      name: static-disk
    spec:
      accessModes:
      - ReadWriteOnce
      azureDisk:
        cachingMode: None
        diskName: d
        diskURI: /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d
        fsType: ext4
        kind: Managed
        readOnly: false
      capacity:
        storage: 10Gi
      persistentVolumeReclaimPolicy: Retain
    status:
      phase: Available

    """

  @Test func lastAppliedConfigurationIsNotASecondVolume() throws {
    let inventory = try scan(Self.pv)
    #expect(inventory.totals.persistentVolumes.inTreeAzureDisk == 1)
    #expect(rules(inventory) == ["in-tree-volume": 1])
  }

  @Test func csiVolumeWithBetaZoneKeysIsABlockerButGAKeysAreFine() throws {
    func csiPV(_ key: String) -> String {
      """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: csi
      spec:
        csi:
          driver: disk.csi.azure.com
          volumeHandle: /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d
        nodeAffinity:
          required:
            nodeSelectorTerms:
            - matchExpressions:
              - key: \(key)
                operator: In
                values:
                - eastus-1

      """
    }
    #expect(rules(try scan(csiPV("failure-domain.beta.kubernetes.io/zone"))) == ["deprecated-zone-label": 1])
    #expect(rules(try scan(csiPV("failure-domain.beta.kubernetes.io/region"))) == ["deprecated-zone-label": 1])
    #expect(rules(try scan(csiPV("topology.kubernetes.io/zone"))).isEmpty)
    #expect(rules(try scan(csiPV("topology.disk.csi.azure.com/zone"))).isEmpty)
  }

  @Test func unmanagedDisksByKindOrURI() throws {
    let shared = Self.pv.replacingOccurrences(of: "kind: Managed", with: "kind: Shared")
    #expect(rules(try scan(shared)) == ["unmanaged-disk": 1])
    let blob = Self.pv.replacingOccurrences(of: "    kind: Managed\n", with: "")
      .replacingOccurrences(of: "diskURI: /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d", with: "diskURI: https://acct.blob.core.windows.net/vhds/d.vhd")
    let inventory = try scan(blob)
    #expect(rules(inventory) == ["unmanaged-disk": 1])
    #expect(inventory.totals.persistentVolumes.inTreeAzureDiskUnmanaged == 1)
    // kind is compared case-insensitively, as the translation does.
    #expect(rules(try scan(Self.pv.replacingOccurrences(of: "kind: Managed", with: "kind: managed"))) == ["in-tree-volume": 1])
  }

  @Test func deleteReadWriteCachingAndPhaseFindings() throws {
    let text = Self.pv.replacingOccurrences(of: "Retain", with: "Delete")
      .replacingOccurrences(of: "cachingMode: None", with: "cachingMode: ReadWrite")
      .replacingOccurrences(of: "phase: Available", with: "phase: Released")
    #expect(rules(try scan(text)) == [
      "in-tree-volume": 1, "delete-reclaim-policy": 1, "caching-mode-readwrite": 1, "released-or-failed-volume": 1,
    ])
  }

  static let filePV = """
    apiVersion: v1
    kind: PersistentVolume
    metadata:
      name: share
    spec:
      accessModes:
      - ReadWriteMany
      azureFile:
        secretName: azure-storage-account-acct-secret
        shareName: data
      capacity:
        storage: 5Gi
      persistentVolumeReclaimPolicy: Retain

    """

  @Test func azureFileWithoutAnyNamespaceCannotBeTranslated() throws {
    #expect(rules(try scan(Self.filePV)) == ["file-secret-namespace-unknown": 1])
    let withNamespace = Self.filePV.replacingOccurrences(of: "    shareName: data\n", with: "    shareName: data\n    secretNamespace: shop\n")
    #expect(rules(try scan(withNamespace)) == ["in-tree-volume": 1])
    let withClaim = Self.filePV + "  claimRef:\n    name: c\n    namespace: shop\n"
    #expect(rules(try scan(withClaim.replacingOccurrences(of: "\n\n  claimRef", with: "\n  claimRef"))) == ["in-tree-volume": 1])
    // An empty secretNamespace is present but empty: upstream still fails.
    let empty = Self.filePV.replacingOccurrences(of: "    shareName: data\n", with: "    shareName: data\n    secretNamespace: \"\"\n")
    #expect(rules(try scan(empty)) == ["file-secret-namespace-unknown": 1])
  }

  @Test func wrongTypesAreFindingsNotCrashes() throws {
    let text = Self.pv.replacingOccurrences(of: "readOnly: false", with: "readOnly: \"no\"")
      .replacingOccurrences(of: "  accessModes:\n  - ReadWriteOnce\n", with: "  accessModes: ReadWriteOnce\n")
      .replacingOccurrences(of: "    storage: 10Gi\n", with: "    storage:\n      big: true\n")
    // Full detail reads every field (scan reads only what classification needs).
    let inventory = try scan(path: try temporaryFile(text), detail: .full)
    let invalid = inventory.findings.filter { $0.rule == .invalidField }
    #expect(invalid.count == 3)
    #expect(invalid.allSatisfy { $0.location.line > 1 })
    #expect(inventory.totals.persistentVolumes.inTreeAzureDisk == 1)
  }

  @Test func inlineVolumesCountOncePerWorkload() throws {
    func pod(_ name: String, owner: String) -> String {
      """
      - apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
          namespace: shop
          ownerReferences:
          - apiVersion: apps/v1
            kind: ReplicaSet
            name: \(owner)
        spec:
          volumes:
          - azureFile:
              secretName: s
              shareName: share
            name: data
      """
    }
    let deployment = """
      - apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          template:
            spec:
              volumes:
              - azureFile:
                  secretName: s
                  shareName: share
                name: data
      """
    let pods = [pod("web-5d8f-a", owner: "web-5d8f"), pod("web-5d8f-b", owner: "web-5d8f")].joined(separator: "\n")
    let withDeployment = "apiVersion: v1\nitems:\n\(deployment)\n\(pods)\nkind: List\n"
    #expect(try scan(withDeployment).totals.inlineVolumes.inTreeAzureFile == 1)
    let podsOnly = "apiVersion: v1\nitems:\n\(pods)\nkind: List\n"
    #expect(try scan(podsOnly).totals.inlineVolumes.inTreeAzureFile == 1)
  }

  @Test func statefulSetTemplateOnTheDefaultInTreeClass() throws {
    let text = """
      apiVersion: v1
      items:
      - apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
          namespace: shop
        spec:
          volumeClaimTemplates:
          - metadata:
              name: data
            spec:
              accessModes:
              - ReadWriteOnce
      - apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata:
          annotations:
            storageclass.kubernetes.io/is-default-class: "true"
          name: default
        provisioner: kubernetes.io/azure-disk
      kind: List

      """
    let inventory = try scan(text)
    #expect(inventory.totals.objects.statefulSetsOnInTreeClasses == 1)
    let finding = try #require(inventory.findings.first { $0.rule == .statefulSetInTreeClass })
    #expect(finding.message.contains("default StorageClass default"))
    #expect(finding.location.line == 10)
  }

  @Test func unknownKindsAreSkippedAndCounted() throws {
    let inventory = try scan("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")
    #expect(inventory.totals.objects.skipped == ["ConfigMap": 1, "Widget": 1])
    #expect(inventory.findings.isEmpty)
  }

  @Test func secretsAreRecognisedButTheirDataIsNeverRead() throws {
    let text = """
      apiVersion: v1
      data:
        azurestorageaccountkey: c3VwZXJzZWNyZXRrZXk=
      kind: Secret
      metadata:
        name: azure-storage-account-acct-secret
        namespace: shop
      stringData:
        plain: hunter2
      type: Opaque

      """
    let objects = try decodeObjects(text)
    guard case .secret(let ref, _) = try #require(objects.first) else {
      Issue.record("not decoded as a Secret")
      return
    }
    #expect(ref == ObjectRef(kind: "Secret", namespace: "shop", name: "azure-storage-account-acct-secret"))
    let inventory = try scan(text)
    #expect(rules(inventory) == ["secret-in-input": 1])
    let json = try render(ScanReport(inventories: [inventory]), .json)
    #expect(!json.contains("c3VwZXJzZWNyZXRrZXk=") && !json.contains("hunter2"))
  }

  @Test func objectsWithoutKindAreNotKubernetesInput() throws {
    #expect(throws: InputError.self) { try decodeObjects("services:\n  web:\n    image: nginx\n") }
    #expect(throws: InputError.self) { try decodeObjects("kind: PersistentVolume\nmetadata:\n  name: x\n") }
  }

  func render(_ report: ScanReport, _ format: ScanFormat) throws -> String {
    var out = ""
    try ScanRenderer().render(report, as: format) { out += $0 }
    return out
  }

  @Test func jsonReportFollowsTheContract() throws {
    let inventory = try scan(path: fixture("demo/cluster.yaml").path, name: "cluster.yaml")
    let text = try render(ScanReport(inventories: [inventory]), .json)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(json["apiVersion"] as? String == "csi-migrate/v1")
    #expect(json["kind"] as? String == "ScanReport")
    let totals = try #require(json["totals"] as? [String: Any])
    let pvs = try #require(totals["persistentVolumes"] as? [String: Int])
    #expect(pvs["inTreeAzureDisk"] == 5 && pvs["inTreeAzureDiskUnmanaged"] == 1 && pvs["inTreeAzureFile"] == 3)
    let inputs = try #require(json["inputs"] as? [[String: Any]])
    #expect(inputs.map { $0["name"] as? String } == ["cluster.yaml"])
    let findings = try #require(json["findings"] as? [[String: Any]])
    #expect(findings.count == inventory.findings.count)
    let first = try #require(findings.first)
    #expect(Set(first.keys) == ["rule", "severity", "object", "source", "message"])
    let source = try #require(first["source"] as? [String: Any])
    #expect(source["file"] as? String == fixture("demo/cluster.yaml").path)
    #expect((source["line"] as? Int ?? 0) > 0 && (source["column"] as? Int ?? 0) > 0)
  }

  @Test func yamlReportIsTheSameDataAsJSON() throws {
    let inventory = try scan(path: fixture("demo/cluster.yaml").path, name: "cluster.yaml")
    let report = ScanReport(inventories: [inventory])
    let yaml = try render(report, .yaml)
    let tree = try #require(try readObjects(yaml).first)
    let json = try render(report, .json)
    let fromJSON = try #require(try readObjects(json, name: "r.json").first)
    #expect(JSONWriter.render(tree.value(at: tree.root)) == JSONWriter.render(fromJSON.value(at: fromJSON.root)))
  }
}

@Suite struct FindingJSONTests {
  @Test func directWriterMatchesTheGenericRenderer() throws {
    let inventory = try scan(path: fixture("demo/cluster.yaml").path)
    for finding in inventory.findings {
      var direct = ""
      finding.writeJSON(into: &direct)
      var generic = "    "
      JSONWriter.render(finding.value, indent: 2, into: &generic)
      #expect(direct == generic)
    }
  }
}

/// Classification edge cases found in review.
@Suite struct InventoryEdgeCaseTests {
  @Test func aListInsideAListIsAnErrorNotASilentSkip() throws {
    let text = #"[{"kind": "List", "apiVersion": "v1", "items": [{"kind": "PersistentVolume", "apiVersion": "v1"}]}]"#
    let error = try #require(throws: InputError.self) { try scan(text, name: "slurp.json") }
    #expect(error.message.contains("inside a list"))
  }

  @Test func aNullInTreeSourceIsNoSource() throws {
    let text = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: csi
      spec:
        azureDisk: null
        csi:
          driver: disk.csi.azure.com
          volumeHandle: /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d

      """
    let inventory = try scan(text)
    #expect(inventory.totals.persistentVolumes.csiAzureDisk == 1)
    #expect(inventory.totals.persistentVolumes.inTreeAzureDisk == 0)
  }

  @Test func podsOfACronJobAreCoveredByItsTemplate() throws {
    let text = """
      apiVersion: v1
      items:
      - apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: backup
          namespace: ops
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  volumes:
                  - azureFile:
                      secretName: s
                      shareName: backups
                    name: target
      - apiVersion: v1
        kind: Pod
        metadata:
          name: backup-28391234-x2v9q
          namespace: ops
          ownerReferences:
          - apiVersion: batch/v1
            kind: Job
            name: backup-28391234
        spec:
          volumes:
          - azureFile:
              secretName: s
              shareName: backups
            name: target
      kind: List

      """
    #expect(try scan(text).totals.inlineVolumes.inTreeAzureFile == 1)
  }

  @Test func theBetaStorageClassAnnotationWinsOverTheField() throws {
    let text = """
      apiVersion: v1
      items:
      - apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata:
          name: old
        provisioner: kubernetes.io/azure-disk
      - apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
          namespace: shop
        spec:
          volumeClaimTemplates:
          - metadata:
              annotations:
                volume.beta.kubernetes.io/storage-class: old
              name: data
            spec:
              storageClassName: new
      kind: List

      """
    #expect(try scan(text).findings.contains { $0.rule == .statefulSetInTreeClass })
  }

  @Test func replicationControllersAreWorkloads() throws {
    let text = """
      apiVersion: v1
      kind: ReplicationController
      metadata:
        name: old-web
        namespace: legacy
      spec:
        replicas: 1
        template:
          spec:
            volumes:
            - azureDisk:
                diskName: d
                diskURI: /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d
                kind: Managed
              name: data

      """
    let inventory = try scan(text)
    #expect(inventory.totals.inlineVolumes.inTreeAzureDisk == 1)
    #expect(inventory.findings.map(\.object.kind) == ["ReplicationController"])
  }

  @Test func manySecretsGiveOneFinding() throws {
    var text = "apiVersion: v1\nitems:\n"
    for i in 0..<50 { text += "- apiVersion: v1\n  data:\n    k: dmFsdWU=\n  kind: Secret\n  metadata:\n    name: s\(i)\n" }
    text += "kind: List\n"
    let inventory = try scan(text)
    #expect(inventory.totals.objects.secrets == 50)
    #expect(inventory.findings.filter { $0.rule == .secretInInput }.count == 1)
    #expect(inventory.findings.first?.message.hasPrefix("50 Secrets") == true)
  }

  @Test func invalidFieldsAreCappedPerObject() throws {
    var text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n"
    for _ in 0..<1000 { text += "  - 1\n" }
    let inventory = try scan(path: try temporaryFile(text), detail: .full)
    #expect(inventory.findings.filter { $0.rule == .invalidField }.count == 11)
  }
}

@Suite struct BackupTests {
  @Test func aBackedUpVolumeComesBackRetainWithoutItsBinding() throws {
    let text = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: pv-1
        uid: 1234
      spec:
        azureDisk:
          diskName: d
          diskURI: /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d
          kind: Managed
        claimRef:
          name: data
          namespace: shop
          uid: abcd
        persistentVolumeReclaimPolicy: Delete
      status:
        phase: Bound

      """
    let tree = try #require(try readObjects(text).first)
    let backup = Backup.clean(tree.value(at: tree.root), kind: "PersistentVolume")
    #expect(backup["spec"]?["persistentVolumeReclaimPolicy"] == .string("Retain"))
    #expect(backup["spec"]?["claimRef"]?["uid"] == nil)
    #expect(backup["metadata"]?["uid"] == nil)
    #expect(backup["status"] == nil)
  }
}
