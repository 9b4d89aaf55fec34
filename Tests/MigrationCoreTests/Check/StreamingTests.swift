import MigrationCore
import Testing
import TestSupport
import YAMLStream

/// Reports are written in pieces: the pieces must add up to the report written whole.
@Suite struct StreamingTests {
  @Test func jsonStreamWritesWhatTheWholeValueWould() {
    let value: YAMLValue = .mapping([
      ("a", .string("x\"y")),
      ("empty", .sequence([])),
      ("list", .sequence([.int(1), .mapping([]), .mapping([("k", .sequence([.bool(true), .null]))])])),
      ("last", .mapping([("n", .int(3))])),
    ])
    var streamed = ""
    JSONWriter.Stream.writing(to: { streamed += $0 }) { json in
      json.openMapping()
      json.add("a", .string("x\"y"))
      json.openList("empty")
      json.close()
      json.openList("list")
      json.append(.int(1))
      json.openMapping()
      json.close()
      json.openMapping()
      json.openList("k")
      json.append(.bool(true))
      json.append(.null)
      json.close()
      json.close()
      json.close()
      json.add("last", .mapping([("n", .int(3))]))
      json.close()
    }
    #expect(streamed == JSONWriter.render(value))
  }
}
