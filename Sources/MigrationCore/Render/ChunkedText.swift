/// Text handed to a `write` function in pieces of about 64 KiB: a report with hundreds of
/// thousands of findings is never held as one string.
public struct ChunkedText {
  public static let chunkSize = 1 << 16

  /// What is not handed on yet.
  public var text = ""
  private let write: (String) -> Void

  /// Runs `body` on a fresh chunked text, then hands `write` what is left.
  public static func writing(to write: (String) -> Void, _ body: (inout ChunkedText) -> Void) {
    withoutActuallyEscaping(write) { write in
      var chunks = ChunkedText(write: write)
      body(&chunks)
      chunks.flush()
    }
  }

  private init(write: @escaping (String) -> Void) { self.write = write }

  public static func += (chunks: inout ChunkedText, s: String) { chunks.text += s }

  /// Hands the text on once it holds a chunk: call it between findings.
  public mutating func flushIfFull() { Self.flushIfFull(&text, write) }

  public mutating func flush() {
    guard !text.isEmpty else { return }
    write(text)
    text.removeAll(keepingCapacity: true)
  }

  /// For renderers whose `write` throws (files): hands `text` to `write` and empties it once it
  /// holds a chunk.
  static func flushIfFull(_ text: inout String, _ write: (String) throws -> Void) rethrows {
    guard text.utf8.count >= chunkSize else { return }
    try write(text)
    text.removeAll(keepingCapacity: true)
  }
}
