import Foundation
import MigrationCore
import YAMLStream

/// The package's root directory (where Package.swift is).
public let packageRoot: URL = {
  var url = URL(fileURLWithPath: #filePath)
  while url.path != "/" {
    url.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
  }
  return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}()

/// A file under Fixtures/.
public func fixture(_ path: String) -> URL {
  packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(path)
}

public func fixtureText(_ path: String) throws -> String {
  try String(contentsOf: fixture(path), encoding: .utf8)
}

/// Writes `text` to a temporary file and returns its path.
public func temporaryFile(_ text: String, name: String = "input.yaml") throws -> String {
  try temporaryFile(bytes: Array(text.utf8), name: name)
}

public func temporaryFile(bytes: [UInt8], name: String = "input.yaml") throws -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csi-migrate-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let url = dir.appendingPathComponent(name)
  try Data(bytes).write(to: url)
  return url.path
}

/// Reads every object of a file with the real reader.
public func readObjects(path: String, limits: ReaderLimits = ReaderLimits()) throws -> [ObjectTree] {
  let reader = try ObjectReader(source: try InputSource(path: path), limits: limits)
  var trees: [ObjectTree] = []
  while let tree = try reader.next() { trees.append(tree) }
  return trees
}

/// Reads every object of a YAML or JSON text with the real reader.
public func readObjects(_ text: String, name: String = "input.yaml") throws -> [ObjectTree] {
  try readObjects(path: try temporaryFile(text, name: name))
}

/// Decodes every object of a text.
public func decodeObjects(_ text: String, name: String = "input.yaml") throws -> [KubeObject] {
  try readObjects(text, name: name).map { tree in
    var decoder = Decoder(tree: tree, input: 0)
    return try decoder.decode()
  }
}

/// Scans a file the way `csi-migrate scan` does.
public func scan(path: String, input: Int = 0, name: String? = nil, detail: Decoder.Detail = .inventory) throws -> Inventory {
  var inventory = Inventory(input: input, name: name ?? path)
  let reader = try ObjectReader(source: try InputSource(path: path))
  while let tree = try reader.next() {
    var decoder = Decoder(tree: tree, input: input, detail: detail)
    let object = try decoder.decode()
    inventory.add(object, decodeFindings: decoder.findings)
  }
  inventory.finish()
  return inventory
}

public func scan(_ text: String, name: String = "input.yaml") throws -> Inventory {
  try scan(path: try temporaryFile(text, name: name), name: name)
}

/// The result of running the built `csi-migrate` binary.
public struct RunResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// The built executable, next to the test bundle.
public let binaryPath: String = {
  let candidates = [
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("csi-migrate").path,
    Bundle.main.bundleURL.appendingPathComponent("csi-migrate").path,
    packageRoot.appendingPathComponent(".build/debug/csi-migrate").path,
  ]
  return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
}()

/// Runs the binary with `arguments`, feeding `stdin` (or /dev/null) and a clean environment.
public func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], in directory: String? = nil)
  throws -> RunResult
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: binaryPath)
  process.arguments = arguments
  var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "NO_COLOR": "1"]
  env.merge(environment) { $1 }
  process.environment = env
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  let input = Pipe()
  process.standardInput = input
  try process.run()
  if let stdin { input.fileHandleForWriting.write(stdin) }
  try input.fileHandleForWriting.close()
  // Read both pipes concurrently so a large output cannot block the child.
  nonisolated(unsafe) var errData = Data()
  let group = DispatchGroup()
  group.enter()
  DispatchQueue.global().async {
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.leave()
  }
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return RunResult(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}

/// Compares `actual` with the golden file at Fixtures/golden/<path>; with RECORD_GOLDEN=1 rewrites it.
/// Returns nil when they match, else a message naming the first differing line.
public func compareGolden(_ actual: String, _ path: String) throws -> String? {
  let url = fixture("golden/\(path)")
  if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try actual.write(to: url, atomically: true, encoding: .utf8)
    return nil
  }
  guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
    return "golden file \(path) is missing; run the tests with RECORD_GOLDEN=1 to create it, then review it"
  }
  if expected == actual { return nil }
  let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
  let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
  for i in 0..<max(a.count, e.count) {
    let x = i < a.count ? String(a[i]) : "<end>"
    let y = i < e.count ? String(e[i]) : "<end>"
    if x != y {
      return "\(path):\(i + 1) differs\n  expected: \(y)\n  actual:   \(x)\n(RECORD_GOLDEN=1 rewrites golden files; review the diff)"
    }
  }
  return "\(path) differs"
}
