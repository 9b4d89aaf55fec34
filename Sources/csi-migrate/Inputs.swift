import ArgumentParser
import MigrationCore
import YAMLStream

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The inputs every command reads: files, directories, or `-` for standard input.
struct InputOptions: ParsableArguments {
  @Argument(
    help: ArgumentHelp(
      "Files or directories holding `kubectl get ... -o yaml|json` output; `-` or nothing reads standard input. Each is one cluster.",
      valueName: "file|dir|-"))
  var inputs: [String] = []

  /// Expands directories into their `*.yaml`, `*.yml` and `*.json` files, sorted by name.
  func expanded() throws(InputError) -> [String] {
    let given = inputs.isEmpty ? ["-"] : inputs
    var result: [String] = []
    for path in given {
      if path == "-" {
        result.append(path)
        continue
      }
      var info = stat()
      guard stat(path, &info) == 0 else {
        throw InputError("cannot open: \(Files.errorText())", file: path)
      }
      if (info.st_mode & S_IFMT) == S_IFDIR {
        let files = try Self.listDirectory(path)
        if files.isEmpty { throw InputError("directory holds no .yaml, .yml or .json files", file: path) }
        result.append(contentsOf: files)
      } else {
        result.append(path)
      }
    }
    if result.filter({ $0 == "-" }).count > 1 {
      throw InputError("standard input given more than once", file: "-")
    }
    return result
  }

  static func listDirectory(_ path: String) throws(InputError) -> [String] {
    guard let dir = opendir(path) else {
      throw InputError("cannot read directory: \(Files.errorText())", file: path)
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name.hasPrefix(".") { continue }
      guard name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") else { continue }
      let full = path.hasSuffix("/") ? path + name : path + "/" + name
      // Only regular files (or links to them): a directory named x.yaml is not an input.
      var info = stat()
      if stat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { names.append(full) }
    }
    return names.sorted()
  }
}

/// Reads each input object by object: libyaml reader, then the typed decoder.
enum Pipeline {
  /// Calls `body` for every object of every input, in order. An input with no objects at all
  /// (empty, only whitespace or comments) is an error: an empty dump must never pass.
  static func read(
    _ paths: [String], detail: Decoder.Detail = .full,
    _ body: (_ input: Int, _ name: String, _ tree: ObjectTree, _ object: KubeObject, _ findings: [Finding]) throws -> Void
  ) throws {
    try readTrees(paths) { index, path, tree in
      var decoder = Decoder(tree: tree, input: index, detail: detail)
      let object = try decoder.decode()
      try body(index, path, tree, object, decoder.findings)
    }
  }

  /// Calls `body` with the tree of every object of every input, in order, not decoded yet (for
  /// a caller that decodes elsewhere). The same checks as `read`.
  static func readTrees(_ paths: [String], _ body: (_ input: Int, _ name: String, _ tree: ObjectTree) throws -> Void) throws {
    for (index, path) in paths.enumerated() {
      let source: InputSource
      if path == "-" {
        if Output.stdinIsTerminal {
          throw InputError(
            "no input: pipe `kubectl get pv,pvc,sc,pods,deploy,sts -A -o yaml` in, or name a file", file: "-")
        }
        source = InputSource(descriptor: 0, name: "-")
      } else {
        source = try InputSource(path: path)
      }
      let reader = try ObjectReader(source: source)
      let progress = Progress(name: path)
      while let tree = try reader.next() {
        try body(index, path, tree)
        progress.update(bytes: source.bytesRead, objects: reader.objectsRead)
      }
      progress.finish()
      if reader.documentsWithContent == 0 {
        throw InputError(
          source.bytesRead == 0 ? "empty input: no Kubernetes objects" : "no Kubernetes objects in the input",
          file: path)
      }
    }
    Output.shared.commit()
  }
}

/// A progress line on standard error while a large input is read, only when stderr is a terminal.
final class Progress {
  private let name: String
  private let enabled: Bool
  private var lastReport = 0
  private var shown = false

  init(name: String) {
    self.name = name
    self.enabled = Output.stderrIsTerminal
  }

  func update(bytes: Int, objects: Int) {
    guard enabled, bytes - lastReport >= 8 << 20 else { return }
    lastReport = bytes
    shown = true
    Output.shared.error("\r\u{1B}[K\(name): \(bytes >> 20) MiB, \(objects) objects read\u{1B}[1A")
  }

  func finish() {
    if shown { Output.shared.error("\r\u{1B}[K\u{1B}[1A") }
  }
}
