import Foundation
import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// `kubernetes-validate` (PyPI) on PATH, if installed.
let kubernetesValidate: String? = {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
  for dir in path.split(separator: ":") {
    let candidate = "\(dir)/kubernetes-validate"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return nil
}()

/// Runs a tool with the test's own environment (kubernetes-validate may live behind pyenv shims).
func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Every document of a YAML text, read back with our own reader.
func reread(_ text: String) throws -> [ObjectTree] {
  try readObjects(text)
}

@Suite struct TranslateEdgeCaseTests {
  let input = "Fixtures/translate/edge-cases.yaml"

  @Test func goldenOutputAndUpstreamErrorsOnStderr() throws {
    let result = try run(["translate", input], in: packageRoot.path)
    #expect(result.status == 4)
    if let difference = try compareGolden(result.stdout, "translate/edge-cases.yaml") { Issue.record("\(difference)") }
    #expect(
      result.stderr == """
        \(input):84:5: error: PersistentVolume legacy-blob-disk: kind(Shared) is not supported in csi migration
        \(input):151:5: error: PersistentVolume unbound-share: could not find a secret namespace in PersistentVolumeSource or ClaimRef
        \(input):203:3: error: StorageClass zone-and-topology: cannot simultaneously set allowed topologies and zone/zones parameters
        \(input):291:15: error: CronJob nightly-export volume scratch: kind(Dedicated) is not supported in csi migration

        """)
  }

  @Test func secretsAndObjectsWithoutInTreeVolumesAreNotPrinted() throws {
    let result = try run(["translate", input], in: packageRoot.path)
    #expect(!result.stdout.contains("kind: Secret"))
    #expect(!result.stdout.contains("bmV2ZXItcHJpbnQtbWU="))
    #expect(!result.stdout.contains("managed-csi"))
    #expect(!result.stdout.contains("azureDisk"))
    #expect(!result.stdout.contains("azureFile"))
  }

  @Test func outputIsDeterministicAndReadableByOurReader() throws {
    let first = try run(["translate", input], in: packageRoot.path)
    let second = try run(["translate", input], in: packageRoot.path)
    #expect(first.stdout == second.stdout)
    let trees = try reread(first.stdout)
    #expect(trees.count == 11)
    for tree in trees {
      var decoder = Decoder(tree: tree, input: 0)
      let object = try decoder.decode()
      // Translated output holds nothing in-tree any more.
      #expect(Translator.translate(tree, object).allSatisfy { outcome in
        if case .success(let value) = outcome.result { return value["kind"]?.scalarText == "StorageClass" }
        return false
      })
    }
  }

  @Test func standardInputWorksLikeAFile() throws {
    let bytes = try Data(contentsOf: fixture("translate/edge-cases.yaml"))
    let piped = try run(["translate", "-"], stdin: bytes)
    let named = try run(["translate", input], in: packageRoot.path)
    #expect(piped.stdout == named.stdout)
    #expect(piped.status == 4)
    #expect(piped.stderr.hasPrefix("-:84:5: error: PersistentVolume legacy-blob-disk:"))
  }
}

@Suite struct TranslateCommandTests {
  @Test func nothingToTranslateIsSuccessWithANote() throws {
    let path = try temporaryFile(
      "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: csi\nspec:\n  csi:\n    driver: disk.csi.azure.com\n    volumeHandle: x\n")
    let result = try run(["translate", path])
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "no in-tree objects to translate\n")
  }

  @Test func emptyInputIsBadInput() throws {
    let result = try run(["translate", "-"], stdin: Data())
    #expect(result.status == 2)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("error: empty input"))
  }

  @Test func malformedInputIsBadInputWithAPosition() throws {
    let path = try temporaryFile("apiVersion: v1\nkind: PersistentVolume\nmetadata: [\n")
    let result = try run(["translate", path])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("\(path):"))
  }

  @Test func helpSaysThatClassesGetTheCSIProvisioner() throws {
    let result = try run(["translate", "--help"])
    #expect(result.status == 0)
    let text = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(text.contains("its provisioner is set to the CSI driver's name"))
  }

  @Test func severalInputsArePrintedInOrderAsOneStream() throws {
    let disk = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: NAME
      spec:
        azureDisk:
          diskName: d
          diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/NAME
          kind: Managed

      """
    let a = try temporaryFile(disk.replacingOccurrences(of: "NAME", with: "a"), name: "a.yaml")
    let b = try temporaryFile(disk.replacingOccurrences(of: "NAME", with: "b"), name: "b.yaml")
    let result = try run(["translate", a, b])
    #expect(result.status == 0)
    let names = try reread(result.stdout).map { tree in
      tree.value(tree.root, "metadata", "name").flatMap { tree.string($0) }
    }
    #expect(names == ["a", "b"])
    #expect(result.stdout.components(separatedBy: "\n---\n").count == 2)
  }
}

@Suite struct TranslateValidationTests {
  /// Every golden file of `translate` passes `kubernetes-validate --strict` for Kubernetes 1.26
  /// and for the newest version the installed validator knows (its default). Inline-volume PVs
  /// keep upstream's in-memory names (disk URIs, `#`-joined handles); the schema accepts them.
  @Test(.enabled(if: kubernetesValidate != nil, "kubernetes-validate is not installed (pip install kubernetes-validate)"))
  func goldenFilesPassKubernetesValidateStrict() throws {
    let tool = try #require(kubernetesValidate)
    let dir = fixture("golden/translate")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(!files.isEmpty)
    for file in files {
      let path = dir.appendingPathComponent(file).path
      for version in [["-k", "1.26.0"], []] {
        let (status, output) = try runTool(tool, ["--strict", "--quiet"] + version + [path])
        #expect(status == 0, "kubernetes-validate --strict \(version.joined(separator: " ")) \(file):\n\(output)")
      }
    }
  }
}

@Suite struct TranslateDemoTests {
  let forms = ["cluster.yaml", "cluster.json", "cluster-multidoc.yaml", "cluster-stream.json"]

  @Test func demoMatchesTheGoldenFile() throws {
    let result = try run(["translate", "Fixtures/demo/cluster.yaml"], in: packageRoot.path)
    #expect(result.status == 4)
    if let difference = try compareGolden(result.stdout, "translate/demo.yaml") { Issue.record("\(difference)") }
    // demo/EXPECTED.md: PV d is a Dedicated blob disk, PV f has neither secretNamespace nor claimRef.
    #expect(
      result.stderr == """
        Fixtures/demo/cluster.yaml:19:5: error: PersistentVolume legacy-data: kind(Dedicated) is not supported in csi migration
        Fixtures/demo/cluster.yaml:87:5: error: PersistentVolume pv-archive-share: could not find a secret namespace in PersistentVolumeSource or ClaimRef

        """)
  }

  @Test func everyShapeOfTheDemoGivesTheSameBytes() throws {
    let outputs = try forms.map { try run(["translate", "Fixtures/demo/\($0)"], in: packageRoot.path) }
    for (form, output) in zip(forms, outputs) {
      #expect(output.status == 4, "\(form)")
      #expect(output.stdout == outputs[0].stdout, "\(form) differs from cluster.yaml")
      #expect(output.stderr.split(separator: "\n").count == 2, "\(form)")
    }
  }

  @Test func demoOutputReadsBackAsTheExpectedObjects() throws {
    let result = try run(["translate", "Fixtures/demo/cluster.yaml"], in: packageRoot.path)
    let trees = try reread(result.stdout)
    // demo/EXPECTED.md: in-tree PVs a b c e g j (d and f fail), in-tree classes azurefile, default,
    // legacy-blob, managed-premium, zoned-premium; inline volumes in Pod cache-…, Pod debug-shell and
    // Deployment cache.
    #expect(trees.count == 6 + 5 + 3)
    var drivers: [String] = []
    for tree in trees {
      var decoder = Decoder(tree: tree, input: 0)
      switch try decoder.decode() {
      case .persistentVolume(let pv):
        guard case .csi(let csi) = pv.source else {
          Issue.record("PV \(pv.metadata.name) is not CSI")
          continue
        }
        drivers.append(csi.driver)
      case .storageClass(let sc): drivers.append(sc.provisioner)
      default: Issue.record("unexpected object")
      }
    }
    #expect(drivers.filter { $0 == "disk.csi.azure.com" }.count == 4 + 4 + 2)
    #expect(drivers.filter { $0 == "file.csi.azure.com" }.count == 2 + 1 + 1)
  }
}

@Suite struct TranslateSecretsTests {
  @Test func noSecretValueReachesAnyOutput() throws {
    let values = try fixtureText("secrets/SECRET-VALUES.txt").split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    #expect(values.count > 5)
    for form in ["cluster.yaml", "cluster.json", "cluster-multidoc.yaml", "cluster-stream.json"] {
      let result = try run(["translate", "Fixtures/secrets/\(form)"], in: packageRoot.path)
      #expect(result.status == 0, "\(form): \(result.stderr)")
      // The file PVs and the inline share are translated (they only name their secret).
      #expect(result.stdout.contains("nodeStageSecretRef"), "\(form)")
      for value in values {
        #expect(!result.stdout.contains(value), "\(form): stdout holds a secret value")
        #expect(!result.stderr.contains(value), "\(form): stderr holds a secret value")
      }
    }
  }
}

@Suite struct TranslateBadInputTests {
  /// Malformed input is exit 2 with the same located error `scan` gives; translation errors of
  /// objects read before the break come first (the command streams).
  @Test func badInputsFailLikeScan() throws {
    let dir = fixture("bad")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { !$0.hasSuffix(".md") && !$0.hasSuffix(".py") }.sorted()
    #expect(files.count >= 10)
    for file in files {
      let path = "Fixtures/bad/\(file)"
      let translate = try run(["translate", path], in: packageRoot.path)
      let scan = try run(["scan", path], in: packageRoot.path)
      #expect(translate.status == 2, "\(file)")
      let last = translate.stderr.split(separator: "\n").last.map(String.init)
      #expect(last == scan.stderr.split(separator: "\n").last.map(String.init), "\(file)")
      // Whatever was printed before the break is complete YAML documents.
      #expect(throws: Never.self, "\(file)") { _ = try reread(translate.stdout.isEmpty ? "{}" : translate.stdout) }
    }
  }
}
