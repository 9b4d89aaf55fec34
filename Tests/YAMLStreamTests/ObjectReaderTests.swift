import Foundation
import Testing
import TestSupport
import YAMLStream

@Suite struct ObjectReaderTests {
  let list = """
    apiVersion: v1
    items:
    - apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: a
    - apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: b
        namespace: shop
    kind: List
    metadata:
      resourceVersion: ""

    """

  func name(_ tree: ObjectTree) -> String? {
    tree.value(tree.root, "metadata", "name").flatMap { tree.string($0) }
  }

  @Test func listItemsAreSeparateObjectsWithTheirOwnPositions() throws {
    let trees = try readObjects(list)
    #expect(trees.map(name) == ["a", "b"])
    #expect(trees[0].position(trees[0].root) == SourcePosition(line: 3, column: 3))
    let ns = try #require(trees[1].value(trees[1].root, "metadata", "namespace"))
    #expect(trees[1].position(ns) == SourcePosition(line: 11, column: 16))
  }

  @Test func multiDocumentStream() throws {
    let text = "---\napiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n---\n"
    let trees = try readObjects(text)
    #expect(trees.count == 2)
    #expect(trees[1].position(trees[1].root).line == 5)
  }

  @Test func jsonListAndJSONStreamWithoutSeparators() throws {
    let json = #"{"apiVersion": "v1", "items": [{"kind": "A", "apiVersion": "v1"}, {"kind": "B", "apiVersion": "v1"}], "kind": "List"}"#
    #expect(try readObjects(json, name: "x.json").count == 2)
    // What `kubectl get pv -o json | jq '.items[]'` prints: objects back to back.
    let stream = "{\n  \"kind\": \"A\",\n  \"apiVersion\": \"v1\"\n}\n{\n  \"kind\": \"B\",\n  \"apiVersion\": \"v1\",\n  \"x\": \"}{\"\n}\n"
    let trees = try readObjects(stream, name: "s.json")
    #expect(trees.count == 2)
    // Positions are those of the original bytes, not of the framed stream.
    #expect(trees[1].position(trees[1].root) == SourcePosition(line: 5, column: 1))
    let x = try #require(trees[1].value(trees[1].root, "x"))
    #expect(trees[1].position(x).line == 8)
    #expect(trees[1].string(x) == "}{")
  }

  @Test func errorInJSONStreamNamesTheOriginalLine() throws {
    let stream = "{\"kind\": \"A\", \"apiVersion\": \"v1\"}\n{\"kind\": \"B\",\n \"apiVersion\": [1, 2}\n"
    let error = try #require(throws: InputError.self) { try readObjects(stream, name: "s.json") }
    #expect(error.location.line == 3)
  }

  @Test func emptyListIsAValidDocument() throws {
    let path = try temporaryFile("apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n")
    let reader = try ObjectReader(source: try InputSource(path: path))
    #expect(try reader.next() == nil)
    #expect(reader.documentsWithContent == 1)
  }

  @Test func emptyAndCommentOnlyInputsHaveNoDocuments() throws {
    for text in ["", "   \n\n", "# only a comment\n", "---\n...\n"] {
      let reader = try ObjectReader(source: try InputSource(path: try temporaryFile(text)))
      #expect(try reader.next() == nil)
      #expect(reader.documentsWithContent == 0, "\(text.debugDescription)")
    }
  }

  @Test func duplicateKeyIsAnErrorAtTheSecondKey() throws {
    let text = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: a\napiVersion: v1\n"
    let error = try #require(throws: InputError.self) { try readObjects(text, name: "dup.yaml") }
    #expect(error.location == SourceLocation(file: error.location.file, line: 5, column: 1))
    #expect(error.message.contains("duplicate key \"apiVersion\""))
    #expect(error.description.hasSuffix(":5:1: error: " + error.message))
  }

  @Test func duplicateKeysInLargeMappingsAreFound() throws {
    var text = "kind: X\napiVersion: v1\ndata:\n"
    for i in 0..<500 { text += "  k\(i): v\n" }
    text += "  k250: again\n"
    let error = try #require(throws: InputError.self) { try readObjects(text) }
    #expect(error.location.line == 504)
  }

  @Test func invalidUTF8IsReportedAtItsLineAndColumn() throws {
    var bytes = Array("kind: X\napiVersion: v1\nmetadata:\n  name: \"ab".utf8)
    bytes += [0xFF, 0xFE]
    bytes += Array("\"\n".utf8)
    let path = try temporaryFile(bytes: bytes, name: "bad.yaml")
    let error = try #require(throws: InputError.self) { try readObjects(path: path) }
    #expect(error.location.line == 4)
    #expect(error.location.column == 12)
  }

  @Test func tabIndentationIsAnError() throws {
    let error = try #require(throws: InputError.self) { try readObjects("kind: X\nspec:\n\tname: a\n") }
    #expect(error.location.line == 3)
  }

  @Test func aliasesExpandWithinAnObject() throws {
    let trees = try readObjects("kind: X\napiVersion: v1\na: &modes [ReadWriteOnce, ReadOnlyMany]\nb: *modes\n")
    let tree = trees[0]
    let b = try #require(tree.value(tree.root, "b"))
    #expect(tree.children(b).compactMap { tree.string($0) } == ["ReadWriteOnce", "ReadOnlyMany"])
    #expect(tree.value(at: b) == tree.value(at: try #require(tree.value(tree.root, "a"))))
  }

  @Test func aliasBombIsStoppedByTheBudget() throws {
    var text = "kind: X\napiVersion: v1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in 1..<10 {
      let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
      text += "a\(i): &a\(i) [\(refs)]\n"
    }
    let error = try #require(throws: InputError.self) { try readObjects(text) }
    #expect(error.message.contains("alias bomb"))
  }

  @Test func deepNestingIsAnErrorNotACrash() throws {
    let text = "kind: X\napiVersion: v1\na: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
    let error = try #require(throws: InputError.self) { try readObjects(text) }
    #expect(error.message.contains("nesting deeper than"))
    #expect(error.location.line == 3)
  }

  @Test func listItemThatIsAScalarIsAnError() throws {
    let text = "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: A\n- just a string\nkind: List\n"
    let reader = try ObjectReader(source: try InputSource(path: try temporaryFile(text, name: "l.yaml")))
    #expect(try reader.next() != nil)
    let error = try #require(throws: InputError.self) { try reader.next() }
    #expect(error.location.line == 5)
    #expect(error.location.column == 3)
  }

  @Test func scalarDocumentIsAnError() throws {
    let error = try #require(throws: InputError.self) { try readObjects("hello\n") }
    #expect(error.location.line == 1)
  }

  @Test func aliasToAnotherObjectIsAnError() throws {
    let text = "---\nkind: A\nx: &shared 1\n---\nkind: B\ny: *shared\n"
    #expect(throws: InputError.self) { try readObjects(text) }
  }

  @Test func scalarsKeepTheirStyleAndBytes() throws {
    let trees = try readObjects("kind: X\na: \"\"\nb: ''\nc:\nd: null\ne: \"true\"\nf: true\ng: \"with\\u0000nul\"\n")
    let t = trees[0]
    func v(_ k: StaticString) -> Int { t.value(t.root, k)! }
    #expect(t.string(v("a")) == "")
    #expect(t.isNull(v("c")) && t.isNull(v("d")))
    #expect(!t.isNull(v("a")) && !t.isNull(v("b")))
    #expect(t.bool(v("e")) == nil && t.bool(v("f")) == true)
    #expect(t.string(v("g"))?.utf8.count == 8)
  }

  @Test func missingFileIsALocatedError() throws {
    let error = try #require(throws: InputError.self) { try InputSource(path: "/nonexistent/x.yaml") }
    #expect(error.description.hasPrefix("/nonexistent/x.yaml:1:1: error: cannot open"))
  }
}

@Suite struct YAMLWriterTests {
  @Test func writesKubectlStyleAndReadsBack() throws {
    let value = YAMLValue.mapping([
      ("apiVersion", .string("v1")),
      ("kind", .string("PersistentVolume")),
      ("metadata", .mapping([("name", .string("pv-1")), ("labels", .mapping([]))])),
      ("spec", .mapping([
        ("accessModes", .sequence([.string("ReadWriteOnce")])),
        ("capacity", .mapping([("storage", .string("10Gi"))])),
        ("csi", .mapping([
          ("volumeAttributes", .mapping([("fstype", .string("")), ("zone", .string("1")), ("ro", .string("true"))])),
          ("readOnly", .bool(true)),
        ])),
      ])),
    ])
    let text = String(decoding: try YAMLWriter().write(value), as: UTF8.self)
    #expect(text == """
      apiVersion: v1
      kind: PersistentVolume
      metadata:
        name: pv-1
        labels: {}
      spec:
        accessModes:
        - ReadWriteOnce
        capacity:
          storage: 10Gi
        csi:
          volumeAttributes:
            fstype: ""
            zone: "1"
            ro: "true"
          readOnly: true

      """)
    let back = try readObjects(text)
    #expect(back[0].value(at: back[0].root)["spec"]?["csi"]?["volumeAttributes"]?["zone"] == .string("1"))
  }

  @Test func quotesEverythingThatWouldReadBackAsAnotherType() {
    for ambiguous in ["", "true", "False", "yes", "no", "on", "off", "y", "null", "~", "123", "0x1F", "1e3", "1.5", "2024-01-02", "-1", ".inf"] {
      #expect(YAMLWriter.needsQuotes(ambiguous), "\(ambiguous)")
    }
    for plain in ["ReadWriteOnce", "10Gi", "eastus-1", "/subscriptions/x", "kind"] {
      #expect(!YAMLWriter.needsQuotes(plain), "\(plain)")
    }
  }

  @Test func multipleDocumentsAreSeparated() throws {
    let text = String(decoding: try YAMLWriter().write(documents: [.mapping([("a", .int(1))]), .mapping([("b", .int(2))])]), as: UTF8.self)
    #expect(text == "a: 1\n---\nb: 2\n")
  }
}
