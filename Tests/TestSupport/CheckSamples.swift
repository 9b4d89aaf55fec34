import MigrationCore

/// Small dumps in kubectl's go-yaml style: objects as List items, and one dump per rule.
public enum CheckSamples {
  public static func list(_ items: String) -> String {
    "apiVersion: v1\nitems:\n" + items + "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
  }

  public static func diskPV(_ name: String, extra: String = "", kind: String = "Managed", uri: String? = nil, policy: String = "Retain") -> String {
    let diskURI = uri ?? "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/\(name)"
    return """
      - apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: \(name)
        spec:
          accessModes:
          - ReadWriteOnce
          azureDisk:
            cachingMode: None
            diskName: \(name)
            diskURI: \(diskURI)
            kind: \(kind)
          capacity:
            storage: 10Gi
          persistentVolumeReclaimPolicy: \(policy)
      \(extra)
      """ + "\n"
  }

  public static func filePV(_ name: String, secretNamespace: String? = "shop", extra: String = "") -> String {
    let ns = secretNamespace.map { "\n      secretNamespace: \($0)" } ?? ""
    return """
      - apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: \(name)
        spec:
          accessModes:
          - ReadWriteMany
          azureFile:
            secretName: azure-storage-account-acct-secret\(ns)
            shareName: \(name)
          capacity:
            storage: 5Gi
          persistentVolumeReclaimPolicy: Retain
      \(extra)
      """ + "\n"
  }

  public static func csiPV(_ name: String, driver: String, handle: String? = nil, extra: String = "") -> String {
    """
    - apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: \(name)
      spec:
        accessModes:
        - ReadWriteOnce
        capacity:
          storage: 10Gi
        csi:
          driver: \(driver)
          volumeHandle: \(handle ?? name)
        persistentVolumeReclaimPolicy: Retain
    \(extra)
    """ + "\n"
  }

  /// A `claimRef` to `namespace/name`, indented for a PV spec (`extra` of `diskPV`, `filePV`).
  public static func claimRef(_ namespace: String, _ name: String) -> String {
    "    claimRef:\n      name: \(name)\n      namespace: \(namespace)"
  }

  /// A claim, bound to `volumeName` when given (else Pending).
  public static func claim(_ name: String, namespace: String, volumeName: String? = nil) -> String {
    """
    - apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: \(name)
        namespace: \(namespace)
      spec:
        accessModes:
        - ReadWriteOnce
        resources:
          requests:
            storage: 10Gi\(volumeName.map { "\n    volumeName: \($0)" } ?? "")
      status:
        phase: \(volumeName == nil ? "Pending" : "Bound")

    """
  }

  /// nodeAffinity on the deprecated beta zone key, indented for a PV spec.
  public static let zoneAffinity = """
        nodeAffinity:
          required:
            nodeSelectorTerms:
            - matchExpressions:
              - key: failure-domain.beta.kubernetes.io/zone
                operator: In
                values:
                - eastus-1
    """

  public static func storageClass(_ name: String, provisioner: String, parameters: String = "", extra: String = "") -> String {
    """
    - apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: \(name)
    \(parameters)
      provisioner: \(provisioner)
      reclaimPolicy: Delete
    \(extra)
    """ + "\n"
  }

  public static func deploymentInline(_ name: String, source: String) -> String {
    """
    - apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: \(name)
        namespace: shop
      spec:
        replicas: 1
        template:
          spec:
            containers:
            - image: nginx
              name: web
            volumes:
            - name: data
    \(source)
    """ + "\n"
  }

  public static func statefulSet(_ name: String, className: String) -> String {
    """
    - apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: \(name)
        namespace: shop
      spec:
        replicas: 1
        template:
          spec:
            containers:
            - image: db
              name: db
        volumeClaimTemplates:
        - metadata:
            name: data
          spec:
            accessModes:
            - ReadWriteOnce
            resources:
              requests:
                storage: 1Gi
            storageClassName: \(className)
    """ + "\n"
  }

  /// One dump per rule that makes the classifier emit exactly that rule (plus harmless extras),
  /// with the storage the finding concerns.
  public static func dump(for rule: Rule, storage: StorageKind?) -> String {
    switch (rule, storage) {
    case (.deprecatedZoneLabel, .disk?): list(csiPV("pv-zone-disk", driver: "disk.csi.azure.com", extra: zoneAffinity))
    case (.deprecatedZoneLabel, .file?): list(csiPV("pv-zone-file", driver: "file.csi.azure.com", extra: zoneAffinity))
    case (.deprecatedZoneLabel, nil): list(csiPV("pv-zone-other", driver: "ebs.csi.aws.com", extra: zoneAffinity))
    case (.inTreeVolume, .file?): list(filePV("pv-file"))
    case (.inTreeVolume, _): list(diskPV("pv-disk"))
    case (.inTreeStorageClass, .file?): list(storageClass("sc-file", provisioner: "kubernetes.io/azure-file"))
    case (.inTreeStorageClass, _): list(storageClass("sc-disk", provisioner: "kubernetes.io/azure-disk"))
    case (.inlineInTreeVolume, .file?):
      list(deploymentInline("web", source: "          azureFile:\n            secretName: s\n            shareName: share"))
    case (.inlineInTreeVolume, _):
      list(deploymentInline("web", source: "          azureDisk:\n            diskName: d\n            diskURI: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d\n            kind: Managed"))
    case (.statefulSetInTreeClass, .file?):
      list(storageClass("sc-file", provisioner: "kubernetes.io/azure-file") + statefulSet("db", className: "sc-file"))
    case (.statefulSetInTreeClass, _):
      list(storageClass("sc-disk", provisioner: "kubernetes.io/azure-disk") + statefulSet("db", className: "sc-disk"))
    case (.unmanagedDisk, _):
      list(diskPV("pv-blob", kind: "Dedicated", uri: "https://acct.blob.core.windows.net/vhds/pv-blob.vhd"))
    case (.unmanagedDiskStorageClass, _):
      list(storageClass("sc-blob", provisioner: "kubernetes.io/azure-disk", parameters: "  parameters:\n    kind: shared"))
    case (.fileSecretNamespaceUnknown, _): list(filePV("pv-nons", secretNamespace: nil))
    case (.storageClassTopologyConflict, _):
      list(storageClass(
        "sc-zones", provisioner: "kubernetes.io/azure-disk", parameters: "  parameters:\n    zoned: \"true\"\n    zones: eastus-1",
        extra: "  allowedTopologies:\n  - matchLabelExpressions:\n    - key: topology.disk.csi.azure.com/zone\n      values:\n      - eastus-1"))
    case (.deleteReclaimPolicy, _): list(diskPV("pv-delete", policy: "Delete"))
    case (.cachingModeReadWrite, _):
      list(diskPV("pv-rw").replacingOccurrences(of: "cachingMode: None", with: "cachingMode: ReadWrite"))
    case (.releasedOrFailedVolume, _): list(diskPV("pv-released", extra: "  status:\n    phase: Released"))
    case (.invalidField, _):
      list(diskPV("pv-bad").replacingOccurrences(of: "persistentVolumeReclaimPolicy: Retain", with: "persistentVolumeReclaimPolicy: [Retain]"))
    case (.secretInInput, _):
      list("- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n    namespace: shop\n  type: Opaque\n")
    }
  }
}
