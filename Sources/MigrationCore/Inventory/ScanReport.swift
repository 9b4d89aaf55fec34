import YAMLStream

/// The result of scanning one or more inputs (a fleet of clusters).
public struct ScanReport: Sendable {
  public var inventories: [Inventory]

  public init(inventories: [Inventory]) {
    self.inventories = inventories
  }

  public var totals: Totals { inventories.reduce(Totals()) { $0 + $1.totals } }
  public var findings: [Finding] { inventories.flatMap(\.findings) }

  public func count(_ severity: Severity) -> Int {
    inventories.reduce(0) { $0 + $1.findings.lazy.filter { $0.severity == severity }.count }
  }
}

extension Totals {
  /// The `totals` object of the JSON contract.
  public var value: YAMLValue {
    let pv = persistentVolumes
    let sc = storageClasses
    var skipped: [(String, YAMLValue)] = []
    for kind in objects.skipped.keys.sorted() { skipped.append((kind, .int(objects.skipped[kind] ?? 0))) }
    return .mapping([
      ("persistentVolumes", .mapping([
        ("inTreeAzureDisk", .int(pv.inTreeAzureDisk)),
        ("inTreeAzureDiskUnmanaged", .int(pv.inTreeAzureDiskUnmanaged)),
        ("inTreeAzureFile", .int(pv.inTreeAzureFile)),
        ("csiAzureDisk", .int(pv.csiAzureDisk)),
        ("csiAzureFile", .int(pv.csiAzureFile)),
        ("other", .int(pv.other)),
        ("servedByCSIMigration", .int(pv.servedByCSIMigration)),
      ])),
      ("storageClasses", .mapping([
        ("inTreeAzureDisk", .int(sc.inTreeAzureDisk)),
        ("inTreeAzureFile", .int(sc.inTreeAzureFile)),
        ("csiAzureDisk", .int(sc.csiAzureDisk)),
        ("csiAzureFile", .int(sc.csiAzureFile)),
        ("other", .int(sc.other)),
      ])),
      ("inlineVolumes", .mapping([
        ("inTreeAzureDisk", .int(inlineVolumes.inTreeAzureDisk)),
        ("inTreeAzureFile", .int(inlineVolumes.inTreeAzureFile)),
      ])),
      ("statefulSetsOnInTreeClasses", .int(objects.statefulSetsOnInTreeClasses)),
      ("objects", .mapping([
        ("total", .int(objects.total)),
        ("persistentVolumeClaims", .int(objects.persistentVolumeClaims)),
        ("workloads", .int(objects.workloads)),
        ("secrets", .int(objects.secrets)),
        ("skipped", .mapping(skipped)),
      ])),
    ])
  }
}

extension Finding {
  /// The same as `JSONWriter.render(value, indent: 2)` after four spaces, without building the value:
  /// reports can hold hundreds of thousands of findings.
  public func writeJSON(into out: inout String) {
    out += "    {\n      \"rule\": \""
    out += rule.rawValue
    out += "\",\n      \"severity\": \""
    out += severity.rawValue
    out += "\",\n      \"object\": {\n        \"kind\": "
    JSONWriter.quote(object.kind, into: &out)
    out += ",\n        \"namespace\": "
    JSONWriter.quote(object.namespace, into: &out)
    out += ",\n        \"name\": "
    JSONWriter.quote(object.name, into: &out)
    out += "\n      },\n      \"source\": {\n        \"file\": "
    JSONWriter.quote(location.file, into: &out)
    out += ",\n        \"line\": "
    out += String(location.line)
    out += ",\n        \"column\": "
    out += String(location.column)
    out += "\n      },\n      \"message\": "
    JSONWriter.quote(message, into: &out)
    out += "\n    }"
  }

  public var value: YAMLValue {
    .mapping([
      ("rule", .string(rule.rawValue)),
      ("severity", .string(severity.rawValue)),
      ("object", .mapping([
        ("kind", .string(object.kind)), ("namespace", .string(object.namespace)), ("name", .string(object.name)),
      ])),
      ("source", .mapping([
        ("file", .string(location.file)), ("line", .int(location.line)), ("column", .int(location.column)),
      ])),
      ("message", .string(message)),
    ])
  }
}
