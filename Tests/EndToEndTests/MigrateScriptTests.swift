import Foundation
import Testing
import TestSupport

/// The generated migrate.sh, run against Fixtures/tools/fake_kubectl.py: a kubectl stand-in
/// that keeps the demo cluster in a JSON file and records data loss (a claim deleted while its
/// volume is Delete). Skipped where python3 with PyYAML is missing.
@Suite struct MigrateScriptTests {
  let root = packageRoot.path

  static let available: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import yaml"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
  }()

  struct Cluster {
    let dir: String
    var state: String { dir + "/state.json" }
    var log: String { dir + "/kubectl.log" }
    var plan: String { dir + "/plan" }

    func script(_ arguments: [String], fail: String? = nil) throws -> (status: Int32, output: String) {
      try bash([plan + "/migrate.sh"] + arguments, fail: fail)
    }

    /// Commands as an operator pastes them from RUNBOOK.md: in the plan directory, the first
    /// failure stops them.
    func paste(_ commands: [String]) throws -> (status: Int32, output: String) {
      try bash(["-euo", "pipefail", "-c", commands.joined(separator: "\n")])
    }

    func bash(_ arguments: [String], fail: String? = nil) throws -> (status: Int32, output: String) {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/bin/bash")
      p.arguments = arguments
      p.currentDirectoryURL = URL(fileURLWithPath: plan)
      var env = ProcessInfo.processInfo.environment
      env["PATH"] = dir + "/bin:" + (env["PATH"] ?? "/usr/bin:/bin")
      env["FAKE_KUBECTL_STATE"] = state
      env["FAKE_KUBECTL_LOG"] = log
      env["FAKE_KUBECTL_DUMP"] = fixture("demo/cluster.json").path
      env["FAKE_KUBECTL_FAIL"] = fail
      p.environment = env
      let pipe = Pipe()
      p.standardOutput = pipe
      p.standardError = pipe
      try p.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// kubectl calls that change the cluster, since the log was last cleared.
    func mutations() throws -> [String] {
      let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      return text.split(separator: "\n").map(String.init).filter { line in
        let verbs = ["patch", "delete", "apply", "create", "scale"]
        return verbs.contains { line.contains(" \($0) ") } && !line.contains("--local")
      }
    }

    func clearLog() throws { try "".write(toFile: log, atomically: true, encoding: .utf8) }

    func objects() throws -> [String: [String: Any]] {
      let data = try Data(contentsOf: URL(fileURLWithPath: state))
      let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let objects = try #require(json["objects"] as? [String: [String: Any]])
      return Dictionary(uniqueKeysWithValues: objects.map { ($0.key.replacingOccurrences(of: "\u{1F}", with: "/"), $0.value) })
    }
  }

  func cluster() throws -> Cluster {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csi-migrate-script-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
    let wrapper = "#!/bin/sh\nexec python3 \(fixture("tools/fake_kubectl.py").path) \"$@\"\n"
    try wrapper.write(toFile: dir + "/bin/kubectl", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/kubectl")
    let result = try run(["plan", "Fixtures/demo/cluster.yaml", "--out", dir + "/plan"], in: root)
    #expect(result.status == 0)
    return Cluster(dir: dir)
  }

  func spec(_ object: [String: Any]?) -> [String: Any] { object?["spec"] as? [String: Any] ?? [:] }

  /// The commands of the `sh` blocks in `text`, comments dropped.
  func shellBlocks(_ text: Substring) -> [String] {
    var commands: [String] = []
    var inside = false
    for line in text.split(separator: "\n") {
      let l = line.trimmingCharacters(in: .whitespaces)
      if l.hasPrefix("```") {
        inside = l == "```sh"
        continue
      }
      if inside && !l.isEmpty && !l.hasPrefix("#") { commands.append(l) }
    }
    return commands
  }

  /// RUNBOOK.md's step `id`: its commands and its rollback commands.
  func runbookStep(_ c: Cluster, _ id: String) throws -> (commands: [String], rollback: [String]) {
    let runbook = try String(contentsOfFile: c.plan + "/RUNBOOK.md", encoding: .utf8)
    let start = try #require(runbook.range(of: "- [ ] **\(id) "), "no step \(id)")
    let rest = runbook[start.upperBound...]
    let end = [rest.range(of: "\n- [ ] **")?.lowerBound, rest.range(of: "\n### ")?.lowerBound].compactMap { $0 }.min() ?? rest.endIndex
    let step = rest[..<end]
    guard let rollback = step.range(of: "Rollback:") else { return (shellBlocks(step), []) }
    return (shellBlocks(step[..<rollback.lowerBound]), shellBlocks(step[rollback.upperBound...]))
  }

  /// RUNBOOK.md's "Rolling back group N": its commands, in order.
  func runbookGroupRollback(_ c: Cluster, _ number: Int) throws -> [String] {
    let runbook = try String(contentsOfFile: c.plan + "/RUNBOOK.md", encoding: .utf8)
    let start = try #require(runbook.range(of: "\n### Rolling back group \(number)\n"), "no rollback of group \(number)")
    let rest = runbook[start.upperBound...]
    return shellBlocks(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
  }

  /// The demo's group 1 is back on its in-tree volumes, and StatefulSet shop/db on its in-tree templates.
  func expectGroup1InTree(_ c: Cluster, replicas: Int) throws {
    let objects = try c.objects()
    for (claim, pv) in [("data-db-0", "pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325"), ("data-db-1", "pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52")] {
      let volume = objects["PersistentVolume//\(pv)"]
      #expect(spec(volume)["azureDisk"] != nil && spec(volume)["csi"] == nil, "\(pv) is the in-tree volume again")
      #expect(spec(volume)["persistentVolumeReclaimPolicy"] as? String == "Retain")
      let pvc = objects["PersistentVolumeClaim/shop/\(claim)"]
      #expect(spec(pvc)["volumeName"] as? String == pv && (pvc?["status"] as? [String: Any])?["phase"] as? String == "Bound", "\(claim)")
    }
    let sts = objects["StatefulSet/shop/db"]
    #expect(templateClasses(sts) == ["default"], "the StatefulSet's templates name the in-tree class again")
    #expect(spec(sts)["replicas"] as? Int == replicas)
    #expect(!(try String(contentsOfFile: c.log, encoding: .utf8)).contains("DATA LOST"))
  }

  /// The template classes of StatefulSet shop/db.
  func templateClasses(_ sts: [String: Any]?) -> [String] {
    (spec(sts)["volumeClaimTemplates"] as? [[String: Any]] ?? []).map { spec($0)["storageClassName"] as? String ?? "" }
  }

  @Test(.enabled(if: available)) func aDryRunChangesNothing() throws {
    let c = try cluster()
    let dry = try c.script(["--context", "fake"])
    #expect(dry.status == 0, "\(dry.output)")
    #expect(dry.output.contains("would run: kubectl --context fake patch pv pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325 -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Retain\"}}'"))
    #expect(try c.mutations().isEmpty)
    #expect(!FileManager.default.fileExists(atPath: c.plan + "/state"), "a dry run records nothing")
  }

  @Test(.enabled(if: available)) func applyMigratesStopsAtAFailureResumesAndThenHasNothingToDo() throws {
    let c = try cluster()
    let failing = "apply -f \(c.plan)/manifests/persistentvolumeclaims/shop.data-db-1.yaml"
    let first = try c.script(["--context", "fake", "--apply"], fail: failing)
    #expect(first.status == 1)
    #expect(first.output.contains("stopped at step 1.20"))
    #expect(!first.output.contains("[1.21]"), "nothing runs after the failure")

    let second = try c.script(["--context", "fake", "--apply"])
    #expect(second.status == 0, "\(second.output)")
    #expect(second.output.contains("done: every step of the plan is complete"))
    let log = try String(contentsOfFile: c.log, encoding: .utf8)
    #expect(!log.contains("DATA LOST"), "a claim was deleted while its volume was Delete")

    let objects = try c.objects()
    for (name, driver) in [
      ("pvc-566bf9d7-c55a-45f8-91a6-e55e9b9b1325", "disk.csi.azure.com"), ("pvc-5d96cf7f-265b-4da9-8f0c-26ef4243ed52", "disk.csi.azure.com"),
      ("pvc-9823beb1-e6ba-4ad7-8de4-5321ad915a36", "file.csi.azure.com"), ("pv-web-uploads", "disk.csi.azure.com"),
    ] {
      let pv = objects["PersistentVolume//\(name)"]
      #expect((spec(pv)["csi"] as? [String: Any])?["driver"] as? String == driver, "\(name)")
      #expect((pv?["status"] as? [String: Any])?["phase"] as? String == "Bound", "\(name)")
    }
    #expect(objects["PersistentVolume//legacy-data"].map { spec($0)["azureDisk"] != nil } == true, "blocked volumes are left alone")
    #expect(spec(objects["StatefulSet/shop/db"])["replicas"] as? Int == 2)
    #expect(spec(objects["Deployment/shop/media"])["replicas"] as? Int == 2)
    #expect(spec(objects["Deployment/web/web"])["replicas"] as? Int == 1)
    let templates = spec(objects["StatefulSet/shop/db"])["volumeClaimTemplates"] as? [[String: Any]]
    #expect((templates?.first?["spec"] as? [String: Any])?["storageClassName"] as? String == "managed-csi")

    try c.clearLog()
    let third = try c.script(["--context", "fake", "--apply"])
    #expect(third.status == 0)
    #expect(try c.mutations().isEmpty, "a finished plan changes nothing when run again")
  }

  @Test(.enabled(if: available)) func aStatefulSetLostHalfWayIsCreatedAgainByTheNextRun() throws {
    let c = try cluster()
    // The orphan delete succeeded, creating the StatefulSet again failed: it is gone.
    let failing = "create -f \(c.plan)/state/statefulset.shop.db.csi.yaml"
    let first = try c.script(["--context", "fake", "--apply"], fail: failing)
    #expect(first.status == 1)
    #expect(first.output.contains("stopped at step 1.22"), "\(first.output)")
    #expect(try c.objects()["StatefulSet/shop/db"] == nil)

    let second = try c.script(["--context", "fake", "--apply"])
    #expect(second.status == 0, "\(second.output)")
    let sts = try c.objects()["StatefulSet/shop/db"]
    #expect(spec(sts)["replicas"] as? Int == 2)
    let templates = spec(sts)["volumeClaimTemplates"] as? [[String: Any]]
    #expect((templates?.first?["spec"] as? [String: Any])?["storageClassName"] as? String == "managed-csi")
  }

  @Test(.enabled(if: available)) func theRunbookRollbackOfTheRecreationPutsBackAStatefulSetLostHalfWay() throws {
    let c = try cluster()
    let failing = "create -f \(c.plan)/state/statefulset.shop.db.csi.yaml"
    #expect(try c.script(["--context", "fake", "--apply"], fail: failing).status == 1)
    #expect(try c.objects()["StatefulSet/shop/db"] == nil)
    // The operator follows the rollback of step 1.22 (Recreate StatefulSet shop/db).
    let step = try runbookStep(c, "1.22")
    #expect(step.commands.last?.hasSuffix("kubectl create -f state/statefulset.shop.db.csi.yaml") == true, "\(step.commands)")
    let rollback = try c.paste(step.rollback)
    #expect(rollback.status == 0, "\(rollback.output)")
    let sts = try c.objects()["StatefulSet/shop/db"]
    #expect(templateClasses(sts) == ["default"], "the original, in-tree templates")
    #expect(spec(sts)["replicas"] as? Int == 0, "the copy was saved at 0 replicas")
  }

  @Test(.enabled(if: available)) func theRunbookRecreationRunAgainAfterAFailureKeepsTheFirstCopy() throws {
    let c = try cluster()
    // The operator pastes step 1.22; creating the StatefulSet again fails after the delete.
    let step = try runbookStep(c, "1.22")
    let first = try c.bash(["-euo", "pipefail", "-c", step.commands.joined(separator: "\n")], fail: "create -f state/statefulset.shop.db.csi.yaml")
    #expect(first.status != 0)
    #expect(try c.objects()["StatefulSet/shop/db"] == nil)
    let saved = try String(contentsOfFile: c.plan + "/state/statefulset.shop.db.yaml", encoding: .utf8)
    #expect(saved.contains("volumeClaimTemplates"))
    // Pasted again: `get` finds nothing, the first copy stays and the CSI StatefulSet is created.
    let second = try c.paste(step.commands)
    #expect(second.status == 0, "\(second.output)")
    #expect(try String(contentsOfFile: c.plan + "/state/statefulset.shop.db.yaml", encoding: .utf8) == saved)
    #expect(templateClasses(try c.objects()["StatefulSet/shop/db"]) == ["managed-csi"])
  }

  @Test(.enabled(if: available)) func theRunbookRecreationRunAgainAfterItWorkedKeepsTheInTreeCopy() throws {
    let c = try cluster()
    // The create went through but its answer was lost: the operator pastes step 1.22 again.
    let step = try runbookStep(c, "1.22")
    #expect(try c.paste(step.commands).status == 0)
    #expect(try c.paste(step.commands).status == 0)
    let saved = try String(contentsOfFile: c.plan + "/state/statefulset.shop.db.yaml", encoding: .utf8)
    #expect(saved.contains("default") && !saved.contains("managed-csi"), "\(saved)")
    #expect(try c.paste(step.rollback).status == 0)
    #expect(templateClasses(try c.objects()["StatefulSet/shop/db"]) == ["default"])
  }

  @Test(.enabled(if: available)) func theRunbookRecreationDeletesNothingWhenItsPatchFails() throws {
    let c = try cluster()
    // The claim template was renamed since the dump: the patch's `test` operation fails.
    _ = try c.bash(["-c", "kubectl get pv"])  // the fake cluster comes to life
    var root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: c.state))) as? [String: Any])
    var objects = try #require(root["objects"] as? [String: [String: Any]])
    let key = try #require(objects.keys.first { $0.replacingOccurrences(of: "\u{1F}", with: "/") == "StatefulSet/shop/db" })
    var sts = try #require(objects[key])
    var spec = try #require(sts["spec"] as? [String: Any])
    var templates = try #require(spec["volumeClaimTemplates"] as? [[String: Any]])
    var metadata = try #require(templates[0]["metadata"] as? [String: Any])
    metadata["name"] = "pgdata"
    templates[0]["metadata"] = metadata
    spec["volumeClaimTemplates"] = templates
    sts["spec"] = spec
    objects[key] = sts
    root["objects"] = objects
    try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: c.state))
    try c.clearLog()
    let r = try c.bash(["-c", try runbookStep(c, "1.22").commands.joined(separator: "\n")])
    #expect(r.status != 0)
    let mutations = try c.mutations()
    #expect(mutations.isEmpty, "\(mutations)")
    #expect(try c.objects()["StatefulSet/shop/db"] != nil)
  }

  @Test(.enabled(if: available)) func theRunbookRollbackOfTheRecreationDeletesNothingWithoutASavedCopy() throws {
    let c = try cluster()
    _ = try c.script(["--context", "fake"])
    // Step 1.22's `kubectl get ... > state/statefulset.shop.db.yaml` failed: an empty file.
    try FileManager.default.createDirectory(atPath: c.plan + "/state", withIntermediateDirectories: true)
    try "".write(toFile: c.plan + "/state/statefulset.shop.db.yaml", atomically: true, encoding: .utf8)
    try c.clearLog()
    _ = try c.paste(try runbookStep(c, "1.22").rollback)
    #expect(try c.mutations().isEmpty)
    #expect(templateClasses(try c.objects()["StatefulSet/shop/db"]) == ["default"])
  }

  @Test(.enabled(if: available)) func theRunbookRollbackOfAMigratedGroupPutsBackItsStatefulSet() throws {
    let c = try cluster()
    #expect(try c.script(["--context", "fake", "--apply"]).status == 0)
    #expect(templateClasses(try c.objects()["StatefulSet/shop/db"]) == ["managed-csi"])
    // The operator follows "Rolling back group 1": stop (steps 1.4 and 1.5), the rollback
    // commands, then start again (the rollback of step 1.4).
    let stop = try runbookStep(c, "1.4")
    #expect(stop.commands == ["kubectl -n shop scale statefulset/db --replicas=0"])
    #expect(try c.paste(stop.commands).status == 0)
    let rollback = try c.paste(try runbookGroupRollback(c, 1))
    #expect(rollback.status == 0, "\(rollback.output)")
    try expectGroup1InTree(c, replicas: 0)
    #expect(try c.paste(stop.rollback).status == 0)
    try expectGroup1InTree(c, replicas: 2)
    let pods = try c.objects().filter { $0.key.hasPrefix("Pod/shop/db-") }
    #expect(pods.count == 2)
  }

  @Test(.enabled(if: available)) func theRunbookRollbackOfAGroupCreatesAStatefulSetLostHalfWay() throws {
    let c = try cluster()
    let failing = "create -f \(c.plan)/state/statefulset.shop.db.csi.yaml"
    #expect(try c.script(["--context", "fake", "--apply"], fail: failing).status == 1)
    #expect(try c.objects()["StatefulSet/shop/db"] == nil)
    // Nothing to stop: the StatefulSet is gone (its pods went with the scale to 0).
    let rollback = try c.paste(try runbookGroupRollback(c, 1))
    #expect(rollback.status == 0, "\(rollback.output)")
    try expectGroup1InTree(c, replicas: 0)
    #expect(try c.paste(try runbookStep(c, "1.4").rollback).status == 0)
    try expectGroup1InTree(c, replicas: 2)
  }

  @Test(.enabled(if: available)) func aLaterRunLeavesTodaysReplicaCountsAlone() throws {
    let c = try cluster()
    #expect(try c.script(["--context", "fake", "--apply"]).status == 0)
    // After the migration someone scales the database to 3.
    var text = try String(contentsOfFile: c.state, encoding: .utf8)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    var objects = try #require(json["objects"] as? [String: [String: Any]])
    let key = try #require(objects.keys.first { $0.replacingOccurrences(of: "\u{1F}", with: "/") == "StatefulSet/shop/db" })
    var sts = try #require(objects[key])
    var stsSpec = spec(sts)
    stsSpec["replicas"] = 3
    sts["spec"] = stsSpec
    objects[key] = sts
    var root = json
    root["objects"] = objects
    text = String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
    try text.write(toFile: c.state, atomically: true, encoding: .utf8)
    try c.clearLog()
    let again = try c.script(["--context", "fake", "--apply"])
    #expect(again.status == 0, "\(again.output)")
    let changes = try c.mutations()
    #expect(changes.isEmpty, "\(changes)")
    #expect(spec(try c.objects()["StatefulSet/shop/db"])["replicas"] as? Int == 3)
  }

  @Test(.enabled(if: available)) func anotherClusterIsRefusedBeforeAnyChange() throws {
    let c = try cluster()
    // Seed the fake with the demo, then make one volume a different object (another uid).
    _ = try c.script(["--context", "fake"])
    var text = try String(contentsOfFile: c.state, encoding: .utf8)
    text = text.replacingOccurrences(of: "d1784030-35c9-48c4-a68d-c8f46a423cf9", with: "00000000-0000-0000-0000-000000000000")
    try text.write(toFile: c.state, atomically: true, encoding: .utf8)
    try c.clearLog()
    let result = try c.script(["--context", "fake", "--apply"])
    #expect(result.status == 1)
    #expect(result.output.contains("the dump had d1784030-35c9-48c4-a68d-c8f46a423cf9"))
    #expect(try c.mutations().isEmpty)
  }

  @Test(.enabled(if: available)) func theFakeNoticesDataLoss() throws {
    // Without the Retain step, deleting the claim of a Delete volume loses the share: the
    // fake must see it, or the test above proves nothing.
    let c = try cluster()
    _ = try c.script(["--context", "fake"])
    let p = Process()
    p.executableURL = URL(fileURLWithPath: c.dir + "/bin/kubectl")
    p.arguments = ["--context", "fake", "-n", "shop", "delete", "pvc", "data-db-0"]
    p.environment = ["FAKE_KUBECTL_STATE": c.state, "FAKE_KUBECTL_LOG": c.log, "PATH": "/usr/bin:/bin"]
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    let objects = try c.objects()
    #expect(objects["PersistentVolumeClaim/shop/data-db-0"] != nil, "a pod uses it: Terminating, not gone")
    #expect(!(try String(contentsOfFile: c.log, encoding: .utf8)).contains("DATA LOST"))
    let web = Process()
    web.executableURL = URL(fileURLWithPath: c.dir + "/bin/kubectl")
    web.arguments = ["--context", "fake", "-n", "shop", "scale", "deployment/media", "--replicas=0"]
    web.environment = p.environment
    web.standardOutput = FileHandle.nullDevice
    try web.run()
    web.waitUntilExit()
    let delete = Process()
    delete.executableURL = URL(fileURLWithPath: c.dir + "/bin/kubectl")
    delete.arguments = ["--context", "fake", "-n", "shop", "delete", "pvc", "shared-media"]
    delete.environment = p.environment
    delete.standardOutput = FileHandle.nullDevice
    try delete.run()
    delete.waitUntilExit()
    #expect((try String(contentsOfFile: c.log, encoding: .utf8)).contains("DATA LOST"))
  }
}
