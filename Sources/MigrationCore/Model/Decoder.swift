import YAMLStream

/// A decoded input object. Secrets are recognised by kind only: their data is never read.
public enum KubeObject: Sendable {
  case persistentVolume(PersistentVolume)
  case persistentVolumeClaim(PersistentVolumeClaim)
  case storageClass(StorageClass)
  case workload(Workload)
  case secret(ObjectRef, Origin)
  /// A kind the tool does not use; counted and skipped.
  case other(kind: String)
}

/// Decodes one object tree into a typed value. A field of the wrong type becomes an
/// `invalid-field` finding at its position, never a crash; an object with no `kind` or
/// `apiVersion` is not Kubernetes input and is an error.
public struct Decoder {
  /// How much of each object to read.
  public enum Detail: Sendable {
    /// What classification needs (`scan`, `check`): fields that only planning uses are skipped,
    /// which keeps a scan close to the speed of parsing.
    case inventory
    /// Every field the model has (`translate`, `plan`).
    case full
  }

  public let tree: ObjectTree
  public let input: Int
  public let detail: Detail
  public private(set) var findings: [Finding] = []
  private var ref = ObjectRef(kind: "", name: "")
  private var full: Bool { detail == .full }

  public init(tree: ObjectTree, input: Int, detail: Detail = .full) {
    self.tree = tree
    self.input = input
    self.detail = detail
  }

  public typealias Index = ObjectTree.Index

  public mutating func decode() throws(InputError) -> KubeObject {
    let root = tree.root
    guard tree.kind(root) == .mapping else {
      throw InputError("expected a Kubernetes object (a mapping)", at: tree.location(root))
    }
    guard let kindNode = tree.value(root, "kind"), let kind = tree.string(kindNode), !kind.isEmpty else {
      throw InputError("not a Kubernetes object: it has no kind", at: tree.location(root))
    }
    guard let api = tree.value(root, "apiVersion"), tree.string(api) != nil else {
      throw InputError("not a Kubernetes object: it has no apiVersion", at: tree.location(root))
    }
    let origin = Origin(file: tree.file, object: tree.position(root), input: input)
    if kind.hasSuffix("List"), tree.value(root, "items") != nil {
      // Fail closed: silently skipping a List's items could let a gate pass over in-tree volumes.
      throw InputError(
        "a \(kind) inside a list is not read; pass each List as an input of its own", at: tree.location(root))
    }
    switch kind {
    case "PersistentVolume": return .persistentVolume(decodePV(origin))
    case "PersistentVolumeClaim": return .persistentVolumeClaim(decodePVC(origin))
    case "StorageClass": return .storageClass(decodeStorageClass(origin))
    case "Secret":
      // Only the name: data, stringData and annotations are never read.
      let meta = tree.value(root, "metadata")
      let name = meta.flatMap { tree.value($0, "name") }.flatMap { tree.string($0) } ?? ""
      let ns = meta.flatMap { tree.value($0, "namespace") }.flatMap { tree.string($0) } ?? ""
      return .secret(ObjectRef(kind: "Secret", namespace: ns, name: name), origin)
    default:
      if let workloadKind = Workload.Kind(rawValue: kind) { return .workload(decodeWorkload(workloadKind, origin)) }
      return .other(kind: kind)
    }
  }

  // MARK: - Field access with type checks

  /// Invalid fields reported per object; past this, one more finding says the rest were not listed.
  static let maxInvalidFields = 10

  private mutating func invalid(_ i: Index, _ field: @autoclosure () -> String, expected: String) {
    let count = findings.count { $0.rule == .invalidField }
    if count > Self.maxInvalidFields { return }
    let message =
      count == Self.maxInvalidFields
      ? "more fields of this object have the wrong type; they are ignored and not listed"
      : "\(field()) should be \(expected); ignored"
    findings.append(Finding(.invalidField, ref, at: tree.location(i), input: input, message))
  }

  func hasValue(_ m: Index, _ key: StaticString) -> Bool {
    guard let v = tree.value(m, key) else { return false }
    return !tree.isNull(v)
  }

  /// A scalar as text; a collection is reported and ignored.
  mutating func string(_ i: Index?, _ field: @autoclosure () -> String) -> String? {
    guard let i else { return nil }
    if tree.kind(i) != .scalar {
      invalid(i, field(), expected: "a string")
      return nil
    }
    return tree.string(i)
  }

  mutating func bool(_ i: Index?, _ field: @autoclosure () -> String) -> Bool? {
    guard let i, !tree.isNull(i) else { return nil }
    if let b = tree.bool(i) { return b }
    invalid(i, field(), expected: "true or false")
    return nil
  }

  mutating func int(_ i: Index?, _ field: @autoclosure () -> String) -> Int? {
    guard let i, !tree.isNull(i) else { return nil }
    if let n = tree.int(i) { return n }
    invalid(i, field(), expected: "an integer")
    return nil
  }

  mutating func mapping(_ i: Index?, _ field: @autoclosure () -> String) -> Index? {
    guard let i, !tree.isNull(i) else { return nil }
    if tree.kind(i) == .mapping { return i }
    invalid(i, field(), expected: "a mapping")
    return nil
  }

  mutating func sequence(_ i: Index?, _ field: @autoclosure () -> String) -> Index? {
    guard let i, !tree.isNull(i) else { return nil }
    if tree.kind(i) == .sequence { return i }
    invalid(i, field(), expected: "a list")
    return nil
  }

  mutating func strings(_ i: Index?, _ field: @autoclosure () -> String) -> [String] {
    guard let list = sequence(i, field()) else { return [] }
    var result: [String] = []
    for item in tree.children(list) {
      if let s = string(item, field()) { result.append(s) }
    }
    return result
  }

  mutating func stringMap(_ i: Index?, _ field: @autoclosure () -> String) -> [String: String] {
    guard let map = mapping(i, field()) else { return [:] }
    var result: [String: String] = [:]
    for (k, v) in tree.pairs(map) {
      guard let key = tree.text(k) else { continue }
      if let value = string(v, "\(field()).\(key)") { result[key] = value }
    }
    return result
  }

  /// Reads metadata; labels only when asked (workloads), annotations only those the tool uses,
  /// matched as bytes before any string is made.
  mutating func metadata(labels: Bool = false) -> Metadata {
    var m = Metadata()
    guard let meta = mapping(tree.value(tree.root, "metadata"), "metadata") else { return m }
    m.name = string(tree.value(meta, "name"), "metadata.name") ?? ""
    m.namespace = string(tree.value(meta, "namespace"), "metadata.namespace") ?? ""
    ref.name = m.name
    ref.namespace = m.namespace
    if labels { m.labels = stringMap(tree.value(meta, "labels"), "metadata.labels") }
    if let annotations = mapping(tree.value(meta, "annotations"), "metadata.annotations") {
      for (k, v) in tree.pairs(annotations) where Self.isKeptAnnotation(tree, k) {
        if let key = tree.text(k), let value = string(v, "metadata.annotations.\(key)") { m.annotations[key] = value }
      }
    }
    if let owners = sequence(tree.value(meta, "ownerReferences"), "metadata.ownerReferences") {
      for owner in tree.children(owners) {
        guard let o = mapping(owner, "metadata.ownerReferences[]") else { continue }
        if let kind = string(tree.value(o, "kind"), "ownerReferences.kind"),
          let name = string(tree.value(o, "name"), "ownerReferences.name")
        {
          m.owners.append(OwnerRef(kind: kind, name: name))
        }
      }
    }
    return m
  }

  static func isKeptAnnotation(_ tree: ObjectTree, _ k: Index) -> Bool {
    tree.scalarIs(k, "pv.kubernetes.io/migrated-to") || tree.scalarIs(k, "pv.kubernetes.io/provisioned-by")
      || tree.scalarIs(k, "kubernetes.io/azure-file-resource-group")
      || tree.scalarIs(k, "storageclass.kubernetes.io/is-default-class")
      || tree.scalarIs(k, "storageclass.beta.kubernetes.io/is-default-class")
      || tree.scalarIs(k, "volume.kubernetes.io/storage-provisioner")
      || tree.scalarIs(k, "volume.beta.kubernetes.io/storage-provisioner")
      || tree.scalarIs(k, "volume.beta.kubernetes.io/storage-class")
  }

  // MARK: - Volume sources

  mutating func azureDisk(_ i: Index, _ field: @autoclosure () -> String) -> AzureDiskSource {
    guard let d = mapping(i, field()) else { return AzureDiskSource() }
    if !full {
      // Classification reads the disk's kind, URI (blob or managed) and caching mode only.
      return AzureDiskSource(
        diskURI: string(tree.value(d, "diskURI"), "\(field()).diskURI"),
        cachingMode: presentString(tree.value(d, "cachingMode"), "\(field()).cachingMode"),
        kind: string(tree.value(d, "kind"), "\(field()).kind"))
    }
    return AzureDiskSource(
      diskName: string(tree.value(d, "diskName"), "\(field()).diskName"),
      diskURI: string(tree.value(d, "diskURI"), "\(field()).diskURI"),
      cachingMode: presentString(tree.value(d, "cachingMode"), "\(field()).cachingMode"),
      fsType: presentString(tree.value(d, "fsType"), "\(field()).fsType"),
      readOnly: bool(tree.value(d, "readOnly"), "\(field()).readOnly"),
      kind: string(tree.value(d, "kind"), "\(field()).kind"))
  }

  /// A string field whose presence matters: `fsType: ""` is present and empty, not absent.
  mutating func presentString(_ i: Index?, _ field: @autoclosure () -> String) -> String? {
    guard let i else { return nil }
    if tree.kind(i) == .scalar && tree.style(i) != .plain { return tree.text(i) }
    if tree.kind(i) == .scalar && tree.isNull(i) { return nil }
    return string(i, field())
  }

  mutating func azureFile(_ i: Index, _ field: @autoclosure () -> String) -> AzureFileSource {
    guard let f = mapping(i, field()) else { return AzureFileSource() }
    return AzureFileSource(
      secretName: string(tree.value(f, "secretName"), "\(field()).secretName"),
      shareName: string(tree.value(f, "shareName"), "\(field()).shareName"),
      secretNamespace: presentString(tree.value(f, "secretNamespace"), "\(field()).secretNamespace"),
      readOnly: bool(tree.value(f, "readOnly"), "\(field()).readOnly"))
  }

  mutating func csi(_ i: Index, _ field: @autoclosure () -> String) -> CSISource {
    guard let c = mapping(i, field()) else { return CSISource(driver: "", volumeHandle: "") }
    if !full { return CSISource(driver: string(tree.value(c, "driver"), "\(field()).driver") ?? "", volumeHandle: "") }
    var source = CSISource(
      driver: string(tree.value(c, "driver"), "\(field()).driver") ?? "",
      volumeHandle: string(tree.value(c, "volumeHandle"), "\(field()).volumeHandle") ?? "",
      fsType: presentString(tree.value(c, "fsType"), "\(field()).fsType"),
      readOnly: bool(tree.value(c, "readOnly"), "\(field()).readOnly"),
      volumeAttributes: stringMap(tree.value(c, "volumeAttributes"), "\(field()).volumeAttributes"))
    if let ref = mapping(tree.value(c, "nodeStageSecretRef"), "\(field()).nodeStageSecretRef") {
      source.nodeStageSecretRef = SecretRef(
        name: string(tree.value(ref, "name"), "nodeStageSecretRef.name") ?? "",
        namespace: string(tree.value(ref, "namespace"), "nodeStageSecretRef.namespace") ?? "")
    }
    return source
  }

  private static let pvSpecFields: Set<String> = [
    "accessModes", "capacity", "claimRef", "mountOptions", "nodeAffinity", "persistentVolumeReclaimPolicy",
    "storageClassName", "volumeMode", "volumeAttributesClassName",
  ]

  /// The volume source of a PV spec or a pod volume mapping.
  mutating func volumeSource(_ m: Index, _ field: @autoclosure () -> String, skipping: Set<String>) -> (VolumeSource, SourcePosition) {
    var fallback: (VolumeSource, SourcePosition)?
    for (k, v) in tree.pairs(m) {
      // `azureDisk: null` (as some tools write unset sources) is no source at all.
      if tree.isNull(v) { continue }
      if tree.scalarIs(k, "azureDisk") { return (.azureDisk(azureDisk(v, "\(field()).azureDisk")), tree.position(k)) }
      if tree.scalarIs(k, "azureFile") { return (.azureFile(azureFile(v, "\(field()).azureFile")), tree.position(k)) }
      if tree.scalarIs(k, "csi") { return (.csi(csi(v, "\(field()).csi")), tree.position(k)) }
      if tree.scalarIs(k, "persistentVolumeClaim") {
        let claim = mapping(v, "\(field()).persistentVolumeClaim").flatMap {
          string(tree.value($0, "claimName"), "\(field()).persistentVolumeClaim.claimName")
        }
        return (.claim(claim ?? ""), tree.position(k))
      }
      if fallback == nil, let key = tree.text(k), !skipping.contains(key) {
        fallback = (.other(key), tree.position(k))
      }
    }
    return fallback ?? (.other(""), tree.position(m))
  }

  mutating func nodeSelectorTerms(_ terms: Index?, _ field: @autoclosure () -> String, key: StaticString = "matchExpressions")
    -> [[NodeSelectorRequirement]]
  {
    guard let list = sequence(terms, field()) else { return [] }
    var result: [[NodeSelectorRequirement]] = []
    for term in tree.children(list) {
      guard let t = mapping(term, "\(field())[]") else { continue }
      var requirements: [NodeSelectorRequirement] = []
      if let expressions = sequence(tree.value(t, key), "\(field())[].\(key)") {
        for e in tree.children(expressions) {
          guard let expr = mapping(e, "\(field())[].\(key)[]") else { continue }
          let keyNode = tree.value(expr, "key")
          if !full {
            // Classification only asks whether deprecated keys are used.
            guard let k = keyNode,
              tree.scalarIs(k, "failure-domain.beta.kubernetes.io/zone")
                || tree.scalarIs(k, "failure-domain.beta.kubernetes.io/region")
            else { continue }
          }
          requirements.append(
            NodeSelectorRequirement(
              key: string(keyNode, "\(key).key") ?? "",
              op: string(tree.value(expr, "operator"), "\(key).operator") ?? "",
              values: strings(tree.value(expr, "values"), "\(key).values"),
              position: tree.position(keyNode ?? expr)))
        }
      }
      result.append(requirements)
    }
    return result
  }

  // MARK: - Kinds

  mutating func decodePV(_ origin: Origin) -> PersistentVolume {
    ref = ObjectRef(kind: "PersistentVolume", name: "")
    let meta = metadata()
    let spec = mapping(tree.value(tree.root, "spec"), "spec")
    let (source, position) =
      spec.map { volumeSource($0, "spec", skipping: Self.pvSpecFields) } ?? (.other(""), origin.object)
    var pv = PersistentVolume(metadata: meta, origin: origin, source: source, sourcePosition: position)
    guard let spec else { return pv }
    if let c = mapping(tree.value(spec, "claimRef"), "spec.claimRef") {
      pv.claimRef = ClaimRef(namespace: string(tree.value(c, "namespace"), "spec.claimRef.namespace"))
      if full {
        pv.claimRef?.name = string(tree.value(c, "name"), "spec.claimRef.name")
        pv.claimRef?.uid = string(tree.value(c, "uid"), "spec.claimRef.uid")
      }
    }
    let policy = tree.value(spec, "persistentVolumeReclaimPolicy")
    pv.reclaimPolicy = string(policy, "spec.persistentVolumeReclaimPolicy")
    pv.reclaimPolicyPosition = policy.map { tree.position($0) }
    if full {
      pv.capacity = string(tree.value(spec, "capacity", "storage"), "spec.capacity.storage")
      pv.accessModes = strings(tree.value(spec, "accessModes"), "spec.accessModes")
      pv.storageClassName = string(tree.value(spec, "storageClassName"), "spec.storageClassName")
      pv.mountOptions = strings(tree.value(spec, "mountOptions"), "spec.mountOptions")
      pv.volumeMode = string(tree.value(spec, "volumeMode"), "spec.volumeMode")
    }
    pv.nodeAffinity = nodeSelectorTerms(
      tree.value(spec, "nodeAffinity", "required", "nodeSelectorTerms"), "spec.nodeAffinity.required.nodeSelectorTerms")
    if let status = mapping(tree.value(tree.root, "status"), "status") {
      let phase = tree.value(status, "phase")
      pv.phase = string(phase, "status.phase")
      pv.phasePosition = phase.map { tree.position($0) }
    }
    return pv
  }

  mutating func decodePVC(_ origin: Origin) -> PersistentVolumeClaim {
    ref = ObjectRef(kind: "PersistentVolumeClaim", name: "")
    // Classification only counts claims.
    guard full else { return PersistentVolumeClaim(metadata: Metadata(), origin: origin) }
    var pvc = PersistentVolumeClaim(metadata: metadata(), origin: origin)
    if let spec = mapping(tree.value(tree.root, "spec"), "spec") {
      pvc.storageClassName = string(tree.value(spec, "storageClassName"), "spec.storageClassName")
      // The beta annotation, when present, wins over the field (GetPersistentVolumeClaimClass).
      if let legacy = pvc.metadata.annotations[Metadata.betaStorageClass] { pvc.storageClassName = legacy }
      pvc.volumeName = string(tree.value(spec, "volumeName"), "spec.volumeName")
      pvc.accessModes = strings(tree.value(spec, "accessModes"), "spec.accessModes")
      pvc.volumeMode = string(tree.value(spec, "volumeMode"), "spec.volumeMode")
      pvc.requestedStorage = string(tree.value(spec, "resources", "requests", "storage"), "spec.resources.requests.storage")
    }
    if let status = mapping(tree.value(tree.root, "status"), "status") {
      pvc.phase = string(tree.value(status, "phase"), "status.phase")
    }
    return pvc
  }

  mutating func decodeStorageClass(_ origin: Origin) -> StorageClass {
    ref = ObjectRef(kind: "StorageClass", name: "")
    let meta = metadata()
    let root = tree.root
    var sc = StorageClass(
      metadata: meta, origin: origin, provisioner: string(tree.value(root, "provisioner"), "provisioner") ?? "")
    if let params = mapping(tree.value(root, "parameters"), "parameters") {
      for (k, v) in tree.pairs(params) {
        guard let key = tree.text(k) else { continue }
        sc.parameters.append((key, string(v, "parameters.\(key)") ?? ""))
      }
    }
    sc.reclaimPolicy = string(tree.value(root, "reclaimPolicy"), "reclaimPolicy")
    sc.volumeBindingMode = string(tree.value(root, "volumeBindingMode"), "volumeBindingMode")
    sc.allowVolumeExpansion = bool(tree.value(root, "allowVolumeExpansion"), "allowVolumeExpansion")
    sc.mountOptions = strings(tree.value(root, "mountOptions"), "mountOptions")
    sc.allowedTopologies = nodeSelectorTerms(
      tree.value(root, "allowedTopologies"), "allowedTopologies", key: "matchLabelExpressions")
    return sc
  }

  private static let podVolumeFields: Set<String> = ["name"]

  mutating func decodeWorkload(_ kind: Workload.Kind, _ origin: Origin) -> Workload {
    ref = ObjectRef(kind: kind.rawValue, name: "")
    var w = Workload(kind: kind, metadata: metadata(labels: full), origin: origin)
    let spec = mapping(tree.value(tree.root, "spec"), "spec")
    var podSpec: Index?
    var podSpecField = "spec"
    switch kind {
    case .pod:
      podSpec = spec
      if let spec { w.nodeName = string(tree.value(spec, "nodeName"), "spec.nodeName") }
      if let status = mapping(tree.value(tree.root, "status"), "status") {
        w.phase = string(tree.value(status, "phase"), "status.phase")
      }
    case .cronJob:
      podSpecField = "spec.jobTemplate.spec.template.spec"
      podSpec = spec.flatMap { mapping(tree.value($0, "jobTemplate", "spec", "template", "spec"), podSpecField) }
      w.suspended = spec.flatMap { bool(tree.value($0, "suspend"), "spec.suspend") }
    default:
      podSpecField = "spec.template.spec"
      podSpec = spec.flatMap { mapping(tree.value($0, "template", "spec"), podSpecField) }
      if let spec {
        w.replicas = int(tree.value(spec, "replicas"), "spec.replicas")
        if kind == .deployment {
          w.strategy = string(tree.value(spec, "strategy", "type"), "spec.strategy.type")
        } else if kind == .statefulSet {
          w.strategy = string(tree.value(spec, "updateStrategy", "type"), "spec.updateStrategy.type")
        }
      }
    }
    if let podSpec, let volumes = sequence(tree.value(podSpec, "volumes"), "\(podSpecField).volumes") {
      for v in tree.children(volumes) {
        guard let vol = mapping(v, "\(podSpecField).volumes[]") else { continue }
        if !full && !hasValue(vol, "azureDisk") && !hasValue(vol, "azureFile") { continue }
        let name = string(tree.value(vol, "name"), "volumes[].name") ?? ""
        let (source, position) = volumeSource(vol, "\(podSpecField).volumes[\(name)]", skipping: Self.podVolumeFields)
        // Classification only looks at in-tree Azure volumes.
        if full || source.isInTreeAzure { w.volumes.append(PodVolume(name: name, source: source, position: position)) }
      }
    }
    if kind == .statefulSet, let spec,
      let templates = sequence(tree.value(spec, "volumeClaimTemplates"), "spec.volumeClaimTemplates")
    {
      for t in tree.children(templates) {
        guard let template = mapping(t, "spec.volumeClaimTemplates[]") else { continue }
        let name = string(tree.value(template, "metadata", "name"), "volumeClaimTemplates[].metadata.name") ?? ""
        let tspec = mapping(tree.value(template, "spec"), "volumeClaimTemplates[].spec")
        // As Kubernetes does (GetPersistentVolumeClaimClass): the beta annotation wins over the field.
        var className = tspec.flatMap { string(tree.value($0, "storageClassName"), "volumeClaimTemplates[].spec.storageClassName") }
        if let annotations = tree.value(template, "metadata", "annotations"),
          let legacy = tree.value(annotations, "volume.beta.kubernetes.io/storage-class"),
          let value = string(legacy, "volumeClaimTemplates[].metadata.annotations")
        {
          className = value
        }
        w.claimTemplates.append(
          ClaimTemplate(
            name: name, storageClassName: className,
            accessModes: tspec.map { strings(tree.value($0, "accessModes"), "volumeClaimTemplates[].spec.accessModes") } ?? [],
            storage: tspec.flatMap { string(tree.value($0, "resources", "requests", "storage"), "resources.requests.storage") },
            position: tree.position(template)))
      }
    }
    return w
  }
}
