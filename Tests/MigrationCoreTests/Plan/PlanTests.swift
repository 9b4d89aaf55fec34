import Foundation
import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// The planner and its renderers on the demo dump and on a dump made of edge cases.
@Suite struct PlanTests {
  // MARK: Inputs

  static let sub = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/disks"

  /// Edge cases, one cluster.
  static let edge = """
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-a, uid: uid-a}
      spec:
        accessModes: [ReadWriteMany]
        capacity: {storage: 5Gi}
        azureFile: {secretName: azure-storage-account-acct-secret, shareName: share}
        claimRef: {namespace: ns1, name: c1, uid: claim-c1}
        persistentVolumeReclaimPolicy: Delete
        mountOptions: [dir_mode=0770, vers=3.1.1]
      status: {phase: Bound}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-b, uid: uid-b}
      spec:
        accessModes: [ReadWriteMany]
        capacity: {storage: 5Gi}
        azureFile: {secretName: azure-storage-account-acct-secret, shareName: share, secretNamespace: ns1}
        claimRef: {namespace: ns1, name: c2, uid: claim-c2}
        persistentVolumeReclaimPolicy: Retain
      status: {phase: Bound}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-c, uid: uid-c}
      spec:
        accessModes: [ReadWriteMany]
        capacity: {storage: 5Gi}
        azureFile: {secretName: azure-storage-account-acct-secret, shareName: share}
        claimRef: {namespace: ns1, name: c3, uid: claim-c3}
      status: {phase: Bound}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: csi-existing, uid: uid-x}
      spec:
        capacity: {storage: 5Gi}
        csi: {driver: file.csi.azure.com, volumeHandle: "#acct#share#pv-c#ns1"}
    - apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: pv-big
        uid: uid-big
        labels: {failure-domain.beta.kubernetes.io/zone: "1", team: data}
      spec:
        accessModes: [ReadWriteOnce]
        capacity: {storage: 8Ti}
        volumeMode: Block
        azureDisk: {diskName: big, diskURI: \(sub)/big, cachingMode: ReadWrite, fsType: ext4, kind: Managed, readOnly: false}
        claimRef: {namespace: ns2, name: big, uid: claim-big}
        nodeAffinity:
          required:
            nodeSelectorTerms:
            - matchExpressions:
              - {key: failure-domain.beta.kubernetes.io/zone, operator: In, values: ["1"]}
              - {key: failure-domain.beta.kubernetes.io/region, operator: In, values: [westeurope]}
        persistentVolumeReclaimPolicy: Delete
        storageClassName: fast
      status: {phase: Bound}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-rw, uid: uid-rw}
      spec:
        accessModes: [ReadWriteOnce]
        capacity: {storage: 10Gi}
        azureDisk: {diskName: rw, diskURI: \(sub)/RW-Disk, cachingMode: ReadWrite, fsType: xfs, kind: Managed}
        claimRef: {namespace: ns2, name: rw, uid: claim-rw}
        persistentVolumeReclaimPolicy: Delete
      status: {phase: Bound}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-orphan, uid: uid-o}
      spec:
        capacity: {storage: 1Gi}
        azureDisk: {diskName: o, diskURI: \(sub)/o, kind: Managed}
        claimRef: {namespace: ns2, name: gone, uid: claim-gone}
      status: {phase: Bound}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-dup1, uid: uid-d1}
      spec:
        capacity: {storage: 1Gi}
        azureDisk: {diskName: d, diskURI: \(sub)/dup, kind: Managed}
      status: {phase: Available}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-dup2, uid: uid-d2}
      spec:
        capacity: {storage: 1Gi}
        azureDisk: {diskName: d, diskURI: \(sub)/DUP, kind: Managed}
      status: {phase: Available}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-sts-0, uid: uid-s0}
      spec:
        accessModes: [ReadWriteOnce]
        capacity: {storage: 1Gi}
        azureDisk: {diskName: s0, diskURI: \(sub)/s0, cachingMode: None, fsType: "", kind: Managed}
        claimRef: {namespace: ns3, name: data-kv-0, uid: claim-s0}
        nodeAffinity:
          required:
            nodeSelectorTerms:
            - matchExpressions:
              - {key: topology.kubernetes.io/zone, operator: In, values: [westeurope-2]}
        storageClassName: fast
      status: {phase: Bound}
    - apiVersion: v1
      kind: PersistentVolume
      metadata: {name: pv-sts-1, uid: uid-s1}
      spec:
        accessModes: [ReadWriteOnce]
        capacity: {storage: 1Gi}
        azureDisk: {diskName: s1, diskURI: \(sub)/s1, cachingMode: None, fsType: ext4, kind: Managed}
        claimRef: {namespace: ns3, name: data-kv-1, uid: claim-s1}
        storageClassName: fast
      status: {phase: Bound}
    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c1, namespace: ns1, uid: claim-c1, annotations: {meta.helm.sh/release-name: app, pv.kubernetes.io/bind-completed: "yes"}, labels: {app.kubernetes.io/managed-by: Helm}}, spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 5Gi}}, volumeName: pv-a}}
    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c2, namespace: ns1, uid: claim-c2}, spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 5Gi}}, volumeName: pv-b}}
    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c3, namespace: ns1, uid: claim-c3}, spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 5Gi}}, volumeName: pv-c}}
    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: big, namespace: ns2, uid: claim-big}, spec: {accessModes: [ReadWriteOnce], volumeMode: Block, storageClassName: fast, resources: {requests: {storage: 8Ti}}, volumeName: pv-big}}
    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: rw, namespace: ns2, uid: claim-rw}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}, volumeName: pv-rw}}
    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data-kv-0, namespace: ns3, uid: claim-s0}, spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}, volumeName: pv-sts-0}}
    - {apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data-kv-1, namespace: ns3, uid: claim-s1}, spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}, volumeName: pv-sts-1}}
    - apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata: {name: fast, labels: {addonmanager.kubernetes.io/mode: Reconcile, owner: platform}}
      provisioner: kubernetes.io/azure-disk
      parameters: {storageaccounttype: Premium_LRS, kind: Managed, zone: "1", cachingmode: ReadOnly}
      reclaimPolicy: Delete
    - apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata: {name: blob}
      provisioner: kubernetes.io/azure-disk
      parameters: {storageaccount: oldacct}
    - apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata: {name: default, labels: {kubernetes.io/cluster-service: "true"}, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
      provisioner: kubernetes.io/azure-disk
      parameters: {storageaccounttype: StandardSSD_LRS, kind: Managed}
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: d1, namespace: ns1}
      spec: {replicas: 3, strategy: {type: RollingUpdate}, template: {spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: c1}}]}}}
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: d2, namespace: ns1}
      spec: {replicas: 0, template: {spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: c1}}]}}}
    - apiVersion: v1
      kind: Pod
      metadata: {name: ds1-abc, namespace: ns2, ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: ds1, uid: x}]}
      spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: big}}]}
      status: {phase: Running}
    - apiVersion: v1
      kind: Pod
      metadata: {name: p1, namespace: ns2}
      spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: rw}}]}
      status: {phase: Running}
    - apiVersion: v1
      kind: Pod
      metadata: {name: done, namespace: ns2}
      spec: {volumes: [{name: v, persistentVolumeClaim: {claimName: rw}}]}
      status: {phase: Succeeded}
    - apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: kv, namespace: ns3}
      spec:
        replicas: 2
        template: {spec: {containers: [{name: c, image: x}]}}
        volumeClaimTemplates:
        - metadata: {name: data}
          spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
        - metadata: {name: logs}
          spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
    - apiVersion: v1
      kind: Secret
      metadata: {name: azure-storage-account-acct-secret, namespace: ns1}
      data: {azurestorageaccountkey: c2VjcmV0LWtleS12YWx1ZQ==}
    """

  func volume(_ run: PlanRun, _ name: String) throws -> PlannedVolume {
    try #require(run.volumes.first { $0.name == name }, "no volume \(name)")
  }

  // MARK: Invariant: every in-tree volume exactly once

  @Test(arguments: ["demo/cluster.yaml", "demo/cluster.json", "demo/cluster-multidoc.yaml", "demo/cluster-stream.json", "secrets/cluster.yaml"])
  func everyInTreeVolumeIsInThePlanExactlyOnce(dump: String) throws {
    let run = try PlanSupport.run(paths: [fixture(dump).path])
    let names = run.volumes.map(\.name)
    #expect(Set(names).count == names.count)
    #expect(Set(names) == Set(run.inTreeVolumes.keys))
    for v in run.volumes where v.action != .migrate { #expect(v.reason?.isEmpty == false) }
    // plan.json says the same.
    let json = try PlanSupport.json(run)
    let volumes = try #require(json["volumes"] as? [[String: Any]])
    let jsonNames = volumes.compactMap { $0["name"] as? String }
    #expect(jsonNames.sorted() == names.sorted())
    for v in volumes {
      let action = v["action"] as? String
      #expect(action == "migrate" || action == "blocked" || action == "skipped")
      if action != "migrate" { #expect((v["reason"] as? String)?.isEmpty == false) }
      if action == "migrate" { #expect((v["manifests"] as? [String])?.isEmpty == false) }
      for path in (v["manifests"] as? [String] ?? []) + (v["backups"] as? [String] ?? []) {
        #expect(run.files[path] != nil, "plan.json names \(path), which the plan does not write")
      }
    }
  }

  /// A claim bound to a CSI volume, and an in-tree volume whose stale claimRef names that claim.
  static func claimBoundElsewhere(inTreeFirst: Bool) -> String {
    let csi = """
      - apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pv-csi, uid: 11111111-1111-1111-1111-111111111111}
        spec:
          accessModes: [ReadWriteOnce]
          capacity: {storage: 1Gi}
          claimRef: {kind: PersistentVolumeClaim, namespace: app, name: data, uid: 22222222-2222-2222-2222-222222222222}
          csi: {driver: disk.csi.azure.com, volumeHandle: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/new}
        status: {phase: Bound}
      - apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data, namespace: app, uid: 22222222-2222-2222-2222-222222222222, labels: {team: a}}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
          volumeName: pv-csi
        status: {phase: Bound}

      """
    let inTree = """
      - apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pv-old, uid: 33333333-3333-3333-3333-333333333333}
        spec:
          accessModes: [ReadWriteOnce]
          capacity: {storage: 1Gi}
          claimRef: {kind: PersistentVolumeClaim, namespace: app, name: data, uid: 44444444-4444-4444-4444-444444444444}
          azureDisk: {diskName: old, diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/old, kind: Managed, cachingMode: ReadOnly}
          persistentVolumeReclaimPolicy: Retain
        status: {phase: Bound}

      """
    return "apiVersion: v1\nkind: List\nitems:\n" + (inTreeFirst ? inTree + csi : csi + inTree)
  }

  @Test(arguments: [false, true])
  func aClaimBoundToAnotherVolumeBlocksTheVolumeAndIsNotItsBackup(inTreeFirst: Bool) throws {
    let run = try PlanSupport.run(Self.claimBoundElsewhere(inTreeFirst: inTreeFirst))
    let v = try volume(run, "pv-old")
    #expect(v.action == .blocked && v.reason == "claim app/data is bound to volume pv-csi, not to this one")
    #expect(v.backupPaths == ["backup/persistentvolumes/pv-old.yaml"])
    #expect(run.files.keys.filter { $0.hasPrefix("backup/") } == ["backup/persistentvolumes/pv-old.yaml"])
  }

  @Test func theDemoPlanMigratesWhatCanMoveAndBlocksTheRestWithReasons() throws {
    let run = try PlanSupport.demo()
    let actions = Dictionary(uniqueKeysWithValues: run.volumes.map { ($0.name, $0.action) })
    #expect(actions == [
      "legacy-data": .blocked, "pv-archive-share": .blocked, "pv-web-uploads": .migrate,
      "pvc-00d9f4ad-53a2-42b6-b3f5-f28807f0cbd4": .blocked, "pvc-1ff13534-2e82-4ce1-958d-003d9a0b2361": .blocked,
      "pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325": .migrate, "pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52": .migrate,
      "pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36": .migrate,
    ])
    #expect(try volume(run, "legacy-data").reason?.contains("unmanaged") == true)
    #expect(try volume(run, "legacy-data").remedy.joined().contains("az disk create --resource-group <rg> --name legacy-data --source https://legacyacct.blob.core.windows.net/vhds/legacy-data.vhd"))
    #expect(try volume(run, "pv-archive-share").reason?.contains("no secret namespace") == true)
    #expect(run.plan.inline.map(\.volume) == ["cache-data", "tools-share"])
    let groups = run.plan.groups.map { $0.workloads.map { run.plan.workloads[$0].ref.display } }
    #expect(groups == [["StatefulSet shop/db"], ["Deployment shop/media"], ["Deployment web/web"]])
    let sts = try #require(run.plan.workloads.first { $0.kind == "StatefulSet" })
    #expect(sts.templateChanges.map(\.to) == ["managed-csi"])
    #expect(sts.replicas == 2 && sts.claims == ["data-db-0", "data-db-1"])
  }

  @Test func everyInlineVolumeIsListedOnceWithInstructions() throws {
    let run = try PlanSupport.demo()
    let inventory = try scan(path: fixture("demo/cluster.yaml").path)
    #expect(run.plan.inline.count == inventory.totals.inlineVolumes.total)
    for v in run.plan.inline { #expect(!v.instructions.isEmpty && v.replacement != nil) }
    let file = try #require(run.plan.inline.first { $0.sourceKind == "azureFile" })
    #expect(file.replacement?[path: "csi", "driver"]?.text == "file.csi.azure.com")
    #expect(file.replacement?[path: "csi", "volumeAttributes", "shareName"]?.text == "tools")
  }

  // MARK: Invariant: no delete before Retain, in every output

  func modelEvents(_ plan: Plan) -> [Ordering.Event] {
    plan.groups.indices.flatMap { plan.steps(ofGroup: $0) }.compactMap { step in
      guard let i = step.volume else { return nil }
      let name = plan.volumes[i].name
      switch step.action {
      case .retain: return .retain(name)
      case .deleteClaim, .deleteVolume: return .delete(name)
      default: return nil
      }
    }
  }

  /// Events in the runbook: commands inside step code blocks (rollback blocks excluded).
  func runbookEvents(_ run: PlanRun) -> [Ordering.Event] {
    var events: [Ordering.Event] = []
    var claimToVolume: [String: String] = [:]
    for v in run.volumes { if let c = v.pvc { claimToVolume["\(c.key.namespace)/\(c.key.name)"] = v.name } }
    var inRollback = false
    for line in (run.files["RUNBOOK.md"] ?? "").split(separator: "\n") {
      let l = line.trimmingCharacters(in: .whitespaces)
      if l.hasPrefix("Rollback") || l.hasPrefix("### Rolling back") { inRollback = true }
      if l.hasPrefix("- [ ]") || l.hasPrefix("## ") { inRollback = false }
      if inRollback { continue }
      let words = l.split(separator: " ").map(String.init)
      if words.starts(with: ["kubectl", "patch", "pv"]), words.count > 3, l.contains("\"Retain\"") { events.append(.retain(words[3])) }
      if words.starts(with: ["kubectl", "delete", "pv"]), words.count > 3 { events.append(.delete(words[3])) }
      if words.count > 5, words[0] == "kubectl", words[1] == "-n", words[3] == "delete", words[4] == "pvc",
        let v = claimToVolume["\(words[2])/\(words[5])"]
      {
        events.append(.delete(v))
      }
    }
    return events
  }

  func scriptEvents(_ run: PlanRun) -> [Ordering.Event] {
    var events: [Ordering.Event] = []
    for line in (run.files["migrate.sh"] ?? "").split(separator: "\n") {
      let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
      guard let first = words.first else { continue }
      if first == "retain", words.count > 1 { events.append(.retain(words[1])) }
      if first == "delete_pv", words.count > 1 { events.append(.delete(words[1])) }
      if first == "delete_pvc", words.count > 3 { events.append(.delete(words[3])) }
    }
    return events
  }

  func jsonEvents(_ run: PlanRun) throws -> [Ordering.Event] {
    let steps = try #require(try PlanSupport.json(run)["steps"] as? [[String: Any]])
    return steps.compactMap { step in
      guard let volume = step["volume"] as? String else { return nil }
      switch step["action"] as? String {
      case "retain": return .retain(volume)
      case "delete-pvc", "delete-pv": return .delete(volume)
      default: return nil
      }
    }
  }

  @Test func theOrderingCheckCatchesADeleteBeforeRetain() {
    #expect(Ordering.violations([.retain("a"), .delete("a")]).isEmpty)
    #expect(Ordering.violations([.delete("a"), .retain("a")]) == ["a"])
    #expect(Ordering.violations([.retain("b"), .delete("a")]) == ["a"])
  }

  @Test(arguments: ["demo", "edge"])
  func nothingIsDeletedBeforeItsVolumeIsRetainInAnyOutput(input: String) throws {
    let run = input == "demo" ? try PlanSupport.demo() : try PlanSupport.run(Self.edge)
    let migrating = Set(run.volumes.filter { $0.action == .migrate }.map(\.name))
    for (output, events) in [
      ("model", modelEvents(run.plan)), ("RUNBOOK.md", runbookEvents(run)), ("migrate.sh", scriptEvents(run)),
      ("plan.json", try jsonEvents(run)),
    ] {
      #expect(Ordering.violations(events).isEmpty, "\(output): delete before Retain")
      // Each migrating volume is deleted (claim and/or volume) and retained, in every output.
      let deleted = Set(events.compactMap { if case .delete(let v) = $0 { v } else { nil } })
      #expect(deleted == migrating, "\(output)")
      // No blocked or skipped volume is ever deleted.
      #expect(deleted.isSubset(of: migrating))
    }
  }

  @Test func theScriptRefusesToDeleteAVolumeThatIsNotRetain() throws {
    let script = try #require(try PlanSupport.demo().files["migrate.sh"])
    for function in ["delete_pvc", "delete_pv"] {
      let body = try #require(script.components(separatedBy: "\n\(function)() {").dropFirst().first?.components(separatedBy: "\n}\n").first)
      let guardAt = try #require(body.range(of: "require_retain"))
      let deleteAt = try #require(body.range(of: "run k "))
      #expect(guardAt.lowerBound < deleteAt.lowerBound, "\(function) deletes before checking Retain")
    }
    let guardBody = try #require(script.components(separatedBy: "\nrequire_retain() {").dropFirst().first?.components(separatedBy: "\n}\n").first)
    #expect(guardBody.contains("refusing to delete"))
  }

  @Test func stepsFollowTheSafeOrderPerVolume() throws {
    let plan = try PlanSupport.demo().plan
    for g in plan.groups.indices {
      let steps = plan.steps(ofGroup: g)
      for i in plan.groups[g].volumes {
        let actions = steps.filter { $0.volume == i }.map(\.action)
        let expected: [Step.Action] =
          (plan.volumes[i].isDisk ? [.retain, .waitDetached] : [.retain])
          + [.deleteClaim, .waitClaimGone, .deleteVolume, .waitVolumeGone, .applyVolume, .applyClaim, .waitBound, .verifyVolume]
        #expect(actions == expected)
      }
      let all = steps.map(\.action)
      if let stop = all.firstIndex(of: .stop) {
        #expect(all.lastIndex(of: .retain).map { $0 < stop } ?? true, "Retain comes before stopping")
        #expect(all.firstIndex(of: .deleteClaim).map { $0 > stop } ?? true)
        #expect(all.firstIndex(of: .waitUnused).map { $0 > stop && $0 < (all.firstIndex(of: .deleteClaim) ?? Int.max) } ?? true)
      }
      if let start = all.firstIndex(of: .start) {
        #expect(all.lastIndex(of: .waitBound).map { $0 < start } ?? true, "scale up only after every claim is Bound")
        #expect(all.lastIndex(of: .recreateStatefulSet).map { $0 < start } ?? true)
      }
    }
  }

  /// RUNBOOK.md's "Rolling back group N", as lines (nil when the group has none).
  func groupRollback(_ run: PlanRun, _ number: Int) -> [String]? {
    let runbook = run.files["RUNBOOK.md"] ?? ""
    guard let start = runbook.range(of: "\n### Rolling back group \(number)\n") else { return nil }
    let rest = runbook[start.upperBound...]
    return rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)].split(separator: "\n").map(String.init)
  }

  @Test(arguments: ["demo", "edge"])
  func aGroupRollbackPutsBackTheRecreatedStatefulSetOnceTheVolumesAreBack(input: String) throws {
    let run = input == "demo" ? try PlanSupport.demo() : try PlanSupport.run(Self.edge)
    var checked = 0
    for (g, group) in run.plan.groups.enumerated() {
      let recreated = run.plan.steps(ofGroup: g).filter { $0.action == .recreateStatefulSet }
      guard !recreated.isEmpty else { continue }
      let lines = try #require(groupRollback(run, group.number), "group \(group.number) has no rollback")
      let start = try #require(lines.firstIndex { $0.hasPrefix("Then start the workloads again") })
      // The last line that puts a volume back: waiting for its claim, or applying its backup.
      let volumesBack = try #require(lines.lastIndex { $0.contains("{.status.phase}=Bound") || $0.hasPrefix("kubectl apply -f backup/") })
      for step in recreated {
        let w = run.plan.workloads[try #require(step.workload)]
        // The recreation's own rollback, verbatim and in order.
        #expect(step.rollback == run.plan.restoreStatefulSet(w) && step.rollback.count == 1)
        let first = try #require(lines.firstIndex(of: step.rollback[0]), "group \(group.number) does not restore \(w.name)")
        #expect(Array(lines[first..<min(first + step.rollback.count, lines.count)]) == step.rollback)
        #expect(volumesBack < first, "the StatefulSet comes back after the volumes")
        #expect(first < start, "and before the workloads start")
      }
      checked += 1
    }
    #expect(checked == 1)
  }

  @Test func aGroupWithoutVolumesStillRollsBackItsRecreatedStatefulSet() throws {
    // A StatefulSet on an in-tree class with no claim yet: recreated, no volume to migrate.
    let run = try PlanSupport.run("""
      apiVersion: v1
      kind: List
      items:
      - apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: fast}
        provisioner: kubernetes.io/azure-disk
        parameters: {storageaccounttype: Premium_LRS, kind: Managed}
      - apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: kv, namespace: ns3}
        spec:
          replicas: 0
          template: {spec: {containers: [{name: c, image: x}]}}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], storageClassName: fast, resources: {requests: {storage: 1Gi}}}
      """)
    let group = try #require(run.plan.groups.first)
    #expect(run.plan.groups.count == 1 && group.volumes.isEmpty)
    let recreate = try #require(run.plan.steps(ofGroup: 0).first { $0.action == .recreateStatefulSet })
    let lines = try #require(groupRollback(run, group.number), "no rollback for group \(group.number)")
    for line in recreate.rollback { #expect(lines.contains(line)) }
    #expect(!lines.contains { $0.contains("backup/") }, "no volume to restore")
  }

  @Test(arguments: ["demo", "edge"])
  func theScriptAndTheRunbookNumberStepsAlike(input: String) throws {
    let run = input == "demo" ? try PlanSupport.demo() : try PlanSupport.run(Self.edge)
    let runbook = run.files["RUNBOOK.md"] ?? ""
    var count = 0
    for line in (run.files["migrate.sh"] ?? "").split(separator: "\n") {
      let l = line.trimmingCharacters(in: .whitespaces)
      guard l.hasPrefix("step "), let space = l.dropFirst(5).firstIndex(of: " ") else { continue }
      let id = String(l[l.index(l.startIndex, offsetBy: 5)..<space])
      var title = String(l[l.index(after: space)...])
      if title.hasPrefix("'") || title.hasPrefix("\"") { title = String(title.dropFirst().dropLast()) }
      #expect(runbook.contains("**\(id) \(title)**"), "script step \(id) \(title) is not the runbook's")
      count += 1
    }
    #expect(count > 10)
  }

  // MARK: Invariant: disk handles verbatim, file handles unique

  @Test(arguments: ["demo", "edge"])
  func aDiskKeepsItsURIVerbatim(input: String) throws {
    let run = input == "demo" ? try PlanSupport.demo() : try PlanSupport.run(Self.edge)
    for v in run.volumes where v.action == .migrate && v.isDisk {
      let original = try #require(run.inTreeVolumes[v.name]?[path: "spec", "azureDisk", "diskURI"]?.text)
      let manifest = try PlanSupport.manifest(run, PlanPaths.persistentVolume(v.name))
      #expect(manifest[path: "spec", "csi", "volumeHandle"]?.text == original)
      #expect(v.handle == original)
      #expect(run.files["migrate.sh"]?.contains(original) == true)
    }
  }

  @Test func fileHandlesAreUniqueAmongThemselvesAndTheCSIVolumesAlreadyThere() throws {
    let run = try PlanSupport.run(Self.edge)
    let existing = ["#acct#share#pv-c#ns1"]
    let files = run.volumes.filter { $0.action == .migrate && !$0.isDisk }
    #expect(files.map(\.name) == ["pv-a", "pv-b"])
    let handles = try files.map { try PlanSupport.manifest(run, PlanPaths.persistentVolume($0.name))[path: "spec", "csi", "volumeHandle"]?.text ?? "" }
    #expect(Set(handles).count == handles.count)
    #expect(Set(handles).isDisjoint(with: existing))
    #expect(handles == ["#acct#share#pv-a#ns1", "#acct#share#pv-b#ns1"])
    let c = try volume(run, "pv-c")
    #expect(c.action == .blocked && c.reason?.contains("csi-existing") == true)
    // Two in-tree PVs on one disk (URIs compared as the driver does, ignoring case): both blocked.
    #expect(try volume(run, "pv-dup1").action == .blocked && volume(run, "pv-dup2").action == .blocked)
  }

  /// The plan's CSI block is Kubernetes' translation (Translator), made applicable: only the
  /// documented differences are allowed.
  @Test(arguments: ["demo", "edge"])
  func theCSIBlockIsTheTranslationMadeApplicable(input: String) throws {
    let run = input == "demo" ? try PlanSupport.demo() : try PlanSupport.run(Self.edge)
    for v in run.volumes where v.action == .migrate {
      let original = try #require(run.inTreeVolumes[v.name])
      let translated = try Translator.translatePersistentVolume(original).get()
      let upstream = try #require(translated[path: "spec", "csi"])
      let ours = try #require(try PlanSupport.manifest(run, PlanPaths.persistentVolume(v.name))[path: "spec", "csi"])
      #expect(ours["driver"]?.text == upstream["driver"]?.text, "\(v.name)")
      #expect(ours["volumeHandle"]?.text == upstream["volumeHandle"]?.text, "\(v.name)")
      #expect(ours["readOnly"]?.text == upstream["readOnly"]?.text, "\(v.name)")
      #expect(ours[path: "nodeStageSecretRef", "name"]?.text == upstream[path: "nodeStageSecretRef", "name"]?.text)
      #expect(ours[path: "nodeStageSecretRef", "namespace"]?.text == upstream[path: "nodeStageSecretRef", "namespace"]?.text)
      if v.isDisk {
        let fs = upstream[path: "volumeAttributes", "fstype"]?.text
        let block = v.pv.volumeMode == "Block"
        #expect(ours[path: "volumeAttributes", "fstype"]?.text == (block || fs == "" ? nil : fs), "\(v.name)")
        #expect(ours[path: "volumeAttributes", "kind"]?.text == upstream[path: "volumeAttributes", "kind"]?.text)
        let caching = upstream[path: "volumeAttributes", "cachingmode"]?.text
        if v.changes.allSatisfy({ !$0.hasPrefix("cachingMode") }) {
          #expect(ours[path: "volumeAttributes", "cachingmode"]?.text == caching, "\(v.name)")
        }
      } else {
        #expect(ours[path: "volumeAttributes", "shareName"]?.text == upstream[path: "volumeAttributes", "sharename"]?.text)
      }
    }
  }

  @Test func accountNamesComeFromTheSecretNameLikeUpstream() {
    #expect(VolumeBuilder.accountName(fromSecret: "azure-storage-account-acct-secret") == "acct")
    #expect(VolumeBuilder.accountName(fromSecret: "azure-storage-account-accountname-dup-secret") == "accountname-dup")
    #expect(VolumeBuilder.accountName(fromSecret: "x-azure-storage-account-a-secret-secret") == "a-secret")
    #expect(VolumeBuilder.accountName(fromSecret: "secretname") == "secretname")
  }

  // MARK: Invariant: no secret in any output

  @Test(arguments: ["secrets/cluster.yaml", "secrets/cluster.json", "secrets/cluster-multidoc.yaml", "secrets/cluster-stream.json"])
  func noSecretValueReachesAnyFileOfThePlan(dump: String) throws {
    let secrets = try fixtureText("secrets/SECRET-VALUES.txt").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    #expect(secrets.count > 10)
    let run = try PlanSupport.run(paths: [fixture(dump).path])
    let text = run.text
    #expect(!run.files.isEmpty)
    for secret in secrets { #expect(!text.contains(secret), "secret value found in the plan") }
    let edge = try PlanSupport.run(Self.edge).text
    #expect(!edge.contains("c2VjcmV0LWtleS12YWx1ZQ==") && !edge.contains("secret-key-value"))
  }

  // MARK: Manifests

  @Test func theCSIVolumeIsApplicable() throws {
    let run = try PlanSupport.run(Self.edge)
    let big = try PlanSupport.manifest(run, PlanPaths.persistentVolume("pv-big"))
    #expect(big[path: "spec", "persistentVolumeReclaimPolicy"]?.text == "Retain")
    #expect(big[path: "spec", "claimRef"]?.keys == ["name", "namespace"])
    #expect(big[path: "spec", "csi", "volumeAttributes", "cachingmode"]?.text == "None", "over 4095 GiB")
    #expect(big[path: "spec", "csi", "fsType"] == nil && big[path: "spec", "csi", "volumeAttributes", "fstype"] == nil, "Block")
    #expect(big[path: "spec", "volumeMode"]?.text == "Block")
    #expect(big[path: "spec", "storageClassName"]?.text == "fast-csi")
    #expect(big[path: "metadata", "labels"]?.keys == ["team"])
    #expect(big[path: "metadata", "annotations", "pv.kubernetes.io/provisioned-by"]?.text == "disk.csi.azure.com")
    let terms = big[path: "spec", "nodeAffinity", "required", "nodeSelectorTerms"]?.items ?? []
    let expressions = terms.first?["matchExpressions"]?.items ?? []
    #expect(expressions.map { $0["key"]?.text ?? "" } == ["topology.disk.csi.azure.com/zone", "topology.kubernetes.io/region"])
    #expect(expressions.first?["values"]?.items.map { $0.text ?? "?" } == [""], "fault domain: no zone")
    for text in big.allText { #expect(!text.contains("failure-domain"), "\(text)") }
    for key in ["requestedsizegib", "skuname", "csi.storage.k8s.io/pv/name", "csi-migration"] {
      #expect(big[path: "spec", "csi", "volumeAttributes", key] == nil)
    }

    let rw = try PlanSupport.manifest(run, PlanPaths.persistentVolume("pv-rw"))
    #expect(rw[path: "spec", "csi", "volumeAttributes", "cachingmode"]?.text == "ReadOnly")
    #expect(rw[path: "spec", "csi", "fsType"]?.text == "xfs" && rw[path: "spec", "csi", "volumeAttributes", "fstype"]?.text == "xfs")
    #expect(rw[path: "spec", "storageClassName"] == nil)
    #expect(try volume(run, "pv-rw").changes.contains { $0.contains("ReadWrite → ReadOnly") })

    let s0 = try PlanSupport.manifest(run, PlanPaths.persistentVolume("pv-sts-0"))
    #expect(s0[path: "spec", "csi", "fsType"] == nil, "fsType \"\" is left to the driver")
    let zone = s0[path: "spec", "nodeAffinity", "required", "nodeSelectorTerms"]?.items.first?["matchExpressions"]?.items.first
    #expect(zone?["key"]?.text == "topology.kubernetes.io/zone" && zone?["values"]?.items.first?.text == "westeurope-2")

    let a = try PlanSupport.manifest(run, PlanPaths.persistentVolume("pv-a"))
    #expect(a[path: "spec", "csi", "nodeStageSecretRef", "namespace"]?.text == "ns1", "claimRef namespace")
    #expect(a[path: "spec", "csi", "nodeStageSecretRef", "name"]?.text == "azure-storage-account-acct-secret")
    #expect(a[path: "spec", "csi", "volumeAttributes", "shareName"]?.text == "share")
    #expect(a[path: "spec", "mountOptions"]?.items.map { $0.text ?? "" } == ["dir_mode=0770", "vers=3.1.1"])
  }

  @Test func theClaimKeepsItsNameAndBindsToTheNewVolume() throws {
    let run = try PlanSupport.run(Self.edge)
    let c1 = try PlanSupport.manifest(run, PlanPaths.claim(ClaimKey(namespace: "ns1", name: "c1")))
    #expect(c1[path: "metadata", "name"]?.text == "c1" && c1[path: "metadata", "namespace"]?.text == "ns1")
    #expect(c1[path: "spec", "volumeName"]?.text == "pv-a")
    #expect(c1[path: "spec", "storageClassName"]?.text == "", "explicit: no default class may step in")
    #expect(c1[path: "metadata", "annotations"]?.keys == ["meta.helm.sh/release-name"], "Helm ownership kept, binding bookkeeping dropped")
    #expect(c1[path: "metadata", "labels", "app.kubernetes.io/managed-by"]?.text == "Helm")
    let big = try PlanSupport.manifest(run, PlanPaths.claim(ClaimKey(namespace: "ns2", name: "big")))
    #expect(big[path: "spec", "storageClassName"]?.text == "fast-csi")
    #expect(big[path: "spec", "volumeMode"]?.text == "Block")
    #expect(big[path: "spec", "resources", "requests", "storage"]?.text == "8Ti")
  }

  @Test func storageClassesGetACSIReplacementOrABuiltInOrAReason() throws {
    let run = try PlanSupport.run(Self.edge)
    let classes = Dictionary(uniqueKeysWithValues: run.plan.classes.map { ($0.name, $0) })
    #expect(classes["default"]?.action == .builtIn && classes["default"]?.target == "managed-csi")
    #expect(classes["blob"]?.action == .blocked && classes["blob"]?.reason?.contains("storageaccount") == true)
    #expect(classes["fast"]?.action == .create && classes["fast"]?.target == "fast-csi")
    let fast = try PlanSupport.manifest(run, PlanPaths.storageClass("fast-csi"))
    #expect(fast["provisioner"]?.text == "disk.csi.azure.com")
    #expect(fast["parameters"]?.keys == ["storageaccounttype", "kind", "cachingmode"])
    let topology = fast["allowedTopologies"]?.items.first?["matchLabelExpressions"]?.items.first
    #expect(topology?["key"]?.text == "topology.disk.csi.azure.com/zone" && topology?["values"]?.items.first?.text == "")
    #expect(fast[path: "metadata", "labels"]?.keys == ["owner"], "addon-manager labels are not copied")
    #expect(run.files[PlanPaths.storageClass("managed-csi")] == nil, "AKS built-ins are never written")

    let demo = try PlanSupport.demo()
    let mapped = Dictionary(uniqueKeysWithValues: demo.plan.classes.map { ($0.name, $0.target ?? "-") })
    #expect(mapped == ["azurefile": "azurefile-csi", "default": "managed-csi", "legacy-blob": "-", "managed-premium": "managed-csi-premium", "zoned-premium": "zoned-premium-csi"])
  }

  // MARK: Workloads

  @Test func workloadsAreGroupedAndStoppedTheWayTheirKindNeeds() throws {
    let run = try PlanSupport.run(Self.edge)
    let plan = run.plan
    func group(of name: String) throws -> MigrationGroup {
      let v = try self.volume(run, name)
      return plan.groups[try #require(v.group)]
    }
    // Two Deployments sharing one RWX claim: one group, both stopped.
    let shared = try group(of: "pv-a")
    #expect(shared.workloads.map { plan.workloads[$0].name }.sorted() == ["d1", "d2"])
    // A claim nobody uses: a group without workloads, run first.
    let unused = try group(of: "pv-b")
    #expect(unused.workloads.isEmpty && unused.number == 1)
    let ds = try #require(plan.workloads.first { $0.kind == "DaemonSet" })
    #expect(ds.stop == .pauseDaemonSet && ds.claims == ["big"])
    let pod = try #require(plan.workloads.first { $0.kind == "Pod" })
    #expect(pod.name == "p1" && pod.stop == .deletePod, "finished pods hold no volume")
    let sts = try #require(plan.workloads.first { $0.kind == "StatefulSet" })
    #expect(sts.stop == .scale && sts.claims == ["data-kv-0", "data-kv-1"], "claims from the templates, without pods")
    #expect(sts.templateChanges.map { "\($0.index):\($0.name):\($0.to)" } == ["0:data:fast-csi", "1:logs:managed-csi"])
    let d1 = try #require(plan.workloads.first { $0.name == "d1" })
    #expect(d1.notes.isEmpty, "RWX files do not deadlock RollingUpdate")
    let script = run.files["migrate.sh"] ?? ""
    #expect(script.contains("pause_daemonset ns2 ds1") && script.contains("resume_daemonset ns2 ds1"))
    #expect(script.contains("save_pod ns2 p1") && script.contains("create_pod ns2 p1"))
    #expect(script.contains("recreate_statefulset ns3 kv"))
  }

  @Test func aClaimMissingFromTheDumpBlocksItsVolume() throws {
    let v = try volume(try PlanSupport.run(Self.edge), "pv-orphan")
    #expect(v.action == .blocked && v.reason?.contains("not in the input") == true)
  }

  @Test func namespacesSelectWhatIsPlannedAndTheRestIsListedAsSkipped() throws {
    let run = try PlanSupport.run(Self.edge, namespaces: ["ns3"])
    let byAction = Dictionary(grouping: run.volumes, by: \.action).mapValues { $0.map(\.name).sorted() }
    #expect(byAction[.migrate] == ["pv-sts-0", "pv-sts-1"])
    #expect(run.volumes.count == 10)
    #expect(run.plan.workloads.map(\.namespace) == ["ns3"])
  }

  @Test func anObjectTwiceIsAnInputError() throws {
    let pv = """
      - apiVersion: v1
        kind: PersistentVolume
        metadata: {name: twice}
        spec: {azureDisk: {diskName: d, diskURI: \(Self.sub)/d, kind: Managed}}
      """
    #expect(throws: InputError.self) { try PlanSupport.run("apiVersion: v1\nkind: List\nitems:\n" + pv + "\n" + pv) }
  }

  // MARK: Backups

  @Test func backupsAreCleanedForKubectlApply() throws {
    let run = try PlanSupport.demo()
    let pv = try PlanSupport.manifest(run, PlanPaths.backupPersistentVolume("pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325"))
    #expect(pv["status"] == nil)
    for key in ["uid", "resourceVersion", "creationTimestamp", "managedFields", "finalizers"] { #expect(pv[path: "metadata", key] == nil) }
    #expect(pv[path: "spec", "claimRef"]?.keys.contains("uid") == false)
    #expect(pv[path: "spec", "claimRef", "name"]?.text == "data-db-0")
    #expect(pv[path: "spec", "azureDisk", "diskURI"] != nil, "the in-tree object as it was")
    let pvc = try PlanSupport.manifest(run, PlanPaths.backupClaim(ClaimKey(namespace: "shop", name: "data-db-0")))
    #expect(pvc[path: "metadata", "annotations", "pv.kubernetes.io/bind-completed"] == nil)
    #expect(pvc[path: "metadata", "annotations", "pv.kubernetes.io/bound-by-controller"] == nil)
    #expect(pvc[path: "spec", "volumeName"]?.text == "pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325")
    for (path, text) in run.files where path.hasPrefix("backup/") {
      #expect(!text.contains("last-applied-configuration"), "\(path)")
    }
    // Only claims of in-tree volumes are kept.
    #expect(run.files.keys.filter { $0.hasPrefix("backup/persistentvolumeclaims/") }.sorted() == [
      "backup/persistentvolumeclaims/legacy.legacy-data.yaml", "backup/persistentvolumeclaims/shop.data-db-0.yaml",
      "backup/persistentvolumeclaims/shop.data-db-1.yaml", "backup/persistentvolumeclaims/shop.shared-media.yaml",
      "backup/persistentvolumeclaims/web.uploads.yaml",
    ])
  }

  @Test func theOutputIsDeterministic() throws {
    let a = try PlanSupport.demo().files
    let b = try PlanSupport.demo().files
    #expect(a == b)
  }
}
