import Foundation
import Testing
import TestSupport
import YAMLStream

/// Edge cases of framing, positions and limits found in review.
@Suite struct ReaderEdgeCaseTests {
  @Test func valuesSharingALineKeepTheirOriginalColumns() throws {
    let text = #"{"kind":"X","apiVersion":"v1"}{"kind":"Y","kind":"Z","apiVersion":"v1"}"# + "\n"
    let error = try #require(throws: InputError.self) { try readObjects(text, name: "s.json") }
    #expect(error.location.line == 1)
    #expect(error.location.column == 43)
  }

  @Test func aByteOrderMarkBeforeAJSONStream() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{\"kind\":\"A\",\"apiVersion\":\"v1\"}\n{\"kind\":\"B\",\"apiVersion\":\"v1\"}\n".utf8)
    #expect(try readObjects(path: try temporaryFile(bytes: bytes, name: "bom.json")).count == 2)
  }

  @Test func longLeadingWhitespaceDoesNotShiftLines() throws {
    let blank = String(repeating: "\n", count: 70_000)
    let text = blank + "{\"kind\":\"A\",\"apiVersion\":\"v1\"}\n{\"kind\":\"B\",\n\"kind\":\"C\"}\n"
    let error = try #require(throws: InputError.self) { try readObjects(text, name: "w.json") }
    #expect(error.location.line == 70_003)
  }

  @Test func manyValuesInAStreamKeepExactLines() throws {
    var text = ""
    for i in 0..<3000 { text += "{\n  \"kind\": \"A\",\n  \"apiVersion\": \"v1\",\n  \"n\": \(i)\n}\n" }
    text += "{\n  \"kind\": \"A\",\n  \"kind\": \"B\"\n}\n"
    let error = try #require(throws: InputError.self) { try readObjects(text, name: "many.json") }
    #expect(error.location.line == 3000 * 5 + 3)
  }

  @Test func readerErrorOffsetsAreThoseOfTheOriginalBytes() throws {
    var bytes = Array("{\"kind\":\"A\",\"apiVersion\":\"v1\"}\n{\"kind\":\"".utf8)
    let offset = bytes.count
    bytes += [0xFF]
    bytes += Array("\"}\n".utf8)
    let error = try #require(throws: InputError.self) {
      try readObjects(path: try temporaryFile(bytes: bytes, name: "r.json"))
    }
    #expect(error.message.contains("offset \(offset)"))
    #expect(error.location.line == 2)
  }

  @Test func anErrorAtTheEndOfTheStreamIsOnTheLastLine() throws {
    let error = try #require(throws: InputError.self) { try readObjects("{\"kind\": \"A\",\n  \"apiVersion\": \"v1\"\n", name: "u.json") }
    #expect(error.location.line == 2)
  }

  @Test func aHugeScalarStopsAtTheObjectLimit() throws {
    var limits = ReaderLimits()
    limits.maxBytesPerObject = 1 << 20
    let text = "kind: X\napiVersion: v1\ndata: " + String(repeating: "a", count: 4 << 20) + "\n"
    let error = try #require(throws: InputError.self) {
      try readObjects(path: try temporaryFile(text), limits: limits)
    }
    #expect(error.message.contains("object larger than"))
  }
}
