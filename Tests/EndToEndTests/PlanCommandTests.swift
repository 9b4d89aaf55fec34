import Foundation
import Testing
import TestSupport

/// `csi-migrate plan`, run as a user would.
@Suite struct PlanCommandTests {
  let root = packageRoot.path

  func scratch() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csi-migrate-plan-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// Every regular file under `dir`, relative paths.
  func files(_ dir: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: dir)
    var result: [String] = []
    while let path = enumerator?.nextObject() as? String {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDir), !isDir.boolValue { result.append(path) }
    }
    return result.sorted()
  }

  func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

  @Test func theDemoPlanMatchesTheGoldenDirectory() throws {
    let out = try scratch() + "/plan"
    let result = try run(["plan", "Fixtures/demo/cluster.yaml", "--out", out], in: root)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("4 volume(s) to migrate in 3 group(s), 4 blocked"))
    let produced = files(out)
    #expect(produced.contains("RUNBOOK.md") && produced.contains("plan.json") && produced.contains("migrate.sh"))
    let golden = fixture("golden/plan/demo").path
    if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" { try? FileManager.default.removeItem(atPath: golden) }
    for path in produced {
      if let difference = try compareGolden(try read(out + "/" + path), "plan/demo/\(path)") { Issue.record("\(difference)") }
    }
    #expect(files(golden) == produced, "golden directory and plan differ in their files")
    let attributes = try FileManager.default.attributesOfItem(atPath: out + "/migrate.sh")
    #expect(((attributes[.posixPermissions] as? Int) ?? 0) & 0o111 != 0, "migrate.sh is executable")
  }

  @Test func aNewUserPipesKubectlIntoPlan() throws {
    let dir = try scratch()
    let dump = try Data(contentsOf: fixture("demo/cluster.yaml"))
    let result = try run(["plan", "--out", "p"], stdin: dump, in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("next: read p/RUNBOOK.md"))
    let fromFile = try scratch() + "/plan"
    _ = try run(["plan", "Fixtures/demo/cluster.yaml", "--out", fromFile], in: root)
    #expect(files(dir + "/p") == files(fromFile))
    for path in files(fromFile) where path.hasPrefix("manifests/") || path.hasPrefix("backup/") || path == "migrate.sh" {
      #expect(try read(dir + "/p/" + path) == read(fromFile + "/" + path), "\(path)")
    }
  }

  @Test(arguments: ["demo/cluster.json", "demo/cluster-multidoc.yaml", "demo/cluster-stream.json"])
  func everyFormOfTheDumpGivesTheSameManifests(form: String) throws {
    let a = try scratch() + "/a"
    let b = try scratch() + "/b"
    #expect(try run(["plan", "Fixtures/demo/cluster.yaml", "--out", a], in: root).status == 0)
    #expect(try run(["plan", "Fixtures/\(form)", "--out", b], in: root).status == 0)
    #expect(files(a) == files(b))
    for path in files(a) where path.hasPrefix("manifests/") || path == "migrate.sh" {
      #expect(try read(a + "/" + path) == read(b + "/" + path), "\(path)")
    }
  }

  /// A crafted name must not make the plan write outside its directory: not even the backups,
  /// which are written as the objects are read (in-tree volumes and classes get one).
  @Test(arguments: [
    ("PersistentVolume", "name: ../../escaped", ""), ("PersistentVolumeClaim", "name: ../escaped\n    namespace: apps", ""),
    ("PersistentVolumeClaim", "name: data\n    namespace: ../escaped", ""), ("StorageClass", "name: a/b", ""),
    ("Pod", "name: ../../escaped\n    namespace: apps", ""), ("Pod", "name: p\n    namespace: apps\n    ownerReferences:\n    - kind: StatefulSet\n      name: ../../escaped", ""),
    ("PersistentVolume", "name: ../../../../escaped",
     "  spec:\n    azureDisk:\n      diskName: d\n      diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d\n"),
    ("StorageClass", "name: ../../../../escaped", "  provisioner: kubernetes.io/azure-disk\n"),
  ])
  func aNameThatIsNoKubernetesNameIsRefused(kind: String, metadata: String, rest: String) throws {
    let dir = try scratch()
    let input = dir + "/dump.yaml"
    let api = kind == "StorageClass" ? "storage.k8s.io/v1" : "v1"
    try "apiVersion: v1\nkind: List\nitems:\n- apiVersion: \(api)\n  kind: \(kind)\n  metadata:\n    \(metadata)\n\(rest)".write(toFile: input, atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: dir + "/a/b", withIntermediateDirectories: true)
    let result = try run(["plan", input, "--out", dir + "/a/b/plan"], in: dir)
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("dump.yaml:4:3: error: \(kind)") && result.stderr.contains("is not a Kubernetes name"), "\(result.stderr)")
    #expect(files(dir) == ["dump.yaml"], "nothing written anywhere")
  }

  @Test func aNonEmptyDirectoryIsNeverOverwrittenWithoutForce() throws {
    let dir = try scratch()
    let out = dir + "/plan"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    try "mine".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
    let refused = try run(["plan", "Fixtures/demo/cluster.yaml", "--out", out], in: root)
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("--force"))
    #expect(files(out) == ["notes.txt"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["plan"], "no temporary directory left")

    let forced = try run(["plan", "Fixtures/demo/cluster.yaml", "--out", out, "--force"], in: root)
    #expect(forced.status == 0)
    #expect(!files(out).contains("notes.txt") && files(out).contains("RUNBOOK.md"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["plan"], "the old plan is gone")
  }

  @Test func anEmptyDirectoryIsUsed() throws {
    let out = try scratch()
    let result = try run(["plan", "Fixtures/demo/cluster.yaml", "--out", out + "/"], in: root)
    #expect(result.status == 0)
    #expect(files(out).contains("plan.json"))
  }

  @Test(arguments: ["bad/truncated.yaml", "bad/duplicate-key.yaml", "bad/empty.yaml", "demo/cluster.yaml demo/cluster.json"])
  func badInputWritesNothingAndExitsTwo(input: String) throws {
    let dir = try scratch()
    let paths = input.split(separator: " ").map { "Fixtures/\($0)" }
    let result = try run(["plan"] + paths + ["--out", dir + "/plan"], in: root)
    #expect(result.status == 2)
    #expect(result.stderr.contains("error:"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "nothing half-written remains")
  }

  @Test func aMissingOutIsAUsageError() throws {
    let result = try run(["plan", "Fixtures/demo/cluster.yaml"], in: root)
    #expect(result.status == 2)
  }

  @Test(arguments: ["cluster.yaml", "cluster.json", "cluster-multidoc.yaml", "cluster-stream.json"])
  func noSecretValueReachesThePlanDirectory(form: String) throws {
    let out = try scratch() + "/plan"
    let result = try run(["plan", "Fixtures/secrets/\(form)", "--out", out], in: root)
    #expect(result.status == 0, "\(result.stderr)")
    let secrets = try fixtureText("secrets/SECRET-VALUES.txt").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    var all = result.stdout + result.stderr
    for path in files(out) { all += try read(out + "/" + path) }
    for secret in secrets { #expect(!all.contains(secret), "a secret value reached the plan") }
  }

  @Test func theScriptNeedsAContextAndPassesShellcheck() throws {
    let out = try scratch() + "/plan"
    #expect(try run(["plan", "Fixtures/demo/cluster.yaml", "--out", out], in: root).status == 0)
    let bash = Process()
    bash.executableURL = URL(fileURLWithPath: "/bin/bash")
    bash.arguments = [out + "/migrate.sh"]
    bash.standardOutput = FileHandle.nullDevice
    bash.standardError = FileHandle.nullDevice
    try bash.run()
    bash.waitUntilExit()
    #expect(bash.terminationStatus == 2, "no --context: usage error before anything runs")
    let shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck"].first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let shellcheck else { return }  // Scripts/validate runs shellcheck on the golden script too.
    let check = Process()
    check.executableURL = URL(fileURLWithPath: shellcheck)
    check.arguments = [out + "/migrate.sh"]
    try check.run()
    check.waitUntilExit()
    #expect(check.terminationStatus == 0)
  }
}
