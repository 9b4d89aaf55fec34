import MigrationCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The planner's records in a temporary file in the plan's own temporary directory (the file
/// system the plan goes to, known to be writable), removed from the directory as soon as it is
/// open: nothing is left behind, even when the process is killed. Writes go through a 1 MiB
/// buffer; reads, from any thread, are `pread`s.
final class FileSpill: RecordSpill {
  private let fd: Int32
  private struct Tail {
    var buffer: [UInt8] = []
    /// Bytes in the file; the buffer follows them.
    var flushed = 0
  }
  private let tail = Mutex(Tail())

  init(in dir: String) throws {
    var template = Array("\(dir)/.records.XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else { throw SpillError.io("\(dir): \(Files.errorText())") }
    unlink(String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    self.fd = fd
    tail.withLock { $0.buffer.reserveCapacity(1 << 20) }
  }

  deinit { close(fd) }

  func append(_ bytes: [UInt8]) throws -> SpillRef {
    try tail.withLock { t in
      let ref = SpillRef(offset: t.flushed + t.buffer.count, count: Int32(bytes.count))
      t.buffer.append(contentsOf: bytes)
      if t.buffer.count >= 1 << 20 { try flush(&t) }
      return ref
    }
  }

  func read(_ ref: SpillRef) throws -> [UInt8] {
    let count = Int(ref.count)
    if count == 0 { return [] }
    try tail.withLock { t in
      if ref.end > t.flushed { try flush(&t) }
      guard ref.offset >= 0, ref.end <= t.flushed else { throw SpillError.truncated }
    }
    var bytes = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = bytes.withUnsafeMutableBytes { raw in
        raw.baseAddress.map { pread(fd, $0 + done, count - done, off_t(ref.offset + done)) } ?? -1
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw SpillError.io(n < 0 ? Files.errorText() : "unexpected end of file") }
      done += n
    }
    return bytes
  }

  private func flush(_ t: inout Tail) throws {
    let error = t.buffer.withUnsafeBytes { Files.writeAll(fd, $0) }
    guard error == 0 else { throw SpillError.io(Files.errorText(error)) }
    t.flushed += t.buffer.count
    t.buffer.removeAll(keepingCapacity: true)
  }
}
