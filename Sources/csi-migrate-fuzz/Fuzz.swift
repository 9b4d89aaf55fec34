import MigrationCore
import YAMLStream

#if canImport(Glibc)
  import Glibc
#endif

/// Runs one input through everything that reads untrusted bytes: the reader, the decoder at both
/// levels of detail, the classifier, the translator, the planner and every renderer. Any crash, hang or
/// runaway allocation here is a bug.
func exercise(_ bytes: [UInt8]) {
  let limits = ReaderLimits()
  guard let reader = try? ObjectReader(source: InputSource(bytes: bytes, name: "fuzz"), limits: limits) else { return }
  var inventory = Inventory(input: 0, name: "fuzz")
  var planner = Planner()
  var documents: [YAMLValue] = []
  while true {
    let tree: ObjectTree
    do {
      guard let next = try reader.next() else { break }
      tree = next
    } catch {
      _ = error.description
      break
    }
    var lean = Decoder(tree: tree, input: 0, detail: .inventory)
    var full = Decoder(tree: tree, input: 0, detail: .full)
    guard let object = try? full.decode() else { continue }
    _ = try? lean.decode()
    inventory.add(object, decodeFindings: full.findings)
    _ = try? planner.add(object, tree: tree)
    // As the queue's thread does while it waits: manifests ahead of the plan (to nowhere).
    if case .workload = object { _ = try? planner.writeManifestsAhead { _, _ in } }
    _ = (try? Backup.file(for: object, tree: tree)).map { try? PlanDirectory.backupYAML($0.document) }
    let value = tree.value(at: tree.root)
    switch object {
    case .persistentVolume: _ = Translator.translatePersistentVolume(value)
    case .storageClass: _ = Translator.translateStorageClass(value, asNewObject: true)
    default: break
    }
    // What `translate` does with the object: inline volumes, kubectl-style normalization, streaming writer.
    if let stream = try? YAMLDocumentStream() {
      for outcome in Translator.translate(tree, object) {
        if case .success(let translated) = outcome.result { _ = try? stream.append(translated) }
      }
      _ = try? stream.finish()
    }
    if documents.count < 8 { documents.append(value) }
  }
  inventory.finish()
  let report = ScanReport(inventories: [inventory])
  for format in ScanFormat.allCases {
    try? ScanRenderer().render(report, as: format) { _ = $0 }
  }
  _ = try? YAMLWriter().write(documents: documents)
  // The whole plan directory, rendered to nowhere.
  try? PlanDirectory.render(planner.plan()) { _, _, content in try content { _ = $0 } }
}

#if FUZZING
  typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzCallback
  ) -> CInt

  /// SwiftPM links an executable's `main` to this symbol; hand control to libFuzzer's driver.
  @_cdecl("csi_migrate_fuzz_main")
  func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
  ) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in
      guard let data else { return 0 }
      exercise(Array(UnsafeBufferPointer(start: data, count: size)))
      return 0
    }
  }
#else
  /// Without libFuzzer: replays the files given on the command line (a corpus or crash reproducers).
  @main
  enum ReplayCorpus {
    static func main() {
      var count = 0
      for path in CommandLine.arguments.dropFirst() {
        guard let file = fopen(path, "rb") else {
          print("cannot open \(path)")
          exit(2)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
          let n = fread(&chunk, 1, chunk.count, file)
          if n <= 0 { break }
          bytes.append(contentsOf: chunk[0..<n])
        }
        fclose(file)
        exercise(bytes)
        count += 1
      }
      print("replayed \(count) input(s)")
    }
  }
#endif
