import YAMLStream

/// A translation csi-translation-lib refuses; `message` is upstream's error text, verbatim.
public struct TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The in-memory translation Kubernetes applies to in-tree Azure volumes when CSI migration is on
/// (csi-translation-lib, plugins/azure_disk.go and azure_file.go), made visible. Every function
/// works on the whole object as read, so that everything it does not rewrite is carried over.
///
/// What upstream would print is decided with Go's `encoding/json` rules on the k8s.io/api types:
/// `csi.fsType`, `csi.readOnly`, `nodeStageSecretRef.name|namespace`, `parameters` and
/// `allowedTopologies` are `omitempty` (an empty or false value is not printed), while map values
/// such as `volumeAttributes.fstype: ""` are always printed. Rewritten fields keep the key order
/// of the input; `KubectlStyle.normalized` gives the order kubectl prints.
public enum Translator {
  /// The annotation in which the in-tree file provisioner records the share's resource group.
  public static let fileResourceGroupAnnotation = "kubernetes.io/azure-file-resource-group"
  /// The kind written into every disk's `volumeAttributes` (`v1.AzureManagedDisk`).
  static let managed = "Managed"

  // MARK: - PersistentVolume

  /// `TranslateInTreePVToCSI` for a PV with `spec.azureDisk` or `spec.azureFile`.
  public static func translatePersistentVolume(_ object: YAMLValue) -> Result<YAMLValue, TranslationError> {
    let spec = object["spec"] ?? .null
    // API validation allows one source per PV; should both be present, the disk is taken.
    if let disk = spec.present("azureDisk"), disk.isMapping {
      return translateDiskPV(object, spec: spec, disk: disk)
    }
    if let file = spec.present("azureFile"), file.isMapping {
      return translateFilePV(object, spec: spec, file: file)
    }
    let name = object["metadata"]?["name"]?.scalarText ?? ""
    return .failure(TranslationError("could not find in-tree plugin translation logic for \(goQuoted(name))"))
  }

  static func translateDiskPV(_ object: YAMLValue, spec: YAMLValue, disk: YAMLValue)
    -> Result<YAMLValue, TranslationError>
  {
    if let error = kindError(disk) { return .failure(error) }
    var csi = diskCSI(disk, cachingModeIfEmpty: true)
    csi.insert(("driver", .string(Drivers.csiDisk)), at: 0)
    return .success(replacingSource(of: object, spec: spec, key: "azureDisk", with: .mapping(csi)))
  }

  static func translateFilePV(_ object: YAMLValue, spec: YAMLValue, file: YAMLValue)
    -> Result<YAMLValue, TranslationError>
  {
    let secretName = file.present("secretName")?.scalarText ?? ""
    let shareName = file.present("shareName")?.scalarText ?? ""
    let resourceGroup = object["metadata"]?["annotations"]?[fileResourceGroupAnnotation]?.scalarText ?? ""
    // secretNamespace if set (even empty), else the claim's namespace; no "default" for PVs.
    var namespace = ""
    if let secretNamespace = file.present("secretNamespace") {
      namespace = secretNamespace.scalarText ?? ""
    } else if let claimRef = spec.present("claimRef") {
      namespace = claimRef["namespace"]?.scalarText ?? ""
    }
    if namespace.isEmpty {
      return .failure(TranslationError("could not find a secret namespace in PersistentVolumeSource or ClaimRef"))
    }
    let name = object["metadata"]?["name"]?.scalarText ?? ""
    let handle = [resourceGroup, storageAccountName(secretName: secretName), shareName, name, namespace]
      .joined(separator: "#")
    let csi = fileCSI(handle: handle, secretName: secretName, namespace: namespace, shareName: shareName, file: file)
    return .success(replacingSource(of: object, spec: spec, key: "azureFile", with: csi))
  }

  /// `object` with `spec.<key>` replaced, in place, by `spec.csi` (an existing `csi` is overwritten).
  static func replacingSource(of object: YAMLValue, spec: YAMLValue, key: String, with csi: YAMLValue) -> YAMLValue {
    guard case .mapping(let pairs) = spec else { return object }
    var newPairs: [(String, YAMLValue)] = []
    for (k, v) in pairs where k != "csi" {
      newPairs.append(k == key ? ("csi", csi) : (k, v))
    }
    var result = object
    result["spec"] = .mapping(newPairs)
    return result
  }

  // MARK: - Inline pod volumes

  /// `TranslateInTreeInlineVolumeToCSI`: the PV Kubernetes builds in memory for an inline
  /// `azureDisk` / `azureFile` pod volume. `volume` is the pod volume (with `name`).
  ///
  /// The in-memory object has no `apiVersion`/`kind` (Go's TypeMeta is empty); they are added
  /// here so that the result is a readable Kubernetes object. Zero values Go would print
  /// (`creationTimestamp: null`, `status: {}`) are left out.
  public static func translateInlineVolume(_ volume: YAMLValue, podNamespace: String) -> Result<YAMLValue, TranslationError> {
    if let disk = volume.present("azureDisk"), disk.isMapping {
      if let error = kindError(disk) { return .failure(error) }
      let uri = disk.present("diskURI")?.scalarText ?? ""
      var csi = diskCSI(disk, cachingModeIfEmpty: false)
      csi.insert(("driver", .string(Drivers.csiDisk)), at: 0)
      // The disk URI is the PV name: "must be unique per disk", it is the staging path's unique part.
      return .success(inlinePV(name: uri, accessMode: "ReadWriteOnce", csi: .mapping(csi)))
    }
    if let file = volume.present("azureFile"), file.isMapping {
      let secretName = file.present("secretName")?.scalarText ?? ""
      let shareName = file.present("shareName")?.scalarText ?? ""
      let volumeName = volume["name"]?.scalarText ?? ""
      let namespace = podNamespace.isEmpty ? "default" : podNamespace
      let handle = ["", storageAccountName(secretName: secretName), shareName, volumeName, namespace]
        .joined(separator: "#")
      let csi = fileCSI(handle: handle, secretName: secretName, namespace: namespace, shareName: shareName, file: file)
      return .success(inlinePV(name: handle, accessMode: "ReadWriteMany", csi: csi))
    }
    let name = volume["name"]?.scalarText ?? ""
    return .failure(TranslationError("could not find in-tree plugin translation logic for \(goQuoted(name))"))
  }

  static func inlinePV(name: String, accessMode: String, csi: YAMLValue) -> YAMLValue {
    .mapping([
      ("apiVersion", .string("v1")),
      ("kind", .string("PersistentVolume")),
      ("metadata", .mapping(name.isEmpty ? [] : [("name", .string(name))])),
      (
        "spec",
        .mapping([
          ("accessModes", .sequence([.string(accessMode)])),
          ("csi", csi),
          // translate.go: inline volumes are always Filesystem.
          ("volumeMode", .string("Filesystem")),
        ])
      ),
    ])
  }

  // MARK: - Shared pieces

  /// `kind(<Kind>) is not supported in csi migration` when `kind` is set and is not Managed
  /// (compared case-insensitively, as `strings.EqualFold`). A missing kind is accepted.
  static func kindError(_ disk: YAMLValue) -> TranslationError? {
    guard let kind = disk.present("kind")?.scalarText else { return nil }
    if kind.lowercased() == managed.lowercased() { return nil }
    return TranslationError("kind(\(kind)) is not supported in csi migration")
  }

  /// `spec.csi` for a disk, without `driver`, keys in the order kubectl prints them.
  /// PVs copy a present `cachingMode` even when empty; inline volumes only a non-empty one.
  static func diskCSI(_ disk: YAMLValue, cachingModeIfEmpty: Bool) -> [(String, YAMLValue)] {
    var attributes: [(String, YAMLValue)] = []
    if let caching = disk.present("cachingMode")?.scalarText, cachingModeIfEmpty || !caching.isEmpty {
      attributes.append(("cachingmode", .string(caching)))
    }
    let fsType = disk.present("fsType")?.scalarText
    if let fsType { attributes.append(("fstype", .string(fsType))) }
    // Never copied from the input: always Managed.
    attributes.append(("kind", .string(managed)))

    var csi: [(String, YAMLValue)] = []
    if let fsType, !fsType.isEmpty { csi.append(("fsType", .string(fsType))) }
    if disk.present("readOnly")?.boolValue == true { csi.append(("readOnly", .bool(true))) }
    csi.append(("volumeAttributes", .mapping(attributes)))
    csi.append(("volumeHandle", .string(disk.present("diskURI")?.scalarText ?? "")))
    return csi
  }

  /// `spec.csi` for a share; keys in the order kubectl prints them.
  static func fileCSI(handle: String, secretName: String, namespace: String, shareName: String, file: YAMLValue)
    -> YAMLValue
  {
    var secretRef: [(String, YAMLValue)] = []
    if !secretName.isEmpty { secretRef.append(("name", .string(secretName))) }
    if !namespace.isEmpty { secretRef.append(("namespace", .string(namespace))) }
    var csi: [(String, YAMLValue)] = [
      ("driver", .string(Drivers.csiFile)),
      ("nodeStageSecretRef", .mapping(secretRef)),
    ]
    if file.present("readOnly")?.boolValue == true { csi.append(("readOnly", .bool(true))) }
    csi.append(("volumeAttributes", .mapping([("sharename", .string(shareName))])))
    csi.append(("volumeHandle", .string(handle)))
    return .mapping(csi)
  }

  /// The storage account in an in-tree secret name: the capture of `azure-storage-account-(.+)-secret`
  /// (unanchored, greedy, `.` not matching a line break), or the whole name when it does not match.
  public static func storageAccountName(secretName: String) -> String {
    let bytes = Array(secretName.utf8)
    let prefix = Array("azure-storage-account-".utf8)
    let suffix = Array("-secret".utf8)
    func matches(_ pattern: [UInt8], at i: Int) -> Bool {
      i >= 0 && i + pattern.count <= bytes.count && Array(bytes[i..<i + pattern.count]) == pattern
    }
    var start = 0
    while start + prefix.count <= bytes.count {
      if matches(prefix, at: start) {
        let from = start + prefix.count
        // `.+` stops at the first line break; the greedy match takes the last `-secret` before it.
        let limit = bytes[from...].firstIndex(of: 0x0A) ?? bytes.count
        var end = limit - suffix.count
        while end >= from + 1 {
          if matches(suffix, at: end) { return String(decoding: bytes[from..<end], as: UTF8.self) }
          end -= 1
        }
      }
      start += 1
    }
    return secretName
  }

  // MARK: - StorageClass

  /// `TranslateInTreeStorageClassToCSI`. When `asNewObject` is true the result is meant to be
  /// created as a new class, so its provisioner becomes the CSI driver's name (upstream leaves
  /// the provisioner alone because it only translates in memory).
  public static func translateStorageClass(_ object: YAMLValue, asNewObject: Bool) -> Result<YAMLValue, TranslationError> {
    let provisioner = object["provisioner"]?.scalarText ?? ""
    var result: YAMLValue
    switch provisioner {
    case Drivers.inTreeDisk:
      switch translateDiskClass(object) {
      case .success(let translated): result = translated
      case .failure(let error): return .failure(error)
      }
    case Drivers.inTreeFile:
      // azure_file.go returns the class unchanged.
      result = object
    default:
      return .failure(
        TranslationError("could not find in-tree storage class parameter translation logic for \(goQuoted(provisioner))"))
    }
    if asNewObject, let driver = Drivers.csiName(forInTree: provisioner) {
      result["provisioner"] = .string(driver)
    }
    return .success(result)
  }

  /// The zone/zones parameter keys of a class, in the order Kubernetes may see them.
  /// Upstream iterates a Go map, so when both are given the one seen last wins at random; this
  /// translation takes the one whose key sorts last in kubectl's key order (`zones` over `zone`).
  public static func zoneParameterKeys(_ object: YAMLValue) -> [String] {
    guard case .mapping(let pairs) = object["parameters"] ?? .null else { return [] }
    return pairs.map(\.0).filter { ["zone", "zones"].contains($0.lowercased()) }.sorted(by: KubectlStyle.less)
  }

  static func translateDiskClass(_ object: YAMLValue) -> Result<YAMLValue, TranslationError> {
    var result = object
    var params: [(String, YAMLValue)] = []
    if case .mapping(let pairs) = object["parameters"] ?? .null {
      params = pairs.filter { !["zone", "zones"].contains($0.0.lowercased()) }
    }
    var generated: [YAMLValue]?
    if let key = zoneParameterKeys(object).last {
      let value = object["parameters"]?[key]?.scalarText ?? ""
      let values = key.lowercased() == "zone" ? [value] : goSplit(value, ",")
      generated = [
        .mapping([
          (
            "matchLabelExpressions",
            .sequence([
              .mapping([
                ("key", .string(TopologyKeys.diskCSIZone)),
                ("values", .sequence(values.map { .string($0) })),
              ])
            ])
          )
        ])
      ]
    }
    var topologies: [YAMLValue] = []
    if case .sequence(let terms) = object["allowedTopologies"] ?? .null { topologies = terms }

    if generated != nil && !topologies.isEmpty {
      return .failure(TranslationError("cannot simultaneously set allowed topologies and zone/zones parameters"))
    } else if let generated {
      topologies = generated
    } else if !topologies.isEmpty {
      topologies = topologies.map { term in
        mapExpressions(term) { expression in
          var e = expression
          let key = e["key"]?.scalarText
          if key == TopologyKeys.betaZone || key == TopologyKeys.zone { e["key"] = .string(TopologyKeys.diskCSIZone) }
          return e
        }
      }
    }
    // Fault-domain numbers of regions without zones ("0", "1", ...) mean "no zone" to the driver.
    topologies = topologies.map { term in
      mapExpressions(term) { expression in
        guard expression["key"]?.scalarText == TopologyKeys.diskCSIZone,
          case .sequence(let values) = expression["values"] ?? .null
        else { return expression }
        var e = expression
        e["values"] = .sequence(values.map { isUnzoned($0.scalarText) ? .string("") : $0 })
        return e
      }
    }

    // Both fields are omitempty: an empty result is not printed.
    result["allowedTopologies"] = topologies.isEmpty ? nil : .sequence(topologies)
    result["parameters"] = params.isEmpty ? nil : .mapping(params)
    return .success(result)
  }

  /// Applies `transform` to each `matchLabelExpressions` entry of a topology term.
  static func mapExpressions(_ term: YAMLValue, _ transform: (YAMLValue) -> YAMLValue) -> YAMLValue {
    guard case .sequence(let expressions) = term["matchLabelExpressions"] ?? .null else { return term }
    var t = term
    t["matchLabelExpressions"] = .sequence(expressions.map { $0.isMapping ? transform($0) : $0 })
    return t
  }

  /// `^[0-9]+$`.
  static func isUnzoned(_ text: String?) -> Bool {
    guard let text, !text.isEmpty else { return false }
    return text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
  }

  /// Go's `strings.Split`: no trimming, empty fields kept, `""` gives `[""]`.
  static func goSplit(_ text: String, _ separator: Character) -> [String] {
    text.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
  }

  /// Go's `%#v` of a string: a double-quoted Go string literal.
  static func goQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\u{07}": out += "\\a"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{0B}": out += "\\v"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          let hex = String(scalar.value, radix: 16)
          out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
        } else if scalar.value >= 0x80 && scalar.value < 0xA0 {
          out += "\\u00" + String(scalar.value, radix: 16)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}

extension YAMLValue {
  /// The value under `key` when it is present and not null: what a Go pointer field being set means.
  func present(_ key: String) -> YAMLValue? {
    guard let value = self[key], value != .null else { return nil }
    return value
  }

  var isMapping: Bool {
    if case .mapping = self { return true }
    return false
  }

  /// A boolean as YAML (1.1 spellings kubectl accepts) or JSON writes it; nil for anything else.
  var boolValue: Bool? {
    switch self {
    case .bool(let b): return b
    case .plain(let text):
      switch text {
      case "true", "True", "TRUE": return true
      case "false", "False", "FALSE": return false
      default: return nil
      }
    default: return nil
    }
  }
}
