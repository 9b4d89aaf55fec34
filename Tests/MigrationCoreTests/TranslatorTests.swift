import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// The first object of a YAML (or JSON) text, as the reader gives it.
func object(_ text: String, name: String = "input.yaml") throws -> YAMLValue {
  let trees = try readObjects(text, name: name)
  let tree = try #require(trees.first)
  return tree.value(at: tree.root)
}

func pv(_ text: String) throws -> YAMLValue { try Translator.translatePersistentVolume(object(text)).get() }

func pvError(_ text: String) throws -> String? {
  guard case .failure(let error) = Translator.translatePersistentVolume(try object(text)) else { return nil }
  return error.message
}

func inline(_ text: String, namespace: String = "shop") throws -> YAMLValue {
  try Translator.translateInlineVolume(object(text), podNamespace: namespace).get()
}

func storageClass(_ text: String, asNewObject: Bool = true) throws -> YAMLValue {
  try Translator.translateStorageClass(object(text), asNewObject: asNewObject).get()
}

func classError(_ text: String) throws -> String? {
  guard case .failure(let error) = Translator.translateStorageClass(try object(text), asNewObject: true) else { return nil }
  return error.message
}

/// A disk PV whose `azureDisk` holds `fields` (YAML lines at 4 spaces).
func diskPV(_ fields: String, name: String = "pv-disk") -> String {
  """
  apiVersion: v1
  kind: PersistentVolume
  metadata:
    name: \(name)
  spec:
    accessModes:
    - ReadWriteOnce
    azureDisk:
  \(fields)
    capacity:
      storage: 10Gi

  """
}

let uri = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/disks/data-0"

extension YAMLValue {
  /// Follows a path of mapping keys.
  subscript(path path: String...) -> YAMLValue? {
    var current: YAMLValue? = self
    for key in path { current = current?[key] }
    return current
  }

  var keys: [String] {
    guard case .mapping(let pairs) = self else { return [] }
    return pairs.map(\.0)
  }
}

// MARK: - Azure Disk PersistentVolume (translation.md §3.1)

@Suite struct DiskPersistentVolumeTests {
  @Test func driverIsDiskCSIAndHandleIsTheDiskURIVerbatim() throws {
    // Mistake 11: the driver is disk.csi.azure.com, not disks.csi.azure.com.
    let result = try pv(diskPV("    diskName: data-0\n    diskURI: \(uri)\n    kind: Managed"))
    #expect(result[path: "spec", "csi", "driver"] == .string("disk.csi.azure.com"))
    #expect(result[path: "spec", "csi", "volumeHandle"]?.scalarText == uri)
  }

  @Test func handleIsNeitherValidatedNorRecased() throws {
    // Mistake 10 (forward direction): no case normalisation; any string passes.
    let lower = "/subscriptions/sub/resourcegroups/rg/providers/microsoft.compute/disks/x"
    #expect(try pv(diskPV("    diskName: x\n    diskURI: \(lower)\n    kind: Managed"))[path: "spec", "csi", "volumeHandle"]?.scalarText == lower)
    #expect(try pv(diskPV("    diskName: x\n    diskURI: datadiskuri"))[path: "spec", "csi", "volumeHandle"]?.scalarText == "datadiskuri")
  }

  @Test func kindIsAlwaysManagedAndComparedCaseInsensitively() throws {
    // Mistake 2: kind is never copied; managed in any case is accepted and written as Managed.
    for kind in ["Managed", "managed", "MANAGED"] {
      let result = try pv(diskPV("    diskName: x\n    diskURI: \(uri)\n    kind: \(kind)"))
      #expect(result[path: "spec", "csi", "volumeAttributes"] == .mapping([("kind", .string("Managed"))]))
    }
  }

  @Test func missingKindIsAccepted() throws {
    let result = try pv(diskPV("    diskName: x\n    diskURI: \(uri)"))
    #expect(result[path: "spec", "csi", "volumeAttributes", "kind"] == .string("Managed"))
  }

  @Test func sharedAndDedicatedDisksAreRejectedWithUpstreamText() throws {
    // Mistake 2: API defaulting stores a kind-less azureDisk as Shared, which cannot migrate.
    let blob = "https://acct.blob.core.windows.net/vhds/x.vhd"
    #expect(try pvError(diskPV("    diskName: x.vhd\n    diskURI: \(blob)\n    kind: Shared")) == "kind(Shared) is not supported in csi migration")
    #expect(try pvError(diskPV("    diskName: x.vhd\n    diskURI: \(blob)\n    kind: Dedicated")) == "kind(Dedicated) is not supported in csi migration")
    #expect(try pvError(diskPV("    diskName: x.vhd\n    diskURI: \(blob)\n    kind: \"\"")) == "kind() is not supported in csi migration")
  }

  @Test func cachingModeIsCopiedWhenPresentEvenEmpty() throws {
    let set = try pv(diskPV("    cachingMode: ReadWrite\n    diskName: x\n    diskURI: \(uri)\n    kind: Managed"))
    #expect(set[path: "spec", "csi", "volumeAttributes", "cachingmode"] == .string("ReadWrite"))
    let empty = try pv(diskPV("    cachingMode: \"\"\n    diskName: x\n    diskURI: \(uri)\n    kind: Managed"))
    #expect(empty[path: "spec", "csi", "volumeAttributes", "cachingmode"] == .string(""))
    let absent = try pv(diskPV("    diskName: x\n    diskURI: \(uri)\n    kind: Managed"))
    #expect(absent[path: "spec", "csi", "volumeAttributes", "cachingmode"] == nil)
    let null = try pv(diskPV("    cachingMode: null\n    diskName: x\n    diskURI: \(uri)\n    kind: Managed"))
    #expect(null[path: "spec", "csi", "volumeAttributes", "cachingmode"] == nil)
  }

  @Test func fsTypeGoesToCSIAndToTheFstypeAttribute() throws {
    let result = try pv(diskPV("    diskName: x\n    diskURI: \(uri)\n    fsType: xfs\n    kind: Managed"))
    #expect(result[path: "spec", "csi", "fsType"] == .string("xfs"))
    #expect(result[path: "spec", "csi", "volumeAttributes", "fstype"] == .string("xfs"))
  }

  @Test func emptyFsTypeStillGivesAnEmptyFstypeAttribute() throws {
    // Mistake 4: dynamic PVs store fsType: "" and keep fstype: "" in volumeAttributes;
    // csi.fsType is omitempty, so it is not printed.
    let result = try pv(diskPV("    cachingMode: ReadOnly\n    diskName: x\n    diskURI: \(uri)\n    fsType: \"\"\n    kind: Managed"))
    #expect(result[path: "spec", "csi", "fsType"] == nil)
    #expect(
      result[path: "spec", "csi", "volumeAttributes"]
        == .mapping([("cachingmode", .string("ReadOnly")), ("fstype", .string("")), ("kind", .string("Managed"))]))
    let text = String(decoding: try YAMLWriter().write(result), as: UTF8.self)
    #expect(text.contains("      fstype: \"\"\n"))
  }

  @Test func diskNameIsDroppedAndAzureDiskRemoved() throws {
    // Mistake 3.
    let result = try pv(diskPV("    diskName: data-0\n    diskURI: \(uri)\n    kind: Managed"))
    #expect(result[path: "spec", "azureDisk"] == nil)
    let text = String(decoding: try YAMLWriter().write(result), as: UTF8.self)
    #expect(!text.contains("diskName"))
    #expect(!text.contains("data-0\n") || text.contains("disks/data-0\n"))
  }

  @Test func readOnlyIsCopiedAndFalseIsOmitted() throws {
    let on = try pv(diskPV("    diskName: x\n    diskURI: \(uri)\n    kind: Managed\n    readOnly: true"))
    #expect(on[path: "spec", "csi", "readOnly"] == .bool(true))
    let off = try pv(diskPV("    diskName: x\n    diskURI: \(uri)\n    kind: Managed\n    readOnly: false"))
    #expect(off[path: "spec", "csi", "readOnly"] == nil)
    let absent = try pv(diskPV("    diskName: x\n    diskURI: \(uri)\n    kind: Managed"))
    #expect(absent[path: "spec", "csi", "readOnly"] == nil)
  }

  @Test func csiTakesTheInTreeSourcesPlaceAndHasNoSecrets() throws {
    let result = try pv(diskPV("    diskName: x\n    diskURI: \(uri)\n    fsType: ext4\n    kind: Managed\n    readOnly: true"))
    #expect(result[path: "spec"]?.keys == ["accessModes", "csi", "capacity"])
    #expect(result[path: "spec", "csi"]?.keys == ["driver", "fsType", "readOnly", "volumeAttributes", "volumeHandle"])
  }

  @Test func everythingElseIsCarriedOverUntouched() throws {
    // Mistake 8: node affinity keeps the beta zone keys; Azure PVs get no topology rewriting.
    let text = """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        annotations:
          pv.kubernetes.io/bound-by-controller: "yes"
        labels:
          failure-domain.beta.kubernetes.io/region: eastus
          failure-domain.beta.kubernetes.io/zone: eastus-1
        name: pv-zoned
        resourceVersion: "123"
        uid: 0b0b0b0b-1111-2222-3333-444444444444
      spec:
        accessModes:
        - ReadWriteOnce
        azureDisk:
          cachingMode: ReadOnly
          diskName: d
          diskURI: \(uri)
          fsType: ext4
          kind: Managed
          readOnly: false
        capacity:
          storage: 5Gi
        claimRef:
          apiVersion: v1
          kind: PersistentVolumeClaim
          name: data
          namespace: shop
          uid: 55555555-6666-7777-8888-999999999999
        mountOptions:
        - barrier=0
        nodeAffinity:
          required:
            nodeSelectorTerms:
            - matchExpressions:
              - key: failure-domain.beta.kubernetes.io/zone
                operator: In
                values:
                - eastus-1
        persistentVolumeReclaimPolicy: Delete
        storageClassName: managed-premium
        volumeMode: Block
        somethingNew: 42
      status:
        phase: Bound

      """
    let input = try object(text)
    let result = try pv(text)
    for key in ["apiVersion", "kind", "metadata", "status"] { #expect(result[key] == input[key]) }
    for key in ["accessModes", "capacity", "claimRef", "mountOptions", "nodeAffinity", "persistentVolumeReclaimPolicy",
      "storageClassName", "volumeMode", "somethingNew"]
    {
      #expect(result[path: "spec", key] == input[path: "spec", key], "spec.\(key)")
    }
    // Scalars keep how they were written: `"yes"` stays quoted text, 42 stays plain.
    #expect(result[path: "metadata", "annotations", "pv.kubernetes.io/bound-by-controller"] == .string("yes"))
    #expect(result[path: "spec", "somethingNew"] == .plain("42"))
  }

  @Test func aPVWithoutAnInTreeSourceIsNotTranslated() throws {
    let text = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: nfs-1\nspec:\n  nfs:\n    path: /x\n    server: s\n"
    #expect(try pvError(text) == "could not find in-tree plugin translation logic for \"nfs-1\"")
    // A null source is a nil pointer upstream: no source.
    let null = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: n\nspec:\n  azureDisk: null\n"
    #expect(try pvError(null) == "could not find in-tree plugin translation logic for \"n\"")
  }
}

// MARK: - Azure File PersistentVolume (translation.md §4.1, §4.2)

func filePV(_ fields: String, name: String = "pv-file", metadata: String = "", claimNamespace: String? = "shop") -> String {
  var text = """
    apiVersion: v1
    kind: PersistentVolume
    metadata:
      name: \(name)
    \(metadata)
    spec:
      accessModes:
      - ReadWriteMany
      azureFile:
    \(fields)
      capacity:
        storage: 100Gi

    """
  if let claimNamespace {
    text += "  claimRef:\n    name: files\n    namespace: \(claimNamespace)\n"
  }
  return text
}

@Suite struct FilePersistentVolumeTests {
  @Test func accountNameComesFromTheSecretName() throws {
    #expect(Translator.storageAccountName(secretName: "azure-storage-account-acct1-secret") == "acct1")
    // Unanchored and greedy: the capture runs to the last -secret.
    #expect(Translator.storageAccountName(secretName: "azure-storage-account-accountname-dup-secret") == "accountname-dup")
    #expect(Translator.storageAccountName(secretName: "x-azure-storage-account-a-secret-secret-y") == "a-secret")
  }

  @Test func accountNameFallsBackToTheWholeSecretName() throws {
    // Mistake 7: no error, no stripping: the whole name is the account.
    #expect(Translator.storageAccountName(secretName: "secretname") == "secretname")
    #expect(Translator.storageAccountName(secretName: "azure-storage-account--secret") == "azure-storage-account--secret")
    #expect(Translator.storageAccountName(secretName: "") == "")
    let result = try pv(filePV("    secretName: my-key\n    shareName: share1"))
    #expect(result[path: "spec", "csi", "volumeHandle"]?.scalarText == "#my-key#share1#pv-file#shop")
  }

  @Test func handleHasFiveFieldsWithPVNameAndNamespace() throws {
    // Mistake 6: always five fields; the first is empty without the resource-group annotation.
    let result = try pv(filePV("    secretName: azure-storage-account-acct1-secret\n    shareName: share1"))
    #expect(result[path: "spec", "csi", "volumeHandle"]?.scalarText == "#acct1#share1#pv-file#shop")
  }

  @Test func resourceGroupComesFromTheAnnotation() throws {
    let metadata = "  annotations:\n    kubernetes.io/azure-file-resource-group: rg-files"
    let result = try pv(filePV("    secretName: azure-storage-account-acct1-secret\n    shareName: share1", metadata: metadata))
    #expect(result[path: "spec", "csi", "volumeHandle"]?.scalarText == "rg-files#acct1#share1#pv-file#shop")
    // The annotation stays on the PV.
    #expect(result[path: "metadata", "annotations", "kubernetes.io/azure-file-resource-group"] == .plain("rg-files"))
  }

  @Test func secretNamespaceWinsOverTheClaimNamespace() throws {
    let result = try pv(
      filePV("    secretName: azure-storage-account-acct1-secret\n    secretNamespace: secrets\n    shareName: share1"))
    #expect(result[path: "spec", "csi", "volumeHandle"]?.scalarText == "#acct1#share1#pv-file#secrets")
    #expect(result[path: "spec", "csi", "nodeStageSecretRef", "namespace"] == .string("secrets"))
  }

  @Test func claimNamespaceIsTheFallback() throws {
    let result = try pv(filePV("    secretName: azure-storage-account-acct1-secret\n    shareName: share1"))
    #expect(result[path: "spec", "csi", "nodeStageSecretRef", "namespace"] == .string("shop"))
  }

  @Test func noNamespaceIsAnErrorNotDefault() throws {
    // Mistake 5: PVs never fall back to "default".
    let message = "could not find a secret namespace in PersistentVolumeSource or ClaimRef"
    #expect(try pvError(filePV("    secretName: s\n    shareName: share1", claimNamespace: nil)) == message)
    // A set but empty secretNamespace is used as is, even with a claimRef.
    #expect(try pvError(filePV("    secretName: s\n    secretNamespace: \"\"\n    shareName: share1")) == message)
  }

  @Test func csiSourceHasShareNameSecretRefAndReadOnlyOnly() throws {
    let result = try pv(
      filePV("    readOnly: true\n    secretName: azure-storage-account-acct1-secret\n    shareName: share1"))
    #expect(
      result[path: "spec", "csi"]
        == .mapping([
          ("driver", .string("file.csi.azure.com")),
          (
            "nodeStageSecretRef",
            .mapping([("name", .string("azure-storage-account-acct1-secret")), ("namespace", .string("shop"))])
          ),
          ("readOnly", .bool(true)),
          ("volumeAttributes", .mapping([("sharename", .string("share1"))])),
          ("volumeHandle", .string("#acct1#share1#pv-file#shop")),
        ]))
    #expect(result[path: "spec", "azureFile"] == nil)
    #expect(result[path: "spec"]?.keys == ["accessModes", "csi", "capacity", "claimRef"])
  }

  @Test func emptyShareNameIsNotValidated() throws {
    let result = try pv(filePV("    secretName: azure-storage-account-acct1-secret\n    shareName: \"\""))
    #expect(result[path: "spec", "csi", "volumeHandle"]?.scalarText == "#acct1##pv-file#shop")
    #expect(result[path: "spec", "csi", "volumeAttributes", "sharename"] == .string(""))
  }
}

// MARK: - Inline volumes (translation.md §3.2, §4.3, §6)

@Suite struct InlineVolumeTests {
  @Test func inlineDiskBecomesAPVNamedByItsURI() throws {
    let result = try inline(
      "name: data\nazureDisk:\n  cachingMode: ReadOnly\n  diskName: data-0\n  diskURI: \(uri)\n  fsType: ext4\n  kind: Managed\n  readOnly: true\n")
    #expect(
      result
        == .mapping([
          ("apiVersion", .string("v1")),
          ("kind", .string("PersistentVolume")),
          ("metadata", .mapping([("name", .string(uri))])),
          (
            "spec",
            .mapping([
              ("accessModes", .sequence([.string("ReadWriteOnce")])),
              (
                "csi",
                .mapping([
                  ("driver", .string("disk.csi.azure.com")),
                  ("fsType", .string("ext4")),
                  ("readOnly", .bool(true)),
                  (
                    "volumeAttributes",
                    .mapping([("cachingmode", .string("ReadOnly")), ("fstype", .string("ext4")), ("kind", .string("Managed"))])
                  ),
                  ("volumeHandle", .string(uri)),
                ])
              ),
              ("volumeMode", .string("Filesystem")),
            ])
          ),
        ]))
  }

  @Test func inlineDiskCopiesCachingModeOnlyWhenNotEmpty() throws {
    let result = try inline("name: data\nazureDisk:\n  cachingMode: \"\"\n  diskName: d\n  diskURI: \(uri)\n  kind: Managed\n")
    #expect(result[path: "spec", "csi", "volumeAttributes"] == .mapping([("kind", .string("Managed"))]))
  }

  @Test func inlineDiskIgnoresThePodNamespace() throws {
    let text = "name: data\nazureDisk:\n  diskName: d\n  diskURI: \(uri)\n  kind: Managed\n"
    #expect(try inline(text, namespace: "a") == inline(text, namespace: "b"))
  }

  @Test func inlineDiskOfKindSharedIsRejected() throws {
    let text = "name: data\nazureDisk:\n  diskName: d.vhd\n  diskURI: https://a.blob.core.windows.net/vhds/d.vhd\n  kind: Shared\n"
    let result = Translator.translateInlineVolume(try object(text), podNamespace: "shop")
    #expect(result == .failure(TranslationError("kind(Shared) is not supported in csi migration")))
  }

  @Test func inlineDiskIsAPersistentVolumeNotAnInlineCSIVolume() throws {
    // Mistake 12: disk.csi.azure.com supports Persistent volumes only.
    let result = try inline("name: data\nazureDisk:\n  diskName: d\n  diskURI: \(uri)\n  kind: Managed\n")
    #expect(result["kind"] == .string("PersistentVolume"))
    #expect(result[path: "spec", "csi", "volumeHandle"] != nil)
  }

  @Test func inlineFileUsesThePodNamespaceAndVolumeName() throws {
    let result = try inline("name: content\nazureFile:\n  secretName: azure-storage-account-acct1-secret\n  shareName: share1\n")
    let handle = "#acct1#share1#content#shop"
    #expect(result[path: "metadata", "name"] == .string(handle))
    #expect(result[path: "spec", "accessModes"] == .sequence([.string("ReadWriteMany")]))
    #expect(result[path: "spec", "volumeMode"] == .string("Filesystem"))
    #expect(
      result[path: "spec", "csi"]
        == .mapping([
          ("driver", .string("file.csi.azure.com")),
          (
            "nodeStageSecretRef",
            .mapping([("name", .string("azure-storage-account-acct1-secret")), ("namespace", .string("shop"))])
          ),
          ("volumeAttributes", .mapping([("sharename", .string("share1"))])),
          ("volumeHandle", .string(handle)),
        ]))
  }

  @Test func inlineFileFallsBackToDefaultNamespace() throws {
    let result = try inline("name: content\nazureFile:\n  readOnly: true\n  secretName: k\n  shareName: s\n", namespace: "")
    #expect(result[path: "spec", "csi", "volumeHandle"] == .string("#k#s#content#default"))
    #expect(result[path: "spec", "csi", "nodeStageSecretRef", "namespace"] == .string("default"))
    #expect(result[path: "spec", "csi", "readOnly"] == .bool(true))
  }

  @Test func otherVolumesAreNotTranslated() throws {
    let result = Translator.translateInlineVolume(try object("name: cache\nemptyDir: {}\n"), podNamespace: "shop")
    #expect(result == .failure(TranslationError("could not find in-tree plugin translation logic for \"cache\"")))
  }
}

// MARK: - StorageClasses (translation.md §3.4, §4.4)

func diskClass(_ body: String, provisioner: String = "kubernetes.io/azure-disk") -> String {
  """
  apiVersion: storage.k8s.io/v1
  kind: StorageClass
  metadata:
    name: sc
  provisioner: \(provisioner)
  reclaimPolicy: Delete
  volumeBindingMode: WaitForFirstConsumer
  \(body)

  """
}

func zoneTerm(_ key: String, _ values: [String]) -> YAMLValue {
  .mapping([
    (
      "matchLabelExpressions",
      .sequence([.mapping([("key", .string(key)), ("values", .sequence(values.map { .string($0) }))])])
    )
  ])
}

@Suite struct StorageClassTests {
  let csiZone = "topology.disk.csi.azure.com/zone"

  @Test func zoneParameterBecomesAllowedTopology() throws {
    let result = try storageClass(diskClass("parameters:\n  skuname: Premium_LRS\n  zone: eastus-2"))
    #expect(result["allowedTopologies"] == .sequence([zoneTerm(csiZone, ["eastus-2"])]))
    #expect(result["parameters"] == .mapping([("skuname", .plain("Premium_LRS"))]))
  }

  @Test func zonesAreSplitOnCommasWithoutTrimming() throws {
    // Mistake 9: "a, b" gives " b".
    let result = try storageClass(diskClass("parameters:\n  zones: eastus-1, eastus-2,eastus-2"))
    #expect(result["allowedTopologies"] == .sequence([zoneTerm(csiZone, ["eastus-1", " eastus-2", "eastus-2"])]))
    #expect(result["parameters"] == nil)
  }

  @Test func numericZonesMeanNoZone() throws {
    // Mistake 9: zone "1" becomes "", not 1 or eastus-1; region-zone values are kept.
    let result = try storageClass(diskClass("parameters:\n  zones: \"1,centralus-1,0,1234\""))
    #expect(result["allowedTopologies"] == .sequence([zoneTerm(csiZone, ["", "centralus-1", "", ""])]))
    let single = try storageClass(diskClass("parameters:\n  zone: \"1\""))
    #expect(single["allowedTopologies"] == .sequence([zoneTerm(csiZone, [""])]))
  }

  @Test func zoneKeysMatchCaseInsensitively() throws {
    let result = try storageClass(diskClass("parameters:\n  Zone: eastus-3"))
    #expect(result["allowedTopologies"] == .sequence([zoneTerm(csiZone, ["eastus-3"])]))
    #expect(result["parameters"] == nil)
  }

  @Test func zoneAndZonesTogetherTakeZonesDeterministically() throws {
    let text = diskClass("parameters:\n  zones: eastus-1,eastus-2\n  zone: eastus-3")
    #expect(Translator.zoneParameterKeys(try object(text)) == ["zone", "zones"])
    let result = try storageClass(text)
    #expect(result["allowedTopologies"] == .sequence([zoneTerm(csiZone, ["eastus-1", "eastus-2"])]))
  }

  @Test func zonesWithAllowedTopologiesIsAnError() throws {
    let text = diskClass(
      """
      parameters:
        zone: eastus-1
      allowedTopologies:
      - matchLabelExpressions:
        - key: topology.kubernetes.io/zone
          values:
          - eastus-1
      """)
    #expect(try classError(text) == "cannot simultaneously set allowed topologies and zone/zones parameters")
  }

  @Test func zoneKeysInAllowedTopologiesAreRewrittenRegionKeysKept() throws {
    let text = diskClass(
      """
      allowedTopologies:
      - matchLabelExpressions:
        - key: failure-domain.beta.kubernetes.io/zone
          values:
          - eastus-1
        - key: failure-domain.beta.kubernetes.io/region
          values:
          - eastus
      - matchLabelExpressions:
        - key: topology.kubernetes.io/zone
          values:
          - "0"
          - westus-2
        - key: topology.kubernetes.io/region
          values:
          - westus
      """)
    let result = try storageClass(text)
    let region = { (key: String, value: String) -> YAMLValue in
      .mapping([("key", .plain(key)), ("values", .sequence([.plain(value)]))])
    }
    #expect(
      result["allowedTopologies"]
        == .sequence([
          .mapping([
            (
              "matchLabelExpressions",
              .sequence([
                .mapping([("key", .string(csiZone)), ("values", .sequence([.plain("eastus-1")]))]),
                region("failure-domain.beta.kubernetes.io/region", "eastus"),
              ])
            )
          ]),
          .mapping([
            (
              "matchLabelExpressions",
              .sequence([
                .mapping([("key", .string(csiZone)), ("values", .sequence([.string(""), .plain("westus-2")]))]),
                region("topology.kubernetes.io/region", "westus"),
              ])
            )
          ]),
        ]))
  }

  @Test func existingCSIZoneValuesAreAlsoCleared() throws {
    let text = diskClass(
      "allowedTopologies:\n- matchLabelExpressions:\n  - key: topology.disk.csi.azure.com/zone\n    values:\n    - \"2\"\n")
    let result = try storageClass(text)
    let expression = result[path: "allowedTopologies"].flatMap { items -> YAMLValue? in
      guard case .sequence(let terms) = items, case .sequence(let expressions)? = terms.first?["matchLabelExpressions"]
      else { return nil }
      return expressions.first
    }
    #expect(expression?["key"] == .plain(csiZone))
    #expect(expression?["values"] == .sequence([.string("")]))
  }

  @Test func otherParametersAreCopiedWithoutRenaming() throws {
    // Mistake 1: storageaccounttype is not renamed to skuName; kind and fstype are not rewritten.
    let text = diskClass(
      "parameters:\n  cachingmode: ReadOnly\n  fstype: xfs\n  kind: managed\n  storageaccounttype: Premium_LRS\n  zoned: \"true\"")
    let result = try storageClass(text)
    #expect(result["parameters"] == (try object(text))["parameters"])
    #expect(result["allowedTopologies"] == nil)
  }

  @Test func restOfTheClassIsUntouched() throws {
    let text = diskClass("allowVolumeExpansion: true\nmountOptions:\n- debug\nparameters:\n  skuname: Standard_LRS")
    let input = try object(text)
    let result = try storageClass(text)
    for key in ["apiVersion", "kind", "metadata", "reclaimPolicy", "volumeBindingMode", "allowVolumeExpansion", "mountOptions"] {
      #expect(result[key] == input[key], "\(key)")
    }
  }

  @Test func provisionerBecomesTheCSIDriverOnlyForANewObject() throws {
    let text = diskClass("parameters:\n  skuname: Standard_LRS")
    #expect(try storageClass(text, asNewObject: true)["provisioner"] == .string("disk.csi.azure.com"))
    #expect(try storageClass(text, asNewObject: false)["provisioner"] == .plain("kubernetes.io/azure-disk"))
  }

  @Test func fileClassesAreUnchanged() throws {
    let text = diskClass(
      "parameters:\n  skuName: Standard_LRS\n  zone: eastus-1\n", provisioner: "kubernetes.io/azure-file")
    let input = try object(text)
    #expect(try storageClass(text, asNewObject: false) == input)
    var expected = input
    expected["provisioner"] = .string("file.csi.azure.com")
    #expect(try storageClass(text, asNewObject: true) == expected)
  }

  @Test func otherProvisionersAreNotTranslated() throws {
    #expect(
      try classError(diskClass("", provisioner: "disk.csi.azure.com"))
        == "could not find in-tree storage class parameter translation logic for \"disk.csi.azure.com\"")
  }
}
