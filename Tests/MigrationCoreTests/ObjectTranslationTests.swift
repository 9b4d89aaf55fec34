import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Every outcome of every object of a text, as `csi-migrate translate` sees them.
func outcomes(_ text: String, name: String = "dump.yaml") throws -> [TranslationOutcome] {
  try readObjects(text, name: name).flatMap { tree in
    var decoder = Decoder(tree: tree, input: 0)
    return Translator.translate(tree, try decoder.decode())
  }
}

@Suite struct ObjectTranslationTests {
  let disk = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"

  func podTemplate(kind: String, apiVersion: String, volumes: String) -> String {
    let volumesBlock = volumes.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
    switch kind {
    case "Pod":
      return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  volumes:\n"
        + volumes.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
    case "CronJob":
      let deep = volumes.split(separator: "\n").map { "            " + $0 }.joined(separator: "\n")
      return """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: c
          namespace: shop
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  volumes:
        \(deep)

        """
    default:
      return """
        apiVersion: \(apiVersion)
        kind: \(kind)
        metadata:
          name: w
          namespace: shop
        spec:
          template:
            spec:
              volumes:
        \(volumesBlock)

        """
    }
  }

  @Test func inlineVolumesOfEveryWorkloadKindAreFound() throws {
    let volumes = """
      - name: cache
        emptyDir: {}
      - name: data
        azureDisk:
          diskName: d1
          diskURI: \(disk)
          kind: Managed
      - name: files
        azureFile:
          secretName: azure-storage-account-a-secret
          shareName: s
      """
    let kinds = [
      ("Pod", "v1"), ("Deployment", "apps/v1"), ("ReplicaSet", "apps/v1"), ("StatefulSet", "apps/v1"),
      ("DaemonSet", "apps/v1"), ("Job", "batch/v1"), ("CronJob", "batch/v1"),
    ]
    for (kind, api) in kinds {
      let results = try outcomes(podTemplate(kind: kind, apiVersion: api, volumes: volumes))
      #expect(results.count == 2, "\(kind)")
      #expect(results.first?.subject.hasSuffix("volume data") == true, "\(kind)")
      let file = try #require(try results.last?.result.get())
      #expect(file[path: "metadata", "name"]?.scalarText == "#a#s#files#shop", "\(kind)")
      let diskPV = try #require(try results.first?.result.get())
      #expect(diskPV[path: "metadata", "name"]?.scalarText == disk, "\(kind)")
    }
  }

  @Test func objectsThatNeedNoTranslationGiveNothing() throws {
    let text = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: csi
      spec:
        csi:
          driver: disk.csi.azure.com
          volumeHandle: \(disk)
      ---
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: csi
      provisioner: disk.csi.azure.com
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: azure-storage-account-a-secret
        namespace: shop
      data:
        azurestorageaccountkey: c2VjcmV0
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
        namespace: shop
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
      spec:
        volumes:
        - name: data
          persistentVolumeClaim:
            claimName: data

      """
    #expect(try outcomes(text).isEmpty)
  }

  @Test func errorsCarryThePositionOfTheInTreeField() throws {
    let text = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: blob
      spec:
        azureDisk:
          diskName: x.vhd
          diskURI: https://a.blob.core.windows.net/vhds/x.vhd
          kind: Shared

      """
    let result = try #require(try outcomes(text).first)
    #expect(result.subject == "PersistentVolume blob")
    #expect(result.location == SourceLocation(file: result.location.file, line: 6, column: 3))
    #expect(result.result == .failure(TranslationError("kind(Shared) is not supported in csi migration")))
  }

  @Test func storageClassConflictPointsAtAllowedTopologies() throws {
    let text = """
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: both
      parameters:
        zones: eastus-1
      provisioner: kubernetes.io/azure-disk
      allowedTopologies:
      - matchLabelExpressions:
        - key: topology.kubernetes.io/zone
          values:
          - eastus-1

      """
    let result = try #require(try outcomes(text).first)
    #expect(result.location.position == SourcePosition(line: 8, column: 1))
    #expect(result.subject == "StorageClass both")
  }

  @Test func bothZoneParametersGiveAWarning() throws {
    let text = """
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: both
      parameters:
        zone: eastus-1
        zones: eastus-2
      provisioner: kubernetes.io/azure-disk

      """
    let result = try #require(try outcomes(text).first)
    #expect(result.warning?.contains("shown: zones") == true)
  }

  @Test func outcomesAreInKubectlKeyOrderWhateverTheInputOrder() throws {
    let json = """
      {"kind": "PersistentVolume", "apiVersion": "v1",
       "metadata": {"name": "pv-1"},
       "spec": {"capacity": {"storage": "1Gi"},
                "azureDisk": {"diskName": "d1", "diskURI": "\(disk)", "kind": "Managed", "cachingMode": "ReadOnly", "fsType": ""},
                "accessModes": ["ReadWriteOnce"]}}
      """
    let yaml = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: pv-1
      spec:
        accessModes:
        - ReadWriteOnce
        azureDisk:
          cachingMode: ReadOnly
          diskName: d1
          diskURI: \(disk)
          fsType: ""
          kind: Managed
        capacity:
          storage: 1Gi

      """
    let fromJSON = try #require(try outcomes(json, name: "dump.json").first).result.get()
    let fromYAML = try #require(try outcomes(yaml).first).result.get()
    #expect(try YAMLWriter().write(fromJSON) == YAMLWriter().write(fromYAML))
    #expect(fromJSON.keys == ["apiVersion", "kind", "metadata", "spec"])
    #expect(fromJSON["spec"]?.keys == ["accessModes", "capacity", "csi"])
  }
}

@Suite struct KubectlKeyOrderTests {
  @Test func lettersCompareByCodePoint() {
    #expect(KubectlStyle.less("apiVersion", "kind"))
    #expect(KubectlStyle.less("Zone", "zone"))
    #expect(!KubectlStyle.less("zones", "zone"))
  }

  @Test func nonLettersSortBeforeLetters() {
    // go-yaml: `_` (0x5F) sorts before `A` although its byte is larger.
    #expect(KubectlStyle.less("a_b", "aB"))
    #expect(KubectlStyle.less("a-b", "ab"))
    #expect(KubectlStyle.less("a.b/c", "ab"))
  }

  @Test func digitRunsCompareAsNumbers() {
    #expect(KubectlStyle.less("disk9", "disk10"))
    #expect(KubectlStyle.less("a1", "a01"))
    #expect(!KubectlStyle.less("disk10", "disk9"))
  }

  @Test func sortingIsRecursiveAndKeepsSequences() {
    let value = YAMLValue.mapping([
      ("spec", .mapping([("b", .plain("1")), ("a", .sequence([.plain("z"), .plain("y")]))])),
      ("kind", .plain("X")),
      ("apiVersion", .plain("v1")),
    ])
    #expect(
      KubectlStyle.normalized(value)
        == .mapping([
          ("apiVersion", .plain("v1")),
          ("kind", .plain("X")),
          ("spec", .mapping([("a", .sequence([.plain("z"), .plain("y")])), ("b", .plain("1"))])),
        ]))
  }
}

@Suite struct YAMLDocumentStreamTests {
  @Test func streamedDocumentsAreByteForByteTheWriterOutput() throws {
    let documents: [YAMLValue] = [
      .mapping([("a", .string("1")), ("b", .sequence([.plain("x")]))]),
      .mapping([("c", .mapping([])), ("d", .string("#x#y"))]),
      .mapping([("e", .bool(true))]),
    ]
    let stream = try YAMLDocumentStream()
    var bytes: [UInt8] = []
    for document in documents { bytes += try stream.append(document) }
    bytes += try stream.finish()
    #expect(bytes == (try YAMLWriter().write(documents: documents)))
  }

  @Test func eachDocumentIsWrittenAsSoonAsItIsAppended() throws {
    let stream = try YAMLDocumentStream()
    let first = try stream.append(.mapping([("a", .plain("b"))]))
    #expect(String(decoding: first, as: UTF8.self) == "a: b\n")
    let second = try stream.append(.mapping([("c", .plain("d"))]))
    #expect(String(decoding: second, as: UTF8.self) == "---\nc: d\n")
    #expect(try stream.finish().isEmpty)
  }
}

@Suite struct KubectlStyleTests {
  @Test func stringsGoYAMLPrintsPlainBecomePlain() {
    for text in ["699f071a-5fd8-4665-a9df-dec6baecde5b", "10Gi", "eastus-1", "#x", "<<", "1.2.3", "0x", "2021-13"] {
      #expect(KubectlStyle.printsPlain(text), "\(text)")
    }
  }

  @Test func stringsThatWouldReadBackAsSomethingElseStayQuoted() {
    let quoted = [
      "", "yes", "On", "n", "true", "NULL", "~", ".inf", "-.Inf", ".5", "1", "-1", "+1", "0o17", "0x1F", "0b101",
      "017", "1_000", "1.5", "1e3", "2.", "2023-03-01T10:00:00Z", "2023-3-1", "2006-01-02 15:04:05", "1:30",
      "190:20:30.15", "a\nb",
    ]
    for text in quoted { #expect(!KubectlStyle.printsPlain(text), "\(text)") }
  }

  @Test func jsonAndYAMLInputPrintTheSame() throws {
    let json = try object(#"{"apiVersion": "v1", "kind": "X", "metadata": {"uid": "699f071a-5fd8", "num": "0777", "t": "yes"}}"#, name: "x.json")
    let yaml = try object("apiVersion: v1\nkind: X\nmetadata:\n  num: \"0777\"\n  t: \"yes\"\n  uid: 699f071a-5fd8\n")
    let a = try YAMLWriter().write(KubectlStyle.normalized(json))
    let b = try YAMLWriter().write(KubectlStyle.normalized(yaml))
    #expect(a == b)
    #expect(String(decoding: a, as: UTF8.self) == "apiVersion: v1\nkind: X\nmetadata:\n  num: \"0777\"\n  t: \"yes\"\n  uid: 699f071a-5fd8\n")
  }

  @Test func multiLineStringsAreLiteralBlocksThatReadBackExactly() throws {
    let texts = ["a\n", "a\nb", "a\n\n", " a\nb\n", "a  \nb", "\n", "a\n b", "x\ty\nz\n", "{\"k\":\"v\"}\n"]
    let document = YAMLValue.mapping(texts.enumerated().map { ("k\($0.offset)", .string($0.element)) })
    let text = String(decoding: try YAMLWriter().write(document), as: UTF8.self)
    #expect(text.hasPrefix("k0: |\n  a\n"))
    let back = try object(text)
    for (n, expected) in texts.enumerated() { #expect(back["k\(n)"]?.scalarText == expected, "\(expected.debugDescription)") }
  }
}
