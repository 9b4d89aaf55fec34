#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A byte stream fed to libyaml in chunks, so a dump is never held in memory whole.
///
/// `kubectl get -o json | jq '.items[]'` prints JSON objects back to back with nothing between
/// them, which YAML does not allow. When the input starts with `{` or `[`, the source frames it:
/// after each complete top-level value it inserts a `---` line before the next one, and records
/// where, so that reported line numbers are those of the original bytes.
public final class InputSource {
  /// Shown in every diagnostic: the path as given, or `-` for standard input.
  public let name: String
  private let fd: Int32
  private let ownsDescriptor: Bool
  private var memory: [UInt8]?
  private var memoryOffset = 0

  private enum Mode { case undetermined, yaml, json }
  private var mode = Mode.undetermined

  private var raw: UnsafeMutableRawBufferPointer
  private var rawStart = 0
  private var rawEnd = 0
  private var eof = false

  // JSON framing state.
  private var depth = 0
  private var inString = false
  private var escaped = false
  private var betweenValues = false
  private var atLineStart = true
  private var outputLine = 0
  private var pending: [UInt8] = []
  private var pendingStart = 0
  /// Output line numbers (0-based) at which a `---` line was inserted, in order.
  private var insertedLines: [Int] = []

  /// Total bytes read from the underlying descriptor.
  public private(set) var bytesRead = 0
  public private(set) var readError: Int32 = 0

  /// Opens a file for reading.
  public init(path: String) throws(InputError) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let reason = String(cString: strerror(errno))
      throw InputError("cannot open: \(reason.lowercased())", file: path)
    }
    var info = stat()
    if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      close(descriptor)
      throw InputError("is a directory", file: path)
    }
    self.name = path
    self.fd = descriptor
    self.ownsDescriptor = true
    self.raw = .allocate(byteCount: 1 << 16, alignment: 16)
  }

  /// Reads from bytes in memory (fuzzing, tests).
  public init(bytes: [UInt8], name: String) {
    self.name = name
    self.fd = -1
    self.ownsDescriptor = false
    self.memory = bytes
    self.raw = .allocate(byteCount: 1 << 16, alignment: 16)
  }

  /// Reads from an already open descriptor, such as standard input.
  public init(descriptor: Int32, name: String) {
    self.name = name
    self.fd = descriptor
    self.ownsDescriptor = false
    self.raw = .allocate(byteCount: 1 << 16, alignment: 16)
  }

  deinit {
    if ownsDescriptor { close(fd) }
    raw.deallocate()
  }

  /// Maps a 0-based line number as libyaml saw it back to the original input's 0-based line.
  func originalLine(_ line: Int) -> Int {
    if insertedLines.isEmpty { return line }
    // Number of inserted lines strictly before `line`.
    var lo = 0
    var hi = insertedLines.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if insertedLines[mid] < line { lo = mid + 1 } else { hi = mid }
    }
    return line - lo
  }

  /// Reads up to `count` bytes into `buffer` from the descriptor or from memory.
  private func readInto(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    if let memory {
      let n = min(count, memory.count - memoryOffset)
      if n > 0 {
        memory.withUnsafeBytes { bytes in
          if let base = bytes.baseAddress { buffer.copyMemory(from: base + memoryOffset, byteCount: n) }
        }
        memoryOffset += n
      }
      return n
    }
    while true {
      let n = read(fd, buffer, count)
      if n < 0 && errno == EINTR { continue }
      if n < 0 { readError = errno; return -1 }
      return n
    }
  }

  private func readRaw() -> Int {
    guard let base = raw.baseAddress else { return 0 }
    let n = readInto(base, raw.count)
    if n > 0 { bytesRead += n }
    return n
  }

  /// Fills libyaml's buffer; returns false on a read error.
  func fill(_ out: UnsafeMutablePointer<UInt8>, _ size: Int, _ written: inout Int) -> Bool {
    written = 0
    if mode == .yaml && rawStart == rawEnd {
      // Plain YAML: read straight into libyaml's buffer.
      let n = readInto(out, size)
      if n < 0 { return false }
      bytesRead += n
      written = n
      return true
    }
    while written == 0 {
      if pendingStart < pending.count {
        let n = min(size, pending.count - pendingStart)
        for i in 0..<n { out[i] = pending[pendingStart + i] }
        pendingStart += n
        if pendingStart == pending.count {
          pending.removeAll(keepingCapacity: true)
          pendingStart = 0
        }
        written = n
        return true
      }
      if rawStart == rawEnd {
        if eof { return true }
        let n = readRaw()
        if n < 0 { return false }
        if n == 0 {
          eof = true
          return true
        }
        rawStart = 0
        rawEnd = n
      }
      if mode == .undetermined {
        let bytes = raw.bindMemory(to: UInt8.self)
        var i = rawStart
        while i < rawEnd, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        if i < rawEnd { mode = (bytes[i] == UInt8(ascii: "{") || bytes[i] == UInt8(ascii: "[")) ? .json : .yaml }
      }
      if mode == .json {
        written = frameJSON(out, size)
      } else {
        let n = min(size, rawEnd - rawStart)
        let bytes = raw.bindMemory(to: UInt8.self)
        for i in 0..<n { out[i] = bytes[rawStart + i] }
        rawStart += n
        written = n
      }
    }
    return true
  }

  /// Copies bytes from `raw` to `out`, tracking JSON nesting, and queues a `---` line before each
  /// top-level value that follows another one.
  private func frameJSON(_ out: UnsafeMutablePointer<UInt8>, _ size: Int) -> Int {
    let bytes = raw.bindMemory(to: UInt8.self)
    var n = 0
    while n < size && rawStart < rawEnd {
      let b = bytes[rawStart]
      if betweenValues && !inString && depth == 0 {
        if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
          betweenValues = false
          if !atLineStart {
            // `}{` on one line: the line break we add also shifts later lines.
            pending.append(0x0A)
            outputLine += 1
            insertedLines.append(outputLine)
          }
          insertedLines.append(outputLine)
          pending.append(contentsOf: [0x2D, 0x2D, 0x2D, 0x0A])
          outputLine += 1
          atLineStart = true
          // The separator goes out before this byte.
          return n
        } else if b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09 {
          betweenValues = false
        }
      }
      if inString {
        if escaped {
          escaped = false
        } else if b == UInt8(ascii: "\\") {
          escaped = true
        } else if b == UInt8(ascii: "\"") {
          inString = false
        }
      } else {
        switch b {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
          depth -= 1
          if depth == 0 { betweenValues = true }
          if depth < 0 { depth = 0 }
        default: break
        }
      }
      if b == 0x0A {
        outputLine += 1
        atLineStart = true
      } else {
        atLineStart = false
      }
      out[n] = b
      n += 1
      rawStart += 1
    }
    return n
  }
}
