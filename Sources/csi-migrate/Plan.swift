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

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Write the migration plan of one cluster: runbook, plan.json, migrate.sh, manifests and backups.",
    discussion: """
      Reads one cluster's objects (all inputs together) and writes the plan directory atomically:
        RUNBOOK.md    the steps, with commands, expected outcomes, waits and rollbacks
        plan.json     the same plan, machine-readable (csi-migrate/v1 MigrationPlan)
        migrate.sh    runs the runbook: dry run unless --apply; resumes where it stopped
        manifests/    CSI StorageClasses, PersistentVolumes and claims (kubectl apply -f ready)
        backup/       the original objects, cleaned for kubectl apply (rollback)
      Nothing is read from or written to the cluster.

      Example:
        kubectl get pv,pvc,sc,pods,deploy,sts,ds,job,cronjob -A -o yaml | csi-migrate plan --out plan
      """)

  @OptionGroup var input: InputOptions

  @Option(name: .long, help: ArgumentHelp("Directory to write the plan to (must not exist, or be empty).", valueName: "dir"))
  var out: String

  @Option(name: [.customShort("n"), .customLong("namespace")], help: "Plan only claims in this namespace (repeatable).")
  var namespaces: [String] = []

  @Flag(help: "Replace an existing, non-empty --out directory.")
  var force = false

  func run() throws {
    let target = Self.trimmedSlashes(out)
    guard !target.isEmpty else {
      Output.shared.error("csi-migrate: error: --out needs a directory name")
      throw ExitCode(ExitStatus.badInput)
    }
    let state = Files.state(target)
    if state == .file {
      Output.shared.error("csi-migrate: error: --out \(target) exists and is not a directory")
      throw ExitCode(ExitStatus.badInput)
    }
    if state == .nonEmptyDirectory && !force {
      Output.shared.error("csi-migrate: error: --out \(target) exists and is not empty; choose another directory or pass --force to replace it")
      throw ExitCode(ExitStatus.badInput)
    }
    let paths = try input.expanded()
    let temp = try Files.makeNewDirectory(Files.sibling(of: target, tag: "tmp"))
    do {
      let plan = try Self.write(paths: paths, into: temp, namespaces: Set(namespaces))
      try Files.replace(target, with: temp, state: state)
      Self.summary(plan, target)
    } catch {
      Files.removeTree(temp)
      throw error
    }
  }

  /// Reads every input, writing backups as objects stream by, then writes the rest of the plan.
  static func write(paths: [String], into dir: String, namespaces: Set<String>) throws -> Plan {
    Files.returnLargeBlocksOnFree()
    // Used by the queue's thread while the input is read, then by this one once the queue has
    // finished (`pthread_join` orders the two).
    let planner = Shared(Planner(
      options: PlanOptions(namespaces: namespaces, inputs: paths, toolVersion: CSIMigrate.configuration.version),
      spill: try FileSpill(in: dir)))
    // The reader parses on this thread; each object is decoded, planned and backed up on the
    // queue's thread, in input order, while the reader goes on. Where objects cost the queue
    // more than the reader (a run of volumes, each with a backup to write), the queue falls
    // behind; then the reader decodes the next objects and writes their backups itself, and
    // the queue only plans them.
    let files = PlanFileWriter(root: dir), readerFiles = PlanFileWriter(root: dir)
    // While it waits for objects, the queue's thread writes manifests ahead of the plan (once
    // workloads come after the volumes), with the same file writer as its tasks.
    let queue = BackgroundQueue(whenIdle: { try planner.value.writeManifestsAhead { try files.write($0, bytes: $1) } }).start()
    let plan: Plan
    do {
      try Pipeline.readTrees(paths) { index, _, tree in
        let early = queue.isBehind ? try Prepared(tree, input: index, files: readerFiles) : nil
        try queue.submit {
          let object = try early ?? Prepared(tree, input: index, files: files)
          try planner.value.add(object.object, tree: tree)
          // A claim's backup depends on what the planner has seen.
          if case .persistentVolumeClaim(let pvc) = object.object, planner.value.mayNeedBackup(pvc) {
            try Prepared.backUp(object.object, tree, files)
          }
        }
      }
      try queue.finish()
      plan = try planner.value.plan()
    } catch {
      // The queue's thread may still be writing into the directory the caller removes; an
      // error it met comes from an earlier object than the reader's.
      try queue.finish()
      throw error
    }
    for path in planner.value.unkeptBackups + planner.value.unwantedManifests { Files.remove(dir + "/" + path) }
    // The plan holds what rendering needs: let go of the planner's tables (every PV name seen,
    // claims, workloads) before rendering.
    planner.value = Planner(options: planner.value.options)
    // Give the freed tables back to the system before the render threads make their own heaps.
    Files.releaseFreedMemory()
    Files.reuseLargeBlocks()
    try render(plan, into: dir)
    return plan
  }

  /// Writes RUNBOOK.md, plan.json, migrate.sh and the manifests: the heads of the three files
  /// side by side, then the groups a batch at a time on two threads (each batch's steps built
  /// once for the three files; its manifests written by the thread that rendered it; its text
  /// appended in order), then the tails side by side.
  static func render(_ plan: Plan, into dir: String) throws {
    let stages = PlanDirectory.Stages(plan)
    let streams = try PlanDirectory.streamed.map { try StreamFile(dir + "/" + $0.path, executable: $0.executable) }
    defer { for stream in streams { stream.close() } }
    try Parallel.run(streams.indices.map { i in { @Sendable in try stages.head(i) { try streams[i].append($0) } } } + [
      { @Sendable in
        let files = PlanFileWriter(root: dir)
        for (path, bytes) in try stages.classManifests() { try files.write(path, bytes: bytes) }
      }
    ])
    let writers = [PlanFileWriter(root: dir), PlanFileWriter(root: dir)]
    try Parallel.ordered(count: stages.batches.count, workers: writers.count) { worker, k in
      let batch = try stages.batch(k)
      for (path, bytes) in batch.manifests { try writers[worker].write(path, bytes: bytes) }
      return batch.text
    } consume: { text in
      for (i, piece) in text.enumerated() { try streams[i].append(piece) }
    }
    try Parallel.run(streams.indices.map { i in
      { @Sendable in
        try stages.tail(i) { try streams[i].append($0) }
        try streams[i].finish()
      }
    })
  }

  static func summary(_ plan: Plan, _ dir: String) {
    var line = "plan written to \(dir): \(plan.count(.migrate)) volume(s) to migrate in \(plan.groups.count) group(s)"
    if plan.count(.blocked) > 0 { line += ", \(plan.count(.blocked)) blocked" }
    if plan.count(.skipped) > 0 { line += ", \(plan.count(.skipped)) outside the selected namespaces" }
    if !plan.inline.isEmpty { line += ", \(plan.inline.count) inline volume(s) to edit by hand" }
    Output.shared.error(line)
    Output.shared.error("next: read \(dir)/RUNBOOK.md, then run \(dir)/migrate.sh --context <kube-context> (a dry run)")
  }

  static func trimmedSlashes(_ path: String) -> String {
    var p = Substring(path)
    while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
    return String(p)
  }
}

#if canImport(Glibc)
  @_silgen_name("malloc_trim") private func glibcMallocTrim(_ pad: Int) -> Int32
  @_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// An object decoded, its backup written unless it is a claim's.
private struct Prepared {
  let object: KubeObject

  init(_ tree: ObjectTree, input: Int, files: PlanFileWriter) throws {
    var decoder = Decoder(tree: tree, input: input)
    object = try decoder.decode()
    if case .persistentVolumeClaim = object { return }
    try Self.backUp(object, tree, files)
  }

  static func backUp(_ object: KubeObject, _ tree: ObjectTree, _ files: PlanFileWriter) throws {
    guard let backup = try Backup.file(for: object, tree: tree) else { return }
    try files.write(backup.path, bytes: try PlanDirectory.backupYAML(backup.document))
  }
}

/// The few file-system operations the plan needs, on POSIX calls.
enum Files {
  enum State { case missing, emptyDirectory, nonEmptyDirectory, file }

  static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)).lowercased() }

  /// Writes all of `bytes` to `fd`, again after an interrupted call: 0, or the errno of the failure.
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard let base = bytes.baseAddress else { return 0 }
    var offset = 0
    while offset < bytes.count {
      let n = Glibc.write(fd, base + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return errno
      }
      offset += n
    }
    return 0
  }

  static func state(_ path: String) -> State {
    var info = stat()
    guard lstat(path, &info) == 0 else { return .missing }
    guard (info.st_mode & S_IFMT) == S_IFDIR else { return .file }
    return entries(path).isEmpty ? .emptyDirectory : .nonEmptyDirectory
  }

  static func entries(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// A new name next to `path` (same directory, so the same file system: rename is atomic).
  static func sibling(of path: String, tag: String) -> String {
    let slash = path.lastIndex(of: "/")
    let parent = slash.map { String(path[..<$0]) } ?? ""
    let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let prefix = slash == nil ? "" : (parent.isEmpty ? "/" : parent + "/")
    return "\(prefix).\(base).\(tag)-\(getpid())"
  }

  static func makeDirectory(_ path: String) throws {
    guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
      throw InputError("cannot create directory: \(errorText())", file: path)
    }
  }

  /// Creates a directory that did not exist: `base`, or `base-1`, `base-2`, ... when a run that
  /// was killed left one of that name behind (process ids repeat), whose files must not end up
  /// in a new plan. Returns the path created.
  static func makeNewDirectory(_ base: String) throws -> String {
    var path = base
    for n in 1...100 {
      if mkdir(path, 0o755) == 0 { return path }
      guard errno == EEXIST else { break }
      path = "\(base)-\(n)"
    }
    throw InputError("cannot create directory: \(errorText())", file: path)
  }

  static func remove(_ path: String) { unlink(path) }

  /// Opens `path` for writing from the start, creating it (mode 0755 when executable, else 0644).
  static func create(_ path: String, executable: Bool) throws -> Int32 {
    let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0o755 : 0o644)
    guard fd >= 0 else { throw InputError("cannot write: \(errorText())", file: path) }
    return fd
  }

  /// Writes all of `bytes` to `fd`, the file `path` (made only for the error).
  static func write(_ fd: Int32, _ bytes: [UInt8], path: @autoclosure () -> String) throws {
    let failure = bytes.withUnsafeBytes { writeAll(fd, $0) }
    guard failure == 0 else { throw InputError("cannot write: \(errorText(failure))", file: path()) }
  }

  /// glibc keeps freed memory for reuse; `malloc_trim` returns it to the system.
  static func releaseFreedMemory() {
    #if canImport(Glibc)
      _ = glibcMallocTrim(0)
    #endif
  }

  /// The planner's tables are large arrays and hash tables, each freed as soon as it is done
  /// with: give their memory back on `free`. (glibc's default raises its mmap threshold after
  /// the first large free, and keeps later large blocks in its heap.)
  static func returnLargeBlocksOnFree() {
    #if canImport(Glibc)
      _ = glibcMallopt(-3, 128 * 1024)  // M_MMAP_THRESHOLD
    #endif
  }

  /// Rendering allocates and frees text buffers of a few hundred KiB for every batch: with the
  /// low threshold each would be a fresh mapping, its pages faulted in and zeroed every time.
  /// Once the tables are gone, let glibc keep such blocks for reuse (memory stays bounded by
  /// the batches in flight).
  static func reuseLargeBlocks() {
    #if canImport(Glibc)
      _ = glibcMallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD
      _ = glibcMallopt(-1, 32 << 20)  // M_TRIM_THRESHOLD: no shrinking the heap between batches
    #endif
  }

  static func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      for name in entries(path) { removeTree(path + "/" + name) }
      rmdir(path)
    } else {
      unlink(path)
    }
  }

  /// Puts `temp` in place of `target`: a plain rename when there is nothing there; with an
  /// existing directory, move it aside first, then delete it once the new one is in place.
  static func replace(_ target: String, with temp: String, state: State) throws {
    switch state {
    case .missing:
      break
    case .emptyDirectory:
      guard rmdir(target) == 0 else { throw InputError("cannot replace: \(errorText())", file: target) }
    case .nonEmptyDirectory:
      let old = sibling(of: target, tag: "old")
      guard rename(target, old) == 0 else { throw InputError("cannot move the old plan aside: \(errorText())", file: target) }
      guard rename(temp, target) == 0 else {
        let text = errorText()
        _ = rename(old, target)
        throw InputError("cannot move the new plan into place: \(text)", file: target)
      }
      removeTree(old)
      return
    case .file:
      throw InputError("exists and is not a directory", file: target)
    }
    guard rename(temp, target) == 0 else { throw InputError("cannot move the new plan into place: \(errorText())", file: target) }
  }
}

/// A file written from start to end in pieces, small ones through a 1 MiB buffer, by one thread
/// at a time.
final class StreamFile: @unchecked Sendable {
  let path: String
  private var fd: Int32
  private var buffer: [UInt8] = []

  init(_ path: String, executable: Bool) throws {
    self.path = path
    fd = try Files.create(path, executable: executable)
    buffer.reserveCapacity(1 << 20)
  }

  func append(_ piece: [UInt8]) throws {
    // A large piece (a batch's text) goes to the file as it is, after what is buffered: copied
    // into the buffer first, every byte of the plan would be copied twice.
    if piece.count >= 1 << 16 {
      if !buffer.isEmpty { try flush() }
      try Files.write(fd, piece, path: path)
      return
    }
    buffer.append(contentsOf: piece)
    if buffer.count >= 1 << 20 { try flush() }
  }

  /// Writes what is buffered and closes the file.
  func finish() throws {
    try flush()
    close()
  }

  func close() {
    if fd >= 0 { Glibc.close(fd) }
    fd = -1
  }

  private func flush() throws {
    try Files.write(fd, buffer, path: path)
    buffer.removeAll(keepingCapacity: true)
  }

  deinit { close() }
}

/// Writes the files of one plan directory whose content is ready (backups, manifests): each
/// directory is created once, each file with one open, one write and one close. One thread at a
/// time uses a writer (the render threads have one each).
final class PlanFileWriter: @unchecked Sendable {
  let root: String
  /// Each directory made, by its path inside the plan directory, open: files are created in it
  /// by name (`openat`), without the kernel walking the whole path again for each of them.
  private var directories: [String: Int32] = [:]
  /// The directory of the last file written, whose neighbours usually come next.
  private var last: (dir: String, fd: Int32)?

  init(root: String) { self.root = root }

  deinit {
    for fd in directories.values { close(fd) }
  }

  /// The open directory `dir` (a path inside the plan directory), made with its parents when
  /// they are not there yet.
  private func directory(_ dir: String) throws -> Int32 {
    if let fd = directories[dir] { return fd }
    if let slash = dir.lastIndex(of: "/") { _ = try directory(String(dir[..<slash])) }
    try Files.makeDirectory(root + "/" + dir)
    let fd = Glibc.open(root + "/" + dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw InputError("cannot open directory: \(Files.errorText())", file: root + "/" + dir) }
    directories[dir] = fd
    return fd
  }

  /// Writes file `relative`, a path inside the plan directory with at least one directory.
  func write(_ relative: String, bytes: [UInt8]) throws {
    guard let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else {
      preconditionFailure("plan files written by name are inside a directory: \(relative)")
    }
    let name = relative[relative.utf8.index(after: slash)...]
    let dirfd: Int32
    if let last, relative.utf8.count == last.dir.utf8.count + 1 + name.utf8.count, relative.utf8.starts(with: last.dir.utf8) {
      dirfd = last.fd
    } else {
      let dir = String(relative[..<slash])
      dirfd = try directory(dir)
      last = (dir, dirfd)
    }
    let fd = Glibc.openat(dirfd, String(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw InputError("cannot write: \(Files.errorText())", file: root + "/" + relative) }
    defer { close(fd) }
    try Files.write(fd, bytes, path: root + "/" + relative)
  }
}
