import Testing
import TestSupport

@testable import YAMLStream

/// `YAMLWriter.write(_:at:edits:)` writes a tree as `write(_:)` writes `tree.value(at:)`.
@Suite struct TreeWriterTests {
  /// Every kind of node and scalar style the reader keeps, in block and flow form.
  let text = #"""
    apiVersion: v1
    kind: Thing
    metadata:
      name: a
      empty: {}
      none: []
      annotations:
        note: |
          two
          lines
        kept: |+
          trailing

        folded: >
          folded text
        spaces: "trailing  "
        crlf: "a\r\nb"
        nul: "a\0b"
        quotedNumber: "1"
        quotedBool: 'true'
        quotedEmpty: ""
        plainNumber: 1
        plainFloat: 1.5e3
        plainBool: yes
        unicode: "Grüße, 世界"
        kelvin: "\u212A"
    spec:
      nulls: [~, null, Null, NULL, "null", '~', "", '']
      empty:
      "quoted key": 1
      "123": number key
      "": empty key
      "true": bool key
      list:
      - a
      - - nested
        - {x: 1, y: [2, 3]}
      - {}
      - []
      - ""
      time: 2024-01-02T03:04:05Z
      colon: "a: b"
      hash: "a #b"
      dash: "- x"
      long: "\#(String(repeating: "x", count: 200))"
      tab: "a\tb"
    status:
      phase: Bound

    """#

  func tree() throws -> ObjectTree { try #require(try readObjects(text).first) }

  @Test func writesWhatTheValueWrites() throws {
    let tree = try tree()
    let direct = try YAMLWriter().write(tree, at: tree.root)
    let viaValue = try YAMLWriter().write(tree.value(at: tree.root))
    #expect(String(decoding: direct, as: UTF8.self) == String(decoding: viaValue, as: UTF8.self))
    // Every subtree on its own, scalars included.
    for i in 0..<tree.nodes.count {
      #expect(try YAMLWriter().write(tree, at: i) == YAMLWriter().write(tree.value(at: i)), "node \(i)")
    }
  }

  @Test func editsAreThoseOfTheValue() throws {
    let tree = try tree()
    let root = tree.root
    let status = try #require(tree.value(root, "status")) - 1
    let metadata = try #require(tree.value(root, "metadata"))
    let name = try #require(tree.value(metadata, "name"))
    let spec = try #require(tree.value(root, "spec"))
    let list = try #require(tree.value(spec, "list"))
    let empty = try #require(tree.value(metadata, "empty"))

    var edits = YAMLWriter.TreeEdits()
    edits.omit(pairWithKey: status)
    edits.replace(name, with: .string("renamed"))
    edits.replace(list, with: .mapping([("x", .int(1)), ("y", .null)]))
    edits.replace(empty, with: .sequence([.bool(true)]))
    var expected = tree.value(at: root)
    expected["status"] = nil
    expected["metadata"]?["name"] = .string("renamed")
    expected["spec"]?["list"] = .mapping([("x", .int(1)), ("y", .null)])
    expected["metadata"]?["empty"] = .sequence([.bool(true)])
    #expect(try YAMLWriter().write(tree, at: root, edits: edits) == YAMLWriter().write(expected))
  }

  @Test func aMappingWithEveryPairLeftOutIsEmptyFlow() throws {
    let tree = try #require(try readObjects("a:\n  b: 1\n  c: 2\nd: 3\n").first)
    let a = try #require(tree.value(tree.root, "a"))
    var edits = YAMLWriter.TreeEdits()
    for (key, _) in tree.pairs(a) { edits.omit(pairWithKey: key) }
    let text = String(decoding: try YAMLWriter().write(tree, at: tree.root, edits: edits), as: UTF8.self)
    #expect(text == "a: {}\nd: 3\n")
  }

  @Test func byteQuotingMatchesTheStringDefinition() {
    var samples = [
      "", "true", "True", "TRUE", "tRuE", "false", "yes", "Yes", "no", "NO", "on", "off", "y", "Y", "n", "null", "Null",
      "~", "=", ".nan", ".NaN", ".inf", "-.inf", "+.Inf", "123", "0x1F", "0o17", "017", "1_000", "1.5", "1e3", "1:30",
      "2006-01-02", "2006-01-02T15:04:05Z", "-1", "+1", ".5", "-", "+", ".", "- x", "ReadWriteOnce", "10Gi", "eastus-1",
      "/subscriptions/x", "kind", "nulls", "truer", "\u{212A}", "K", "ÿes", "Ｔrue", "ⓝull", "日本", "1 2", "1e", "abc",
      "0.0.0.0", "12345678901234567", "é", "e\u{301}",
    ]
    samples += samples.map { $0.uppercased() } + samples.map { $0 + " " } + samples.map { " " + $0 }
    for text in samples {
      var copy = text
      let bytes = copy.withUTF8 { YAMLWriter.needsQuotes(utf8: $0) }
      #expect(bytes == YAMLWriter.needsQuotesSlow(text), "\(text)")
      #expect(YAMLWriter.needsQuotes(text) == YAMLWriter.needsQuotesSlow(text), "\(text)")
    }
    for b in 0...255 {
      #expect(YAMLWriter.isNumberByte(UInt8(b)) == YAMLWriter.numberBytes.contains(UInt8(b)), "\(b)")
    }
  }
}
