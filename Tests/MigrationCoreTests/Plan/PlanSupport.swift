import Foundation
import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// A plan made the way `csi-migrate plan` makes it, with every file it writes (backups included).
struct PlanRun {
  /// The plan, with its volumes loaded.
  var plan: Plan
  /// Every in-tree volume of the plan, in order.
  var volumes: [PlannedVolume] { (0..<plan.volumes.count).map { plan.volumes[$0] } }
  /// Path inside the plan directory → content.
  var files: [String: String]
  /// Every in-tree PV of the input (name → the object as read).
  var inTreeVolumes: [String: YAMLValue]

  var text: String { files.keys.sorted().map { files[$0] ?? "" }.joined(separator: "\n") }
}

enum PlanSupport {
  static func run(paths: [String], namespaces: Set<String> = []) throws -> PlanRun {
    var planner = Planner(options: PlanOptions(namespaces: namespaces, inputs: paths))
    var files: [String: String] = [:]
    var inTree: [String: YAMLValue] = [:]
    for path in paths {
      let reader = try ObjectReader(source: try InputSource(path: path))
      while let tree = try reader.next() {
        var decoder = Decoder(tree: tree, input: 0)
        let object = try decoder.decode()
        try planner.add(object, tree: tree)
        if case .persistentVolume(let pv) = object, PVClass(pv).isInTree {
          inTree[pv.metadata.name] = tree.value(at: tree.root)
        }
        if let backup = try Backup.file(for: object, tree: tree) {
          files[backup.path] = String(decoding: try PlanDirectory.backupYAML(backup.document), as: UTF8.self)
        }
      }
    }
    let plan = try planner.plan()
    let kept = try Backup.kept(by: plan)
    files = files.filter { kept.contains($0.key) }
    try PlanDirectory.render(plan) { path, _, content in
      var text = ""
      try content { text += $0 }
      files[path] = text
    }
    return PlanRun(plan: try plan.withVolumesLoaded(), files: files, inTreeVolumes: inTree)
  }

  static func run(_ yaml: String, namespaces: Set<String> = []) throws -> PlanRun {
    try run(paths: [try temporaryFile(yaml)], namespaces: namespaces)
  }

  static func demo() throws -> PlanRun { try run(paths: [fixture("demo/cluster.yaml").path]) }

  /// The YAML documents of a manifest file, parsed back with the real reader.
  static func manifest(_ run: PlanRun, _ path: String) throws -> YAMLValue {
    let text = try #require(run.files[path], "no file \(path)")
    let trees = try readObjects(text, name: "manifest.yaml")
    return try #require(trees.first).value(at: 0)
  }

  static func json(_ run: PlanRun) throws -> [String: Any] {
    let text = try #require(run.files["plan.json"])
    return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }
}

extension YAMLValue {
  // subscript(path:) and keys come from TranslatorTests.swift (same test target).
  var text: String? { scalarText }

  var items: [YAMLValue] {
    if case .sequence(let items) = self { return items }
    return []
  }

  /// Every scalar and key, depth first.
  var allText: [String] {
    switch self {
    case .mapping(let pairs): return pairs.flatMap { [$0.0] + $0.1.allText }
    case .sequence(let items): return items.flatMap(\.allText)
    default: return scalarText.map { [$0] } ?? []
    }
  }
}

/// The ordering invariant, checked on any ordered list of (volume, action) events: for every
/// volume, nothing deletes its claim or volume before its Retain patch.
enum Ordering {
  enum Event: Equatable {
    case retain(String)
    case delete(String)
  }

  /// Volumes for which a delete comes before (or without) the Retain patch.
  static func violations(_ events: [Event]) -> [String] {
    var retained: Set<String> = []
    var bad: [String] = []
    for e in events {
      switch e {
      case .retain(let v): retained.insert(v)
      case .delete(let v): if !retained.contains(v) && !bad.contains(v) { bad.append(v) }
      }
    }
    return bad
  }
}
